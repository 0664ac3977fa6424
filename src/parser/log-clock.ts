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
const DAY = 86_400_000;

/*
 * Where the zone read has no change (no `timezone`: the system's zone, or a fixed offset guessed from the file,
 * log-zone-guess.ts; or a wrong `timezone`), a log written across a night its own zone changed on steps an hour:
 * back on the night clocks fall back (01:59:59 EDT, then 01:00:00 EST a second later), forward on the night they
 * spring forward (01:59:59 EST, then 03:00:00 EDT a second later). Read as written, the first is a run that
 * finishes before it starts, the second a run an hour longer than it ran (tester: `3:30:00` for a `2:30:00` run).
 * The log never says its zone, so both are read against the tz database (the platform's, through Intl): a step is a
 * clock change only where some real zone changed its clock by that hour that night, between those two wall times.
 *
 * What stays ambiguous: the same wall times are also what a writer in a zone without that change writes when it
 * truly pauses that long at that hour that night (a clock that jumps from 01:59:54 to 03:00:02 in New York on
 * 2026-03-08 is 8 s; in UTC it is an hour and 8 s). The bounds keep that to one case: the step must cross exactly
 * the skipped hour (or land in the repeated one), leave at most 35 minutes of real time between the two lines (a
 * longer quiet spell is a pause whatever the clock did), come in order (a reader going backwards sees no change),
 * and be the only one that night (SET_BACK_ONCE_MS). A pause of an hour at any other time, or across 02:00–03:00 on
 * any other night, is read as the pause it was. The clock keeps the newest change it took (state: step*) so it is
 * said wherever the run is shown, with `timezone` as the way to be sure.
 */

/** A step back between these two, read as a set back (fall back): at most 35 min passed between the lines. */
const SET_BACK_MIN = 25 * MINUTE;
const SET_BACK_MAX = HOUR + MINUTE;
/**
 * A step forward between these two, read as a skipped hour (spring forward): at most 35 min passed between the lines.
 * From a whole hour, minutes apart: a change seen as the lines came may fall within a minute (11:23:44 then 12:23:46,
 * tester AE2's own rule); a zone's lies between two minutes (01:59 then 03:00), which its own check holds.
 */
const SKIP_MIN = HOUR;
const SKIP_MAX = HOUR + 35 * MINUTE;
/**
 * A zone changes its clock at most once a night: a second change within this of log time, either way, is not one
 * (tester V19: 60 runs appended by `cat`, each stepping back 15 min at 11:16, read as 59 hours set back; a worker's line
 * timed just before a skip and written just after it steps back an hour, and is no set back).
 */
const SET_BACK_ONCE_MS = 20 * HOUR;
/**
 * Wall-clock hours in which zones change by an hour, in the tz database of 2020–2030: 22:00 and 23:00
 * (America/Nuuk, Pacific/Easter), 00:00–04:00 everywhere else (Africa/Cairo at 00:00, Asia/Famagusta at 04:00,
 * Pacific/Chatham at 02:45). A step elsewhere in the day is no change, without asking the tz database.
 */
const CHANGE_HOURS = new Set([21, 22, 23, 0, 1, 2, 3, 4]);
const hourOfWall = (wall: number) => Math.floor((((wall % DAY) + DAY) % DAY) / HOUR);

/** A clock change a LogClock took: which way, when (the first line after it, as read), and which zone did it. */
export interface ClockStep {
  /** `skip`: an hour skipped (spring forward); `set-back`: an hour repeated (fall back). */
  kind: 'skip' | 'set-back';
  /** Epoch ms of the first minute read after the change, as read (the correction taken). */
  at: number;
  /** The wall time the change happened at, before it (UTC-as-wall ms): 02:00 for 02:00→03:00 and for 02:00→01:00. */
  wall: number;
  /** A zone of the tz database that changed its clock so that night (`America/New_York`); null: none did, the change was seen as the lines came, or read from the log alone (`alone`). */
  zone: string | null;
  /** No zone changed then and the lines were not seen coming: the step was an hour give or take the minute its lines came apart (see byRhythm). */
  alone?: true;
}

