import type { FunnelRow } from '../chain/funnel.js';
import { formatAge, formatCount, formatEta, formatPercent } from '../format.js';
import { isLive } from '../state/run-view.js';
import type { OverviewRow, OverviewSource } from './overview-rows.js';

/** `76.3 % · 95 %: 12 more`, `all targets met`, `unknown`, or `–` when the job has no such source. */
export function coverageCell(s: OverviewSource | null): string {
  if (!s) return '–';
  if (s.percent === null || s.present === null || s.expected === null) return s.error ? 'error' : 'unknown';
  const pct = formatPercent(s.present, s.expected);
  return s.next ? `${pct} · ${s.next.percent} %: ${formatCount(s.next.needed)} more` : `${pct} · all met`;
}

/** The cells of one overview row, as plain text (the text status; the screen adds bars and spinner). */
export function overviewCells(r: OverviewRow): Record<'job' | 'state' | 'run' | 'rate' | 'eta' | 'failed' | 'storage' | 'warehouse' | 'age', string> {
  // A half-read log says nothing about its run yet (a finished run read half-way looks ended at 3,171/5,299).
  if (r.reading) return { job: r.job, state: 'reading…', run: '–', rate: '–', eta: '–', failed: '–', storage: coverageCell(r.storage), warehouse: coverageCell(r.warehouse), age: r.ageMs === null ? 'never' : formatAge(r.ageMs) };
  const live = isLive(r.status);
  return {
    job: r.job,
    state: r.status,
    run: r.total === null && r.done === 0 ? '–' : `${formatCount(r.done)}/${r.total === null ? '?' : formatCount(r.total)}`,
    rate: live && r.ratePerMin !== null ? `${r.ratePerMin.toFixed(r.ratePerMin >= 100 ? 0 : 1)}/min` : '–',
    eta: live && r.ratePerMin !== null ? formatEta(r.etaSeconds, false) : '–',
    // "2 · HTTP 500 1": the count, then the biggest kind with its own count (never read as 2 HTTP 500s).
    failed: r.failed ? `${formatCount(r.failed)}${r.worstError ? ` · ${r.worstError} ${formatCount(r.worstCount)}` : ''}` : '0',
    storage: coverageCell(r.storage),
    warehouse: coverageCell(r.warehouse),
    age: r.ageMs === null ? 'never' : formatAge(r.ageMs),
  };
}

/** Columns padded to their widest cell. */
export function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i] - [...c].length))).join('  ').trimEnd());
}

/** The overview as aligned text lines: one job a line, sorted as on screen. */
export function overviewText(rows: OverviewRow[]): string[] {
  const head = ['job', 'state', 'run', 'rate', 'ETA', 'failed', 'storage', 'warehouse', 'figures'];
  const body = rows.map((r) => {
    const c = overviewCells(r);
    return [c.job, c.state, c.run, c.rate, c.eta, c.failed, c.storage, c.warehouse, c.age];
  });
  return alignColumns([head, ...body]);
}

/** `801/853 · 93.9 %` or `unknown` (with the error). */
export function stageFigures(r: FunnelRow): string {
  if (r.present === null) return r.error ? 'error' : 'unknown';
  return `${formatCount(r.present)}/${formatCount(r.expected)} · ${formatPercent(r.present, r.expected)}`;
}

/** What a stage's row says beyond its figures: lost since the stage before, target, blocked. */
export function stageNotes(r: FunnelRow): string {
  const notes: string[] = [];
  // Blocked first: on a narrow screen it is what must stay readable.
  if (r.blockedBy) notes.push(`blocked by ${r.blockedBy} (under ${r.blockedUnder} %)`);
  if (r.lostSinceBefore) notes.push(`${formatCount(r.lostSinceBefore)} in ${r.after} not yet in ${r.stage}`);
  if (r.present !== null) notes.push(r.next ? `${r.next.percent} %: ${formatCount(r.next.needed)} more` : 'all targets met');
  if (r.error) notes.push(`${r.stale ? 'stale: ' : ''}${r.error}${r.hint ? ` → ${r.hint}` : ''}`);
  return notes.join(' · ');
}

/** The funnel as aligned text lines. */
export function chainText(rows: FunnelRow[]): string[] {
  return alignColumns([['stage', 'present', 'source', 'notes'], ...rows.map((r) => [r.stage, stageFigures(r), r.source, stageNotes(r)])]);
}
