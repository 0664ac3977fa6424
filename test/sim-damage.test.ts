import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { applyLines } from '../src/state/apply-lines.js';
import { simulate } from './support/simulate.js';

// The simulator writes the damage real machines do (a flag each); the dashboard reads the same run.
const dir = mkdtempSync(join(tmpdir(), 'sim-damage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const grammar = compileGrammar(undefined, 'UTC');
let n = 0;

async function simLog(extra: string[]): Promise<string> {
  const { log, code } = await simulate(['--limit=120', '--workers=6', '--seed=4', `--storage=${join(dir, `s${n++}`)}`, `--failed-dir=${dir}`, ...extra], { start: Date.UTC(2025, 10, 26, 23, 17, 10), cwd: dir });
  expect(code).toBe(0);
  return log;
}

const figures = (log: string) => {
  const run = applyLines({ current: null, history: [] }, parseText(log, grammar).lines).current!;
  return { total: run.total, succeeded: run.succeeded, failed: run.failed, failures: run.failures, complete: run.complete, unrecognized: run.unrecognized, startedAt: run.startedAt };
};

describe('damaged logs read as the clean one', () => {
  test.each([
    ['--nul-prefix=70000', (log: string) => expect(log.startsWith('\0'.repeat(70000) + '2025-')).toBe(true)],
    ['--cr-prefix', (log: string) => expect(log).toMatch(/\n\r +\d+%\|[# ]*\| \d+ \[[^\]]*\]2025-\d\d-\d\d [\d:,]+ - INFO -   ✅ Scraped /)],
    ['--escaped-emoji', (log: string) => expect(log).toContain(' - INFO -   \\u2705 Scraped ') && expect(log).not.toMatch(/[^\x00-\x7f]/)],
  ])('%s', async (flag, shape) => {
    const clean = await simLog([]);
    const damaged = await simLog([flag]);
    shape(damaged);
    expect(figures(damaged)).toEqual(figures(clean));
    expect(figures(clean).succeeded + figures(clean).failed).toBe(120);
  });

  test('--doubled writes every record twice (a logger with two handlers)', async () => {
    const clean = (await simLog([])).split('\n').filter(Boolean);
    const doubled = (await simLog(['--doubled'])).split('\n').filter(Boolean);
    expect(doubled).toEqual(clean.flatMap((l) => [l, l]));
  });
});
