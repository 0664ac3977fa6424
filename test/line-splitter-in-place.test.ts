import { expect, test } from 'vitest';
import { LineSplitter } from '../src/follow/line-splitter.js';
import { mulberry32 } from '../src/sim/random.js';

// The parse worker reads into a buffer with room in front and takes its lines in place (LineSplitter.pushInPlace)
// instead of as a copy (push): for any stream cut anywhere, the two give the same lines and the same overlong
// counts, in the same order. The streams hold what makes the splitter cut or copy: lines longer than the cap (in
// one read, across reads, ending inside a read), runs of NULs at a line's start (short, and longer than the cap),
// \r, bytes that are not UTF-8, empty lines, reads with no newline at all.
function stream(seed: number, max: number): Buffer {
  const rnd = mulberry32(seed);
  const parts: Buffer[] = [];
  for (let i = 0; i < 400; i++) {
    const r = rnd();
    const len = r < 0.05 ? max + Math.floor(rnd() * 3 * max) : r < 0.1 ? Math.floor(rnd() * max) : Math.floor(rnd() * 90);
    const line = Buffer.alloc(len);
    for (let j = 0; j < len; j++) line[j] = 32 + Math.floor(rnd() * 95);
    const kind = rnd();
    if (kind < 0.06) line.fill(0, 0, Math.min(len, Math.floor(rnd() * 2 * max)));
    else if (kind < 0.1 && len > 2) line[len - 1] = 13;
    else if (kind < 0.14 && len > 3) line.set([0xe2, 0x9c], 1);
    parts.push(line, Buffer.from(kind > 0.97 ? '' : '\n'));
  }
  return Buffer.concat(parts);
}

function readBoth(text: Buffer, max: number, seed: number): { copied: string[]; inPlace: string[] } {
  const rnd = mulberry32(seed);
  const copied: string[] = [];
  const inPlace: string[] = [];
  const a = new LineSplitter(max, (n) => copied.push(`overlong ${n}`), true);
  const b = new LineSplitter(max, (n) => inPlace.push(`overlong ${n}`), true);
  const room = b.headRoom;
  const buf = Buffer.alloc(room + 8 * max);
  for (let pos = 0; pos < text.length; ) {
    const n = Math.min(text.length - pos, 1 + Math.floor(rnd() * (rnd() < 0.5 ? 40 : 4 * max)));
    const data = text.subarray(pos, pos + n);
    pos += n;
    const x = a.push(data);
    if (x) copied.push(x.toString('latin1'));
    // Whatever was in front of the read is the caller's: junk there must never show.
    buf.fill(0x5a, 0, room);
    data.copy(buf, room);
    const y = b.pushInPlace(buf, room, room + n);
    if (y) inPlace.push(y.toString('latin1'));
  }
  return { copied, inPlace };
}

test('lines taken in place are the lines push copies, for streams cut anywhere', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const max = seed % 2 ? 64 : 1000;
    const { copied, inPlace } = readBoth(stream(seed, max), max, seed * 31);
    expect(inPlace.length, `seed ${seed}`).toBeGreaterThan(0);
    expect(inPlace, `seed ${seed}`).toEqual(copied);
  }
});
