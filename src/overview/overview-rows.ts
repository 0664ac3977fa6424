import { nextUnmetTarget, type TargetStatus } from '../coverage/math.js';
import type { AppState } from '../state/app-state.js';
import { coverageView, type SourceCoverage } from '../state/coverage-view.js';
import { currentFigures } from '../state/current-figures.js';
import { isLive, type RunStatus } from '../state/run-view.js';

/** One source of a job as the overview shows it: percent, and the next unmet target with what it needs. */
export interface OverviewSource {
  present: number | null;
  expected: number | null;
  percent: number | null;
  next: TargetStatus | null;
  error: string | null;
}

/** One job's row of the overview. */
export interface OverviewRow {
  job: string;
  status: RunStatus;
  done: number;
  total: number | null;
  ratePerMin: number | null;
  etaSeconds: [number, number] | null;
  failed: number;
  /** The error kind with the most failures in the current run. */
  worstError: string | null;
  storage: OverviewSource | null;
  warehouse: OverviewSource | null;
  /** Age of the newest coverage figures (or of the newest log line when there are none). */
  ageMs: number | null;
  /** 0 stalled or ended without summary, 1 running, 2 under target, 3 done: what needs the operator first. */
  rank: number;
}

function source(s: SourceCoverage | null): OverviewSource | null {
  if (!s) return null;
  const c = s.coverage;
  return { present: c?.present ?? null, expected: c?.expected ?? null, percent: c ? c.percent : null, next: c ? nextUnmetTarget(c.targets) : null, error: s.error };
}


/** The overview row of one job's state. */
export function overviewRow(state: AppState): OverviewRow {
  const run = state.log.current;
  const f = currentFigures(state);
  const cov = coverageView(state);
  const storage = source(cov.storage);
  const warehouse = source(cov.warehouse);
  const worst = Object.entries(run?.failures ?? {}).sort((a, b) => b[1] - a[1])[0];
  const checked = [cov.storage?.checkedAt, cov.warehouse?.checkedAt].filter((t): t is number => typeof t === 'number');
  const newest = checked.length ? Math.max(...checked) : (run?.lastActivityAt ?? null);
  const firstTarget = Math.min(...state.coverage.targets);
  // Under target: a source below the lowest target, or not known yet.
  const short = (s: OverviewSource | null) => s !== null && (s.percent === null || (s.next !== null && s.next.percent <= firstTarget));
  let rank = 3;
  if (f.status === 'stalled' || f.status === 'ended') rank = 0;
  else if (isLive(f.status)) rank = 1;
  else if (short(storage) || short(warehouse) || (!storage && !warehouse && f.status !== 'complete')) rank = 2;
  return {
    job: state.job,
    status: f.status,
    done: f.done,
    total: run?.total ?? null,
    ratePerMin: f.ratePerMin,
    etaSeconds: f.etaSeconds,
    failed: run?.failed ?? 0,
    worstError: worst ? worst[0] : null,
    storage,
    warehouse,
    ageMs: newest === null ? null : Math.max(0, state.now - newest),
    rank,
  };
}

/** Rows sorted by what needs the operator; config order among equals. */
export function overviewRows(states: AppState[]): OverviewRow[] {
  return states
    .map((s, i) => ({ row: overviewRow(s), i }))
    .sort((a, b) => a.row.rank - b.row.rank || a.i - b.i)
    .map((x) => x.row);
}
