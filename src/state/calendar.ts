/**
 * State of one expected key for the calendar strip, worst first: failed in the latest run, missing
 * (a source answered and it is not there), unknown (the source failed before ever answering), not
 * checked yet (no answer yet), in storage only, in the warehouse. A job with no storage to check knows only its
 * log: scraped or not tried in the current run (tester W2: "not checked yet" promised a check that never comes).
 */
export type KeyState = 'failed' | 'missing' | 'unknown' | 'unchecked' | 'untried' | 'scraped' | 'storage' | 'warehouse';

const SEVERITY: Record<KeyState, number> = { failed: 5, missing: 4, unknown: 3, unchecked: 2, untried: 2, scraped: 1, storage: 1, warehouse: 0 };

/** A key's date (YYYY-MM-DD), or null when it has none. */
export type KeyDate = (key: string) => string | null;

/**
 * How the calendar dates the expected keys: date keys are their own date; id keys by the file's date column (the
 * real team CSV is `game_id,game_date`: tester V9); null when the keys have no dates (no calendar).
 */
export function keyDateOf(expected: { format: 'date' | 'id'; dates?: Map<string, string> } | null | undefined): KeyDate | null {
  if (!expected) return null;
  if (expected.format === 'date') return (k) => k;
  const dates = expected.dates;
  return dates && dates.size > 0 ? (k) => dates.get(k) ?? null : null;
}

/** The seasons the keys' dates fall in (one calendar row each). */
export function seasonCount(keys: string[], dateOf: KeyDate | null): number {
  if (!dateOf) return 0;
  const seasons = new Set<number>();
  for (const k of keys) {
    const d = dateOf(k);
    if (d !== null) seasons.add(seasonOf(d));
  }
  return seasons.size;
}

/** One season row of the strip: cells left to right, null where no game falls. */
export interface SeasonRow {
  label: string;
  cells: (KeyState | null)[];
}

const SEASON_DAYS = 273; // Oct 1 .. Jun 30

/** "2021-22" for a date in that season (a season runs October to June). */
export function seasonOf(date: string): number {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return month >= 8 ? year : year - 1;
}

function dayInSeason(date: string, season: number): number {
  const t = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return Math.round((t - Date.UTC(season, 9, 1)) / 86_400_000);
}

/** Cell index of each month's first day (Oct..Jun), for the month header. */
export function monthMarks(cells: number): { cell: number; label: string }[] {
  const labels = ['O', 'N', 'D', 'J', 'F', 'M', 'A', 'M', 'J'];
  const starts = [0, 31, 61, 92, 123, 151, 182, 212, 243];
  return starts.map((d, i) => ({ cell: Math.floor((d * cells) / SEASON_DAYS), label: labels[i] }));
}

/**
 * Lays keys out by their date as one row per season, `cells` wide. A cell of a few keys (at most FEW: a date job's cell
 * holds one to three dates) shows the worst state of its keys, so a cluster of failures is never hidden by its
 * successful neighbours. A cell of more (an id job's ~40 games a cell) shows the worst state at least a quarter of its
 * keys are in: one failure in 40 painted the cell `✗`, and a job at 92 % read as nothing scraped (tester AK7).
 * `dateOf` gives a key's date (YYYY-MM-DD): the key itself for date keys, the expected file's date column for game ids
 * (tester V9); a key with none is left out.
 */
export function calendarRows(keys: string[], stateOf: (key: string) => KeyState, cells: number, dateOf: KeyDate = (k) => k): SeasonRow[] {
  const bySeason = new Map<number, Map<KeyState, number>[]>();
  for (const key of keys) {
    const date = dateOf(key);
    if (date === null) continue;
    const season = seasonOf(date);
    let row = bySeason.get(season);
    if (!row) {
      row = Array.from({ length: cells }, () => new Map<KeyState, number>());
      bySeason.set(season, row);
    }
    const day = Math.min(SEASON_DAYS - 1, Math.max(0, dayInSeason(date, season)));
    const cell = row[Math.min(cells - 1, Math.floor((day * cells) / SEASON_DAYS))];
    const st = stateOf(key);
    cell.set(st, (cell.get(st) ?? 0) + 1);
  }
  return [...bySeason.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([season, counts]) => ({
      label: `${season}-${String((season + 1) % 100).padStart(2, '0')}`,
      cells: counts.map((c) => cellState(c, [...c.values()].reduce((a, b) => a + b, 0))),
    }));
}

/** A cell of at most this many keys shows its worst state. */
export const FEW = 4;

/** The state a cell of `n` keys shows: the worst any has (n ≤ FEW), else the worst a quarter of them have, else the most common. */
function cellState(counts: Map<KeyState, number>, n: number): KeyState | null {
  if (n === 0) return null;
  const bySeverity = [...counts.entries()].sort((a, b) => SEVERITY[b[0]] - SEVERITY[a[0]]);
  const need = n <= FEW ? 1 : Math.ceil(n / 4);
  const worst = bySeverity.find(([, count]) => count >= need);
  return (worst ?? [...counts.entries()].sort((a, b) => b[1] - a[1] || SEVERITY[b[0]] - SEVERITY[a[0]])[0])[0];
}
