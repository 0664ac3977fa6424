import { FailedKeys, FailedStore, type LiveFailure } from './failed-keys.js';
import { KIND_OTHER, KeyLedger, OUTCOME_FAILED, OUTCOME_MASK, OUTCOME_NONE, OUTCOME_SKIPPED, OUTCOME_SUCCEEDED, kindOf, withKind } from './key-ledger.js';
import type { LogLine } from '../log-line.js';
import { GENERAL, KEYED_FAILED, KEYED_SKIPPED, KEYED_SUCCEEDED, type KeyedLines } from '../parser/keyed-lines.js';
import { CompletionRing } from './completions.js';
import { lanes, lanesOf } from '../key-hash.js';
import type { RunState } from './run.js';

/**
 * What a run knows per key, owned by the run's chain of snapshots and changed in place by `applyLines`
 * (copying it per batch made a long run quadratic). Snapshots stay fixed: counts are plain fields, and
 * failed keys are read through a view pinned to the snapshot's version (see failed-keys.ts). The one
 * rule: a batch folds into the newest snapshot of a run. Folding into an older one (whose successors
 * already changed the store) throws, since the per-key store cannot go back; the store never does it.
 */
export class RunKeys {
  readonly ledger = new KeyLedger();
  readonly failed = new FailedStore();
  /** Version of the newest snapshot; each batch adds one. */
  version = 0;
  /** Failure kinds by index (the state byte holds up to 15; the rest read `KIND_OTHER`). */
  readonly kinds: string[] = [];
}

export type Outcome = 'succeeded' | 'failed' | 'skipped';

const CODE: Record<Outcome, number> = { succeeded: OUTCOME_SUCCEEDED, failed: OUTCOME_FAILED, skipped: OUTCOME_SKIPPED };

/** Starts a batch on a (cloned) run: claims the next version of its key store. */
export function beginBatch(run: RunState): void {
  const keys = run.keys;
  if (!keys) return;
  if (keys.version !== run.keysVersion) {
    throw new Error(`applyLines: this run state is version ${run.keysVersion} but its keys are at ${keys.version}; fold batches into the newest state only`);
  }
  run.keysVersion = ++keys.version;
}

/**
 * Warms the key store for the keyed lines of a batch about to be folded into `run` (see KeyLedger.warmKey);
 * a short batch (the dashboard's live appends) is left alone.
 */
export function warmKeys(run: RunState, lines: readonly LogLine[]): void {
  const ledger = run.keys?.ledger;
  if (!ledger || lines.length < WARM_MIN_LINES) return;
  for (const line of lines) {
    if ((line.kind === 'succeeded' || line.kind === 'failed' || line.kind === 'skipped' || line.kind === 'queued') && line.key !== null) ledger.warmKey(line.key);
  }
  ledger.warmUp();
}

/** Below this many lines a batch's lookups are few enough to take their misses one by one. */
const WARM_MIN_LINES = 256;

/** `warmKeys` for a batch's keyed records (their hashes are made already; a numbered key's 0:0 warms slot 0 of segment 0, for nothing). */
export function warmKeyed(run: RunState, rec: KeyedLines): void {
  const ledger = run.keys?.ledger;
  if (ledger && rec.count >= WARM_MIN_LINES) ledger.warmHashes(rec.h1, 0, rec.count);
}

/** Ends a batch: bounds the failed-keys list, pins the run's view of it when it changed, and tells the key store the run's total. */
export function endBatch(run: RunState, changesBefore: number): void {
  const keys = run.keys;
  if (!keys) return;
  run.failedKeysOmitted += keys.failed.evict(run.keysVersion);
  // The run's own total (Loaded N, Progress …/N) lets the key store grow in fewer, larger steps.
  if (run.total !== null) keys.ledger.expect(run.total);
  if (keys.failed.changes !== changesBefore) run.failedKeys = FailedKeys.of(keys.failed, run.keysVersion);
}

/**
 * A queued (or processing) line: false when the key was already announced that way in this run
 * (a doubled log), which is then counted in `duplicateLines`.
 */
