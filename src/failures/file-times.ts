import { wallOffsets } from '../parser/log-clock.js';
import type { FailedFile } from './failed-file.js';

/*
 * A failed-keys file's two times, its name's YYYYMMDD_HHMMSS and its `timestamp` field, are the script's
 * `datetime.now()`: its own local time with no zone. They are kept as written (wall-clock ms, as if in UTC) and read
 * in the zone the log is read in, which only the reducer knows once the log is looked at (a configured `timezone`,
 * or the one guessed from the log's file): never this machine's zone alone (tester AE1).
 */

/** The name's YYYYMMDD_HHMMSS as a wall-clock time (ms as if in UTC), or null when it has none. */
export function nameWall(name: string): number | null {
  const m = /(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})/.exec(name);
  return m ? wallOf(m.slice(1).map(Number)) : null;
}

/** An isoformat `timestamp` (`2025-11-26T23:17:12.345000`, no zone) as a wall-clock time (ms as if in UTC), or null. */
export function isoWall(text: string | null): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text ?? '');
  if (!m) return null;
  const at = wallOf(m.slice(1, 7).map(Number));
  return at === null ? null : at + Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000);
}

/** [y, mo, d, h, mi, s] as ms as if in UTC; null for what Date would silently roll over (month 13, hour 25). */
function wallOf([y, mo, d, h, mi, s]: number[]): number | null {
  const at = Date.UTC(y, mo - 1, d, h, mi, s);
  const t = new Date(at);
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && t.getUTCHours() === h && t.getUTCMinutes() === mi && t.getUTCSeconds() === s ? at : null;
}

/**
 * The instants a wall-clock time (ms as if in UTC) may be in `zone` (undefined: this machine's): one, or two in the
 * hour a fall-back night repeats (earlier first); in a skipped hour the time after the change (as Python's
 * `datetime.now()` never writes one).
 */
export function wallInstants(wall: number, zone: string | undefined): number[] {
  const t = new Date(wall);
  return wallOffsets(zone, t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes()).map((o) => wall - o * 60_000);
}

/** The instant of a wall-clock time in `zone`: of two (the repeated hour), the one nearest `near` when given, else the first. */
export function wallInZone(wall: number, zone: string | undefined, near?: number): number {
  const at = wallInstants(wall, zone);
  if (near === undefined || at.length === 1) return at[0];
  return at.reduce((best, x) => (Math.abs(x - near) < Math.abs(best - near) ? x : best));
}

/** Epoch ms of the name's YYYYMMDD_HHMMSS in `zone` (undefined: this machine's), or null when it has none. */
export function runStartFromName(name: string, zone?: string): number | null {
  const wall = nameWall(name);
  return wall === null ? null : wallInZone(wall, zone);
}

/**
 * `file` with its times read in `zone` (undefined: this machine's); unchanged when it is not from a file. On the night
 * clocks fall back either time may be in the repeated hour (tester AE9: a `timestamp` of 01:00:26 written after the
 * change, read as its first occurrence, put the file before its own run, and its one run's failures were `2 of 2
 * persistent`): the `timestamp` is the occurrence nearest the file's modification time, which the write set, and the
 * name, the run's start, the latest occurrence not after it.
 */
export function inZone<F extends Pick<FailedFile, 'walls' | 'runStartedAt' | 'writtenAtMs'> & { mtimeMs?: number }>(file: F, zone: string | undefined): F {
  const w = file.walls;
  if (!w) return file;
  let writtenAtMs = w.written === null ? null : wallInZone(w.written, zone, file.mtimeMs);
  const runStartedAt = w.name === null ? null : startBefore(wallInstants(w.name, zone), writtenAtMs);
  // Written at the run's end, never before its start: a `timestamp` up to an hour before the name is the writer's
  // clock set back meanwhile, in a zone read without that change (no `timezone`, this machine's UTC), as the log's
  // clock reads its lines (tester AE9 residue: `persistent 23` after one run on a UTC machine).
  if (writtenAtMs !== null && runStartedAt !== null && writtenAtMs < runStartedAt && runStartedAt - writtenAtMs <= SET_BACK_MAX_MS) writtenAtMs += HOUR_MS;
  return runStartedAt === file.runStartedAt && writtenAtMs === file.writtenAtMs ? file : { ...file, runStartedAt, writtenAtMs };
}

const HOUR_MS = 3_600_000;
/** An hour and a minute: a set back of an hour, and the slack of a clock's jitter. */
const SET_BACK_MAX_MS = HOUR_MS + 60_000;

/** Of a start's instants, the latest not after the write (a minute's slack for a clock's jitter), else the first. */
function startBefore(at: number[], writtenAt: number | null): number {
  if (at.length === 1 || writtenAt === null) return at[0];
  const before = at.filter((x) => x <= writtenAt + 60_000);
  return before.length ? before[before.length - 1] : at[0];
}
