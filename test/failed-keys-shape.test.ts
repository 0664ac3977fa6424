import { setFlagsFromString } from 'node:v8';
import { expect, test } from 'vitest';
import { FailedStore } from '../src/state/failed-keys.js';

// A file of its own: V8 lets an array literal's later arrays start as the kind its earlier ones became (allocation
// sites), so only a store that made no chunk before shows the kind a chunk's own list starts as.
test("a chunk's list of pairs holds objects from the start (the fold's optimized addBytes is not thrown away at each new chunk)", () => {
  // V8's own answer, with the natives syntax allowed only while this probe is compiled.
  setFlagsFromString('--allow-natives-syntax');
  const hasObjectElements = new Function('a', 'return %HasObjectElements(a)') as (a: unknown[]) => boolean;
  setFlagsFromString('--no-allow-natives-syntax');
  const store = new FailedStore();
  // The chunk the store makes for its next entry, before that entry: countPair's loop reads its empty list then. An
  // empty `[]` is an array of small integers until its first element, and the fold's optimized code, made while the
  // store held one chunk whose list held its pairs, met the other kind at the 4,097th failure (deopt 'wrong map' in
  // countPair, inlined in addBytes: addBytes compiled three times a run on the 80 MB one-run log, not once).
  const next = (store as unknown as { room(): { pairs: unknown[] | null } }).room();
  expect(next.pairs).toEqual([]);
  expect(hasObjectElements(next.pairs!)).toBe(true);
});
