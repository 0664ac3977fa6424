import { cutMiddle } from './overview/name-cut.js';

/** Pure formatting helpers shared by the views, the text status and the JSON status. */

/** 0:42, 12:05, 3:04:05 — elapsed time the way a run log reads. */
export function formatClock(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '–';
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/**
 * A run's elapsed time, written one way on the header, in `status` and in `h`: the whole seconds between the clock
 * times of its start and of `startMs + elapsedMs` (its end, or now), each read to the second as the log's times are
 * read. Each surface floored its own millisecond span, so the same run read `0:02` on screen and `0:03` in `status`
 * (tester AA17): a span of 2.6 s from 10:00:00.700 is 0:03 everywhere, and the dashboard's clock ticks on the
 * second, so between ticks it says what `status` says.
 */
export function formatElapsed(startMs: number | null, elapsedMs: number | null): string {
  if (startMs === null || elapsedMs === null || !Number.isFinite(startMs) || !Number.isFinite(elapsedMs) || elapsedMs < 0) return formatClock(elapsedMs);
  return formatClock(clockSpanMs(startMs, startMs + elapsedMs));
}

/**
 * The whole seconds from `fromMs` to `toMs` as the clock reads them (each time to its second, as the log's times are
 * read), in ms: the one rounding of every elapsed time on a screen. A Cloud Run execution's stuck line floored its own
 * span and read a second behind its header (`stuck · 0:27` over `stuck: running 0:26`, tester AI7's nit).
 */
export function clockSpanMs(fromMs: number, toMs: number): number {
  return Math.max(0, Math.floor(toMs / 1000) - Math.floor(fromMs / 1000)) * 1000;
}

/** 45 s, 12 min, 3 h 05 min, 2 d 4 h — a duration for ETAs and ages. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Widest ETA written (the overview's ETA column: 10 columns, one kept blank before the next cell). */
export const ETA_WIDTH = 9;

/**
 * An ETA range, one way everywhere (job screen, overview, `status`; tester V4: `52s–1m` on the overview beside
 * `ETA 48 s – 1 min` on the job screen): `12–15 min` or `~10 min` where both ends share a unit, else both ends short
 * (`41s–1m`, `2h05–2h30`), else the later end alone (`≤ 3d4h`, and `≤ 2 min` for a range from now); never wider than
 * ETA_WIDTH.
 */
export function formatEta(eta: [number, number] | null, calculating: boolean): string {
  if (!eta) return calculating ? 'calculating…' : '–';
  const lo = formatDuration(eta[0]);
  const hi = formatDuration(eta[1]);
  // From now to a bound (a slow last key's timeout: run-view.ts tail): `≤ 2 min`, never `0s–2m`.
  if (eta[0] === 0 && eta[1] > 0) return [...`≤ ${hi}`].length <= ETA_WIDTH ? `≤ ${hi}` : `≤ ${shortDuration(eta[1])}`;
  const [loN, loU] = splitUnit(lo);
  const [hiN, hiU] = splitUnit(hi);
  const long = lo === hi ? `~${lo}` : loU !== null && loU === hiU ? `${loN}–${hiN} ${hiU}` : null;
  if (long !== null && [...long].length <= ETA_WIDTH) return long;
  const [a, b] = eta.map(shortDuration);
  if (a === b) return `~${b}`;
  const both = `${a}–${b}`;
  return both.length <= ETA_WIDTH ? both : `≤ ${b}`;
}

/** `41s`, `12m`, `2h05`, `14h`, `3d4h`: a duration in a few columns. */
function shortDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 10) return `${hours}h${String(minutes % 60).padStart(2, '0')}`;
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d${hours % 24 ? `${hours % 24}h` : ''}`;
}

function splitUnit(text: string): [string, string | null] {
  const m = /^(\d+) (s|min)$/.exec(text);
  return m ? [m[1], m[2]] : [text, null];
}

/** 76.3 % with one decimal, never "100.0 %" unless truly complete. */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '– %';
  return `${floorPercent(part, whole, 1).toFixed(1)} %`;
}

/**
 * part / whole as a percentage with `digits` decimals, rounded down exactly (integer arithmetic), and
 * never 100 while a key is missing: 810 of 853 is 94.95 %, never a 95 % that is not met. The one
 * rounding behind the dashboard, `status` and `status --json`.
 */
export function floorPercent(part: number, whole: number, digits: number): number {
  if (whole <= 0) return 0;
  const scale = 10 ** digits;
  const scaled = part * 100 * scale;
  let q = (scaled - (scaled % whole)) / whole;
  if (part < whole && q >= 100 * scale) q = 100 * scale - 1;
  return q / scale;
}

/** "just now", "3 min ago", "2 h ago": ages that change once a minute, not every frame. */
export function formatAge(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return 'never';
  if (ms < 60_000) return 'just now';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 120) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} d ago`;
}