export function firstAnnouncement(run: RunState, key: string, bit: number): boolean {
  const ledger = run.keys!.ledger;
  const state = ledger.find(key);
  if (state & bit) {
    run.duplicateLines++;
    return false;
  }
  ledger.set(state | bit);
  return true;
}

/**
 * Counts one outcome line: the key's latest outcome in the run wins (failed, then succeeded: one
 * success), and the same outcome again is a duplicate line (counted in `duplicateLines`, nothing
 * else moves but a failure's newest error). Returns whether the line was new work (for the rate).
 */
export function countOutcome(run: RunState, key: string | null, outcome: Outcome, failure: LiveFailure | null): boolean {
  const keys = run.keys;
  if (key === null || keys === null) {
    add(run, outcome, failure);
    return true;
  }
  const ledger = keys.ledger;
  const state = ledger.find(key);
  const h1 = ledger.foundH1;
  const h2 = ledger.foundH2;
  const done = countFound(run, keys, state, h1, h2, CODE[outcome], failure === null ? null : failure.failure);
  if (done & LIST) keys.failed.addText(key, h1, h2, failure!.failure, failure!.error, failure!.at, run.keysVersion);
  return (done & FRESH) !== 0;
}

/** Where the fold of a batch's keyed columns is: the next keyed record and the next keyed failure. */
export class KeyedCursor {
  k = 0;
  f = 0;
  /** `oneRun`: the batch is one task of a Cloud Run execution, whose lines never start another run. */
  constructor(readonly rec: KeyedLines, readonly oneRun = false) {}
}

/**
 * Folds the keyed records from position r of the batch's order into `run`, up to the next LogLine, or
 * after a summary up to the next record that starts a new run (succeeded or failed); returns the position
 * after the last one folded. For each record it does what applyLines does for its LogLine: the run's
 * activity, one outcome per key (countOutcome), the rate window. Keys are found by their hash (a numbered
 * key by its number: its hash is made from its bytes only when needed); a key's text is made only when its
 * outcome needs it (a failure to list, an outcome after a failure).
 */