/**
 * Wall-clock minutes of one log, read in order, to epoch ms. One per log stream (it remembers the last
 * minute read): a time in the repeated hour is its first occurrence unless that is before the line
 * before it (by more than a minute: worker threads write slightly out of order), so a time that steps
 * back within the repeated hour is the second occurrence, and the log stays there until the hour ends.
 * Where the zone read has no such change, a step over an hour some zone skipped or repeated that night is
 * read as that change (see above).
 */
export class LogClock {
  /** Epoch ms of the last minute read; NaN before the first. */
  private last = Number.NaN;
  /** The last minute read as a wall time (UTC-as-wall ms); NaN before the first. */
  private lastWall = Number.NaN;
  /** UTC-as-wall ms of the hour whose offsets are cached. */
  private hourKey = Number.NaN;
  /** Offsets (minutes east of UTC) a wall time in that hour may have, or null when they change inside it. */
  private hourOffsets: number[] | null = null;
  /** Ms added to what the zone reads: an hour for each set back taken, less an hour for each skip. */
  private shift = 0;
  /** When (epoch ms, as read) the last set back was taken; NaN before any. */
  private setBackAt = Number.NaN;
  /** When (epoch ms, as read) the last skip was taken; NaN before any. */
  private skipAt = Number.NaN;
  /** The newest change taken (ClockStep), as plain numbers: 1 skip, -1 set back, 0 none. */
  private stepKind = 0;
  private stepAt = Number.NaN;
  private stepWall = Number.NaN;
  private stepZone = '';
  /** 1 when the newest change was read from the log alone (byRhythm), else 0. */
  private stepAlone = 0;
  /** The log time between the last two minutes read (ms); NaN before two. */
  private gap = Number.NaN;
  /** The first line's instant, as read (its minute and its seconds), when its line said them; NaN: not known. */
  private firstAt = Number.NaN;
  /** The real time within which the lines now read came (see followed); NaN: not known. */
  private followedMs = Number.NaN;

  /**
   * `zone` undefined: the system's (read through Date, as Python's localtime does). `inOrder` false for a
   * reader that goes backwards (history-start.ts): a step is then no clock change.
   */
  constructor(
    readonly zone?: string,
    private readonly inOrder = true,
  ) {}

  /** What the clock remembers of the log read so far, to go on reading it in another thread (parser/parse-worker.ts). */
  state(): LogClockState {
    return {
      zone: this.zone,
      inOrder: this.inOrder,
      last: this.last,
      lastWall: this.lastWall,
      shift: this.shift,
      setBackAt: this.setBackAt,
      skipAt: this.skipAt,
      stepKind: this.stepKind,
      stepAt: this.stepAt,
      stepWall: this.stepWall,
      stepZone: this.stepZone,
      stepAlone: this.stepAlone,
      gap: this.gap,
      firstAt: this.firstAt,
    };
  }

  /** A clock that goes on from `state` as the clock that gave it would. */
  static from(state: LogClockState): LogClock {
    const clock = new LogClock(state.zone, state.inOrder);
    clock.last = state.last;
    clock.lastWall = state.lastWall;
    clock.shift = state.shift;
    clock.setBackAt = state.setBackAt;
    clock.skipAt = state.skipAt;
    clock.stepKind = state.stepKind;
    clock.stepAt = state.stepAt;
    clock.stepWall = state.stepWall;
    clock.stepZone = state.stepZone;
    clock.stepAlone = state.stepAlone;
    clock.gap = state.gap;
    clock.firstAt = state.firstAt ?? Number.NaN;
    return clock;
  }

  /** The newest clock change taken (a skipped or a repeated hour the zone read does not have), or null. */
  lastStep(): ClockStep | null {
    return clockStepOf(this.state());
  }

