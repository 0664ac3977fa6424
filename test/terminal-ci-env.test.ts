import { removeDir } from './support/remove-dir.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { CLI } from './support/cli.js';
import { startTerminal, type Terminal } from './support/tmux.js';

// Ink draws nothing until exit when it thinks it runs in CI; CI itself sets CI=true and drives the
// dashboard in tmux, and an operator's shell may carry the variable too. The dashboard is on a terminal
// either way, so it must draw.
let dir: string;
let term: Terminal | null = null;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-ci-env-'));
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'ci-env', log: 'backfill.log', keepAwake: false }));
});
afterEach(() => {
  term?.close();
  term = null;
  removeDir(dir);
});

test.each([
  ['CI', 'true'],
  ['CONTINUOUS_INTEGRATION', '1'],
])('the dashboard draws on a terminal with %s=%s in its environment, and the help answers a key', async (name, value) => {
  term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir, env: { [name]: value } });
  await term.waitScreen((_, text) => text.includes('ci-env waiting'), 'the first frame');
  term.keys('?');
  await term.waitScreen((_, text) => /q.*quit/.test(text) && text.includes('resume'), 'the help');
  expect(term.screen().length).toBeLessThanOrEqual(24);
});

test('a launched backfill still gets CI from the environment as it was', async () => {
  // The variables are hidden only while the views load: the process keeps them for what it launches.
  writeFileSync(
    path.join(dir, 'backfill-tui.config.json'),
    JSON.stringify({ job: 'ci-env', log: 'backfill.log', keepAwake: false, expected: 'expected.txt', storage: { url: 'storage' }, command: ['sh', '-c', 'echo "CI=$CI" > ci-seen.txt; sleep 0'] }),
  );
  writeFileSync(path.join(dir, 'expected.txt'), '2022-01-01\n');
  mkdirSync(path.join(dir, 'storage'));
  term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir, env: { CI: 'true' } });
  await term.waitScreen((_, text) => text.includes('0/1'), 'the storage count of the one expected key');
  term.keys('s');
  await term.waitScreen((_, text) => /\by\b/.test(text) && /[Rr]esume|[Ll]aunch|as configured/.test(text), 'the resume box');
  term.keys('y');
  const seen = path.join(dir, 'ci-seen.txt');
  await term.waitScreen(() => existsSync(seen) && readFileSync(seen, 'utf8').trim() === 'CI=true', 'the launched command writing CI=true');
});