/**
 * An age to the second under a minute (`45 s ago`), else as {@link formatAge}: for the job screen, which ticks every
 * second while its run is live, where `just now` beside 45-s-old storage figures hid that the run had outgrown them
 * (tester AD2). The overview keeps minutes: its rows redraw once a minute, not every second.
 */
export function formatAgeSeconds(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms >= 60_000) return formatAge(ms);
  return ms < 1000 ? 'just now' : `${Math.floor(ms / 1000)} s ago`;
}

/**
 * An age's forms, longest first, for a narrow cell ({@link fitForms}): `25 min ago`, `25m ago`, `25m`. A cell short
 * of room takes a shorter form, never `25 min a…` (tester AC11).
 */
export function ageForms(ms: number | null): string[] {
  const full = formatAge(ms);
  const m = /^(\d+) (min|h|d) ago$/.exec(full);
  if (!m) return full === 'just now' ? [full, 'now'] : [full];
  const short = `${m[1]}${m[2] === 'min' ? 'm' : m[2]}`;
  return [full, `${short} ago`, short];
}

/**
 * 1,234,567. Whole numbers are grouped here: the first toLocaleString builds ICU's number format, 15-140 ms of
 * the first frame (measured under load: every screen formats counts before its first draw).
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

/**
 * A rate per minute as every screen says it, with the thousands separator every other figure has (tester X9:
 * `rate 2461.9/min` beside `3,776/5,299`): `2,461.9/min`; `digits` after the point (0 on the overview over 100).
 */
export function formatRate(perMin: number, digits = 1): string {
  const [whole, frac] = perMin.toFixed(digits).split('.');
  return `${formatCount(Number(whole))}${frac === undefined ? '' : `.${frac}`}/min`;
}

/**
 * A count in at most 4 characters for a cell with no room for its digits: `987`, `1.2k`, `12k`, `123k`, `1.2M`.
 * Rounded down, so a short form never claims more than was counted.
 */
export function shortCount(n: number): string {
  const down = (v: number, d: number) => Math.floor(v * 10 ** d) / 10 ** d;
  if (n < 1000) return String(Math.floor(n));
  for (const [unit, size] of [['k', 1e3], ['M', 1e6], ['G', 1e9]] as const) {
    const v = n / size;
    if (v < 10) return `${down(v, 1)}${unit}`;
    if (v < 1000) return `${Math.floor(v)}${unit}`;
  }
  return `${Math.floor(n / 1e12)}T`;
}

/**
 * A rate's forms, longest first, for a cell that takes the first that fits (tester Z10: the overview cut
 * `1,107/min` to `1,107/m…`): `1,107/min`, `1107/min`, `1.1k/min`, `1.1k/m`. `digits` as formatRate.
 */
export function rateForms(perMin: number, digits = 1): string[] {
  const full = formatRate(perMin, digits);
  const plain = full.replace(/,/g, '');
  const short = `${shortCount(perMin)}/min`;
  return [...new Set([full, plain, short, short.replace('/min', '/m')])];
}

/** `done/total` forms, longest first: `12,345/67,890`, `12345/67890`, `12.3k/67.8k`. `total` null: `?`. */
export function countPairForms(done: number, total: number | null): string[] {
  const t = (f: (n: number) => string) => (total === null ? '?' : f(total));
  return [...new Set([`${formatCount(done)}/${t(formatCount)}`, `${done}/${t(String)}`, `${shortCount(done)}/${t(shortCount)}`])];
}

