import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { compileGrammar, linesOf, parseChunk } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { createStore } from '../src/store.js';
import { statusJson } from '../src/app/status-json.js';
import { statusText } from '../src/app/status-text.js';
import { runCliAsync } from './support/cli.js';

// Tester AK2: outcome lines with bytes that are not UTF-8 before the key. `\xff\xfe` decoded to `\uFFFD\uFFFD`, read as
// the key of both lines, so 2021-11-12's failure was dropped as a "repeated key line"; and the damaged keys were
// counted nowhere but `missing --from failures`.
const dir = mkdtempSync(join(tmpdir(), 'damaged-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const P = (s: string) => Buffer.from(s, 'utf8');
const X = (hex: string) => Buffer.from(hex, 'hex');
const LOG = Buffer.concat([
  P('2026-12-02 10:00:00,000 - INFO - NBA.com Player Boxscore Scraper Backfill (v2) initialized\n'),
  P('2026-12-02 10:00:00,000 - INFO -   Workers: 2\n'),
  P('2026-12-02 10:00:00,000 - INFO - Loaded 6 dates from x.csv\n'),
  P('2026-12-02 10:00:01,000 - WARNING -   ❌ Failed 2021-11-08: HTTP 500\n'),
  // The tester's bytes: \xe2\x9d\x8c Failed \xff\xfe 2021-11-11: HTTP 500, the same for 2021-11-12.
  P('2026-12-02 10:00:02,000 - WARNING -   '), X('e29d8c'), P(' Failed '), X('fffe'), P(' 2021-11-11: HTTP 500\n'),
  P('2026-12-02 10:00:03,000 - WARNING -   '), X('e29d8c'), P(' Failed '), X('fffe'), P(' 2021-11-12: HTTP 500\n'),
  // A key partly damaged: the key it reads, never launched.
  P('2026-12-02 10:00:04,000 - WARNING -   ❌ Failed 2021-11-1'), X('ff'), P(': HTTP 500\n'),
  // A damaged "key" and no key after it: no key at all.
  P('2026-12-02 10:00:05,000 - WARNING -   ❌ Failed '), X('fffe'), P(': HTTP 500\n'),
  P('2026-12-02 10:00:06,000 - INFO -   ✅ Scraped 2021-11-13\n'),
]);

test('a key of bytes that are not UTF-8 is not the key: the date after it is, and two dates are two keys', () => {
  // Keyed columns and the hot paths (no tail: every line may take them) read the same.
  for (const [keyed, tailLimit] of [[false, 200], [true, 200], [true, 0]] as const) {
    const lines = linesOf(parseChunk(LOG, compileGrammar(), tailLimit, undefined, keyed));
    const failed = lines.filter((l) => l.kind === 'failed').map((l) => (l as { key: string }).key);
    expect(failed).toEqual(['2021-11-08', '2021-11-11', '2021-11-12', '2021-11-1\uFFFD']);
    expect(lines.filter((l) => l.kind === 'unrecognized')).toHaveLength(1);
    expect(parseChunk(LOG, compileGrammar(), tailLimit, undefined, keyed).damagedKeys).toBe(2);
  }
});

test('status counts every failure once, no repeated line, and says the suspicious keys (text and JSON)', () => {
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: Date.UTC(2026, 11, 2, 11), targets: [95] }), { frameMs: 0 });
  store.dispatch({ type: 'log/batch', batch: parseChunk(LOG, compileGrammar()) });
  store.dispatch({ type: 'log/progress', bytesRead: LOG.length, size: LOG.length, historyDone: true });
  const json = statusJson(store.getState());
  expect(json.run?.failed).toBe(4);
  expect(json.run?.succeeded).toBe(1);
  expect(json.run?.duplicateLines).toBe(0);
  expect(json.run?.unrecognized).toBe(1);
  expect(json.suspiciousKeys).toBe(2);
  const text = statusText(store.getState());
  expect(text).toContain('suspicious 2 lines whose key holds bytes that are not UTF-8 (never launched)');
  expect(text).not.toContain('repeated key line');
  expect(text).not.toContain('longer than 200 characters');
});

test('the installed program reads it alike with the parse worker and without', async () => {
  const file = join(dir, 'bf.log');
  writeFileSync(file, LOG);
  const off = await runCliAsync(['status', '--json', '--log', file], { cwd: dir, env: { BACKFILL_TUI_PARSE_WORKER: 'off' } });
  const on = await runCliAsync(['status', '--json', '--log', file], { cwd: dir, env: { BACKFILL_TUI_PARSE_WORKER: 'on' } });
  expect(off.stderr).toBe('');
  expect(on.stdout).toBe(off.stdout);
  const json = JSON.parse(off.stdout) as { suspiciousKeys: number; run: { failed: number; duplicateLines: number } };
  expect(json.suspiciousKeys).toBe(2);
  expect(json.run.failed).toBe(4);
  expect(json.run.duplicateLines).toBe(0);
}, 60_000);
