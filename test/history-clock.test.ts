import { describe, expect, test } from 'vitest';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { historyLines } from '../src/state/history-lines.js';
import { banner, logOf } from './support/log-text.js';

// Tester AJ5 j: `h` listed the log's runs at its writer's clock, minutes from the alerts and launches above them (this
// machine's clock), and said of neither which clock it was. TZ=UTC (vitest.config.ts).
const NOW = Date.UTC(2026, 2, 1, 10, 0, 0);
const MIN = 60_000;

/** A log whose writer's clock reads `behindMs` behind this machine's: its run began at 09:50 by this machine's clock. */
function skewed(behindMs: number): AppState {
  let s = initialState({ job: 'j', log: '/x/bf.log', now: NOW, targets: [95] });
  const start = NOW - 10 * MIN - behindMs;
  const records = [...banner(2, 60, 3), ['INFO', '  ✅ Scraped 2024-01-02']];
  const text = logOf(start, records) + logOf(start + 10 * MIN, [['INFO', '  ✅ Scraped 2024-01-03']]);
  s = reduce(s, { type: 'log/batch', batch: parseText(text, compileGrammar()), arrivedAt: NOW });
  return reduce(s, { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true });
}

const runRows = (s: AppState) => {
  const lines = historyLines(s);
  const at = lines.findIndex((l) => l.text.startsWith('Runs in the log'));
  return lines.slice(at + 1).filter((l) => l.kind !== 'heading').slice(0, 2).map((l) => l.text);
};

describe('`h` lists the log\'s runs on this machine\'s clock, and says so when the log\'s is off', () => {
  test('a writer 7 min behind: its run at 09:50, this machine\'s time, with the note', () => {
    const s = skewed(7 * MIN);
    expect(s.log.clockBehindMs).toBe(7 * MIN);
    const [note, row] = runRows(s);
    expect(note).toBe("times on this machine's clock (the log's is 7 min behind)");
    expect(row.startsWith('03-01 09:50')).toBe(true);
  });

  test('a writer 12 min ahead: the same', () => {
    const [note, row] = runRows(skewed(-12 * MIN));
    expect(note).toBe("times on this machine's clock (the log's is 12 min ahead)");
    expect(row.startsWith('03-01 09:50')).toBe(true);
  });

  test('a writer on time: no note, its own times', () => {
    const [row] = runRows(skewed(0));
    expect(row.startsWith('03-01 09:50')).toBe(true);
  });
});
