import type { ListProgress } from '../coverage/source.js';
import { computeCoverage, lag, type Coverage } from '../coverage/math.js';
import type { AppState, SourceState } from './app-state.js';

/** One source's coverage as the views and `status --json` show it. */
export interface SourceCoverage {
  label: string;
  coverage: Coverage | null;
  checkedAt: number | null;
  stale: boolean;
  ageMs: number | null;
  error: string | null;
  hint: string | null;
  bytesBilled: number | null;
  method: string | null;
  /** Why the count was taken this way, e.g. "streaming buffer (~120 rows not yet in day partitions): counted by scan". */
  note: string | null;
  checking: boolean;
  /** How long the look in flight has taken (null when none is), by the state's clock. */
  checkingMs?: number | null;
  /** How far the look in flight is (objects listed so far), when the source says. */
  progress?: ListProgress | null;
  /** Why it is not looked at yet (the warehouse waits for the expected keys), else null. */
  waits?: string | null;
}

export interface CoverageView {
  expected: number | null;
  storage: SourceCoverage | null;
  warehouse: SourceCoverage | null;
  /** Expected keys in storage but not yet in the warehouse (waiting for the Phase 2 load). */
  lag: string[] | null;
  targets: number[];
}

// Coverage of 100,000 keys is cheap but not free: compute once per (expected, found) pair, not per frame.
const cache = new WeakMap<Set<string>, { expected: string[]; targets: number[]; result: Coverage }>();

function coverageOf(expected: string[], found: Set<string>, targets: number[]): Coverage {
  const hit = cache.get(found);
  if (hit && hit.expected === expected && hit.targets === targets) return hit.result;
  const result = computeCoverage(expected, found, targets);
  cache.set(found, { expected, targets, result });
  return result;
}

function sourceView(source: SourceState | null, expected: string[] | null, targets: number[], now: number): SourceCoverage | null {
  if (!source) return null;
  const coverage = source.keys && expected ? coverageOf(expected, source.keys, targets) : null;
  return {
    label: source.label,
    coverage,
    checkedAt: source.checkedAt,
    // Stale: the figures shown are older than the newest attempt, which failed.
    stale: source.error !== null && source.keys !== null,
    ageMs: source.checkedAt === null ? null : Math.max(0, now - source.checkedAt),
    error: source.error,
    hint: source.hint,
    bytesBilled: source.bytesBilled,
    method: source.method,
    note: source.note ?? null,
    checking: source.checking,
    checkingMs: source.checking && source.checkingSince != null ? Math.max(0, now - source.checkingSince) : null,
    progress: source.checking ? (source.progress ?? null) : null,
    waits: source.waits ?? null,
  };
}

let lastLag: { expected: string[]; storage: Set<string>; warehouse: Set<string>; keys: string[] } | null = null;

/** Expected keys in storage but not in the warehouse; recomputed only when one of the three changes. */
function lagOf(expected: string[], storage: Set<string>, warehouse: Set<string>): string[] {
  if (lastLag && lastLag.expected === expected && lastLag.storage === storage && lastLag.warehouse === warehouse) return lastLag.keys;
  const keys = lag(storage, warehouse, expected).keys;
  lastLag = { expected, storage, warehouse, keys };
  return keys;
}

/** Coverage of both sources against the expected keys, and the load lag between them. */
export function coverageView(state: AppState): CoverageView {
  const { coverage, now } = state;
  const expected = coverage.expected?.keys ?? null;
  const storage = sourceView(coverage.storage, expected, coverage.targets, now);
  const warehouse = sourceView(coverage.warehouse, expected, coverage.targets, now);
  const lag = expected && coverage.storage?.keys && coverage.warehouse?.keys ? lagOf(expected, coverage.storage.keys, coverage.warehouse.keys) : null;
  return { expected: expected ? expected.length : null, storage, warehouse, lag, targets: coverage.targets };
}
