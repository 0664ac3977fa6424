/** Where one coverage target stands: `keys` it takes, whether it is `met`, how many more are `needed`. */
export interface TargetStatus {
  percent: number;
  keys: number;
  met: boolean;
  needed: number;
}

/**
 * A source's coverage when the expected list is empty (a header alone, a to-do list with nothing left): said in words
 * on every surface, as `--require` says it, never `0/0 – % 95 %: 0 more` (tester AI13's nit).
 */
export const NO_KEYS_EXPECTED = 'no keys are expected';

/** Coverage of the expected keys by what one source holds. */
export interface Coverage {
  expected: number;
  /** Expected keys found: |expected ∩ found|. */
  present: number;
  /** Keys found that are not expected; they never raise coverage. */
  extra: number;
  /** present / expected × 100 (0 when nothing is expected). */
  percent: number;
  /** Expected keys not found, sorted. */
  missing: string[];
  targets: TargetStatus[];
}

/**
 * Keys a target takes: ceil(percent % × expected), exactly. Float math gets this wrong at the
 * edges (a product landing a hair above an integer adds a key), so the percent is read as the
 * decimal it was written as and the division is done on integers: 853 × 95 % = 810.35 → 811.
 */
export function keysForTarget(percent: number, expected: number): number {
  if (!(percent > 0 && percent <= 100)) throw new RangeError(`target ${percent} % is not in (0, 100]`);
  if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`expected count ${expected} is not a count`);
  const [num, den] = asFraction(percent);
  const n = num * BigInt(expected);
  const d = den * 100n;
  return Number((n + d - 1n) / d);
}

/** The exact fraction a number's shortest decimal form stands for: 99.95 → 9995/100. */
function asFraction(x: number): [bigint, bigint] {
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (m === null) throw new RangeError(`cannot read ${x} as a decimal`);
  const decimals = (m[2] ?? '').length - Number(m[3] ?? 0);
  const digits = BigInt(m[1] + (m[2] ?? ''));
  return decimals >= 0 ? [digits, 10n ** BigInt(decimals)] : [digits * 10n ** BigInt(-decimals), 1n];
}

/** Coverage of `expected` (sorted and unique, as readExpectedKeys gives them) by `found`, against each target. */
export function computeCoverage(expected: string[], found: Set<string>, targets: number[]): Coverage {
  const keys = sortedUnique(expected);
  const missing: string[] = [];
  for (const k of keys) if (!found.has(k)) missing.push(k);
  const present = keys.length - missing.length;
  return {
    expected: keys.length,
    present,
    extra: found.size - present,
    percent: keys.length === 0 ? 0 : (present / keys.length) * 100,
    missing,
    targets: [...targets].sort((a, b) => a - b).map((t) => targetStatus(t, keys.length, present)),
  };
}

function targetStatus(percent: number, expected: number, present: number): TargetStatus {
  const keys = keysForTarget(percent, expected);
  // With nothing expected there is nothing to claim: an empty list must not pass `status --require`.
  return { percent, keys, met: expected > 0 && present >= keys, needed: Math.max(0, keys - present) };
}

/** Expected keys in storage but not yet in the warehouse (waiting for the load), sorted. */
export function lag(storage: Set<string>, warehouse: Set<string>, expected: string[]): { count: number; keys: string[] } {
  const keys = sortedUnique(expected).filter((k) => storage.has(k) && !warehouse.has(k));
  return { count: keys.length, keys };
}

/** The lowest target not met yet, or null when all are met. */
export function nextUnmetTarget(targets: TargetStatus[]): TargetStatus | null {
  let next: TargetStatus | null = null;
  for (const t of targets) if (!t.met && (next === null || t.percent < next.percent)) next = t;
  return next;
}

/** The keys as given when already strictly ascending (the usual case, no copy), else a sorted unique copy. */
function sortedUnique(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    if (!(keys[i - 1] < keys[i])) return [...new Set(keys)].sort();
  }
  return keys;
}
