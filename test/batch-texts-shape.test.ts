import { setFlagsFromString } from 'node:v8';
import { expect, test } from 'vitest';
import { toMessage } from '../src/parser/batch-transfer.js';
import { compileGrammar, LogClock, parseChunk } from '../src/parser/index.js';

// A file of its own: V8 lets an array literal's later arrays start as the kind its earlier ones became (allocation
// sites), so only a first batch shows the kind a batch message's list of texts starts as.
test("a batch message's list of failure texts holds objects from the start (the worker's optimized textIdsPart is not thrown away)", () => {
  // V8's own answer, with the natives syntax allowed only while this probe is compiled.
  setFlagsFromString('--allow-natives-syntax');
  const hasObjectElements = new Function('a', 'return %HasObjectElements(a)') as (a: unknown[]) => boolean;
  setFlagsFromString('--no-allow-natives-syntax');
  // A batch with keyed lines and no failure: its list of texts stays empty. An empty `[]` holds small integers until
  // its first element, and textIdsPart's optimized push (made while the literal gave arrays of that kind) met a
  // string at a later batch's first failure: deopt 'not a Smi' in the parse worker, 4 of 5 runs at 80 MB.
  const batch = parseChunk(Buffer.from('2025-11-26 08:00:02,000 - INFO -   ✅ Scraped 0022100001 (2021-10-19)\n'), compileGrammar(), 0, new LogClock('UTC'), true);
  const texts = toMessage(batch).keyed!.texts;
  expect(texts).toEqual([]);
  expect(hasObjectElements(texts)).toBe(true);
});
