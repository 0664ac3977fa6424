import type { LogLine } from '../log-line.js';

/*
 * A Progress line inside the run of usual lines (hot-run.ts): `📊 Progress: 50/244 (20.5%) | ✅ 8 | ⏭️ 0 | ❌ 42 |
 * ETA: 47min` under an INFO prefix, one line in fifty of a long run. The run used to stop before it and leave it to
 * hotLine and the general path (fast-path.ts `progress`: ~2,300 instructions a line in the parse worker), which made
 * that path's functions hot in the worker for these lines alone, and V8 optimised them there on the cores the read
 * runs on. Read here to the very LogLine the general path gives; any other shape (another spacing, a percentage
 * form, too many digits) is left to it (test/hot-run.test.ts holds the two equal).
 */

/** `- 📊 P` and `rogress:` as little-endian doubles, the bytes after " - INFO " (as hot-run.ts reads its words). */
export const PROGRESS_A = bytesDouble([0x2d, 0x20, 0xf0, 0x9f, 0x93, 0x8a, 0x20, 0x50]);
export const PROGRESS_B = bytesDouble([0x72, 0x6f, 0x67, 0x72, 0x65, 0x73, 0x73, 0x3a]);

function bytesDouble(bytes: number[]): number {
  return Buffer.from(bytes).readDoubleLE(0);
}

/** ChunkBytes.readInt's bound: more digits than this are not exact, and the general path declines them. */
const MAX_DIGITS = 15;

/**
 * Reads `DONE/TOTAL …` from q (just after `Progress: `) to the line's '\n', pushing the Progress LogLine of time `at`
 * to `out`; returns where the next line starts, or -1 (nothing pushed) when the general path is to read the line.
 */
export function hotProgress(b: Uint8Array, q: number, len: number, at: number, out: LogLine[]): number {
  let p = q;
  let done = 0;
  for (let d = b[p] - 48; p < len && d >= 0 && d <= 9; d = b[++p] - 48) done = done * 10 + d;
  if (p === q || p - q > MAX_DIGITS || b[p] !== 47) return -1;
  const t = ++p;
  let total = 0;
  for (let d = b[p] - 48; p < len && d >= 0 && d <= 9; d = b[++p] - 48) total = total * 10 + d;
  if (p === t || p - t > MAX_DIGITS) return -1;
  // The counts as fast-path.ts countsAfter takes them: the number after the first ✅, ⏭ and ❌ that has one (an
  // emoji's variation selector and spaces between); to the line's end, which a count never reaches past.
  let succeeded = -1;
  let skipped = -1;
  let failed = -1;
  for (; p < len; p++) {
    const x = b[p];
    if (x === 10) break;
    if (x !== 0xe2) continue;
    const c1 = b[p + 1];
    const c2 = b[p + 2];
    const which = c1 === 0x9c && c2 === 0x85 ? 0 : c1 === 0x8f && c2 === 0xad ? 1 : c1 === 0x9d && c2 === 0x8c ? 2 : -1;
    if (which < 0 || (which === 0 ? succeeded : which === 1 ? skipped : failed) >= 0) continue;
    let s = p + 3;
    if (b[s] === 0xef && b[s + 1] === 0xb8 && b[s + 2] === 0x8f) s += 3;
    while (b[s] === 32) s++;
    const from = s;
    let n = 0;
    for (let d = b[s] - 48; s < len && d >= 0 && d <= 9; d = b[++s] - 48) n = n * 10 + d;
    if (s === from || s - from > MAX_DIGITS) continue;
    if (which === 0) succeeded = n;
    else if (which === 1) skipped = n;
    else failed = n;
  }
  if (p >= len) return -1;
  out.push({ kind: 'progress', at, done, total, succeeded: orNull(succeeded), skipped: orNull(skipped), failed: orNull(failed) });
  return p + 1;
}

function orNull(n: number): number | null {
  return n < 0 ? null : n;
}
