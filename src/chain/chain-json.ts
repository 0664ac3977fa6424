import type { FunnelRow } from './funnel.js';

/** One stage in `status --json` (README, "status --json for several jobs"): keys are stable. */
export interface ChainStageJson {
  stage: string;
  source: string;
  present: number | null;
  expected: number;
  percent: number | null;
  lostSinceBefore: number | null;
  /** Each target by percent: met or not; null while the stage's source has never answered (not known, not "not met"). */
  met: Record<string, boolean | null>;
  blockedBy: string | null;
  /** Why the stage's source did not answer its last look (then `stale` figures or null ones), else null; as a job's `coverage.*.error`. */
  error: string | null;
  /** What to do about `error`, else null. */
  hint: string | null;
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
    // A script reading met["95"] === false must not take "we cannot see the bucket" for "under 95 %" (tester W9).
    met: r.present === null ? Object.fromEntries(Object.keys(r.met).map((t) => [t, null])) : { ...r.met },
    blockedBy: r.blockedBy,
    error: r.error,
    hint: r.hint,
  }));
}