export function foldKeyed(run: RunState, c: KeyedCursor, r: number): number {
  const rec = c.rec;
  const order = rec.order;
  const size = rec.size;
  const keys = run.keys;
  const complete = run.complete && !c.oneRun;
  // The columns and the run's counts in locals: a run snapshot's fields are read through property lookups
  // that stay slow (a run object has several shapes: emptyRun's, cloneRun's), and this loop is a million-key
  // run's fold. The counts go back to the run before anything else reads them (countFound) and at the end.
  const ats = rec.at;
  const keyBytes = rec.keyBytes;
  const keyView = rec.keyView;
  const keyEnd = rec.keyEnd;
  const h1s = rec.h1;
  const h2s = rec.h2;
  const ledger = keys === null ? null : keys.ledger;
  const ring = (ringMade ??= new CompletionRing());
  dropHeld();
  let succeeded = run.succeeded;
  let skipped = run.skipped;
  let failed = run.failed;
  let k = c.k;
  let f = c.f;
  let at = 0;
  const from = r;
  for (; r < size; r++) {
    const code = order[r];
    // After a summary, a success or failure starts a new run (applyLines' isRunActivity); a skip does not.
    if (code === GENERAL || (complete && code !== KEYED_SKIPPED)) break;
    at = ats[k];
    const state = ledger === null ? 0 : ledger.findBytes(keyBytes, k === 0 ? 0 : keyEnd[k - 1], keyEnd[k], h1s[k], h2s[k], keyView);
    if (ledger !== null && (state & OUTCOME_MASK) === OUTCOME_NONE) {
      if (code === KEYED_SUCCEEDED) {
        // The key's first outcome, not a failure: what countFound does, less the key's text.
        ledger.set(withKind(state | OUTCOME_SUCCEEDED, 0));
        succeeded++;
        ring.add(at);
      } else if (code === KEYED_SKIPPED) {
        ledger.set(withKind(state | OUTCOME_SKIPPED, 0));
        skipped++;
      } else {
        // The key's first outcome, a failure: what countFound does, with the failure's parts as they are.
        const failure = rec.failures[f];
        const error = rec.errors[f++];
        const kind = failure === lastKind ? lastIndex : kindIndex(keys!, failure);
        lastKind = failure;
        lastIndex = kind;
        ledger.set(withKind(state | OUTCOME_FAILED, kind));
        failed++;
        // Counted per kind here and put into the run's failures once (a keyed store per failure costs ~200 instructions).
        if (kind === KIND_OTHER) {
          moveHeld(run, keys!);
          move(run.failures, failure, +1);
        } else {
          if (heldKinds[kind] === 0) heldOrder[heldCount++] = kind;
          heldKinds[kind]++;
        }
        // Its hash as the parser gave it (0:0 for a numbered key): the store makes it only if it needs it.
        keys!.failed.addBytes(h1s[k], h2s[k], keyBytes, k === 0 ? 0 : keyEnd[k - 1], keyEnd[k], failure, error, at, run.keysVersion);
        ring.add(at);
      }
      k++;
      continue;
    }
    const next = code === KEYED_SUCCEEDED ? OUTCOME_SUCCEEDED : code === KEYED_FAILED ? OUTCOME_FAILED : OUTCOME_SKIPPED;
    const failure = code === KEYED_FAILED ? rec.failures[f] : null;
    const error = code === KEYED_FAILED ? rec.errors[f++] : '';
    let fresh = true;
    run.succeeded = succeeded;
    run.skipped = skipped;
    run.failed = failed;
    if (keys !== null) moveHeld(run, keys);
    if (keys === null) {
      count(run, next, +1);
      if (failure !== null) move(run.failures, failure, +1);
    } else {
      const start = k === 0 ? 0 : keyEnd[k - 1];
      lanesOf(keyBytes, start, keyEnd[k], h1s[k], h2s[k]);
      const h1 = lanes.h1;
      const h2 = lanes.h2;
      const done = countFound(run, keys, state, h1, h2, next, failure);
      if (done & LIST) keys.failed.addBytes(h1, h2, keyBytes, start, keyEnd[k], failure!, error, at, run.keysVersion);
      fresh = (done & FRESH) !== 0;
    }
    succeeded = run.succeeded;
    skipped = run.skipped;
    failed = run.failed;
    if (fresh && code !== KEYED_SKIPPED) ring.add(at);
    k++;
  }
  run.succeeded = succeeded;
  run.skipped = skipped;
  run.failed = failed;
  if (keys !== null) moveHeld(run, keys);
  if (r > from) {
    // What every record sets, as the last one left it.
    run.lastActivityAt = at;
    run.hasActivity = true;
    // The run went on after a traceback: not what ended it (apply-lines.ts wentOn).
    if (run.exitTrace) run.error = null;
    run.exitTrace = false;
    run.traceOpen = false;
    run.traceIgnored = false;
    run.currentKeyDone = true;
  }
  c.k = k;
  c.f = f;
  return r;
}

/**
 * foldKeyed's completions until they go into the run's window (`flushCompletions`: foldKeyed runs one batch at a
 * time). Made on first use: completions.ts and run.ts import each other through this module.
 */
let ringMade: CompletionRing | null = null;

/**
 * Starts a batch's completions: what a fold that threw left in the ring is forgotten. foldKeyed then adds to the
 * ring over all its calls in the batch (one per stretch of keyed records between two other lines: a Progress line
 * every fifty), and `flushCompletions` puts them into the run's window once, before anything else reads or adds
 * to it. Putting them in at every call cost a million-key run 21,600 trims and regrowths of the window (74 M
 * instructions of 80 MB's fold).
 */
export function beginCompletions(): void {
  ringMade?.clear();
}

/** Puts the completions foldKeyed held since the last call into `run`'s window (see `beginCompletions`). */
export function flushCompletions(run: RunState): void {
  ringMade?.flush(run.completions);
}

