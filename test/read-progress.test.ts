import { afterEach, expect, test, vi } from 'vitest';
import { progressOnStderr } from '../src/app/read-progress.js';
import { initialState, type AppState } from '../src/state/app-state.js';

afterEach(() => vi.useRealTimers());

/** A state whose log is being read: `read` of `size` bytes. */
function reading(read: number, size: number): AppState {
  const s = initialState({ job: 'big', log: '/x/bf.log', now: 0, targets: [95] });
  return { ...s, log: { ...s.log, looked: true, exists: true, historyDone: false, bytesRead: read, size } };
}

function fakeStderr(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (t: string) => out.push(t) } as unknown as NodeJS.WriteStream };
}

// Tester AD9: status and missing on a 53 MB log said nothing for ~3 s in a terminal.
test('a look past a second says how far it is on a terminal\'s stderr, in place, and wipes it when done', () => {
  vi.useFakeTimers();
  const { out, stream } = fakeStderr(true);
  let state = reading(0, 53_000_000);
  const p = progressOnStderr('big', stream);
  p.watch(() => state);
  vi.advanceTimersByTime(999);
  expect(out).toEqual([]);
  state = reading(23_850_000, 53_000_000);
  vi.advanceTimersByTime(1);
  expect(out).toEqual(['\r\x1b[Kbig: reading… 45 % of 53 MB']);
  state = reading(40_000_000, 53_000_000);
  vi.advanceTimersByTime(250);
  expect(out.at(-1)).toBe('\r\x1b[Kbig: reading… 75 % of 53 MB');
  p.stop();
  expect(out.at(-1)).toBe('\r\x1b[K');
  vi.advanceTimersByTime(5_000);
  expect(out).toHaveLength(3);
});

test('nothing on a stderr that is no terminal, nor for a look done within a second', () => {
  vi.useFakeTimers();
  const pipe = fakeStderr(false);
  const p = progressOnStderr('big', pipe.stream);
  p.watch(() => reading(1, 53_000_000));
  vi.advanceTimersByTime(5_000);
  p.stop();
  expect(pipe.out).toEqual([]);
  const tty = fakeStderr(true);
  const q = progressOnStderr('big', tty.stream);
  q.watch(() => reading(1, 53_000_000));
  vi.advanceTimersByTime(900);
  q.stop();
  vi.advanceTimersByTime(5_000);
  expect(tty.out).toEqual([]);
});
