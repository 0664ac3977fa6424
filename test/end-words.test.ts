import { describe, expect, test } from 'vitest';
import { runEndWords, skippedSignalWords } from '../src/run-place/end-words.js';
import { emptyRun } from '../src/state/run.js';

const run = (patch: Partial<ReturnType<typeof emptyRun>>) => ({ ...emptyRun(), hasActivity: true, ...patch });

describe("a local run's end notice, in the words of its state (tester W23)", () => {
  test('complete: its figures, no `exit 0`; failures or a non-zero exit make it a warning', () => {
    expect(runEndWords('r1', run({ complete: true, succeeded: 1234, failed: 0, skipped: 5 }), { stopped: false, exitCode: 0, signal: null })).toEqual({ text: 'run r1 complete: 1,234 scraped, 0 failed, 5 skipped', tone: 'info' });
    expect(runEndWords('r1', run({ complete: true, succeeded: 197, failed: 3, skipped: 0 }), { stopped: false, exitCode: 1, signal: null })).toEqual({ text: 'run r1 complete: 197 scraped, 3 failed, 0 skipped (exit 1)', tone: 'warn' });
    expect(runEndWords('r1', run({ complete: true, dryRun: true }), { stopped: false, exitCode: 0, signal: null }).text).toBe('run r1 dry run complete');
  });

  test('stopped (here or by another dashboard), ended without a summary, and a run whose lines are not known', () => {
    expect(runEndWords('r2', run({ succeeded: 45, failed: 2 }), { stopped: true, exitCode: 130, signal: null })).toEqual({ text: 'run r2 stopped: 45 scraped, 2 failed, 0 skipped (exit 130)', tone: 'warn' });
    expect(runEndWords('r3', run({ succeeded: 1, failed: 0 }), { stopped: false, exitCode: null, signal: 'SIGKILL' }).text).toBe('run r3 ended without a summary after 1 key (ended by SIGKILL)');
    expect(runEndWords('r4', null, { stopped: false, exitCode: 2, signal: null }).text).toBe('run r4 ended without a summary (exit 2)');
  });
});

// Tester AC4: the notice guessed `started with & by a script` of a python3 the dashboard had spawned directly. It says
// what /proc shows (the signal is ignored) and no cause it cannot know.
test('a skipped signal is said as /proc shows it, with no guess at why', () => {
  expect(skippedSignalWords('SIGINT', [8386])).toBe('SIGINT not sent: pid 8386 ignores it, so SIGTERM goes now');
  expect(skippedSignalWords('SIGINT', [8386, 8390])).toBe('SIGINT not sent: pids 8386, 8390 all ignore it, so SIGTERM goes now');
});
