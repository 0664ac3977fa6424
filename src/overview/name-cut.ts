import type { TextMeasure } from '../format.js';

/*
 * Job names are cut where a column or a title is too narrow for them. Cut at the end, names that differ only at the
 * end read the same (tester AF8 g: `a-very-long-job-name-for-the-player-boxscore-scraper-0` and `…-4` both read
 * `a-very-long-job-nam…` at 80×24), and jobs are often numbered or dated at the end (`…-2023`, `…-2024`), or named
 * alike at the end (`bdl-backfill`, `espn-backfill`): a name keeps its start and its end, `…` in the middle
 * (`a-very-lon…scraper-0`), and names of one list that would still read the same are cut where they differ.
 */

/** `name` within `width` columns (as `m` measures): whole when it fits, else its first pieces up to `head` columns, `…`, and its last ones. */
function cutAt(name: string, width: number, head: number, m: TextMeasure): string {
  const pieces = m.pieces(name);
  let start = '';
  let used = 0;
  let i = 0;
  for (; i < pieces.length; i++) {
    const w = m.width(pieces[i]);
    if (used + w > head) break;
    start += pieces[i];
    used += w;
  }
  // The end gets what the start and `…` leave, never a piece the start already shows.
  let end = '';
  let left = width - 1 - used;
  for (let j = pieces.length - 1; j >= i; j--) {
    const w = m.width(pieces[j]);
    if (w > left) break;
    end = pieces[j] + end;
    left -= w;
  }
  return `${start}…${end}`;
}

/** The start's share of a cut name: half of what `…` leaves, the odd column to the start. */
const half = (width: number) => Math.ceil((width - 1) / 2);

/** `name` within `width` columns (as `m` measures): whole when it fits, else its start and its end with `…` between. */
export function cutMiddle(name: string, width: number, m: TextMeasure): string {
  if (width <= 0) return '';
  if (m.width(name) <= width) return name;
  if (width === 1) return '…';
  return cutAt(name, width, half(width), m);
}

/**
 * The names of one list as shown in `width` columns (as `m` measures), each by {@link cutMiddle}; names that would then
 * read the same are cut where they differ: the start's share moved, as little as it takes, until each of them reads
 * apart from every other name shown (one share for those that read alike, so they stay aligned). Names that differ
 * only where no cut of that width can show stay as cutMiddle cuts them.
 */
export function cutApart(names: readonly string[], width: number, m: TextMeasure): Map<string, string> {
  const shown = new Map<string, string>();
  for (const n of names) shown.set(n, cutMiddle(n, width, m));
  if (width < 3) return shown;
  const alike = new Map<string, string[]>();
  for (const [n, s] of shown) if (s !== n) alike.set(s, [...(alike.get(s) ?? []), n]);
  for (const group of alike.values()) {
    if (group.length < 2) continue;
    const others = new Set([...shown].filter(([n]) => !group.includes(n)).map(([, x]) => x));
    const h0 = half(width);
    // Shares nearest the middle first: 9, 8, 10, 7, 11, … of 19.
    for (let d = 1; d < width; d++) {
      const share = [h0 - d, h0 + d].find((h) => h >= 1 && h <= width - 2 && apart(group, width, h, m, others));
      if (share === undefined) continue;
      for (const n of group) shown.set(n, cutAt(n, width, share, m));
      break;
    }
  }
  return shown;
}

/** Whether the names of `group` cut with the start's share `head` all read differently, and unlike any of `others`. */
function apart(group: readonly string[], width: number, head: number, m: TextMeasure, others: ReadonlySet<string>): boolean {
  const cuts = group.map((n) => cutAt(n, width, head, m));
  return new Set(cuts).size === cuts.length && cuts.every((c) => !others.has(c));
}
