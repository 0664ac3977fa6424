import { computeCoverage, nextUnmetTarget, type TargetStatus } from '../coverage/math.js';
import { floorPercent } from '../format.js';

/** What the last look at one stage's source found (null keys: never listed successfully). */
export interface StageLook {
  label: string;
  keys: Set<string> | null;
  checkedAt: number | null;
  error: string | null;
  hint: string | null;
}

/** One row of the funnel: a stage against the chain's expected keys and against the stage feeding it. */
export interface FunnelRow {
  stage: string;
  /** The source's label: gs://bucket/prefix/, project.dataset.table or a directory. */
  source: string;
  after: string | null;
  /** Expected keys present in this stage; null until a look succeeded. */
  present: number | null;
  expected: number;
  percent: number | null;
  /** Expected keys present in the stage before, absent here; null for the first stage or while either is unknown. */
  lostSinceBefore: number | null;
  /** Each target (by percent) met or not; all false while unknown. */
  met: Record<string, boolean>;
  /** The lowest target not met, with the keys it still needs; null when all are met or unknown. */
  next: TargetStatus | null;
  /** The stage before, when it holds fewer keys than this stage's next target takes: this stage cannot get there. */
  blockedBy: string | null;
  /** The target that the stage before is under (percent). */
  blockedUnder: number | null;
  checkedAt: number | null;
  error: string | null;
  hint: string | null;
  /** Figures shown are from before the last (failed) look. */
  stale: boolean;
}

/**
 * The funnel: per stage, present/expected, what was lost since the stage before, targets met, and whether
 * a short input blocks it. Only expected keys count anywhere (extra keys never raise a stage).
 */
export function funnel(stages: { name: string; after: string | null }[], targets: number[], expected: string[], looks: Map<string, StageLook>): FunnelRow[] {
  const rows = new Map<string, FunnelRow>();
  const sorted = [...targets].sort((a, b) => a - b);
  for (const s of stages) {
    const look = looks.get(s.name);
    const cov = look?.keys ? computeCoverage(expected, look.keys, sorted) : null;
    const upstream = s.after ? looks.get(s.after)?.keys ?? null : null;
    let lost: number | null = null;
    if (s.after && look?.keys && upstream) {
      lost = 0;
      for (const k of expected) if (upstream.has(k) && !look.keys.has(k)) lost += 1;
    }
    const met: Record<string, boolean> = {};
    for (const t of sorted) met[String(t)] = cov?.targets.find((x) => x.percent === t)?.met ?? false;
    const next = cov ? nextUnmetTarget(cov.targets) : null;
    const before = s.after ? rows.get(s.after) : undefined;
    // Short input: the stage before holds fewer expected keys than this stage's next target takes.
    const blocked = next && before?.present != null && before.present < next.keys;
    rows.set(s.name, {
      stage: s.name,
      source: look?.label ?? '',
      after: s.after,
      present: cov ? cov.present : null,
      expected: expected.length,
      // Rounded down as every coverage figure is: 99,996 of 100,000 never reads 100.
      percent: cov ? floorPercent(cov.present, cov.expected, 2) : null,
      lostSinceBefore: lost,
      met,
      next,
      blockedBy: blocked ? s.after : null,
      blockedUnder: blocked ? next.percent : null,
      checkedAt: look?.checkedAt ?? null,
      error: look?.error ?? null,
      hint: look?.hint ?? null,
      stale: !!look?.error && look.keys !== null,
    });
  }
  return stages.map((s) => rows.get(s.name)!);
}

/**
 * Keys to re-run a stage for: expected keys present in `presentIn` (every expected key when null, for a
 * first stage) and absent from `stage`, sorted.
 */
export function missingInStage(expected: string[], stage: Set<string>, presentIn: Set<string> | null): string[] {
  return expected.filter((k) => !stage.has(k) && (presentIn === null || presentIn.has(k))).sort();
}
