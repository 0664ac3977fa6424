/*
 * Log times are local wall-clock times without a zone (Python's asctime). Turning them into instants
 * needs the zone the script ran in, and on the night clocks fall back one hour of wall-clock time
 * happens twice: 01:59 is followed by 01:00. Zone rules come from the platform (ICU): the system's zone
 * through Date (no Intl.DateTimeFormat, whose first use costs 15-100 ms of start-up), a named zone
 * through Intl.DateTimeFormat. This file decides which of two instants a repeated time is, by the order
 * of the log. (It used luxon; the arithmetic below is luxon's, so the instants are the same.)
 */

/** The system's IANA zone (the TZ environment variable, else the machine's), as Python would use it. */
export function systemZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Whether `name` is an IANA zone this platform knows (`America/New_York`, `Europe/Berlin`, `UTC`). */
export function isValidZone(name: string): boolean {
  if (!name) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name }).format();
    return true;
  } catch {
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** `UTC-05:00`: a fixed offset, the zone a log's clock is guessed to be in (log-zone-guess.ts); Intl has none. */
const FIXED_ZONE = /^UTC([+-])(\d\d):(\d\d)$/;

/** The fixed-offset zone `offsetMinutes` east of UTC, as `zoneOffset` reads it (`UTC-05:00`, `UTC+05:30`). */
export function fixedZone(offsetMinutes: number): string {
  const a = Math.abs(offsetMinutes);
  return `UTC${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** Minutes east of UTC in `zone` (undefined: the system's) at epoch ms `ts`. */
export function zoneOffset(zone: string | undefined, ts: number): number {
  if (zone === undefined) return 0 - new Date(ts).getTimezoneOffset(); // 0 - 0 is 0, not -0
  const fixed = zone.startsWith('UTC') ? FIXED_ZONE.exec(zone) : null;
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
  let f = formats.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { hour12: false, timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', era: 'short' });
    formats.set(zone, f);
  }
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const p of f.formatToParts(new Date(ts))) {
    if (p.type === 'year') year = Number(p.value);
    else if (p.type === 'month') month = Number(p.value);
    else if (p.type === 'day') day = Number(p.value);
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
    else if (p.type === 'second') second = Number(p.value);
    else if (p.type === 'era') bc = p.value === 'BC' || p.value === 'B';
  }
  if (bc) year = -Math.abs(year) + 1;
  const asUTC = wallMs(year, month, day, hour === 24 ? 0 : hour, minute, second);
  const whole = ts - (((ts % 1000) + 1000) % 1000);
  return (asUTC - whole) / 60_000;
}

/** Epoch ms of a wall time read as UTC (years below 100 are years, not 19xx). */
function wallMs(y: number, mo: number, d: number, h: number, mi: number, s = 0): number {
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  if (y >= 0 && y < 100) {
    const dt = new Date(ms);
    dt.setUTCFullYear(y, mo - 1, d);
    return dt.getTime();
  }
  return ms;
}

/** Whether y-mo-d h:mi is a real date and time (as luxon judges: 24:00 is the next day's 00:00). */
function validWall(y: number, mo: number, d: number, h: number, mi: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(mo) || mo < 1 || mo > 12) return false;
  // The Gregorian calendar repeats every 400 years: month lengths of 2000 + (y mod 400) are y's.
  const days = 32 - new Date(Date.UTC(2000 + (((y % 400) + 400) % 400), mo - 1, 32)).getUTCDate();
  if (!Number.isInteger(d) || d < 1 || d > days) return false;
  if (!Number.isInteger(h) || !Number.isInteger(mi) || mi < 0 || mi > 59) return false;
  return (h >= 0 && h <= 23) || (h === 24 && mi === 0);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/**
 * A log read in order that steps back between these two, where its zone has no repeated hour (no
 * `timezone`, or a wrong one, on the night clocks fall back), had its clock set back an hour: later times
 * are read an hour on. Smaller steps are left alone (durations are never negative anyway); larger ones are
 * not a clock change (lines of another writer). Only where a fall-back can be: the early hours (SET_BACK_HOURS)
 * of a month some zone falls back in (SET_BACK_MONTHS), and once a night (tester V19: 60 runs appended by `cat`,
 * each stepping back 15 min at 11:16, read as 59 hours set back, the run 57 h in the future).
 */
const SET_BACK_MIN = 25 * MINUTE;
const SET_BACK_MAX = HOUR + MINUTE;
/** Wall-clock hours (of the line after the step) a zone's clocks fall back in: 00:00–03:59 everywhere. */
const SET_BACK_LAST_HOUR = 3;
/** Months zones fall back in: March–April in the south (Chile, Australia, New Zealand), September–November in the north. */
const SET_BACK_MONTHS = new Set([3, 4, 9, 10, 11]);
/** A zone falls back at most once a year: two set backs within this of log time are not two. */
const SET_BACK_ONCE_MS = 20 * HOUR;

/**
 * Wall-clock minutes of one log, read in order, to epoch ms. One per log stream (it remembers the last
 * minute read): a time in the repeated hour is its first occurrence unless that is before the line
 * before it (by more than a minute: worker threads write slightly out of order), so a time that steps
 * back within the repeated hour is the second occurrence, and the log stays there until the hour ends.
 */
export class LogClock {
  /** Epoch ms of the last minute read; NaN before the first. */
  private last = Number.NaN;
  /** UTC-as-wall ms of the hour whose offsets are cached. */
  private hourKey = Number.NaN;
  /** Offsets (minutes east of UTC) a wall time in that hour may have, or null when they change inside it. */
  private hourOffsets: number[] | null = null;
  /** Hours the log's clock was set back that its zone does not know of (SET_BACK_MIN), in ms. */
  private setBack = 0;
  /** When (epoch ms, as read) the last set back was taken; NaN before any. */
  private setBackAt = Number.NaN;

  /**
   * `zone` undefined: the system's (read through Date, as Python's localtime does). `inOrder` false for a
   * reader that goes backwards (history-start.ts): a step back is then no clock change.
   */
  constructor(
    readonly zone?: string,
    private readonly inOrder = true,
  ) {}

  /** What the clock remembers of the log read so far, to go on reading it in another thread (parser/parse-worker.ts). */
  state(): LogClockState {
    return { zone: this.zone, inOrder: this.inOrder, last: this.last, setBack: this.setBack, setBackAt: this.setBackAt };
  }

  /** A clock that goes on from `state` as the clock that gave it would. */
  static from(state: LogClockState): LogClock {
    const clock = new LogClock(state.zone, state.inOrder);
    clock.last = state.last;
    clock.setBack = state.setBack;
    clock.setBackAt = state.setBackAt;
    return clock;
  }

  /** Epoch ms of the wall-clock minute `y-mo-d h:mi` in the zone (mo 1-12). */
  minute(y: number, mo: number, d: number, h: number, mi: number): number {
    const wall = Date.UTC(y, mo - 1, d, h, mi);
    const hour = wall - mi * MINUTE;
    if (hour !== this.hourKey) {
      // Zone changes fall on whole hours almost everywhere; an hour that holds one is read minute by minute.
      this.hourKey = hour;
      const start = this.offsets(y, mo, d, h, 0);
      const end = this.offsets(y, mo, d, h, 59);
      this.hourOffsets = start.length === end.length && start.every((o, i) => o === end[i]) ? start : null;
    }
    const offsets = this.hourOffsets ?? this.offsets(y, mo, d, h, mi);
    // The first occurrence unless that goes back in time: then the second (the log never goes back an
    // hour). A minute of slack keeps a worker thread's slightly older line in its own occurrence.
    let at = wall - offsets[0] * MINUTE;
    if (offsets.length > 1 && !Number.isNaN(this.last)) {
      for (let i = 1; i < offsets.length && at < this.last - MINUTE; i++) at = wall - offsets[i] * MINUTE;
    }
    at += this.setBack;
    // The zone has no repeated hour here, yet the log went back most of an hour: the writer's clock fell
    // back (its zone is not the one read). The log never goes back, so neither does what is read from it.
    const step = this.last - at;
    if (this.inOrder && step >= SET_BACK_MIN && step <= SET_BACK_MAX && h <= SET_BACK_LAST_HOUR && SET_BACK_MONTHS.has(mo) && !(at + HOUR - this.setBackAt < SET_BACK_ONCE_MS)) {
      this.setBack += HOUR;
      at += HOUR;
      this.setBackAt = at;
    }
    this.last = at;
    return at;
  }

  /** The offsets the wall time may have in the clock's zone (see wallOffsets). */
  private offsets(y: number, mo: number, d: number, h: number, mi: number): number[] {
    return wallOffsets(this.zone, y, mo, d, h, mi);
  }
}

/** A LogClock's memory as plain data (it crosses to a worker thread); the hour's offsets are only a cache. */
export interface LogClockState {
  zone: string | undefined;
  inOrder: boolean;
  last: number;
  setBack: number;
  setBackAt: number;
}

const DAY = 86_400_000;

/** The wall-clock time of day (ms into the day) at `ts` with offset `o`. */
function wallOf(ts: number, o: number): number {
  const w = ts + o * MINUTE;
  return ((w % DAY) + DAY) % DAY;
}

/** The offsets (minutes east of UTC) a wall time in `zone` may have: one, or two in the repeated hour (earlier instant first). */
export function wallOffsets(zone: string | undefined, y: number, mo: number, d: number, h: number, mi: number): number[] {
  const local = wallMs(y, mo, d, h, mi);
  // A date that does not exist (2025-02-30) rolls over as Date would; its offset is the zone's there.
  if (!validWall(y, mo, d, h, mi)) return [zoneOffset(zone, Date.UTC(y, mo - 1, d, h, mi))];
  // The instant of the wall time (luxon's fixOffset, guessing the offset of a day before): a time in the
  // skipped hour takes the offset after the change.
  const o0 = zoneOffset(zone, local - DAY);
  let ts = local - o0 * MINUTE;
  let o = zoneOffset(zone, ts);
  if (o !== o0) {
    const o3 = zoneOffset(zone, ts - (o - o0) * MINUTE);
    if (o3 === o) ts -= (o - o0) * MINUTE;
    else {
      ts = local - Math.min(o, o3) * MINUTE;
      o = Math.max(o, o3);
    }
  }
  // Both instants of a repeated time (luxon's getPossibleOffsets), of the wall time as it came out (a
  // skipped time has moved past the change).
  const wall = ts + o * MINUTE;
  const before = zoneOffset(zone, wall - DAY);
  const after = zoneOffset(zone, wall + DAY);
  const o1 = zoneOffset(zone, wall - before * MINUTE);
  const oB = zoneOffset(zone, wall - after * MINUTE);
  if (o1 !== oB && wallOf(wall - o1 * MINUTE, o1) === wallOf(wall - oB * MINUTE, oB)) return [o1, oB].sort((a, b) => b - a);
  return [o];
}
