import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { statusJson } from '../src/app/status-json.js';
import type { ParsedBatch } from '../src/log-line.js';
import { linesOf, LogClock, parseChunk, type Grammar } from '../src/parser/index.js';
import { newestRecordAt } from '../src/parser/newest-line.js';
import { foreignLog } from '../src/state/foreign-log.js';
import { runFacts } from '../src/state/run.js';
import { damagedLogs, readEvents, type TestLog } from './support/damaged-logs.js';
import { logLine } from './support/log-text.js';

// `status` and `missing` read a log cheaper than the dashboard does, and must learn the same from it: the zone
// guess takes the newest line time from record prefixes alone, and a snapshot decodes no log-pane lines
// (tailLimit 0), so every outcome line takes the one-pass path. Both against the full reading, on logs damaged
// every way we know (NULs and \r progress text before prefixes, non-UTF-8 bytes, doubled lines, a DST night).
const dir = mkdtempSync(join(tmpdir(), 'one-shot-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const logs: TestLog[] = [];
beforeAll(async () => {
  logs.push(...(await damagedLogs(dir)));
}, 120_000);

/** Whole-line pieces of `bytes` of about `size` bytes, cut after a '\n' (the last may end without one). */
function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let p = 0; p < bytes.length; ) {
    const cut = bytes.lastIndexOf(10, Math.min(bytes.length, p + size) - 1);
    const end = cut < p ? bytes.length : cut + 1;
    out.push(bytes.subarray(p, end));
    p = end;
  }
  return out;
}

describe('newest record time from prefixes alone', () => {
  test.each([4099, 65_536, 1 << 22])('equals parseChunk lastAt piece by piece, one clock, in %i-byte pieces', (size) => {
    let compared = 0;
    for (const { name, grammar, file } of logs) {
      // The guess reads in this machine's zone; the log's own zone puts the DST night's repeated hour in play.
      for (const zone of [undefined, grammar.zone]) {
        const [a, b] = [new LogClock(zone), new LogClock(zone)];
        for (const piece of pieces(readFileSync(file), size)) {
          const want = parseChunk(piece, { ...grammar, zone }, 0, a).lastAt;
          expect(newestRecordAt(piece, b), `${name} ${zone}`).toBe(want);
          if (want !== null) compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(8);
  });

  test('a record after junk in its line counts (NULs, \\r progress text); CRLF lines and lines with no prefix', () => {
    const at = Date.UTC(2025, 10, 26, 8, 0, 0);
    const g = logs[0].grammar;
    const lastAt = (b: Buffer) => parseChunk(b, g, 0, new LogClock(g.zone)).lastAt;
    const cases: [Buffer, number | null][] = [
      [Buffer.concat([Buffer.from(`${logLine(at, 'INFO', 'a')}\n`), Buffer.alloc(5000, 0), Buffer.from(`${logLine(at + 7_000, 'INFO', '  ✅ Scraped 2024-01-01')}\n`)]), at + 7_000],
      [Buffer.from(`${logLine(at, 'INFO', 'a')}\n 45%|████ | 9/20\r${logLine(at + 9_000, 'WARNING', '  ❌ Failed 2024-01-02: HTTP 500')}\n`), at + 9_000],
      [Buffer.from(`${logLine(at + 3_000, 'INFO', 'a')}\r\n${logLine(at + 1_000, 'ERROR', 'b')}\r\nTraceback (most recent call last):\r\n`), at + 3_000],
      [Buffer.from('Traceback (most recent call last):\n  File "x.py", line 1\n'), null],
    ];
    for (const [bytes, want] of cases) {
      expect(lastAt(bytes)).toBe(want);
      expect(newestRecordAt(bytes, new LogClock(g.zone))).toBe(want);
    }
  });
});

/** Every event of a one-shot read and the state they fold into. */
async function read(file: string, grammar: Grammar, paneless: boolean, chunkSize?: number) {
  return readEvents(file, grammar, { chunkSize, paneless, now: () => Date.UTC(2025, 10, 30) });
}

/** A batch as LogLines, without the log pane's lines (a paneless reading decodes none once a line is dated). */
function records(batch: ParsedBatch): Omit<ParsedBatch, 'tail' | 'keyed'> {
  const { keyed: _k, tail: _t, ...rest } = batch;
  return { ...rest, lines: linesOf(batch) };
}

describe('a snapshot decodes no log-pane lines once the log has a dated line', () => {
  /** Logs in another format (no line has a record prefix): status names them by their newest line (foreign-log.ts). */
  const foreign = (): TestLog[] => {
    const iso = Array.from({ length: 3000 }, (_, i) => `2025-11-26T23:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:00.${String(i % 1000).padStart(3, '0')}Z INFO ✅ Scraped 2022-04-${String((i % 28) + 1).padStart(2, '0')}`);
    const put = (name: string, text: string): TestLog => {
      const file = join(dir, `${name}.log`);
      writeFileSync(file, text);
      return { name, grammar: logs[0].grammar, file };
    };
    return [
      put('foreign-iso', `${iso.join('\n')}\n`),
      // The newest non-blank line sits before blank lines and \r\n endings.
      put('foreign-blank-end', `${iso.slice(0, 50).join('\r\n')}\r\n\r\n   \n\n`),
      // Dated lines only after thousands of others: the chunks before them still decode their pane lines.
      put('dated-late', `${iso.join('\n')}\n${logLine(Date.UTC(2025, 10, 26, 23), 'INFO', '  ✅ Scraped 2022-04-01')}\n`),
    ];
  };

  test.each([undefined, 4099])('the same records, runs, status and other-format verdict as the dashboard reading, in reads of %s bytes', async (chunkSize) => {
    let foreignSeen = 0;
    for (const { name, grammar, file } of [...logs, ...foreign()]) {
      const full = await read(file, grammar, false, chunkSize);
      const lean = await read(file, grammar, true, chunkSize);
      expect(lean.events.map((e) => e.type), name).toEqual(full.events.map((e) => e.type));
      for (let i = 0; i < full.events.length; i++) {
        const [a, b] = [full.events[i], lean.events[i]];
        if (a.type === 'log/batch' && b.type === 'log/batch') expect(records(b.batch), `${name} batch ${i}`).toEqual(records(a.batch));
        else expect(b, name).toEqual(a);
      }
      expect(full.state.log.tail.length, name).toBeGreaterThan(0);
      // The run's key store is compared by what it holds (runFacts), not by its slots.
      // A second writer's run beside the current one, and a run that may go on, too (apply-lines.ts).
      const facts = (log: typeof full.state.log) => ({ ...log, tail: [], current: runFacts(log.current), history: log.history.map(runFacts), beside: runFacts(log.beside ?? null), resumable: runFacts(log.resumable ?? null) });
      expect(facts(lean.state.log), name).toEqual(facts(full.state.log));
      expect(JSON.stringify(statusJson(lean.state)), name).toBe(JSON.stringify(statusJson(full.state)));
      expect(foreignLog(lean.state), name).toEqual(foreignLog(full.state));
      if (foreignLog(full.state)) foreignSeen++;
      // A log dated from its start carries no pane lines in the lean reading (dated-late's earlier chunks do).
      if (full.state.log.lastRecordAt != null && name !== 'dated-late') expect(lean.state.log.tail.length, name).toBeLessThan(full.state.log.tail.length);
    }
    expect(foreignSeen).toBe(2);
  }, 120_000);
});
