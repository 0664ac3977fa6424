import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { readUserText, readUserTextSync, UserFileError } from '../src/user-file.js';

// The read loop both readers share (duplicates D2): one read for the size the stat gave, more while the file grows,
// up to the bound. A /proc file is a regular file whose stat says 0 bytes while it reads as more: the loop's
// "grows under us" path, at once, with no writer racing the test.
const FILE = '/proc/self/maps';
const hasProc = (() => {
  try {
    return readFileSync(FILE, 'utf8').length > 100;
  } catch {
    return false;
  }
})();

test.skipIf(!hasProc)('a file that reads past its stat is read whole, by both readers; past the bound it is refused as grown', async () => {
  const r = { label: 'test file', maxBytes: 4_000_000 };
  // The text's shape, not its bytes: a process's map changes as it runs (the async reader allocates).
  const sync = readUserTextSync(FILE, r).text;
  const async = (await readUserText(FILE, r)).text;
  for (const text of [sync, async]) {
    expect(text.length).toBeGreaterThan(100);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').filter(Boolean).every((l) => /^[0-9a-f]+-[0-9a-f]+ /.test(l))).toBe(true);
  }
  const small = { label: 'test file', maxBytes: 50 };
  const grew = (e: unknown) => e instanceof UserFileError && e.problem === 'too-big' && / grew past the 50 B such a file may be: not read$/.test(e.message);
  expect(grew((() => { try { readUserTextSync(FILE, small); } catch (e) { return e; } })())).toBe(true);
  expect(grew(await readUserText(FILE, small).catch((e: unknown) => e))).toBe(true);
});
