import { describe, expect, test } from 'vitest';
import { initialState, type AppState, type Confirm } from '../src/state/app-state.js';
import { initialPlaceState } from '../src/state/place-state.js';
import { stopHeadline, stopStage } from '../src/state/confirm-situation.js';
import { reduce } from '../src/state/reducer.js';

const T = Date.UTC(2025, 10, 26, 14, 3, 7);
const base = initialState({ job: 'j', log: '/x.log', now: T, targets: [95] });
const running: AppState = reduce(base, { type: 'process/update', patch: { runId: 'resume-1', pid: 42, attached: true, alive: true } });
const box = (kind: Confirm['kind'], message: string): Confirm => ({ kind, message, keys: [], workers: null, timeout: null });

describe('a confirm box is fixed once open', () => {
  test('a second question never replaces the open one', () => {
    const s1 = reduce(running, { type: 'ui/confirm', confirm: box('stop', 'Stop run resume-1 (pid 42)?') });
    const s2 = reduce(s1, { type: 'ui/confirm', confirm: box('kill', 'Send SIGKILL?') });
    expect(s2.ui.confirm?.message).toBe('Stop run resume-1 (pid 42)?');
    expect(s2.ui.notices.at(-1)?.text).toContain('one question at a time');
  });

  test('the stop box closes when the stop moves on or the run ends; unrelated changes leave it', () => {
    const open = reduce(running, { type: 'ui/confirm', confirm: box('stop', 'Stop run resume-1 (pid 42)?') });
    expect(reduce(open, { type: 'clock/tick', now: T + 5000 }).ui.confirm).not.toBeNull();
    expect(reduce(open, { type: 'process/update', patch: { writersChecked: true, writersCheckedAt: T } }).ui.confirm).not.toBeNull();
    const ended = reduce(open, { type: 'process/update', patch: { alive: false } });
    expect(ended.ui.confirm).toBeNull();
    expect(ended.ui.notices.at(-1)?.text).toBe('Nothing was done: the stop question closed, as run resume-1 is no longer running.');
    const moved = reduce(open, { type: 'process/update', patch: { stopping: 'sigterm', stopSignals: [{ signal: 'SIGINT', at: T }, { signal: 'SIGTERM', at: T + 10_000 }] } });
    expect(moved.ui.confirm).toBeNull();
  });

  // Tester AG4: `r` lists storage before its box opens; a `/` typed meanwhile opened the filter prompt, and the keys
  // meant for the box became its text.
  test('a box opening over the filter prompt or the help closes them; the filter typed so far is kept', () => {
    const typing = reduce(reduce(reduce(running, { type: 'ui/view', view: 'failures' }), { type: 'ui/filter-start' }), { type: 'ui/filter-input', text: 'play' });
    const open = reduce(reduce(typing, { type: 'ui/help', open: true }), { type: 'ui/confirm', confirm: box('retry', 'Retry 3 failed keys?') });
    expect(open.ui).toMatchObject({ filtering: false, filter: 'play', help: false, view: 'failures' });
    expect(open.ui.confirm?.message).toBe('Retry 3 failed keys?');
  });

  test('a launch box closes when a writer appears under it', () => {
    const open = reduce(base, { type: 'ui/confirm', confirm: box('resume', 'Launch 3 keys?') });
    const after = reduce(open, { type: 'process/update', patch: { external: true, externalPids: [77] } });
    expect(after.ui.confirm).toBeNull();
    expect(after.ui.notices.at(-1)?.text).toBe('Nothing was done: the resume question closed, as pid 77 writes the log now.');
  });
});

// Tester AH5 d: a Cloud Run cancel box closed by a cancel from gcloud said `the stop question closed, as run resume-… is no
// longer running`; the box had asked to cancel execution mt-job-ad9a6.
describe('a Cloud Run cancel box closed under it is the cancel question, said of its execution', () => {
  const execution = { name: 'projects/p/locations/r/jobs/mt-job/executions/mt-job-ad9a6', id: 'mt-job-ad9a6', state: 'running' as const, taskCount: 1, runningCount: 1, succeededCount: 0, failedCount: 0, cancelledCount: 0, retriedCount: 0, createTime: T - 60_000, startTime: T - 59_000, completionTime: null, taskTimeoutSeconds: null, message: null, args: [] };
  const cloud = (): AppState => {
    let s = initialState({ job: 'flt', log: '/x.log', now: T, targets: [95], place: initialPlaceState('Cloud Run job mt-job (us-west2)', 600_000) });
    s = reduce(s, { type: 'place/update', patch: { execution, ours: true, listedAt: T } });
    return reduce(s, { type: 'process/update', patch: { runId: 'resume-20261202-012133-93d602', attached: true, alive: true, external: false, externalPids: [] } });
  };
  const open = () => reduce(cloud(), { type: 'ui/confirm', confirm: box('stop', 'Cancel execution mt-job-ad9a6? Its tasks get SIGTERM; keys in flight are lost.') });

  test('cancelled elsewhere: as execution … was cancelled', () => {
    // As the place shows an ended execution: the execution first, then the process side, in two events.
    let s = reduce(open(), { type: 'place/update', patch: { execution: { ...execution, state: 'cancelled', runningCount: 0, cancelledCount: 1, completionTime: T + 1000 } } });
    expect(s.ui.confirm).not.toBeNull();
    s = reduce(s, { type: 'process/update', patch: { attached: false, alive: false, stopped: true } });
    expect(s.ui.confirm).toBeNull();
    expect(s.ui.notices.at(-1)?.text).toBe('Nothing was done: the cancel question closed, as execution mt-job-ad9a6 was cancelled.');
  });

  test('ended by itself: as execution … succeeded', () => {
    let s = reduce(open(), { type: 'place/update', patch: { execution: { ...execution, state: 'succeeded', runningCount: 0, succeededCount: 1, completionTime: T + 1000 } } });
    s = reduce(s, { type: 'process/update', patch: { attached: false, alive: false } });
    expect(s.ui.notices.at(-1)?.text).toBe('Nothing was done: the cancel question closed, as execution mt-job-ad9a6 succeeded.');
  });
});

describe('stop stage', () => {
  test('says what was sent, when, and what comes next (TZ=UTC)', () => {
    const p = { stopping: 'sigint' as const, stopSignals: [{ signal: 'SIGINT' as const, at: T }] };
    expect(stopStage(p, T + 6000)).toBe('sent SIGINT at 14:03:07; SIGTERM at 14:03:17 (in 4 s) if it is still running');
    expect(stopHeadline(p, T + 6000)).toBe('SIGINT sent, SIGTERM in 4 s');
    const both = { stopping: 'needs-kill' as const, stopSignals: [{ signal: 'SIGINT' as const, at: T }, { signal: 'SIGTERM' as const, at: T + 10_000 }] };
    expect(stopHeadline(both, T + 30_000)).toBe('SIGINT and SIGTERM ignored: x decides');
  });
});
