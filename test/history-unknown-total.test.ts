import { expect, test } from 'vitest';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { historyLines } from '../src/state/history-lines.js';
import { reduce } from '../src/state/reducer.js';
import { logOf, T0 } from './support/log-text.js';

// An absent value shown as a figure (the class of tester AI10 k): `h` listed a run whose log states no total as `0 keys`
// beside its `✓ 2`. Not known is `–`, as a launch row whose keys are not known says it.
test('h lists a run whose log states no total with `–` keys, never `0 keys`', () => {
  const records = [['INFO', 'NBA.com Player Boxscore Scraper Backfill (v2) initialized'], ['INFO', '  ✅ Scraped 2024-01-02'], ['INFO', '  ✅ Scraped 2024-01-03']];
  let s = initialState({ job: 'j', log: '/x/b.log', now: T0 + 60_000, targets: [95] });
  s = [{ type: 'log/batch', batch: parseText(logOf(T0, records), compileGrammar()) } as const, { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true } as const].reduce(reduce, s);
  expect(s.log.current).toMatchObject({ total: null, succeeded: 2 });
  const row = historyLines(s).map((l) => l.text).find((t) => t.includes('✓ 2'));
  expect(row).toMatch(/ – keys · /);
  expect(row).not.toMatch(/ 0 keys/);
});
