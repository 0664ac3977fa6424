import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { removeDir } from './support/remove-dir.js';

// bench/floor.cjs is the scale bench's floor (the least a Node program pays for a log: its start, the read, each byte
// looked at once). Its newline count is checked against the lines the bench wrote, so it must be exact for any bytes:
// counted four bytes at a time, a byte next to a newline (0x0B, 0x8A, 0x09, 0x0A0A…) must not count, nor be missed.
const FLOOR = fileURLToPath(new URL('../bench/floor.cjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
afterAll(() => removeDir(dir));

function floorCount(bytes: Uint8Array): number {
  const file = join(dir, `f-${bytes.length}.bin`);
  writeFileSync(file, bytes);
  return Number(execFileSync(process.execPath, [FLOOR, file], { encoding: 'utf8' }).trim());
}

test('counts every newline of any bytes, across 1 MiB reads and a tail shorter than a word', () => {
  let seed = 7;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  // Bytes near 0x0A in every lane, runs of newlines, and lengths around the read size and off a word's edge.
  const near = [0x0a, 0x0b, 0x09, 0x8a, 0x0a, 0x2a, 0xff, 0x00, 0x7f, 0x80];
  for (const length of [0, 1, 3, 5, 4099, (1 << 20) - 1, (1 << 20) + 3, 3 * (1 << 20) + 2]) {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = random() % 4 === 0 ? 0x0a : near[random() % near.length];
    let want = 0;
    for (const b of bytes) if (b === 10) want++;
    expect(floorCount(bytes), `${length} bytes`).toBe(want);
  }
  // All newlines, and none (every byte one bit away from it).
  expect(floorCount(new Uint8Array(4101).fill(0x0a))).toBe(4101);
  expect(floorCount(new Uint8Array(4101).fill(0x8a))).toBe(0);
  expect(floorCount(new Uint8Array(4101).fill(0x0b))).toBe(0);
});
