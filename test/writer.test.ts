import { expect, test } from 'vitest';
import { initialState, type AppState } from '../src/state/app-state.js';
import { emptyRun } from '../src/state/run.js';
import { writerOf } from '../src/state/writer.js';

const T = Date.UTC(2025, 10, 26, 23, 0, 0);

function state(patch: Partial<AppState['process']>, lastActivityAt: number | null): AppState {
  const s = initialState({ job: 'j', log: '/x.log', now: T, targets: [95] });
  return { ...s, log: { ...s.log, current: lastActivityAt === null ? null : { ...emptyRun(), lastActivityAt } }, process: { ...s.process, ...patch } };
}

test.each([
  ['nothing known', {}, T, null],
  ['our run, alive', { pid: 10, alive: true }, T, true],
  ['our run, gone', { pid: 10, alive: false }, T, false],
  ['stopped by us', { stopped: true }, T, false],
  ['someone else writes the log', { external: true, externalPids: [42] }, T, true],
  ['nobody had it open when we looked, and nothing was written since', { writersChecked: true, writersCheckedAt: T + 1000 }, T, false],
  ['nobody had it open when we looked, but a line came after: unknown, not ended', { writersChecked: true, writersCheckedAt: T - 1000 }, T, null],
] as const)('%s', (_name, patch, last, alive) => {
  expect(writerOf(state(patch, last)).alive).toBe(alive);
});
