import { barCells, formatClock, formatCount, formatPercent } from '../format.js';
import type { ListProgress, ListTrace } from '../coverage/source.js';

const BAR_WIDTH = 12;

/**
 * The notice of a fresh storage listing once it takes over a second: how far it is and how long it has taken.
 * `listing st for a fresh count: 3,000 of 90,000 folders ██░░░░░░░░░░ 3.3 % · 0:03` where the source knows the
 * whole (a local folder), `12,345 keys so far · 0:03` where it does not (a bucket's pages), else the time alone.
 */
export function listingProgress(label: string, progress: ListTrace['progress'], elapsedMs: number): string {
  const head = `listing ${label} for a fresh count`;
  const took = formatClock(elapsedMs);
  if (!progress) return `${head}… ${took}`;
  if (progress.of === null) return `${head}: ${countIn(progress.done, progress.unit)} so far · ${took}`;
  const [filled] = barCells([progress.done], progress.of, BAR_WIDTH);
  const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
  return `${head}: ${formatCount(progress.done)} of ${countIn(progress.of, progress.unit)} ${bar} ${formatPercent(progress.done, progress.of)} · ${took}`;
}

const countIn = (n: number, unit: string) => `${formatCount(n)} ${unit}`;

/** A look over this long says how far it is (ms). */
export const PROGRESS_AFTER_MS = 1000;

/**
 * A look in flight as the coverage panel says it once it has taken a second (tester Z10: a slow bucket listing said
 * only `checking…`): the objects listed so far (`12,345 objects listed · 3 s`), how far a folder count is (`3,000 of
 * 90,000 folders · 3 s`), the keys found so far, or the time alone for a source that cannot tell (a query); null
 * under a second.
 */
export function lookProgress(checkingMs: number | null | undefined, progress: ListProgress | null | undefined): string | null {
  if (checkingMs == null || checkingMs < PROGRESS_AFTER_MS) return null;
  const took = `${Math.floor(checkingMs / 1000)} s`;
  if (!progress) return took;
  const count = progress.of !== null ? `${formatCount(progress.done)} of ${countIn(progress.of, progress.unit)}` : progress.objects !== undefined ? `${countIn(progress.objects, 'objects')} listed` : `${countIn(progress.done, progress.unit)} so far`;
  return `${count} · ${took}`;
}
