import { mixSeed, mulberry32, type Random } from './random.js';

const DAY = 86_400_000;
const TUE = 2;
const THU = 4;
const SUN = 0;

/** Day number (UTC midnight epoch ms) of the first `weekday` on or after year-month-day; month 1-based. */
function weekdayOnOrAfter(year: number, month: number, day: number, weekday: number): number {
  const t = Date.UTC(year, month - 1, day);
  return t + (((weekday - new Date(t).getUTCDay()) + 7) % 7) * DAY;
}

const iso = (t: number): string => new Date(t).toISOString().slice(0, 10);

/** Picks `count` distinct days in [from, to] (inclusive). */
function someDays(rng: Random, from: number, to: number, count: number): number[] {
  const span = Math.round((to - from) / DAY) + 1;
  const picked = new Set<number>();
  while (picked.size < Math.min(count, span)) picked.add(from + Math.floor(rng() * span) * DAY);
  return [...picked];
}

/**
 * One season's game dates, shaped like the NBA calendar the real expected-dates file follows:
 * daily regular season from the Tuesday in Oct 18-24 to the second Sunday of April, dark on
 * Thanksgiving, Christmas Eve, around the All-Star game and (usually) election day; play-in, then
 * nearly daily playoffs to late May, then Finals games every two or three days into June.
 */
function seasonDates(year: number, rng: Random): string[] {
  const start = weekdayOnOrAfter(year, 10, 18, TUE);
  const regularEnd = weekdayOnOrAfter(year + 1, 4, 8, SUN);
  const off = new Set<number>();
  const electionDay = weekdayOnOrAfter(year, 11, 2, TUE);
  if (rng() < 0.75) off.add(electionDay);
  off.add(weekdayOnOrAfter(year, 11, 22, THU));
  off.add(Date.UTC(year, 11, 24));
  for (const d of someDays(rng, Date.UTC(year, 11, 1), Date.UTC(year, 11, 20), Math.floor(rng() * 3))) off.add(d);
  const allStar = weekdayOnOrAfter(year + 1, 2, 15, SUN);
  for (const k of [-1, 1, 2]) off.add(allStar + k * DAY);
  if (rng() < 0.75) off.add(allStar + 3 * DAY);
  if (rng() < 0.75) off.add(regularEnd - 6 * DAY);

  // Play-in on Tue, Wed and Fri after the last regular Sunday; playoffs from Saturday, Monday off.
  const playIn = [2, 3, 5].map((k) => regularEnd + k * DAY);
  const playoffStart = regularEnd + 6 * DAY;
  const conferenceEnd = playoffStart + (40 + Math.floor(rng() * 5)) * DAY;
  off.add(playoffStart + 2 * DAY);
  for (const d of someDays(rng, playoffStart + 3 * DAY, conferenceEnd - DAY, 2 + Math.floor(rng() * 3))) off.add(d);
  const finalsStart = conferenceEnd + (3 + Math.floor(rng() * 5)) * DAY;
  const finals = [0, 3, 6, 8, 11, 14, 17].slice(0, 4 + Math.floor(rng() * 4)).map((k) => finalsStart + k * DAY);

  const days: number[] = [];
  for (let t = start; t <= regularEnd; t += DAY) if (!off.has(t)) days.push(t);
  days.push(...playIn);
  for (let t = playoffStart; t <= conferenceEnd; t += DAY) if (!off.has(t)) days.push(t);
  days.push(...finals);
  return days.map(iso);
}

/** NBA-like expected game dates (~210 a season, Oct..Jun), sorted and unique, deterministic for a seed. */
export function generateGameDates(opts: { seasons: number[]; seed: number }): string[] {
  const all = new Set<string>();
  for (const year of opts.seasons) {
    for (const d of seasonDates(year, mulberry32(mixSeed(opts.seed, year)))) all.add(d);
  }
  return [...all].sort();
}
