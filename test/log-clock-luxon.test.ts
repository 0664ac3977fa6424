import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { isValidZone, wallOffsets } from '../src/parser/log-clock.js';

/*
 * LogClock reads zone rules from the platform directly (the system's zone through Date, so `status` never
 * pays for Intl.DateTimeFormat's first use); it used luxon. Every wall time around every change of these
 * zones must have the offsets the luxon version gave (LogClock picks among them by the log's order).
 */

/** The luxon version's offsets (earlier instant first), verbatim. */
function luxonOffsets(zone: string, y: number, mo: number, d: number, h: number, mi: number): number[] {
  const dt = DateTime.fromObject({ year: y, month: mo, day: d, hour: h, minute: mi }, { zone });
  if (!dt.isValid) return [DateTime.fromMillis(Date.UTC(y, mo - 1, d, h, mi), { zone }).offset];
  return dt.getPossibleOffsets().map((p) => p.offset).sort((a, b) => b - a);
}

const ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'America/St_Johns', 'Asia/Kolkata', 'Pacific/Chatham', 'America/Santiago', 'UTC', 'Africa/Casablanca'];

describe('wall times have the offsets the luxon version gave', () => {
  test.each(ZONES)('%s: every 10 minutes of the days around each change in 2024-2026, and dates that do not exist', (zone) => {
    // The days on which the zone's offset changes.
    const days: number[] = [];
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2027, 0, 1); t += 86_400_000) {
      if (DateTime.fromMillis(t, { zone }).offset !== DateTime.fromMillis(t + 86_400_000, { zone }).offset) days.push(t);
    }
    days.push(Date.UTC(2025, 1, 27)); // an ordinary day, and the month's end (Feb 29 of 2025 does not exist)
    let compared = 0;
    for (const day of days) {
      const walls: number[][] = [];
      for (let w = day - 86_400_000; w < day + 2 * 86_400_000; w += 10 * 60_000) {
        const t = new Date(w);
        walls.push([t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes()]);
      }
      walls.push([2025, 2, 29, 12, 0], [2025, 2, 30, 1, 30], [2024, 2, 29, 3, 0], [2025, 4, 31, 0, 0]);
      for (const [y, mo, d, h, mi] of walls) {
        expect(wallOffsets(zone, y, mo, d, h, mi), `${zone} ${y}-${mo}-${d} ${h}:${mi}`).toEqual(luxonOffsets(zone, y, mo, d, h, mi));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(400);
  });

  test.each(['America/New_York', 'Australia/Lord_Howe', 'UTC'])('no zone: the system zone read through Date is the named zone (TZ=%s)', (tz) => {
    const saved = process.env.TZ;
    process.env.TZ = tz; // Node re-reads the zone when TZ is assigned
    try {
      for (let w = Date.UTC(2024, 0, 1); w < Date.UTC(2026, 0, 1); w += 3 * 3_600_000 + 10 * 60_000) {
        const t = new Date(w);
        const args = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes()] as const;
        expect(wallOffsets(undefined, ...args), t.toISOString()).toEqual(wallOffsets(tz, ...args));
      }
    } finally {
      process.env.TZ = saved;
    }
  });

  test('isValidZone: IANA names yes, anything else no', () => {
    expect(['America/New_York', 'Europe/Berlin', 'UTC', 'Asia/Kolkata'].every(isValidZone)).toBe(true);
    expect(['', 'Mars/Olympus', 'EST5EDT6', 'America/New York', 'not a zone'].some(isValidZone)).toBe(false);
  });
});
