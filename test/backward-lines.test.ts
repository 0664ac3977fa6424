import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackwardLines } from '../src/follow/backward-lines.js';
import { mulberry32 } from '../src/sim/random.js';

const dir = mkdtempSync(join(tmpdir(), 'backward-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MARKERS = [Buffer.from('Backfill'), Buffer.from('Retry')];

/** The model: complete lines (ending in '\n') with their offsets, each cut at maxLineBytes. */
function modelLines(content: Buffer, maxLineBytes: number): { start: number; text: string }[] {
  const out: { start: number; text: string }[] = [];
  let start = 0;
  for (let nl = content.indexOf(10); nl >= 0; nl = content.indexOf(10, start)) {
    out.push({ start, text: content.subarray(start, Math.min(nl, start + maxLineBytes)).toString('latin1') });
    start = nl + 1;
  }
  return out;
}

let fileNo = 0;
async function withFile<T>(content: Buffer | string, use: (lines: (o: { blockSize: number; maxLineBytes: number }) => Promise<BackwardLines>) => Promise<T>): Promise<T> {
  const file = join(dir, `f${fileNo++}.log`);
  writeFileSync(file, content);
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    return await use((o) => BackwardLines.open(handle, size, o));
  } finally {
    await handle.close();
  }
}

async function drain(lines: BackwardLines, markers?: Buffer[]): Promise<{ start: number; text: string }[]> {
  const out: { start: number; text: string }[] = [];
  for (let l = await lines.prev(markers); l; l = await lines.prev(markers)) out.push({ start: l.start, text: l.bytes.toString('latin1') });
  return out;
}

describe('BackwardLines', () => {
  it('hands out complete lines newest first, leaving an unfinished last line alone', async () => {
    await withFile('one\ntwo\r\n\nthree\nunfinished', async (open) => {
      const got = await drain(await open({ blockSize: 4, maxLineBytes: 100 }));
      expect(got).toEqual([
        { start: 10, text: 'three' },
        { start: 9, text: '' },
        { start: 4, text: 'two\r' },
        { start: 0, text: 'one' },
      ]);
    });
  });

  it('cuts a long line at maxLineBytes from its start, like the forward splitter', async () => {
    const long = 'x'.repeat(50) + 'Backfill';
    await withFile(`a\n${long}\nb\n`, async (open) => {
      expect(await drain(await open({ blockSize: 7, maxLineBytes: 10 }))).toEqual([
        { start: 61, text: 'b' },
        { start: 2, text: 'x'.repeat(10) },
        { start: 0, text: 'a' },
      ]);
      // The marker lies past the cut, where the parser never looks: the line is skipped.
      expect(await drain(await open({ blockSize: 7, maxLineBytes: 10 }), MARKERS)).toEqual([]);
    });
  });

  it('finds a marker that straddles a block boundary', async () => {
    // Block size 5 puts a boundary inside "Backfill" in every alignment tried.
    for (let pad = 0; pad < 6; pad++) {
      const text = `${'-'.repeat(pad)}Title Backfill\nplain line\nmore\n`;
      await withFile(text, async (open) => {
        expect(await drain(await open({ blockSize: 5, maxLineBytes: 1000 }), MARKERS)).toEqual([{ start: 0, text: `${'-'.repeat(pad)}Title Backfill` }]);
      });
    }
  });

  it('an empty file or one without a newline has no lines', async () => {
    await withFile('', async (open) => expect(await drain(await open({ blockSize: 4, maxLineBytes: 10 }))).toEqual([]));
    await withFile('no newline Backfill', async (open) => expect(await drain(await open({ blockSize: 4, maxLineBytes: 100 }), MARKERS)).toEqual([]));
  });

  it('matches the model on random content, block sizes and mixed plain/marker steps', async () => {
    const pieces = ['\n', '\n', 'Backfill', 'Retry', 'Back', 'fill', 'Ret', 'ry', 'abc', 'x', '\r\n', '   ', 'é'];
    for (let seed = 1; seed <= 150; seed++) {
      const rand = mulberry32(seed);
      const parts: string[] = [];
      const n = Math.floor(rand() * 60);
      for (let i = 0; i < n; i++) parts.push(pieces[Math.floor(rand() * pieces.length)]);
      const content = Buffer.from(parts.join(''));
      const blockSize = 1 + Math.floor(rand() * 24);
      const maxLineBytes = 1 + Math.floor(rand() * 30);
      const model = modelLines(content, maxLineBytes);
      await withFile(content, async (open) => {
        const lines = await open({ blockSize, maxLineBytes });
        let i = model.length; // next model line to hand out is i - 1
        for (;;) {
          const useMarkers = rand() < 0.6;
          const got = await lines.prev(useMarkers ? MARKERS : undefined);
          let want: { start: number; text: string } | null = null;
          for (let j = i - 1; j >= 0; j--) {
            if (!useMarkers || MARKERS.some((m) => Buffer.from(model[j].text, 'latin1').includes(m))) {
              want = model[j];
              i = j;
              break;
            }
          }
          if (!want) i = 0;
          const ctx = `seed ${seed}, block ${blockSize}, cap ${maxLineBytes}, ${JSON.stringify(content.toString('latin1'))}`;
          expect(got ? { start: got.start, text: got.bytes.toString('latin1') } : null, ctx).toEqual(want);
          if (!got) break;
        }
      });
    }
  });

  it('stops at a floor and goes on from there as if it had not stopped (history-start.ts looks back in two steps)', async () => {
    const pieces = ['\n', '\n', 'Backfill', 'Retry', 'Back', 'fill', 'abc', 'x', '\r\n', 'é'];
    for (let seed = 1; seed <= 150; seed++) {
      const rand = mulberry32(seed);
      const content = Buffer.from(Array.from({ length: Math.floor(rand() * 80) }, () => pieces[Math.floor(rand() * pieces.length)]).join(''));
      const blockSize = 1 + Math.floor(rand() * 24);
      const maxLineBytes = 1 + Math.floor(rand() * 30);
      const markers = rand() < 0.5 ? MARKERS : undefined;
      const floors = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => Math.floor(rand() * content.length)).sort((a, b) => b - a);
      await withFile(content, async (open) => {
        const want = await drain(await open({ blockSize, maxLineBytes }), markers);
        const lines = await open({ blockSize, maxLineBytes });
        const got: { start: number; text: string }[] = [];
        const ctx = `seed ${seed}, block ${blockSize}, cap ${maxLineBytes}, floors ${floors}`;
        for (const floor of [...floors, 0]) {
          for (let l = await lines.prev(markers, floor); l; l = await lines.prev(markers, floor)) got.push({ start: l.start, text: l.bytes.toString('latin1') });
          // Every line that ends above the floor was handed out or skipped.
          expect(lines.position, ctx).toBeLessThanOrEqual(floor);
        }
        expect(got, ctx).toEqual(want);
        // The same again with the look parked at each floor (history-start.ts parks a look that may not go on): it
        // holds no block while parked, reads the one it needs again, and hands out the same lines.
        const parked = await open({ blockSize, maxLineBytes });
        const again: { start: number; text: string }[] = [];
        for (const floor of [...floors, 0]) {
          for (let l = await parked.prev(markers, floor); l; l = await parked.prev(markers, floor)) again.push({ start: l.start, text: l.bytes.toString('latin1') });
          parked.park();
          expect(parked.heldBytes, ctx).toBe(0);
        }
        expect(again, ctx).toEqual(want);
      });
    }
  });
});