/**
 * First failures foldKeyed counted per kind index (below KIND_OTHER) and has not put into the run's `failures` yet,
 * and the kinds in the order first met: `moveHeld` puts them in in that order, so each kind new to the run takes the
 * place in `failures` one `move` per failure would have given it (its keys' order is the JSON's). Only additions are
 * held: before anything that takes a failure away (countFound), or an uncounted kind's move, they go in.
 */
const heldKinds = new Int32Array(KIND_OTHER);
const heldOrder = new Int32Array(KIND_OTHER);
let heldCount = 0;
/** The failure kind met last and its index (a run's failures repeat one or two kinds). */
let lastKind: string | null = null;
let lastIndex = 0;

/** Forgets what a call that threw before its `moveHeld` left held. */
function dropHeld(): void {
  for (let i = 0; i < heldCount; i++) heldKinds[heldOrder[i]] = 0;
  heldCount = 0;
  lastKind = null;
}

function moveHeld(run: RunState, keys: RunKeys): void {
  for (let i = 0; i < heldCount; i++) {
    const kind = heldOrder[i];
    move(run.failures, keys.kinds[kind], heldKinds[kind]);
    heldKinds[kind] = 0;
  }
  heldCount = 0;
  lastKind = null;
}

/** countFound's answer: the line was new work (for the rate); the caller is to list the failure (its key's text or bytes are the caller's). */
const FRESH = 1;
const LIST = 2;

/**
 * `countOutcome` once the key's state is found (the ledger remembers its slot) and its hash is known:
 * the counts, the failure kinds and the key's state move; a listing that dies goes from the store.
 * `next` is the outcome's code, `failure` its failure kind (null for a success or skip).
 */
function countFound(run: RunState, keys: RunKeys, state: number, h1: number, h2: number, next: number, failure: string | null): number {
  const prev = state & OUTCOME_MASK;
  const kind = next === OUTCOME_FAILED && failure !== null ? kindIndex(keys, failure) : 0;
  keys.ledger.set(withKind((state & ~OUTCOME_MASK) | next, kind));
  if (prev === OUTCOME_NONE) {
    count(run, next, +1);
    if (failure === null) return FRESH;
    move(run.failures, failure, +1);
    return FRESH | LIST;
  }
  if (prev === next) run.duplicateLines++;
  if (prev === OUTCOME_FAILED) {
    const id = keys.failed.find(h1, h2);
    const was = kindOf(state) < KIND_OTHER ? keys.kinds[kindOf(state)] : id >= 0 ? keys.failed.failureOf(id) : undefined;
    if (was !== undefined) move(run.failures, was, -1);
    if (!keys.failed.removeHash(h1, h2, run.keysVersion)) run.failedKeysOmitted--;
  }
  if (prev !== next) {
    count(run, prev, -1);
    count(run, next, +1);
  }
  const fresh = prev !== next ? FRESH : 0;
  if (failure === null) return fresh;
  move(run.failures, failure, +1);
  return fresh | LIST;
}

function add(run: RunState, outcome: Outcome, failure: LiveFailure | null): void {
  count(run, CODE[outcome], +1);
  if (outcome === 'failed' && failure) move(run.failures, failure.failure, +1);
}

function count(run: RunState, code: number, by: number): void {
  if (code === OUTCOME_SUCCEEDED) run.succeeded += by;
  else if (code === OUTCOME_FAILED) run.failed += by;
  else if (code === OUTCOME_SKIPPED) run.skipped += by;
}

function move(failures: Record<string, number>, kind: string, by: number): void {
  const n = (failures[kind] ?? 0) + by;
  if (n > 0) failures[kind] = n;
  else delete failures[kind];
}

function kindIndex(keys: RunKeys, kind: string): number {
  let i = keys.kinds.indexOf(kind);
  if (i < 0 && keys.kinds.length < KIND_OTHER) i = keys.kinds.push(kind) - 1;
  return i < 0 ? KIND_OTHER : i;
}
