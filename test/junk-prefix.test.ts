import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readLogOnce } from '../src/app/read-log-once.js';
import { LineSplitter } from '../src/follow/line-splitter.js';
import { MAX_LINE_BYTES } from '../src/log-follower.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';

const grammar = compileGrammar();
const dir = mkdtempSync(join(tmpdir(), 'junk-prefix-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RECORD = '2025-11-26 23:17:12,345 - INFO -   ✅ Scraped 2021-10-19';
const AT = Date.UTC(2025, 10, 26, 23, 17, 12, 345);

describe('bytes in front of a record on its physical line', () => {
  test.each([
    ['NULs after a copytruncate', '\0'.repeat(300)],
    ['one NUL', '\0'],
    ['a tqdm bar overwritten with \\r', '\r 50%|█████     | 1/2 [00:01<00:01,  1.00it/s]'],
    ['several \\r segments', '\r  0%|          | 0/2\r 50%|█████     | 1/2\r'],
    ['terminal escapes', '\x1b[2K\x1b[1G\x1b[32m'],
    ['a byte-order mark', '\uFEFF'],
    ['an OSC title escape', '\x1b]0;backfill\x07'],
  ])('%s: the record is read, and nothing else shows', (_name, junk) => {
    const batch = parseText(`${junk}${RECORD}\n`, grammar);
    expect(batch.lines).toEqual([{ kind: 'succeeded', at: AT, key: '2021-10-19' }]);
    expect(batch.lastAt).toBe(AT);
    expect(batch.tail).toEqual([{ text: RECORD, tone: 'ok' }]);
  });

  test('stray text of another writer is read as a line of its own, and the record after it too', () => {
    const batch = parseText(`upload done: 3 files${RECORD}\n`, grammar);
    expect(batch.lines).toEqual([{ kind: 'succeeded', at: AT, key: '2021-10-19' }]);
    expect(batch.tail).toEqual([
      { text: 'upload done: 3 files', tone: 'dim' },
      { text: RECORD, tone: 'ok' },
    ]);
  });

  test('a record without milliseconds, after junk, and each level', () => {
    const lines = parseText('\0\0' + '2025-11-26 23:17:12 - WARNING -   ❌ Failed 2021-10-20: HTTP 500\n', grammar).lines;
    expect(lines).toEqual([{ kind: 'failed', at: AT - 345, key: '2021-10-20', failure: 'HTTP 500', error: 'HTTP 500' }]);
  });

  test('a continuation that only mentions a time is still not a record', () => {
    const batch = parseText('  File "x.py", line 3 - 2025-11-26 23:17 - oops\nsee 2025-11-26 23:17:12 -INFO- no\n', grammar);
    expect(batch.lines).toEqual([]);
  });

  test('many lines without a record cost one search, and the record after them is found', () => {
    const junk = Array.from({ length: 2000 }, (_, i) => `frame ${i}`).join('\n');
    const batch = parseText(`${junk}\n\r10%${RECORD}\n`, grammar);
    expect(batch.lines).toHaveLength(1);
  });

  test('a NUL run longer than a line may be (copytruncate of a large log) keeps the record after it', async () => {
    const file = join(dir, 'nul.log');
    const before = '2025-11-26 23:17:10,000 - INFO - Team Boxscore Backfill\n';
    writeFileSync(file, Buffer.concat([Buffer.from(before), Buffer.alloc(3 * MAX_LINE_BYTES + 17), Buffer.from(`${RECORD}\n`)]));
    let state = initialState({ job: 'j', log: file, now: AT, targets: [] });
    await readLogOnce(file, grammar, (e) => (state = reduce(state, e)));
    expect(state.log.current).toMatchObject({ succeeded: 1 });
    expect(state.log.overlongBytes).toBe(0);
    expect(state.log.tail.map((t) => t.text)).toEqual([before.trimEnd(), RECORD]);
  });

  test('the NUL run collapses also when it arrives over many reads', () => {
    const dropped: number[] = [];
    const fresh = new LineSplitter(256, (n) => dropped.push(n));
    for (let i = 0; i < 10; i++) fresh.push(Buffer.alloc(50));
    expect(fresh.push(Buffer.from(`${RECORD}\n`))!.toString()).toBe(`\0${RECORD}\n`);
    expect(dropped).toEqual([]);
    expect(parseText(`\0${RECORD}`, grammar).lines).toHaveLength(1);
  });
});
