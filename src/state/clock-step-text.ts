import type { AppState, LogClockStep } from './app-state.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** `02:00` of a UTC-as-wall time. */
const hhmm = (wall: number) => new Date(wall).toISOString().slice(11, 16);
/** `2026-03-08` of a UTC-as-wall time. */
const date = (wall: number) => new Date(wall).toISOString().slice(0, 10);

/** The hour the change skipped or went back over, as wall times: 02:00–03:00, or 02:00→01:00. */
export function clockStepHours(step: LogClockStep): { from: string; to: string; date: string } {
  return { from: hhmm(step.wall), to: hhmm(step.kind === 'skip' ? step.wall + HOUR : step.wall - HOUR), date: date(step.wall) };
}

/**
 * The change in the operator's words: short for the job screen's notice (wrapped to the screen), with what to do for
 * `status`. A skipped hour is read as no time passing, a repeated one as time going on: said, since a writer in a
 * zone without that change that paused that long at that hour that night would be read the same (log-clock.ts).
 */
export function clockStepText(step: LogClockStep, long = false): string {
  const { from, to, date } = clockStepHours(step);
  // No zone of this machine's tz database changed then: the change was seen, the lines coming on while it happened, or
  // read from a finished log alone, an hour's step between lines that came a minute apart (log-clock.ts byRhythm).
  const why = step.alone
    ? 'no zone changed then, its lines a minute apart: set by hand?'
    : step.zone === null
      ? 'as its lines came on'
      : step.kind === 'skip'
        ? `spring forward, as ${step.zone} did`
        : `fall back, as ${step.zone} did`;
  const what =
    step.kind === 'skip'
      ? `log clock skipped ${from}–${to} on ${date} (${why}): read as no time passing`
      : `log clock went back from ${from} to ${to} on ${date} (${why}): read as time going on`;
  if (step.timezone !== null) return `${what}; "timezone" ${step.timezone} has no such change`;
  // A clock set by hand is no zone's: `timezone` would not read it otherwise.
  return long && !step.alone ? `${what}; set "timezone" to be sure` : what;
}

/**
 * The change to say beside the run shown: the newest one, while it lies within the current run (else null). The clock
 * times a change by the minute after it (`at`, its first second), so one in the run's first minute lies in that minute,
 * not before the run's first line (tester AE3's first-minute residue: a set back at 19:00:34 in a run begun at 19:00:17,
 * its elapsed read right and the change unsaid).
 */
export function shownClockStep(state: AppState): LogClockStep | null {
  const step = state.log.clockStep;
  const run = state.log.current;
  if (!step || !run || run.startedAt === null || step.at + MINUTE <= run.startedAt) return null;
  return step;
}
