import { later, type LogRuns } from './apply-lines.js';
import { trailAfter, type LogTrail } from './log-trail.js';
import type { RunState } from './run.js';

/**
 * The log's runs other than its current one, in the order they began: its history, and a second writer's run going on
 * beside the current one (apply-lines.ts `beside`: tester AA18). Each run once: what `status --json` lists as `runs`,
 * text `status` counts, `h` shows and the launch matching takes as other runs' starts.
 */
export function earlierRuns(log: LogRuns): RunState[] {
  const beside = log.beside;
  if (!beside) return log.history;
  const cached = earlierCache.get(beside);
  if (cached && cached.history === log.history) return cached.out;
  const out = [...log.history];
  let at = out.length;
  while (at > 0 && later(out[at - 1], beside)) at--;
  out.splice(at, 0, beside);
  earlierCache.set(beside, { history: log.history, out });
  return out;
}

const earlierCache = new WeakMap<RunState, { history: RunState[]; out: RunState[] }>();

/** Every run of the log in the order they began, the current one included. */
export function allRuns(log: LogRuns): RunState[] {
  const earlier = earlierRuns(log);
  if (!log.current) return earlier;
  const out = [...earlier];
  let at = out.length;
  while (at > 0 && later(out[at - 1], log.current)) at--;
  out.splice(at, 0, log.current);
  return out;
}

/**
 * What the log's runs other than the current one said last about the keys they failed (log-trail.ts), a second
 * writer's run beside the current one included: its failures are in `f`, `r` and `missing` while it goes on.
 */
export function trailWithBeside(log: LogRuns): LogTrail | null {
  const beside = log.beside;
  if (!beside) return log.trail ?? null;
  const cached = trailCache.get(beside);
  if (cached && cached.trail === (log.trail ?? null)) return cached.out;
  const out = trailAfter(log.trail, beside);
  trailCache.set(beside, { trail: log.trail ?? null, out });
  return out;
}

const trailCache = new WeakMap<RunState, { trail: LogTrail | null; out: LogTrail | null }>();