/**
 * The first of `forms` (longest first) within `width` characters; when none is, the last one cut at `width`, never
 * inside a number: the cut backs up to before the figure it would split, then `…` (a figure cut mid-way reads as
 * another figure: `1,10…` is not 1,107).
 */
export function fitForms(forms: string[], width: number, measure: (s: string) => number = (s) => [...s].length): string {
  for (const f of forms) if (measure(f) <= width) return f;
  return cutWhole(forms.at(-1) ?? '', width, measure);
}

/** `text` cut to `width` with `…`, backing up out of a number it would split (and the spaces before it). */
export function cutWhole(text: string, width: number, measure: (s: string) => number = (s) => [...s].length): string {
  if (measure(text) <= width) return text;
  if (width <= 0) return '';
  const chars = [...text];
  let keep = 0;
  while (keep < chars.length && measure(chars.slice(0, keep + 1).join('')) <= width - 1) keep++;
  const inNumber = (i: number) => /[0-9]/.test(chars[i] ?? '') || (/[.,]/.test(chars[i] ?? '') && /[0-9]/.test(chars[i - 1] ?? '') && /[0-9]/.test(chars[i + 1] ?? ''));
  // The first character dropped continues a number the kept part ends in: drop the whole number.
  if (inNumber(keep) && keep > 0 && inNumber(keep - 1)) while (keep > 0 && inNumber(keep - 1)) keep--;
  const trim = (n: number) => chars.slice(0, n).join('').replace(/[\s\u00b7:,(]+$/, '');
  let kept = trim(keep);
  // A whole figure right before the `…` reads as a cut one (`HTTP 500…`): a space between, or the figure goes too.
  if (/[0-9]$/.test(kept)) {
    if (measure(`${kept} …`) <= width) return `${kept} …`;
    let n = [...kept].length;
    while (n > 0 && inNumber(n - 1)) n--;
    kept = trim(n);
  }
  return `${kept}…`;
}

/**
 * `text` in at most `max` characters (code points), cut at a word with `…` when longer: a message cut mid-word (`…--regi`)
 * reads as a garbled one (AJ5's note: the stuck alert's desktop notification, cut at 200 characters mid-word). One word
 * longer than half of `max` is cut where it must be.
 */
export function cutAtWord(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  if (max <= 1) return max === 1 ? '…' : '';
  const head = chars.slice(0, max - 1).join('');
  // The cut falls at a space (the next character is one): the words before it are whole.
  const atSpace = /\s/.test(chars[max - 1]);
  const space = atSpace ? head.length : head.search(/\s\S*$/);
  const kept = space > 0 && [...head.slice(0, space)].length >= max / 2 ? head.slice(0, space) : head;
  return `${kept.replace(/[\s\u00b7:;,(]+$/, '')}…`;
}

/** "1 key", "5,299 keys": a count with its noun, singular for one (`plural` when not noun + s). */
export function countOf(n: number, noun: string, plural = `${noun}s`): string {
  return `${formatCount(n)} ${n === 1 ? noun : plural}`;
}

/** 1.2 GB style byte counts. */
export function formatBytes(n: number | null): string {
  if (n === null) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/**
 * Splits a bar of `width` cells among segments proportionally; every non-zero segment gets at least
 * one cell when there is room, and the cells add up to exactly floor(width × sum/total): rounded down as the percent
 * is, so a bar is full only when every key is in, and never covers a target's cell before the target is met (tester
 * AJ1: 805/853, 94.3 %, drew 40 of 42 cells over the 95 tick; 846/856 drew a full bar with 10 keys missing). `cap`: at
 * most that many cells (the cell of a target not met, moved down a cell to stand apart: targetCells).
 */
export function barCells(segments: number[], total: number, width: number, cap = width): number[] {
  if (total <= 0 || width <= 0) return segments.map(() => 0);
  const sum = segments.reduce((a, b) => a + b, 0);
  // Whole numbers first, divided once: 29 of 100 in 100 cells is 29, never the 28 of 0.29 × 100 in floats.
  const filled = Math.min(width, cap, Math.floor((Math.min(sum, total) * width) / total));
  const exact = segments.map((s) => (s / Math.max(sum, 1)) * filled);
  const cells = exact.map((e) => Math.floor(e));
  let left = filled - cells.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, frac: e - Math.floor(e) })).sort((a, b) => b.frac - a.frac);
  for (const { i } of order) {
    if (left <= 0) break;
    cells[i]++;
    left--;
  }
  for (let i = 0; i < cells.length; i++) {
    if (segments[i] > 0 && cells[i] === 0) {
      const donor = cells.indexOf(Math.max(...cells));
      if (cells[donor] > 1) {
        cells[donor]--;
        cells[i]++;
      }
    }
  }
  return cells;
}