  /**
   * Epoch ms of the wall-clock minute `y-mo-d h:mi` in the zone (mo 1-12). `line`: the line it is read from, asked
   * only when an hour's step is weighed from the log alone (byRhythm); without it no such step is taken.
   */
  minute(y: number, mo: number, d: number, h: number, mi: number, line?: RunLine): number {
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
    at += this.shift;
    // The first line's instant, for a step back in the first minute (byRhythm): asked once a clock.
    if (Number.isNaN(this.last) && line?.msIntoMinute) this.firstAt = at + line.msIntoMinute();
    const step = at - this.last;
    if (this.inOrder && ((step <= -SET_BACK_MIN && step >= -SET_BACK_MAX) || (step >= SKIP_MIN && step <= SKIP_MAX))) at = this.changed(at, step, wall, line);
    this.gap = at - this.last;
    this.last = at;
    this.lastWall = wall;
    return at;
  }

  /**
   * `at` (the minute at wall time `wall`, `step` after the minute before it) with the clock change the step was, if
   * some zone made that change between the two wall times that night and none was taken that night (see above).
   */
  private changed(at: number, step: number, wall: number, line?: RunLine): number {
    if (step < 0) {
      // Set back: `wall` lies in the hour a zone repeated, the minute before it at most the end of that hour.
      if (this.changedWithin(at + HOUR)) return at;
      const change = zoneChangeBetween(-60, wall + MINUTE, wall + HOUR, (c) => c - HOUR <= wall && this.lastWall <= c + MINUTE) ?? this.seenChange(HOUR + step, wall + HOUR) ?? this.byRhythm(HOUR + step, wall + HOUR, line);
      if (change === null) return at;
      this.shift += HOUR;
      at += HOUR;
      this.setBackAt = at;
      this.record(-1, at, change);
      return at;
    }
    // Skip: the hour a zone skipped lies wholly between the two wall times.
    if (this.changedWithin(at - HOUR)) return at;
    // (A zone's skipped hour lies between two minutes: only a step of more than an hour asks the tz database.)
    const change = (step > HOUR ? zoneChangeBetween(60, this.lastWall + MINUTE, wall - HOUR, (c) => this.lastWall < c && c + HOUR <= wall) : null) ?? this.seenChange(step - HOUR, wall - HOUR);
    if (change === null) return at;
    this.shift -= HOUR;
    at -= HOUR;
    this.skipAt = at;
    this.record(1, at, change);
    return at;
  }

  /** Whether a change was taken within SET_BACK_ONCE_MS before `at` (or after it: the log went back past it). */
  private changedWithin(at: number): boolean {
    return at - this.setBackAt < SET_BACK_ONCE_MS || at - this.skipAt < SET_BACK_ONCE_MS;
  }

  /**
   * A change of an hour no zone made then, seen happen: the lines came while followed, within `followedMs` of real
   * time, and the clock moved an hour and `passed` ms. A writer whose tz rules this machine's do not share (a country
   * that changed its rules, a container with other tz data, tester AE2/AE3's own rule) or whose clock was set an hour
   * on or back; the hour is read as the change whatever the night. Null unless the lines came within SET_BACK_MIN
   * (less than any step taken: the step cannot be time that passed) and `passed` fits when they came.
   */
  private seenChange(passed: number, wall: number): { wall: number; zone: string } | null {
    if (!(this.followedMs <= SET_BACK_MIN && passed >= -MINUTE && passed <= this.followedMs + MINUTE)) return null;
    return { wall, zone: '' };
  }

