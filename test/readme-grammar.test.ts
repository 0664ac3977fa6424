import { removeDir } from './support/remove-dir.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { runCliAsync } from './support/cli.js';

// Tester AA15: the README's grammar example, used on its own kind of log, read `begins mid-run` (no start rule), and a
// built-in `✅ Scraped` line beside its `succeeded` pattern was counted nowhere. The example is read from the README.
const readme = readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf("### Another team's log format"));
const logText = /```\n([\s\S]*?)```/.exec(section)![1];
const grammar = JSON.parse(`{${/```json\n([\s\S]*?)```/.exec(section)![1]}}`).grammar as Record<string, string>;

let dir = '';
afterEach(() => removeDir(dir));

async function statusOf(log: string) {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-grammar-'));
  writeFileSync(path.join(dir, 'bf.log'), log);
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'other-team', log: 'bf.log', timezone: 'UTC', keepAwake: false, grammar }));
  const text = await runCliAsync(['status'], { cwd: dir });
  const json = await runCliAsync(['status', '--json'], { cwd: dir });
  return { text: text.stdout, run: JSON.parse(json.stdout).run };
}

test("the README's grammar example reads its log as one whole run: started, complete, its counts", async () => {
  expect(Object.keys(grammar)).toEqual(expect.arrayContaining(['start', 'complete']));
  const { text, run } = await statusOf(logText);
  expect(text).not.toContain('mid-run');
  expect(run).toMatchObject({ state: 'complete', total: 3, succeeded: 2, failed: 1, skipped: 0, unrecognized: 0 });
});

test('a built-in outcome line beside the pattern that replaced its rule is counted as looking like an outcome, not read', async () => {
  const log = logText.replace(/^(.* - INFO - )OK 2024-01-03$/m, '$1  ✅ Scraped 2024-01-03');
  expect(log).toContain('✅ Scraped 2024-01-03');
  const { text, run } = await statusOf(log);
  expect(run).toMatchObject({ succeeded: 1, failed: 1, unrecognized: 1 });
  expect(text).toContain('1 line looked like outcomes but matched no rule');
});