/**
 * The cell of a bar of `width` cells that marks target `percent`: the cell its boundary falls in (the last one before
 * it when it falls between two). A bar filled by {@link barCells} leaves that cell empty until the target is met.
 */
export function targetCell(percent: number, width: number): number {
  return Math.min(width - 1, Math.max(0, Math.ceil((percent * width) / 100) - 1));
}

/**
 * Each target's cell on a bar of `width`, one cell each where there is room: a target whose cell a higher one took
 * (98 and 100 under 50 cells) stands one cell before it. The fill then stops before the cell of the lowest target not
 * met ({@link barCells}' `cap`), so a tick still shows until its target is met (h88 on AJ1: `98` and `100` one tick).
 */
export function targetCells(percents: number[], width: number): Map<number, number> {
  const cells = new Map<number, number>();
  let next = width;
  for (const p of [...percents].sort((a, b) => b - a)) {
    next = Math.max(0, Math.min(targetCell(p, width), next - 1));
    cells.set(p, next);
  }
  return cells;
}

/** How wide a piece of text is and what pieces it may be cut into: code points, or terminal columns (text-width.ts). */
export interface TextMeasure {
  width(text: string): number;
  pieces(text: string): string[];
}

/** Code points: no width library loaded (the figures and words of a plain line). */
export const CODE_POINTS: TextMeasure = { width: (t) => [...t].length, pieces: (t) => [...t] };

/**
 * What becomes of a path (or a URL: a word with a `/`) longer than a whole line, which is never broken across lines (tester
 * AG6 a: text `status` broke one after a `/`, and a copy of it was two paths): `whole`, a line of its own past the width
 * (words left in the shell: the terminal's own wrap of it is undone by a copy), or `cut` in the middle with `…` to the
 * width, its start and its file name kept (a screen, whose rows cannot pass its width, and text `status`, which fits the
 * terminal as the screen does: cutPath).
 */
export type LongPath = 'whole' | 'cut';

/**
 * A path (or URL) within `width` (as `m` measures): whole when it fits, else whole parts from its start and its end with
 * `/…/` for those between, the end (its file name, then its folders) before the start: `/tmp/h76/…/nbac_player_boxscore/
 * game_dates_to_scrape.csv`. A path whose first and last parts alone do not fit is cut in the middle (name-cut.ts).
 */
export function cutPath(path: string, width: number, m: TextMeasure): string {
  if (m.width(path) <= width) return path;
  const parts = path.split('/');
  // The start keeps its first name, past a leading `/` or a scheme's `gs://`.
  let head = 0;
  while (head < parts.length - 1 && (parts[head] === '' || parts[head].endsWith(':'))) head++;
  head++;
  let tail = parts.length - 1;
  const shown = (h: number, t: number) => `${parts.slice(0, h).join('/')}/…/${parts.slice(t).join('/')}`;
  if (head >= tail || m.width(shown(head, tail)) > width) return cutMiddle(path, width, m);
  for (let grew = true; grew && head < tail - 1; ) {
    grew = false;
    if (head < tail - 1 && m.width(shown(head, tail - 1)) <= width) [tail, grew] = [tail - 1, true];
    if (head < tail - 1 && m.width(shown(head + 1, tail)) <= width) [head, grew] = [head + 1, true];
  }
  return shown(head, tail);
}

