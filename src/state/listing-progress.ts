import { barCells, formatClock, formatCount, formatPercent } from '../format.js';
import type { ListTrace } from '../coverage/source.js';

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
