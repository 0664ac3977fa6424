import { describe, expect, test } from 'vitest';
import { SourceError } from '../src/coverage/source.js';
import { initialState, LAUNCH_BLOCKED, type AppState } from '../src/state/app-state.js';
import type { AppEvent } from '../src/state/events.js';
import { reduce } from '../src/state/reducer.js';
import { coverageView } from '../src/state/coverage-view.js';
import { coverageRight } from '../components/CoverageBar.js';

const apply = (s: AppState, events: AppEvent[]) => events.reduce(reduce, s);
const texts = (s: AppState) => s.ui.notices.map((n) => n.text);
const base = apply(initialState({ job: 'j', log: '/x.log', now: 0, targets: [95] }), [
  { type: 'coverage/configured', source: 'storage', label: 'gs://b/p/' },
  { type: 'coverage/configured', source: 'warehouse', label: 't' },
]);
const result = (source: 'storage' | 'warehouse'): AppEvent => ({ type: 'coverage/result', source, result: { keys: new Set(['a']), bytesBilled: null, method: 'prefixes', requests: 1 }, at: 1 });

describe('notices end when their moment does', () => {
  test('work in progress ends with the work; a failure replaces it with the reason', () => {
    const listing = apply(base, [{ type: 'ui/notice', text: 'listing gs://b/p/ for a fresh count…', tone: 'info', key: 'listing' }]);
    expect(texts(apply(listing, [{ type: 'ui/notice-end', key: 'listing' }]))).toEqual([]);
    expect(texts(apply(listing, [{ type: 'ui/notice', text: 'storage listing failed: HTTP 403', tone: 'fail', key: 'listing' }]))).toEqual(['storage listing failed: HTTP 403']);
    // Notices without a key are untouched.
    expect(texts(apply(listing, [{ type: 'ui/notice', text: 'other', tone: 'info' }, { type: 'ui/notice-end', key: 'listing' }]))).toEqual(['other']);
  });

  test('"checking storage and warehouse now" stays until both answered, or becomes the failure', () => {
    const g = apply(base, [{ type: 'ui/notice', text: 'checking storage and warehouse now…', tone: 'info', key: 'refresh' }, { type: 'coverage/checking', source: 'storage' }, { type: 'coverage/checking', source: 'warehouse' }]);
    const half = apply(g, [result('storage')]);
    expect(texts(half)).toEqual(['checking storage and warehouse now…']);
    expect(texts(apply(half, [result('warehouse')]))).toEqual([]);
    const failed = apply(half, [{ type: 'coverage/error', source: 'warehouse', error: new SourceError('HTTP 403 on t', null, 403), at: 2 }]);
    expect(texts(failed)).toEqual(['warehouse check failed: HTTP 403 on t']);
    // A source that names itself in its error is not named twice (tester F35: "storage: storage: …").
    const named = apply(g, [{ type: 'coverage/error', source: 'storage', error: new SourceError('storage: directory /x/storage not found', null, null), at: 2 }]);
    expect(texts(named)).toEqual(['storage check failed: directory /x/storage not found']);
  });
});

// Tester F23: a warehouse that never answered showed a bare "checking…" for a minute and more.
describe('a slow look says how long it has taken', () => {
  const right = (s: AppState) => coverageRight(coverageView(s).storage!, null).map((p) => p.text).join('');
  test('"checking…" for the first second, then the seconds taken; an answer ends it', () => {
    // The look began at 1 s; the dashboard's clock had last ticked at 0 (it ticks every 15 s while idle).
    const checking = apply(base, [{ type: 'coverage/checking', source: 'storage', at: 1_000 }]);
    expect(right(apply(checking, [{ type: 'clock/tick', now: 1_500 }]))).toBe(' checking…');
    expect(right(apply(checking, [{ type: 'clock/tick', now: 6_000 }]))).toBe(' checking… 5 s');
    const slow = apply(checking, [{ type: 'clock/tick', now: 26_000 }]);
    expect(right(slow)).toBe(' checking… 25 s');
    // A second "checking" for the same look (a poll joining it) does not restart the count.
    expect(right(apply(slow, [{ type: 'coverage/checking', source: 'storage' }, { type: 'clock/tick', now: 31_000 }]))).toBe(' checking… 30 s');
    const failed = apply(slow, [{ type: 'coverage/error', source: 'storage', error: new SourceError('Cloud Storage: no answer within 20 s', null, null), at: 26_000 }]);
    expect(right(failed)).toBe(' unknown');
  });
});

