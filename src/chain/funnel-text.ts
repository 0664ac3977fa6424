import { CODE_POINTS, formatCount, formatPercent, oneLine, padCell, type TextMeasure } from '../format.js';
import { cutApart } from '../overview/name-cut.js';
import { problemKind } from '../overview/row-problem.js';
import type { FunnelRow } from './funnel.js';

/** `801/853 · 93.9 %`, or what failed (`no access (403)`) while the stage was never read, or `unknown`. */
export function stageFigures(r: FunnelRow): string {
  if (r.present === null) return r.error ? problemKind(r.error) : 'unknown';
  // No keys expected: no share or target to say, as the coverage rows say it (tester AI13's nit: `0/0 · – %`).
  if (r.expected === 0) return '0 keys expected';
  return `${formatCount(r.present)}/${formatCount(r.expected)} · ${formatPercent(r.present, r.expected)}`;
}

/**
 * What a stage's row says beyond its figures (blocked, lost since the stage before, the next target, an error),
 * from the whole sentence to the shortest form: a narrow terminal takes the longest that fits, so the number of
 * keys lost (the funnel's key fact) stays on the row at 80 columns (tester T23).
 */
export function stageNoteForms(r: FunnelRow): string[] {
  const lost = r.lostSinceBefore ? formatCount(r.lostSinceBefore) : null;
  const target = r.present === null || r.expected === 0 ? null : r.next ? `${r.next.percent} %: ${formatCount(r.next.needed)} more` : 'all targets met';
  const error = r.error ? `${r.stale ? 'stale: ' : ''}${r.error}` : null;
  // Never read: the figures column already says the kind (`no access (403)`); the notes say what to do (tester W9).
  const kind = !r.error ? null : r.present === null ? (r.hint ? `→ ${r.hint}` : null) : `${r.stale ? 'stale: ' : ''}${problemKind(r.error)}`;
  const join = (...parts: (string | null | false)[]) => parts.filter(Boolean).join(' · ');
  const blocked = r.blockedBy ? `blocked by ${r.blockedBy} (under ${r.blockedUnder} %)` : null;
  const blockedShort = r.blockedBy ? `blocked by ${r.blockedBy}` : null;
  // Every form that says blocked says by what (tester U16: `blocked (under 95 %)` left the reader to guess).
  return [
    join(blocked, lost && `${lost} in ${r.after} not yet in ${r.stage}`, target, error && `${error}${r.hint ? ` → ${r.hint}` : ''}`),
    join(blocked, lost && `${lost} in ${r.after} not yet in ${r.stage}`, target, error),
    join(lost && `${lost} lost since ${r.after}`, blocked, target, kind),
    join(lost && `${lost} lost since ${r.after}`, blockedShort, target, kind),
    join(lost && `${lost} lost`, blockedShort, target, kind),
    join(lost && `${lost} lost`, r.blockedBy && 'blocked', kind ?? target),
  ];
}

/** The longest form of a stage's notes that fits `width` columns (the shortest, cut by the caller, when none does). */
export function stageNotes(r: FunnelRow, width = Infinity, m: TextMeasure = CODE_POINTS): string {
  const forms = stageNoteForms(r);
  return forms.find((f) => m.width(f) <= width) ?? forms[forms.length - 1];
}

/** Columns of the funnel for `width`: the stage names, the run bar (left out when the notes need the room), the figures, the notes. */
export function funnelColumns(rows: FunnelRow[], width: number, m: TextMeasure = CODE_POINTS): { name: number; bar: number; figures: number; notes: number } {
  const name = Math.min(20, Math.max(5, ...rows.map((r) => m.width(oneLine(r.stage))))) + 1;
  const figures = Math.max(...rows.map((r) => m.width(stageFigures(r))), 7) + 2;
  // The bar only where every row's notes in words (keys lost since the stage before, blocked, the target) still fit beside it.
  const need = Math.max(0, ...rows.map((r) => m.width(stageNoteForms(r)[2])));
  const spare = width - name - figures - need - 1;
  const bar = spare >= 7 ? Math.min(16, spare - 1) : 0;
  return { name, bar, figures, notes: Math.max(0, width - name - figures - (bar ? bar + 1 : 0) - 1) };
}

/**
 * The funnel as text lines for `width` columns (text `status`): per stage its name, figures and notes (the
 * longest form that fits), then its source on a line of its own (a bucket prefix or a table name can be long).
 */
export function chainText(rows: FunnelRow[], width = 80, m: TextMeasure = CODE_POINTS): string[] {
  const cols = funnelColumns(rows, width, m);
  const cell = (text: string, w: number) => padCell(text, w, m);
  // Stage names cut in the middle and apart, as the chain's panel shows them (FunnelPanel.tsx namesApart).
  const names = cutApart(rows.map((r) => oneLine(r.stage)), cols.name - 1, m);
  const lines = [`${cell('stage', cols.name)}${cell('present', cols.figures)}notes`];
  for (const r of rows) {
    lines.push(`${cell(names.get(oneLine(r.stage))!, cols.name - 1)} ${cell(stageFigures(r), cols.figures)}${cell(stageNotes(r, cols.notes, m), cols.notes)}`.trimEnd());
    lines.push(`${' '.repeat(cols.name)}${cell(`source ${r.source}`, width - cols.name - 1)}`.trimEnd());
  }
  return lines;
}
