import { expect, test } from 'vitest';
import { statusJson } from '../src/app/status-json.js';
import { statusText } from '../src/app/status-text.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { applyLines } from '../src/state/apply-lines.js';
import { initialState, type AppState, type RecordedRun } from '../src/state/app-state.js';
import { currentFigures } from '../src/state/current-figures.js';
import { banner, logOf, T0 } from './support/log-text.js';

// Tester AE11: one launched run, two elapsed times: the launcher counted from the launch (`0:17`), `status` and a
// second dashboard from the script's first line, 0.4 s later across a second (`0:16`). A run launched here counts from
// its launch on every screen and in status; one started by hand from its first line.
const launchAt = T0 + 900;
const firstLine = T0 + 1200;
// Its last line at 0:11.2 (the banner's 10 lines and an outcome, a second apart), stopped 0.4 s later.
const endAt = T0 + 11_600;

function stateWith(history: RecordedRun[]): AppState {
  const text = logOf(firstLine, [...banner(1, 60, 3), ['INFO', '  ✅ Scraped 2022-01-03']]);
  const runs = applyLines({ current: null, history: [] }, parseText(text, compileGrammar(undefined, 'UTC')).lines);
  const s = initialState({ job: 'j', log: '/x/bf.log', now: T0 + 60_000, targets: [] });
  return {
    ...s,
    log: { ...s.log, ...runs, historyDone: true, looked: true, exists: true, lines: 12 },
    process: { ...s.process, writersChecked: true, writersCheckedAt: T0 + 60_000, history },
  };
}

const launch: RecordedRun = { id: 'resume-1', label: 'resume', keyCount: 3, keysFile: null, pid: 4242, startedAt: launchAt, endedAt: endAt, exitCode: null, reason: 'stopped' };

test('a run launched here: elapsed and startedAt from its launch to its recorded end, in status and --json', () => {
  const s = stateWith([launch]);
  const f = currentFigures(s);
  expect(f).toMatchObject({ status: 'stopped', startedAt: launchAt, elapsedMs: endAt - launchAt });
  expect(statusText(s)).toContain('elapsed 0:11');
  expect(statusJson(s).run).toMatchObject({ startedAt: new Date(launchAt).toISOString(), finishedAt: new Date(endAt).toISOString() });
});

test('a run started by hand: from its first line, to its last', () => {
  const s = stateWith([]);
  expect(currentFigures(s).startedAt).toBe(firstLine);
  expect(statusJson(s).run.startedAt).toBe(new Date(firstLine).toISOString());
});