/**
 * `text` cut to `width` (as `m` measures) with `…` when it does not fit, then padded with spaces to `width`: a
 * fixed-width column of a text table. Text `status` measures in code points, or in terminal columns when a line
 * holds more than plain characters (platform-status.ts): a CJK name takes two columns a character.
 */
export function padCell(text: string, width: number, m: TextMeasure = CODE_POINTS): string {
  if (width <= 0) return '';
  let shown = text;
  if (m.width(text) > width) {
    shown = '';
    let used = 0;
    for (const piece of m.pieces(text)) {
      const w = m.width(piece);
      if (used + w > width - 1) break;
      shown += piece;
      used += w;
    }
    shown += '…';
  }
  return shown + ' '.repeat(Math.max(0, width - m.width(shown)));
}

/**
 * `text` in lines of at most `width` (as `m` measures), broken at spaces (runs of spaces inside a line kept, so
 * `problem   x` stays aligned), every line after the first indented by `indent` spaces (a word longer than a line
 * is cut into pieces, a path never: see LongPath): a long problem stays whole and never wraps at the terminal's edge.
 * Text status and the views call it through text-width.ts `wrap`, which measures terminal columns.
 */
export function wrapMeasured(text: string, width: number, indent: number, m: TextMeasure, paths: LongPath = 'whole'): string[] {
  const lines: string[] = [];
  let line = '';
  const room = () => Math.max(1, width - (lines.length ? indent : 0));
  const push = () => {
    lines.push((lines.length ? ' '.repeat(indent) : '') + line);
    line = '';
  };
  for (const match of text.matchAll(/(\s*)(\S+)/g)) {
    const [, space, word] = match;
    const path = word.includes('/') && m.width(word) > width;
    let rest = path && paths === 'cut' ? cutPath(word, width, m) : word;
    // A line break eats the spaces before the word.
    if (line && m.width(line) + m.width(space) + m.width(rest) > room()) {
      // Items joined by ` · ` (`Play-In 1 · Playoffs 5`) break between items, not inside one: an item broken here
      // goes down whole when all of it fits on a line there (tester AC11: `… · Playoffs` / `5` at 50 columns).
      // A line that ends with the ` ·` breaks between two items already: the word is the next item's first (tester
      // AH5 b: `(Regular season 2 ·` / `All-Star 2 · …`, the item before the break moved down for nothing). An item ends
      // at the next ` · ` or at its sentence's `;`, `:` or `)` (`Playoffs 45; failed in …`).
      // Items set apart by two spaces or more (`✓ 0 scraped  ✗ 35 failed  ↷ 0 skipped`, text status's columns) are items
      // too (tester h88 at 40 columns: `↷ 0` / `skipped`). The word that does not fit after such a gap begins an item.
      const cut = space.length >= 2 || line.endsWith(' ·') ? null : lastItemBreak(line, lines.length ? 0 : indent);
      const itemEnd = (from: number) => {
        const next = text.indexOf(' · ', from);
        const gap = /\S {2,}/.exec(text.slice(from));
        const stop = /[;:)](?=\s|$)/.exec(text.slice(from));
        const end = stop ? from + stop.index + 1 : text.length;
        return Math.min(next < 0 ? end : next, gap ? from + gap.index + 1 : end, end);
      };
      // An item that already ended on the line (its `;`, `:` or `)` there: `Playoffs 1; failed in …`, `(stale) → …`) is
      // whole where it is: the text after it is a sentence that fills the row and breaks at a word, never sent down with
      // it, leaving a short row (tester AK4: `(Regular season 5 · Play-In 1 ·` / `Playoffs 1; failed in every …`).
      const ended = cut !== null && /[;:)](?=\s|$)/.test(line.slice(cut.next));
      const item = cut && !ended ? line.slice(cut.next) + text.slice(match.index, itemEnd(match.index)) : '';
      if (cut && item && m.width(item) <= width - indent) {
        const moved = line.slice(cut.next);
        line = line.slice(0, cut.keep);
        push();
        line = moved;
      } else push();
    }
    if (line) line += space;
    else if (lines.length === 0) line = space;
    if (path && paths === 'whole') {
      // A line of its own, under the others, past the width: whole.
      lines.push((lines.length ? ' '.repeat(indent) : line) + rest);
      line = '';
      continue;
    }
    // A word longer than a hung row but not than the width (a path, a URL) takes a row of its own, hung less, whole:
    // cut at the hanging indent it read as two words (tester AC11: `…/jobs/bdl-boxs` / `core-backfill`).
    if (!line && lines.length > 0 && m.width(rest) > room() && m.width(rest) <= width) {
      lines.push(' '.repeat(width - m.width(rest)) + rest);
      continue;
    }
    while (m.width(line) + m.width(rest) > room()) {
      // As much of the word as fits (at least one piece, so a line always moves on).
      const cut = m.pieces(rest);
      let take = 0;
      while (take < cut.length && m.width(line) + m.width(cut.slice(0, take + 1).join('')) <= room()) take++;
      // A path is broken after a `/` where one fits, so its parts read whole (`…/jobs/` then `bdl-boxscore-backfill`).
      const slash = cut.lastIndexOf('/', take - 1);
      if (take < cut.length && slash > 0) take = slash + 1;
      if (take === 0 && !line) take = 1;
      line += cut.slice(0, take).join('');
      rest = cut.slice(take).join('');
      push();
    }
    line += rest;
  }
  if (line || lines.length === 0) push();
  return lines;
}

