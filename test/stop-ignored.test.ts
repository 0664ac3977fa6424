import { expect, test } from 'vitest';
import { recordedRuns, recordedStop } from '../src/app/process-info.js';
import { foldRuns, parseRunLines, type AnyRunRecord } from '../src/runner/runs-file.js';
import { initialState } from '../src/state/app-state.js';
import { historyLines } from '../src/state/history-lines.js';
import { reduce } from '../src/state/reducer.js';

// Tester AA11: a run that ignored SIGINT and SIGTERM (the SIGKILL box answered n), then wrote its summary and exited 0,
// was recorded and listed `stopped` while the header, the alert and `status` said `complete`.
const T0 = Date.UTC(2026, 11, 1, 6, 40);
const launch = { type: 'launch', id: 'resume-1', label: 'resume', argv: ['python3', 'stub.py'], cwd: '/w', keysFile: '/w/k.csv', keyCount: 30, pid: 4242, procStart: 1, log: '/w/bf.log', startedAt: T0 };
const stop = { type: 'stop', id: 'resume-1', at: T0 + 10_000 };
const end = (reason: string, exitCode: number) => ({ type: 'end', id: 'resume-1', endedAt: T0 + 90_000, exitCode, signal: null, reason, counts: { succeeded: 30, failed: 0, skipped: 0 } });

function historyRow(records: unknown[]): string {
  const runs = recordedRuns(foldRuns(records as AnyRunRecord[]));
  const state = reduce(initialState({ job: 'j', log: '/w/bf.log', now: T0 + 100_000, targets: [95] }), { type: 'process/history', runs });
  return historyLines(state).find((l) => l.kind === 'row' && l.text.includes('resume'))!.text;
}

test('a run that ignored the stop and wrote its summary is complete, and h says the stop was ignored', () => {
  expect(historyRow([launch, stop, end('complete', 0)])).toMatch(/30 keys 1:30 ✓ 30 ✗ 0 complete, stop ignored$/);
});

test('the same with a failing exit code says the code', () => {
  expect(historyRow([launch, stop, end('complete', 3)])).toMatch(/complete \(exit 3\), stop ignored$/);
});

test('a run stopped short of its summary stays stopped', () => {
  expect(historyRow([launch, stop, end('exited', 0)])).toMatch(/ stopped$/);
});

// h74's note: a stop whose SIGINT every process ignored sent SIGTERM first; `status` and a dashboard opened mid-stop
// said `SIGINT at …` from the stop's record. The SIGTERM's record says the SIGINT was skipped, and what was sent is said.
test('a stop recorded with its SIGINT skipped reads as the SIGTERM alone; one without, as both', () => {
  const lines = (term: object) => [launch, { ...stop, carrier: { pid: 9, procStart: 1, dueAt: T0 + 21_000 } }, { type: 'stop', id: 'resume-1', at: T0 + 10_040, signal: 'SIGTERM', ...term }].map((r) => JSON.stringify(r)).join('\n');
  const [skipped] = foldRuns(parseRunLines(lines({ skipped: 'SIGINT' })));
  expect(recordedStop(skipped, T0 + 12_000)).toEqual({ stopping: 'sigterm', stopSignals: [{ signal: 'SIGTERM', at: T0 + 10_040 }] });
  const [both] = foldRuns(parseRunLines(lines({})));
  expect(recordedStop(both, T0 + 12_000)).toEqual({ stopping: 'sigterm', stopSignals: [{ signal: 'SIGINT', at: T0 + 10_000 }, { signal: 'SIGTERM', at: T0 + 10_040 }] });
});
