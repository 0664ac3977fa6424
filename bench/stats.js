/** Small statistics and formatting helpers shared by the bench sections. */

/** Median of a list of numbers (mean of the middle two for an even count); NaN when empty. */
export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of a list of numbers; NaN when empty. */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

/** Milliseconds as `812 ms` or `8.12 s`. */
export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** Kilobytes as `123.4 MB` (MiB, as /usr/bin/time and /proc report KiB). */
export function fmtMB(kb) {
  return Number.isFinite(kb) ? `${(kb / 1024).toFixed(1)} MB` : 'n/a';
}

/** a / b as `3.2×`. */
export function fmtRatio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : 'n/a';
}

/** Bytes as `1 GB` / `10 MB` (decimal units, as the sizes are chosen). */
export function fmtSize(bytes) {
  return bytes >= 1e9 ? `${+(bytes / 1e9).toFixed(2)} GB` : `${+(bytes / 1e6).toFixed(1)} MB`;
}

/** A Markdown table from a header row and body rows (cells are strings; `|` in them is escaped). */
export function markdownTable(header, rows) {
  const esc = (c) => String(c).replace(/\|/g, '\\|');
  const line = (cells) => `| ${cells.map(esc).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Resolves after `ms`. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Median ms since process start of each stage mark, in order, and the median CPU ms (user + system) the process had
 * used by then, from BACKFILL_TUI_TIMING records (`marks`: [name, ms, cpuMs]). `bootstrap`: Node's own start first
 * (each record's `bootstrap`, no CPU figure).
 */
export function stagesOf(records, { bootstrap = false } = {}) {
  if (records.length === 0) return [];
  const names = records[0].marks.map(([m]) => m);
  const at = (name, i) => median(records.map((r) => r.marks.find(([m]) => m === name)?.[i] ?? NaN));
  const stages = names.map((name) => [name, at(name, 1), at(name, 2)]);
  return bootstrap ? [['node ready', median(records.map((r) => r.bootstrap)), NaN], ...stages] : stages;
}