/**
 * A shell command (or a line ending in one) in rows of at most `width` (as `m` measures) hanging by `indent`, every row
 * but the last ending in ` \` so the rows pasted into a shell are still one command (tester AH10: the leave words' gcloud
 * cancel ran without its `--region`/`--project`, then `--region=…` as a command of its own). Text `status` lays one
 * out in code points (a gcloud command is plain characters); the screens through text-width.ts `commandRows`.
 */
export function commandRowsMeasured(text: string, width: number, indent: number, m: TextMeasure): string[] {
  const rows = wrapMeasured(oneLine(text), Math.max(indent + 8, width - 2), indent, m);
  return rows.map((r, k) => (k < rows.length - 1 ? `${r} \\` : r));
}

/**
 * Where a line being wrapped last goes from one item to the next, or null: after its last ` · ` (the ` ·` kept on the
 * line) or its last run of two spaces or more after a word (a text table's gap; the line's own indent is none, nor a
 * label's padding up to `from`, the hang: `problem   ` is no item before its text).
 */
function lastItemBreak(line: string, from: number): { keep: number; next: number } | null {
  const dot = line.lastIndexOf(' · ');
  let gap: RegExpExecArray | null = null;
  for (const g of line.matchAll(/(?<=\S) {2,}(?=\S)/g)) if (g.index + g[0].length > from) gap = g as RegExpExecArray;
  const atGap = gap ? gap.index : -1;
  if (dot > 0 && dot >= atGap) return { keep: dot + 2, next: dot + 3 };
  return gap ? { keep: atGap, next: atGap + gap[0].length } : null;
}

// Terminal escape sequences (CSI, OSC, two-byte ESC x), then any other C0/C1 control character.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g;
const LINE_BREAKS = /\s*(?:\r\n|[\r\n\u2028\u2029])\s*/g;
// And the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): on a terminal that lays out
// right-to-left text, one reverses the rest of its row (tester AI10 f: `HTTP 500 \u202e evil` in a failures cell).
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const NEEDS_ONE_LINE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Text from outside (a failed-keys file's `error`, a Python exception) as one line: line breaks become ` ⏎ `,
 * tabs a space, terminal escape sequences and other control characters are dropped, so it can never move
 * the cursor, clear the screen or break a row of a table; so are the bidirectional overrides, which can reverse a row.
 */
export function oneLine(text: string): string {
  if (!NEEDS_ONE_LINE.test(text)) return text;
  return text.replace(ESCAPES, '').replace(LINE_BREAKS, ' ⏎ ').replace(/\t/g, ' ').replace(CONTROLS, '');
}