  /**
   * A set back of an hour no zone made then, read from the log alone (a finished log read by `status`, or the history a
   * dashboard opens on: no arrivals to go by): the lines before the step came within a minute of each other, the step
   * goes back an hour give or take that minute (`passed`, the log time left once the hour is taken off, from -1 to +2
   * minutes, as minutes are read), and the line after it goes on with the run (an outcome, a Progress line: not another
   * run appended). Time does not go back: a VM's clock set back by hand, a writer's own tz rule (tester AE3's one-shot
   * residue: `0:00` and a finish before its start). Never while followed: the arrivals say then (seenChange). Only
   * back: a jump forward of an hour is also an hour's quiet (requests with a 3600 s timeout, a machine asleep, hourly
   * runs appended), so the log alone never reads one as a skip; a finished run's summary may (run-view.ts hourNotPassed).
   * In the first minute read there is no gap between minutes yet: the lines before the step came a minute apart or less
   * when there were two of them at least, at different times (the line before the step after the first one, as the
   * prefix reader says them): a clock corrected in a run's first minute (a VM's NTP catching up just after boot; tester
   * AE3's first-minute residue, `19:00:34,095 ✅` then `18:00:34,219 ✅`, read `elapsed not known` where the dashboard
   * that watched it said `0:45`). One line alone before it says nothing of how the lines came.
   */
  private byRhythm(passed: number, wall: number, line: RunLine | undefined): { wall: number; zone: string; alone: true } | null {
    const close = Number.isNaN(this.gap) ? this.firstAt < (line?.at ?? Number.NaN) : Math.abs(this.gap) <= MINUTE;
    if (!Number.isNaN(this.followedMs) || !close || passed < -MINUTE || passed > 2 * MINUTE) return null;
    if (!line?.continuesRun()) return null;
    return { wall, zone: '', alone: true };
  }

  /**
   * The lines read next came while the log was followed, within `withinMs` of real time of the lines read before them
   * (log-events.ts: two arrivals back, so a line held by a poll is covered); NaN: not known (the history). Not part
   * of the state: a history read in a worker has no arrivals.
   */
  followed(withinMs: number): void {
    this.followedMs = withinMs;
  }

  /** What `followed` last said. */
  followedWithin(): number {
    return this.followedMs;
  }

  private record(kind: number, at: number, change: { wall: number; zone: string; alone?: true }): void {
    this.stepKind = kind;
    this.stepAt = at;
    this.stepWall = change.wall;
    this.stepZone = change.zone;
    this.stepAlone = change.alone ? 1 : 0;
  }

  /** The offsets the wall time may have in the clock's zone (see wallOffsets). */
  private offsets(y: number, mo: number, d: number, h: number, mi: number): number[] {
    return wallOffsets(this.zone, y, mo, d, h, mi);
  }
}

/** The line a minute is read from, as the clock may ask of it (parser/timestamp.ts PrefixReader). */
export interface RunLine {
  /** Its message goes on with a run (an outcome, a Progress line), rather than beginning or ending one. */
  continuesRun(): boolean;
  /** The instant of the line read before it, as read (0 or less: none yet in its chunk). */
  readonly at?: number;
  /** The milliseconds into its minute it was written at (`:SS,mmm`), NaN when it does not say. */
  msIntoMinute?(): number;
}

/** A LogClock's memory as plain data (it crosses to a worker thread); the hour's offsets are only a cache. */
export interface LogClockState {
  zone: string | undefined;
  inOrder: boolean;
  last: number;
  lastWall: number;
  shift: number;
  setBackAt: number;
  skipAt: number;
  stepKind: number;
  stepAt: number;
  stepWall: number;
  stepZone: string;
  /** 1: the newest change was read from the log alone (see ClockStep.alone). */
  stepAlone: number;
  /** The log time between the last two minutes read (ms), NaN before two: how close the lines came before a step. */
  gap: number;
  /** The first line's instant as read, NaN when not known (a state from before it was kept: not known). */
  firstAt?: number;
}

/** The newest clock change in a clock's state, or null. */
export function clockStepOf(state: LogClockState): ClockStep | null {
  if (state.stepKind === 0) return null;
  return { kind: state.stepKind > 0 ? 'skip' : 'set-back', at: state.stepAt, wall: state.stepWall, zone: state.stepZone || null, ...(state.stepAlone ? { alone: true as const } : {}) };
}

/** A zone's change of clock in the tz database: its wall time before it (UTC-as-wall ms) and by how many minutes. */
interface ZoneChange {
  zone: string;
  wall: number;
  minutes: number;
}

