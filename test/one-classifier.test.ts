import { expect, test } from 'vitest';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { failuresView } from '../src/state/failures-view.js';
import { reduce } from '../src/state/reducer.js';
import { statusJson } from '../src/app/status-json.js';
import { T0, banner, logOf } from './support/log-text.js';

// Tester U11: the Run section, `run.failures` and the overview said `failed 3` where the failures line and
// `failures.byError` said `HTTP 502 1 · HTTP 503 1 · timeout 1`: the parser had a classifier of its own.
// Every wording the README names (and the scripts write), as a failure line of each shape.
const lines: [string, string][] = [
  ['2021-10-19', '❌ Failed 2021-10-19: HTTP 500'],
  ['2021-10-20', '❌ Failed 2021-10-20: HTTP Error 503: Service Unavailable'],
  ['2021-10-21', '❌ Failed 2021-10-21: 502 Server Error: Bad Gateway for url: https://x'],
  ['2021-10-22', '❌ Failed 2021-10-22: Read timed out. (read timeout=180)'],
  ['2021-10-23', '❌ Failed 2021-10-23: Timeout after 180s'],
  ['2021-10-24', '❌ Failed 2021-10-24: 404 Client Error: Not Found for url: https://x'],
  ['2021-10-25', '❌ Failed 2021-10-25: ConnectionError: reset by peer'],
  ['2021-10-26', '❌ Error 2021-10-26: 502 Server Error: Bad Gateway'],
  ['2021-10-27', '❌ Error scraping 2021-10-27: Read timed out'],
  ['2021-10-28', '❌ Error 2021-10-28: Connection aborted.'],
  ['2021-10-29', '⏱️ Timeout 2021-10-29 (may still succeed server-side)'],
  ['2021-10-30', '❌ Failed 2021-10-30: HTTPConnectionPool: 5000 retries'],
];

// Written out by hand from the README's rule (any HTTP code is `HTTP NNN` whatever the wording, any
// timeout is `timeout`, else the line's own word), not computed by the code under test.
const expected = { 'HTTP 500': 1, 'HTTP 503': 1, 'HTTP 502': 2, 'HTTP 404': 1, timeout: 4, failed: 2, error: 1 };

test('one classifier: the run\'s failure kinds equal the failures table\'s error groups for every wording', () => {
  const text = logOf(T0, [...banner(2, 180, lines.length), ...lines.map(([, m]) => ['WARNING', `  ${m}`])]);
  let s = initialState({ job: 'j', log: '/x.log', now: T0 + 3_600_000, targets: [95] });
  s = reduce(s, { type: 'log/batch', batch: parseText(text, compileGrammar()) });
  s = reduce(s, { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true });
  const run = s.log.current!;
  expect(run.failed).toBe(lines.length);
  expect(run.failures).toEqual(expected);
  const byError = Object.fromEntries(failuresView(s).summary.byError.map((g) => [g.label, g.count]));
  expect(byError).toEqual(expected);
  const json = statusJson(s);
  expect(json.run?.failures).toEqual(json.failures.byError);
});
