import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { compileGrammar, parseChunk } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { createStore } from '../src/store.js';
import { statusJson } from '../src/app/status-json.js';
import { runCliAsync } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';

let dir = '';
afterEach(() => removeDir(dir));

// Tester AK12: a worker's `logger.exception(...)` prints one key's traceback and the run goes on. It was read as what
// ended the run: `ended: ValueError: boom`, `1 whose run died`, and a complete run's `run.error` 'ValueError: boom'.
const HEAD = [
  '2026-12-02 09:00:00,000 - INFO - NBA.com Player Boxscore Scraper Backfill (v2) initialized',
  '2026-12-02 09:00:01,000 - INFO - Loaded 3 dates from x',
  '2026-12-02 09:00:02,000 - INFO - [1/3] Processing 2022-01-01',
  '2026-12-02 09:00:03,000 - INFO -   ✅ Scraped 2022-01-01',
  '2026-12-02 09:00:04,000 - INFO - [2/3] Processing 2022-01-02',
  '2026-12-02 09:00:05,000 - ERROR - Exception processing 2022-01-02: boom',
  'Traceback (most recent call last):',
  '  File "x.py", line 3, in <module>',
  '    raise ValueError("boom")',
  'ValueError: boom',
];
const AFTER = ['2026-12-02 09:00:06,000 - INFO - [3/3] Processing 2022-01-03', '2026-12-02 09:00:07,000 - INFO -   ✅ Scraped 2022-01-03'];
const SUMMARY = ['2026-12-02 09:00:08,000 - INFO - BACKFILL COMPLETE'];
const WENT_ON = [...HEAD, ...AFTER, ''].join('\n');
const COMPLETED = [...HEAD, ...AFTER, ...SUMMARY, ''].join('\n');
// The exception for the last key, then the summary at once.
const LAST_KEY = [...HEAD.slice(0, 5), ...HEAD.slice(5).map((l) => l.replace('2022-01-02', '2022-01-03')), ...SUMMARY, ''].join('\n');
// Nothing after it: the traceback is what the run ended with.
const DIED = [...HEAD, ''].join('\n');

function statusOf(log: string, keyed: boolean) {
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: Date.UTC(2026, 11, 2, 12), targets: [95] }), { frameMs: 0 });
  store.dispatch({ type: 'log/batch', batch: parseChunk(Buffer.from(log), compileGrammar(), keyed ? 0 : 200, undefined, keyed) });
  store.dispatch({ type: 'log/progress', bytesRead: log.length, size: log.length, historyDone: true });
  return statusJson(store.getState());
}

test("one key's traceback the run went on from is not the run's error; one nothing follows is", () => {
  for (const keyed of [false, true]) {
    const on = statusOf(WENT_ON, keyed);
    expect(on.run?.error).toBeNull();
    expect(on.run?.failed).toBe(1);
    expect(on.run?.succeeded).toBe(2);
    const complete = statusOf(COMPLETED, keyed);
    expect(complete.run?.state).toBe('complete');
    expect(complete.run?.error).toBeNull();
    expect(statusOf(LAST_KEY, keyed).run?.error).toBeNull();
    expect(statusOf(DIED, keyed).run?.error).toBe('ValueError: boom');
  }
});

test('status of the two jobs says neither run died of it (parse worker on and off alike)', async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-ak12-'));
  writeFileSync(path.join(dir, 'tb.log'), COMPLETED);
  writeFileSync(path.join(dir, 'tb2.log'), WENT_ON);
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ defaults: { timezone: 'UTC' }, jobs: [{ name: 'completed-one', log: 'tb.log', failed: 'a/f_*.json' }, { name: 'ended-one', log: 'tb2.log', failed: 'b/f_*.json' }] }));
  for (const worker of ['off', 'on']) {
    const r = await runCliAsync(['status'], { cwd: dir, env: { BACKFILL_TUI_PARSE_WORKER: worker } });
    expect(r.stdout).not.toContain('ValueError');
    expect(r.stdout).toMatch(/completed-one +complete/);
    const j = await runCliAsync(['status', '--json', '--job', 'completed-one'], { cwd: dir, env: { BACKFILL_TUI_PARSE_WORKER: worker } });
    expect((JSON.parse(j.stdout) as { run: { error: string | null } }).run.error).toBeNull();
  }
}, 60_000);