/**
 * A zone change by `minutes` (60: spring forward, -60: fall back) whose wall time (before it) lies in [from, to] and
 * passes `fits`, or null. Zones the platform knows best by name come first (America/New_York, not America/Detroit,
 * which changed with it): the name is said to the operator.
 */
function zoneChangeBetween(minutes: number, from: number, to: number, fits: (wall: number) => boolean): ZoneChange | null {
  if (!CHANGE_HOURS.has(hourOfWall(from)) && !CHANGE_HOURS.has(hourOfWall(to))) return null;
  let best: ZoneChange | null = null;
  for (let day = from - (((from % DAY) + DAY) % DAY); day <= to; day += DAY) {
    for (const c of zoneChangesOn(day)) {
      if (c.minutes !== minutes || c.wall < from || c.wall > to || !fits(c.wall)) continue;
      if (best === null || rank(c.zone) < rank(best.zone) || (rank(c.zone) === rank(best.zone) && c.zone < best.zone)) best = c;
    }
  }
  return best;
}

/** Zones named first when several changed alike: the best known of each region's rules. */
const KNOWN_ZONES = [
  'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'America/Anchorage', 'America/Halifax',
  'America/St_Johns', 'America/Havana', 'America/Mexico_City', 'America/Santiago', 'America/Asuncion', 'Europe/London',
  'Europe/Dublin', 'Europe/Lisbon', 'Europe/Berlin', 'Europe/Paris', 'Europe/Athens', 'Europe/Helsinki', 'Europe/Kyiv',
  'Asia/Jerusalem', 'Asia/Beirut', 'Africa/Cairo', 'Africa/Casablanca', 'Australia/Sydney', 'Australia/Melbourne',
  'Australia/Adelaide', 'Australia/Hobart', 'Pacific/Auckland', 'Pacific/Chatham',
];
const rank = (zone: string) => {
  const i = KNOWN_ZONES.indexOf(zone);
  return i < 0 ? KNOWN_ZONES.length : i;
};

/** Zone changes by wall date (its UTC midnight, ms): asked of the tz database once a night. */
const changesOfDay = new Map<number, ZoneChange[]>();
/** Nights kept: a log that steps an hour at night on many nights asks again rather than grow without bound. */
const CHANGE_DAYS_KEPT = 512;
/** Offsets as `GMT-05:00`, one formatter a zone (a zone's first costs about 0.15 ms: asked only on a night step). */
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

function offsetAt(zone: string, ts: number): number {
  let f = offsetFormats.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormats.set(zone, f);
  }
  const name = f.formatToParts(ts).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d\d):(\d\d)/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/**
 * Every change of clock of every zone the platform knows (Intl.supportedValuesOf) whose wall time, before it, falls
 * on the wall date `day`: a change at wall time w in offset o is at instant w - o, so within 15 h before the day
 * and 38 h after its start for any offset; a zone whose offset differs at the two ends changed once in between
 * (found to the minute). About 10 ms a night.
 */
export function zoneChangesOn(day: number): readonly ZoneChange[] {
  const kept = changesOfDay.get(day);
  if (kept) return kept;
  const out: ZoneChange[] = [];
  const t0 = day - 15 * HOUR;
  const t1 = day + 38 * HOUR;
  for (const zone of knownZones()) {
    const a = offsetAt(zone, t0);
    const b = offsetAt(zone, t1);
    if (a === b) continue;
    let lo = t0;
    let hi = t1;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / (2 * MINUTE)) * MINUTE;
      if (offsetAt(zone, mid) === a) lo = mid;
      else hi = mid;
    }
    const wall = hi + a * MINUTE;
    if (wall >= day && wall < day + DAY) out.push({ zone, wall, minutes: offsetAt(zone, hi) - a });
  }
  if (changesOfDay.size >= CHANGE_DAYS_KEPT) changesOfDay.clear();
  changesOfDay.set(day, out);
  return out;
}

let zoneNames: readonly string[] | null = null;
function knownZones(): readonly string[] {
  zoneNames ??= typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : KNOWN_ZONES;
  return zoneNames;
}


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
