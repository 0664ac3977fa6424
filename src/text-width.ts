import stringWidth from 'string-width';
import { commandRowsMeasured, oneLine, wrapMeasured, type LongPath, type TextMeasure } from './format.js';
import { cutApart, cutMiddle } from './overview/name-cut.js';

// One line of text from outside: format.ts, as text `status` lays out names without this file's width library.
export { oneLine };

/*
 * Terminal widths, apart from format.ts: string-width builds an Intl.Segmenter and Unicode property
 * regexes (RGI_Emoji) when it loads, about 50 ms, and `status` (text or JSON) measures no widths. Only
 * the views import this file.
 */

/** Columns `text` takes on a terminal: wide characters (CJK, most emoji) count two, escape codes none. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Cuts text to `width` terminal columns, measured by display width (an emoji or a CJK character takes
 * two), ending in `…` when anything was cut; always one line ({@link oneLine}). Plain text only: styled rows
 * are cut by Ink's own `wrap="truncate-end"`, which measures the same way.
 */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  text = oneLine(text);
  if (stringWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return out + '…';
}

/**
 * {@link truncate}, but a cut inside a word goes back to the space before it (`Playoffs …`, never `Playoffs 4…` for 45:
 * tester AH5 b), unless that leaves less than half the row; then the word is cut as truncate cuts it.
 */
export function truncateAtWord(text: string, width: number): string {
  text = oneLine(text);
  const cut = truncate(text, width);
  if (!cut.endsWith('…') || cut === text) return cut;
  const kept = cut.slice(0, -1);
  // Cut at a space already (the next character is one, or the kept part ends in one): whole words.
  if (kept.endsWith(' ') || text[kept.length] === ' ') return cut;
  const space = kept.lastIndexOf(' ');
  if (space < 0 || stringWidth(kept.slice(0, space)) < width / 2) return cut;
  return `${kept.slice(0, space + 1)}…`;
}

/** Terminal columns (string-width) over grapheme clusters: how the screens measure, and text `status` for names beyond plain characters. */
export const TERMINAL_COLUMNS: TextMeasure = { width: stringWidth, pieces: (t) => Array.from(graphemes.segment(t), (g) => g.segment) };
const COLUMNS = TERMINAL_COLUMNS;

/**
 * `text` in lines of at most `width` terminal columns, broken at spaces, every line after the first indented by
 * `indent` spaces (a hanging indent; a word longer than a line is cut between characters, never inside one). A path
 * longer than a line is kept whole on a line of its own (words left in the shell), or cut in the middle (`paths`
 * `cut`: a screen's rows): format.ts LongPath.
 */
export function wrap(text: string, width: number, indent = 0, paths: LongPath = 'whole'): string[] {
  return wrapMeasured(oneLine(text), width, indent, COLUMNS, paths);
}

/** A job's name cut to `width` columns keeping its start and its end (overview/name-cut.ts): `a-very-lon…scraper-0`. */
export function truncateMiddle(name: string, width: number): string {
  return cutMiddle(oneLine(name), width, COLUMNS);
}

/** The names of one list cut to `width` columns so that names that differ read apart (overview/name-cut.ts cutApart). */
export function namesApart(names: readonly string[], width: number): Map<string, string> {
  const shown = cutApart(names.map(oneLine), width, COLUMNS);
  return new Map(names.map((n) => [n, shown.get(oneLine(n))!]));
}

/** `text` cut to `width` columns, then padded with spaces to exactly `width`: a fixed-width column. */
export function fitColumn(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  const pad = ' '.repeat(Math.max(0, width - stringWidth(cut)));
  return align === 'left' ? cut + pad : pad + cut;
}

/**
 * A shell command (or a line ending in one) in rows of at most `width` columns hanging by `indent`, every row but the
 * last ending in ` \` so the rows pasted into a shell are still one command (tester AH10: the leave words' gcloud
 * cancel ran without its `--region`/`--project`, then `--region=…` as a command of its own).
 */
export function commandRows(text: string, width: number, indent: number): string[] {
  return commandRowsMeasured(text, width, indent, COLUMNS);
}

/** Hanging indent of a problem's or a notice's wrapped rows: they read as one item, not as new lines of the screen. */
const HANG = 2;
/** Wrapped texts of the frames drawn lately, by width and text (a few dozen at most: cleared when full). */
const hung = new Map<string, string[]>();

/**
 * `text` broken at spaces into rows of `width` columns with a hanging indent. Kept by width and text: a frame first
 * counts the rows a problem needs (to give them), then draws it, and the second ask is a look-up, not a second wrap.
 */
export function hangingWrap(text: string, width: number): string[] {
  const key = `${width}\n${text}`;
  let lines = hung.get(key);
  if (lines === undefined) {
    if (hung.size >= 64) hung.clear();
    lines = wrap(text, Math.max(HANG + 8, width), HANG, 'cut');
    hung.set(key, lines);
  }
  return lines;
}

/** `text` over at most `rows` rows of `width` columns ({@link hangingWrap}); when more were needed the last ends in `…`. */
export function fitRows(text: string, width: number, rows: number): string[] {
  const lines = hangingWrap(text, width);
  if (lines.length <= rows) return lines;
  const keep = Math.max(1, rows);
  return [...lines.slice(0, keep - 1), truncate(restFrom(text, lines, keep - 1), width)];
}

/**
 * The text from its row `at` on, as written: a row broken inside a word (a path longer than the row) goes on with no
 * space put in (tester AG6 a: `…/player-boxscores/ failed_dates…` of a path with no space there). Rows joined by a
 * space when a row is not found in the text as it is.
 */
function restFrom(text: string, lines: string[], at: number): string {
  let pos = 0;
  for (let i = 0; i < at; i++) {
    const row = lines[i].trim();
    const found = text.indexOf(row, pos);
    if (found < 0) return lines.slice(at).map((l, j) => (j === 0 ? l : l.trimStart())).join(' ');
    pos = found + row.length;
  }
  const rest = text.slice(pos).trimStart();
  return lines[at].startsWith(' ') ? `${lines[at].slice(0, lines[at].length - lines[at].trimStart().length)}${rest}` : rest;
}
