import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { startRuntime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { removeDir } from './support/remove-dir.js';
import { waitFor } from './support/wait-for.js';

// h82's note: a runs.jsonl that is not a regular file (a FIFO put there) was said by `status` as a problem, while the
// dashboard took it for no runs without a word: a job launched from here read as never launched.
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-runs-not-regular-'));
afterAll(() => removeDir(dir));

test('the dashboard says a runs.jsonl that is not a regular file, in status\'s words, once', async () => {
  writeFileSync(path.join(dir, 'bf.log'), '');
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'a', log: 'bf.log' }));
  const runs = path.join(dir, '.backfill-tui', 'runs.jsonl');
  mkdirSync(path.dirname(runs));
  execFileSync('mkfifo', [runs]);
  const words = `run records ${runs} is a FIFO (named pipe), not a regular file: never opened; runs launched from here are not known`;
  const r = startRuntime(loadConfig({ cwd: dir }), { exit: () => undefined });
  try {
    const said = () => r.store.getState().ui.notices.filter((n) => n.text === words);
    await waitFor(() => said().length > 0 && r.store.getState().process.writersChecked, 'the notice and a look at the log writers');
    expect(said()).toMatchObject([{ tone: 'warn' }]);
  } finally {
    await r.close();
    rmSync(runs);
  }
});
