import { DateTime, IANAZone } from 'luxon';

/*
 * Log times are local wall-clock times without a zone (Python's asctime). Turning them into instants
 * needs the zone the script ran in, and on the night clocks fall back one hour of wall-clock time
 * happens twice: 01:59 is followed by 01:00. Zone rules come from luxon (the platform's Intl data);
 * this file only decides which of two instants a repeated time is, by the order of the log.
 */

/** The system's IANA zone (the TZ environment variable, else the machine's), as Python would use it. */
export function systemZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Whether `name` is an IANA zone this platform knows (`America/New_York`, `Europe/Berlin`, `UTC`). */
export function isValidZone(name: string): boolean {
  return IANAZone.isValidZone(name);
}

const MINUTE = 60_000;

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

  constructor(readonly zone: string = systemZone()) {}

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
    this.last = at;
    return at;
  }

  /** The offsets a wall time may have: one, or two in the repeated hour (earlier instant first). */
  private offsets(y: number, mo: number, d: number, h: number, mi: number): number[] {
    const dt = DateTime.fromObject({ year: y, month: mo, day: d, hour: h, minute: mi }, { zone: this.zone });
    // A date that does not exist (2025-02-30) rolls over as Date would; its offset is the zone's there.
    if (!dt.isValid) return [DateTime.fromMillis(Date.UTC(y, mo - 1, d, h, mi), { zone: this.zone }).offset];
    return dt.getPossibleOffsets().map((p) => p.offset).sort((a, b) => b - a);
  }
}