describe('a log that cannot be read (tester T23: the notice stayed after the file was back)', () => {
  test('said as a notice and in the state until the log is read again or found missing; said once however often it repeats', () => {
    const problem: AppEvent = { type: 'log/problem', message: 'log: /x.log is a directory, not a regular file; waiting for a regular file there' };
    const bad = apply(base, [problem, problem]);
    expect(texts(bad)).toEqual(['log: /x.log is a directory, not a regular file; waiting for a regular file there']);
    expect(bad.log.problem).toContain('is a directory');
    for (const back of [{ type: 'log/progress', bytesRead: 10, size: 10, historyDone: true }, { type: 'log/waiting' }] as AppEvent[]) {
      const after = apply(bad, [back]);
      expect(texts(after)).toEqual([]);
      expect(after.log.problem).toBeNull();
    }
    // Other notices stay.
    expect(texts(apply(bad, [{ type: 'ui/notice', text: 'other', tone: 'info' }, { type: 'log/waiting' }]))).toEqual(['other']);
  });
});

describe('stale notices go when what they say is over (tester U16)', () => {
  test('`not launched: the log is being written by pid …` goes once that writer is gone; `… still running` once the run ends', () => {
    const base = initialState({ job: 'j', log: '/x.log', now: 0, targets: [] });
    let s = reduce(base, { type: 'process/update', patch: { external: true, externalPids: [24867] } });
    s = reduce(s, { type: 'ui/notice', text: 'the log is being written by pid 24867, not started here: launching is refused until it ends', tone: 'warn', key: LAUNCH_BLOCKED });
    s = reduce(s, { type: 'ui/notice', text: 'something else', tone: 'info' });
    expect(s.ui.notices).toHaveLength(2);
    s = reduce(s, { type: 'process/update', patch: { external: false, externalPids: [] } });
    expect(s.ui.notices.map((n) => n.text)).toEqual(['something else']);
    let r = reduce(base, { type: 'process/update', patch: { pid: 5, alive: true, attached: true } });
    r = reduce(r, { type: 'ui/notice', text: 'run x is still running (pid 5); x stops it', tone: 'warn', key: LAUNCH_BLOCKED });
    expect(reduce(r, { type: 'process/update', patch: { alive: true } }).ui.notices).toHaveLength(1);
    expect(reduce(r, { type: 'process/update', patch: { alive: false } }).ui.notices).toHaveLength(0);
  });
});

// Tester W23: `one question at a time: "Launch 33 keys…?" is still open` stayed on every screen after that box closed;
// `Nothing was done: the stop question closed, as run …` and `execution … cancelled` stayed above the next run.
describe('notices about a box or a run go with it (tester W23)', () => {
  const box = (message: string): AppEvent => ({ type: 'ui/confirm', confirm: { kind: 'resume', message, keys: ['k'], workers: 1, timeout: 1 } });
  test('"one question at a time" goes when the open box closes, answered or not', () => {
    const asked = apply(base, [box('Launch 33 keys, 6 workers, timeout 180 s?'), box('Retry 2 failed keys?')]);
    expect(texts(asked)).toEqual(['one question at a time: "Launch 33 keys, 6 workers, timeout 180 s?" is still open']);
    expect(texts(apply(asked, [{ type: 'ui/confirm', confirm: null }]))).toEqual([]);
  });

  test('a box closed under a run, and that run\'s own notices, go once another run is the one shown; the new run\'s stay', () => {
    const running = apply(base, [
      { type: 'process/update', patch: { runId: 'resume-1', pid: 11, attached: true, alive: true } },
      { type: 'ui/notice', text: 'launched run resume-1: pid 11, 4 keys', tone: 'info', key: 'run:resume-1' },
      { type: 'ui/confirm', confirm: { kind: 'stop', message: 'Stop run resume-1 (pid 11)?', keys: [], workers: null, timeout: null } },
      { type: 'process/update', patch: { alive: false } },
      { type: 'ui/notice', text: 'run resume-1 ended (exit 0)', tone: 'info', key: 'run:resume-1' },
      { type: 'ui/notice', text: 'an unrelated notice', tone: 'info' },
    ]);
    expect(texts(running)).toEqual(['Nothing was done: the stop question closed, as run resume-1 is no longer running.', 'run resume-1 ended (exit 0)', 'an unrelated notice']);
    const next = apply(running, [
      { type: 'ui/notice', text: 'launched run retry-2: pid 12, 1 key', tone: 'info', key: 'run:retry-2' },
      { type: 'process/update', patch: { runId: 'retry-2', pid: 12, attached: true, alive: true } },
    ]);
    expect(texts(next)).toEqual(['an unrelated notice', 'launched run retry-2: pid 12, 1 key']);
  });
});
