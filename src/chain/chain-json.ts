import type { FunnelRow } from './funnel.js';

/** One stage in `status --json` (README, "status --json for several jobs"): keys are stable. */
export interface ChainStageJson {
  stage: string;
  source: string;
  present: number | null;
  expected: number;
  percent: number | null;
  lostSinceBefore: number | null;
  met: Record<string, boolean>;
  blockedBy: string | null;
}

/** The funnel as the status contract's `chain` list. */
export function chainJson(rows: FunnelRow[]): ChainStageJson[] {
  return rows.map((r) => ({
    stage: r.stage,
    source: r.source,
    present: r.present,
    expected: r.expected,
    percent: r.percent,
    lostSinceBefore: r.lostSinceBefore,
    met: { ...r.met },
    blockedBy: r.blockedBy,
  }));
}
