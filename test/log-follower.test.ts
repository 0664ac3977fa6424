import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { followLog, type FollowOptions } from '../src/log-follower.js';
import { LineSplitter } from '../src/follow/line-splitter.js';
import { serialRunner } from '../src/follow/serial-runner.js';

// Counting the follower's stats of the path lets a test wait for "several checks ran" instead of sleeping.
const statCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const stat = ((...args: Parameters<typeof real.stat>) => {
    statCalls.count++;
    return real.stat(...args);
  }) as typeof real.stat;
  return { ...real, default: { ...real, stat }, stat };
});

/** Polls `cond` every 10 ms; fails with `what` after the deadline. */
async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Everything a follower reported, in order, as text a test can compare. */
function recorder() {
  const log: string[] = [];
  const chunks: Buffer[] = [];
  const progress: { bytesRead: number; size: number; historyDone: boolean }[] = [];
  const overlong: number[] = [];
  let waiting = 0;
  let badChunks = 0;
  let watching = false;
  return {
    log,
    chunks,
    progress,
    overlong,
    get waiting() { return waiting; },
    get badChunks() { return badChunks; },
    /** The follower's directory watch is ready (changes from now on are seen without the poll). */
    get watching() { return watching; },
    /** All delivered text since the last reset. */
    textSinceReset(): string {
      let i = log.length - 1;
      while (i >= 0 && !log[i].startsWith('reset:')) i--;
      return log.slice(i + 1).filter((e) => e !== 'waiting').join('');
    },
    allText: () => log.filter((e) => !e.startsWith('reset:') && e !== 'waiting').join(''),
    handlers: {
      onChunk(chunk: Buffer) {
        if (chunk.length === 0 || chunk[chunk.length - 1] !== 0x0a) badChunks++;
        chunks.push(chunk);
        log.push(chunk.toString('utf8'));
      },
      onReset(reason: 'truncated' | 'replaced') { log.push(`reset:${reason}`); },
      onWaiting() { waiting++; log.push('waiting'); },
      onProgress(p: { bytesRead: number; size: number; historyDone: boolean }) { progress.push(p); },
      onOverlong(n: number) { overlong.push(n); },
      onWatching() { watching = true; },
    },
  };
}

let dir: string;
let file: string;
const running: { ac: AbortController; done: Promise<void> }[] = [];

function follow(target: string, opts: Partial<FollowOptions> = {}) {
  const rec = recorder();
  const ac = new AbortController();
  const done = followLog(target, rec.handlers, { pollMs: 50, ...opts, signal: ac.signal });
  running.push({ ac, done });
  return { rec, ac, done };
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'log-follower-'));
  file = path.join(dir, 'backfill.log');
});

afterEach(async () => {
  const all = running.splice(0);
  for (const r of all) r.ac.abort();
  await Promise.all(all.map((r) => r.done));
  await rm(dir, { recursive: true, force: true });
});

describe('followLog', () => {
  test('reads the history as one run of lines, then follows appends', async () => {
    fs.writeFileSync(file, 'one\ntwo\nthree\n');
    const { rec } = follow(file);
    await waitFor(() => rec.allText() === 'one\ntwo\nthree\n', 'history');
    // The parser splits lines; the follower hands over the whole run at once.
    expect(rec.chunks).toHaveLength(1);
    fs.appendFileSync(file, 'four\n');
    await waitFor(() => rec.allText().endsWith('four\n'), 'append');
    fs.appendFileSync(file, 'five\nsix\n');
    await waitFor(() => rec.allText() === 'one\ntwo\nthree\nfour\nfive\nsix\n', 'second append');
    expect(rec.log.filter((e) => e.startsWith('reset:') || e === 'waiting')).toEqual([]);
    expect(rec.badChunks).toBe(0);
  });

  test('historyStart: the history is read from the offset it picks, for the size at open; a failing pick reads it all', async () => {
    fs.writeFileSync(file, 'old\nolder runs\nkept\n');
    const asked: number[] = [];
    const { rec } = follow(file, {
      historyStart: async ({ size }) => {
        asked.push(size);
        return 'old\nolder runs\n'.length;
      },
    });
    await waitFor(() => rec.progress.at(-1)?.historyDone === true, 'history');
    expect(rec.allText()).toBe('kept\n');
    expect(asked).toEqual([fs.statSync(file).size]);
    expect(rec.progress[0].bytesRead).toBeGreaterThan('old\nolder runs\n'.length);
    fs.appendFileSync(file, 'new\n');
    await waitFor(() => rec.allText() === 'kept\nnew\n', 'the append');
    // The pick runs again for a replaced file; one past its end is ignored and the file read whole.
    fs.rmSync(file);
    fs.writeFileSync(file, 'fresh\nfile\n');
    await waitFor(() => rec.textSinceReset() === 'fresh\nfile\n', 'the replaced file, whole');
    expect(asked).toHaveLength(2);
    expect(rec.log.filter((e) => e.startsWith('reset:'))).toEqual(['reset:replaced']);
    // A pick that fails (the file shrank under it) reads it all too.
    const second = follow(file, { historyStart: async () => Promise.reject(new Error('shrank')) });
    await waitFor(() => second.rec.progress.at(-1)?.historyDone === true, 'second history');
    expect(second.rec.allText()).toBe('fresh\nfile\n');
  });

  test('prepareBulk: asked before the history start is looked for, released once after readBulk was offered or not', async () => {
    fs.writeFileSync(file, 'old\nolder runs\nkept\n');
    const first = fs.statSync(file).size;
    const calls: string[] = [];
    // The stretch a one-run log's history is (the file from where it was opened), on the fd readBulk is offered.
    const fds: number[] = [];
    const start = (pick: number) => async ({ size }: { size: number }) => {
      calls.push(`historyStart ${size}`);
      // The replaced file below is read whole.
      return size === first ? pick : 0;
    };
    const bulk = (name: string) => ({
      prepareBulk(bytes: number, ahead: { fd: number; from: number; to: number }) {
        calls.push(`${name} prepare ${bytes} ahead ${ahead.from}-${ahead.to}`);
        fds.push(ahead.fd);
        return () => calls.push(`${name} release`);
      },
      async readBulk(range: { fd: number; from: number; to: number }) {
        calls.push(`${name} readBulk ${range.from}-${range.to}`);
        fds.push(range.fd);
        return range.from;
      },
    });
    const size = fs.statSync(file).size;
    const rec = recorder();
    const ac = new AbortController();
    const done = followLog(file, { ...rec.handlers, ...bulk('a') }, { pollMs: 50, signal: ac.signal, historyStart: start(4) });
    running.push({ ac, done });
    await waitFor(() => rec.progress.at(-1)?.historyDone === true, 'history');
    expect(rec.allText()).toBe('older runs\nkept\n');
    expect(calls).toEqual([`a prepare ${size} ahead 0-${size}`, `historyStart ${size}`, `a readBulk 4-${size}`, 'a release']);
    expect(fds[0]).toBe(fds[1]);
    // A history start at the end leaves nothing to offer: released all the same.
    calls.length = 0;
    const rec2 = recorder();
    const ac2 = new AbortController();
    const done2 = followLog(file, { ...rec2.handlers, ...bulk('b') }, { pollMs: 50, signal: ac2.signal, historyStart: start(size) });
    running.push({ ac: ac2, done: done2 });
    await waitFor(() => rec2.progress.at(-1)?.historyDone === true, 'second history');
    expect(calls).toEqual([`b prepare ${size} ahead 0-${size}`, `historyStart ${size}`, 'b release']);
    // Once the history is read, a replaced file is not a history: nothing to prepare.
    calls.length = 0;
    fs.rmSync(file);
    fs.writeFileSync(file, 'new\n');
    await waitFor(() => rec.textSinceReset() === 'new\n', 'the replaced file');
    expect(calls.filter((c) => c.startsWith('a '))).toEqual([]);
  });

  test('waits for a file created later, reporting waiting once', async () => {
    const { rec } = follow(file, { pollMs: 10 });
    await waitFor(() => rec.waiting === 1, 'onWaiting');
    const seen = statCalls.count;
    await waitFor(() => statCalls.count >= seen + 3, 'more checks of the missing file');
    fs.writeFileSync(file, 'late\n');
    await waitFor(() => rec.allText() === 'late\n', 'late file content');
    expect(rec.waiting).toBe(1);
    expect(rec.log).toEqual(['waiting', 'late\n']);
  });

  test('the directory watch, not the poll, notices creation, appends and deletion', async () => {
    // A poll this slow never fires within the test: every step below must come from chokidar.
    const { rec } = follow(file, { pollMs: 60_000 });
    await waitFor(() => rec.waiting === 1, 'onWaiting');
    // The signal that the watch is set up: a file made before it is ready would only be seen by the poll.
    await waitFor(() => rec.watching, 'the directory watch ready');
    fs.writeFileSync(path.join(dir, 'other.log'), 'not ours\n');
    fs.writeFileSync(file, 'created\n');
    await waitFor(() => rec.allText() === 'created\n', 'creation seen');
    fs.appendFileSync(file, 'appended\n');
    await waitFor(() => rec.allText() === 'created\nappended\n', 'append seen');
    fs.unlinkSync(file);
    await waitFor(() => rec.waiting === 2, 'deletion seen');
  });

  test('a shrunk file resets and is read from its start', async () => {
    // The held partial line belongs to the old content and must not prefix the new.
    fs.writeFileSync(file, 'a1\na2\na3\npartial');
    const { rec } = follow(file);
    await waitFor(() => rec.progress.at(-1)?.historyDone === true, 'history');
    fs.writeFileSync(file, 'b\n');
    await waitFor(() => rec.log.includes('reset:truncated') && rec.textSinceReset() !== '', 'reset and new content');
    expect(rec.log).toEqual(['a1\na2\na3\n', 'reset:truncated', 'b\n']);
  });

  test('a same-size rewrite in place is seen by its first bytes', async () => {
    fs.writeFileSync(file, 'aaaa\n');
    const { rec } = follow(file);
    await waitFor(() => rec.allText() === 'aaaa\n', 'history');
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, 'bbbb\n', 0);
    fs.closeSync(fd);
    await waitFor(() => rec.log.includes('reset:truncated') && rec.textSinceReset() === 'bbbb\n', 'rewrite');
    expect(rec.log).toEqual(['aaaa\n', 'reset:truncated', 'bbbb\n']);
  });

  test('rename rotation drains the old file, then reads the new one', async () => {
    fs.writeFileSync(file, 'old1\n');
    const { rec } = follow(file);
    await waitFor(() => rec.allText() === 'old1\n', 'history');
    // Synchronously, as a rotating writer would: last words to the old file after the move.
    fs.renameSync(file, `${file}.1`);
    fs.appendFileSync(`${file}.1`, 'old2\n');
    fs.writeFileSync(file, 'new1\n');
    await waitFor(() => rec.textSinceReset() === 'new1\n', 'new file');
    // Moved beside the log under a rotated name: the new file goes on from it (tester AC19).
    expect(rec.log).toEqual(['old1\n', 'old2\n', 'reset:rotated', 'new1\n']);
    fs.appendFileSync(file, 'new2\n');
    await waitFor(() => rec.textSinceReset() === 'new1\nnew2\n', 'append to new file');
  });

  test('delete reports waiting; recreate resets and reads the new file', async () => {
    fs.writeFileSync(file, 'first\n');
    const { rec } = follow(file);
    await waitFor(() => rec.allText() === 'first\n', 'history');
    fs.unlinkSync(file);
    await waitFor(() => rec.waiting === 1, 'onWaiting after delete');
    const seen = statCalls.count;
    await waitFor(() => statCalls.count >= seen + 3, 'more checks of the missing file');
    fs.writeFileSync(file, 'second\n');
    await waitFor(() => rec.textSinceReset() === 'second\n', 'recreated file');
    expect(rec.log).toEqual(['first\n', 'waiting', 'reset:replaced', 'second\n']);
  });

  test('a partial last line is held until its newline arrives', async () => {
    fs.writeFileSync(file, 'done\npart');
    const { rec } = follow(file);
    await waitFor(() => rec.progress.at(-1)?.historyDone === true, 'history read');
    expect(rec.log).toEqual(['done\n']);
    fs.appendFileSync(file, 'ial');
    await waitFor(() => rec.progress.at(-1)?.bytesRead === 12, 'partial append read');
    expect(rec.log).toEqual(['done\n']);
    fs.appendFileSync(file, '\n');
    await waitFor(() => rec.log.length === 2, 'completed line');
    expect(rec.log).toEqual(['done\n', 'partial\n']);
  });

  test('an emoji split mid-codepoint across two writes arrives whole', async () => {
    const emoji = Buffer.from('😀'); // f0 9f 98 80
    fs.writeFileSync(file, Buffer.concat([Buffer.from('a\nScraped '), emoji.subarray(0, 2)]));
    const { rec } = follow(file);
    await waitFor(() => rec.progress.at(-1)?.historyDone === true, 'history read');
    expect(rec.log).toEqual(['a\n']);
    fs.appendFileSync(file, Buffer.concat([emoji.subarray(2), Buffer.from('\n')]));
    await waitFor(() => rec.log.length === 2, 'line with emoji');
    expect(rec.log[1]).toBe('Scraped 😀\n');
    expect(rec.log.join('')).not.toContain('\uFFFD');
  });

  test('a 10 MB line is cut to maxLineBytes and the rest counted', async () => {
    const huge = 10 * 1024 * 1024;
    fs.writeFileSync(file, `start\n${'x'.repeat(huge)}\nend\n`);
    const { rec } = follow(file);
    await waitFor(() => rec.allText().endsWith('end\n'), 'line after the huge one');
    const lines = rec.allText().split('\n');
    expect(lines.map((l) => l.length)).toEqual([5, 64 * 1024, 3, 0]);
    expect(rec.overlong).toEqual([huge - 64 * 1024]);
    expect(rec.chunks.every((c) => c.length <= 64 * 1024 + 16)).toBe(true);
  });

  test('overlong lines inside one read are cut without disturbing their neighbours', async () => {
    fs.writeFileSync(file, `short\n${'y'.repeat(40)}\nok\n${'z'.repeat(16)}\n`);
    const { rec } = follow(file, { maxLineBytes: 16 });
    await waitFor(() => rec.progress.at(-1)?.historyDone === true, 'history read');
    expect(rec.allText()).toBe(`short\n${'y'.repeat(16)}\nok\n${'z'.repeat(16)}\n`);
    expect(rec.overlong).toEqual([24]);
  });

  test('CRLF and invalid UTF-8 bytes pass through unchanged', async () => {
    const bytes = Buffer.from([0x61, 0x0d, 0x0a, 0xff, 0xfe, 0x62, 0x0d, 0x0a]);
    fs.writeFileSync(file, bytes);
    const { rec } = follow(file);
    await waitFor(() => rec.chunks.length > 0, 'chunk');
    expect(Buffer.concat(rec.chunks).equals(bytes)).toBe(true);
  });

  test('progress reaches historyDone with bytesRead == size on a multi-MB file', async () => {
    const line = '2025-11-26 23:17:12,345 - INFO -   ✅ Scraped 2021-10-31\n';
    const content = Buffer.from(line.repeat(Math.ceil((5 * 1024 * 1024) / line.length)));
    fs.writeFileSync(file, content);
    const { rec } = follow(file, { chunkSize: 256 * 1024 });
    await waitFor(() => rec.progress.at(-1)?.historyDone === true, 'historyDone');
    const last = rec.progress.at(-1)!;
    expect(last).toEqual({ bytesRead: content.length, size: content.length, historyDone: true });
    // Streamed in many reads, progress only ever moving forward.
    expect(rec.progress.length).toBeGreaterThan(10);
    expect(rec.progress.slice(0, -1).every((p) => !p.historyDone)).toBe(true);
    expect(rec.progress.every((p, i) => i === 0 || p.bytesRead > rec.progress[i - 1].bytesRead)).toBe(true);
    // Chunks are the caller's to keep: later reads must not overwrite earlier ones.
    expect(Buffer.concat(rec.chunks).equals(content)).toBe(true);
    expect(rec.badChunks).toBe(0);
  });

  test('abort resolves and leaves no watcher, timer, fd or further chunks', async () => {
    const fdCount = () => fs.readdirSync('/proc/self/fd').length;
    const resources = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    // Warm up once: libuv keeps one inotify fd per process after the first watch.
    const warm = follow(file);
    await waitFor(() => warm.rec.waiting === 1, 'warm-up follower');
    warm.ac.abort();
    await warm.done;
    await waitFor(() => resources('FSEventWrap') === 0, 'warm-up watch closed');
    const fds = fdCount();
    const timers = resources('Timeout');

    fs.writeFileSync(file, 'before\n');
    const { rec, ac, done } = follow(file);
    await waitFor(() => rec.allText() === 'before\n', 'history');
    ac.abort();
    await done;
    expect(fdCount()).toBe(fds);
    await waitFor(() => resources('FSEventWrap') === 0 && resources('Timeout') <= timers, 'watch and timers released');

    fs.appendFileSync(file, 'after\n');
    // A second follower seeing the line shows the append was observable; the first stays silent.
    const witness = follow(file);
    await waitFor(() => witness.rec.allText() === 'before\nafter\n', 'witness');
    expect(rec.log).toEqual(['before\n']);
  });

  test('abort in the middle of a long history stops reading promptly', async () => {
    fs.writeFileSync(file, 'line of history\n'.repeat(1 << 20));
    const ac = new AbortController();
    const rec = recorder();
    let callsAfterAbort = 0;
    const guard = <A extends unknown[]>(fn: (...a: A) => void) => (...a: A) => {
      if (ac.signal.aborted) callsAfterAbort++;
      fn(...a);
    };
    const h = rec.handlers;
    const handlers = {
      onChunk: guard((c: Buffer) => {
        h.onChunk(c);
        // A timer lands while the next read is most likely in flight: its result must not be delivered.
        if (rec.chunks.length === 3) setTimeout(() => ac.abort(), 0);
      }),
      onReset: guard(h.onReset), onWaiting: guard(h.onWaiting), onProgress: guard(h.onProgress), onOverlong: guard(h.onOverlong),
    };
    await followLog(file, handlers, { signal: ac.signal, pollMs: 50, chunkSize: 64 * 1024 });
    expect(ac.signal.aborted).toBe(true);
    expect(callsAfterAbort).toBe(0);
    expect(rec.progress.every((p) => !p.historyDone)).toBe(true);
  });
});

describe('LineSplitter', () => {
  test('a line of hundreds of MB keeps memory bounded', () => {
    const dropped: number[] = [];
    const splitter = new LineSplitter(64 * 1024, (n) => dropped.push(n));
    const block = Buffer.alloc(1 << 20, 0x78);
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 200; i++) expect(splitter.push(block)).toBeNull();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 << 20);
    const out = splitter.push(Buffer.from('\nnext\n'));
    expect(out?.length).toBe(64 * 1024 + 1 + 5);
    expect(dropped).toEqual([200 * (1 << 20) - 64 * 1024]);
  });
});

describe('LineSplitter lending its buffer', () => {
  // A reader that parses each chunk at once borrows one reused buffer instead of a fresh copy per chunk.
  test('lent chunks hold the same lines as copied ones, whatever the cut of the reads (overlong lines, NUL runs, no newline)', () => {
    const text = Buffer.from(
      ['short', 'x'.repeat(300), '', '\0\0\0\0after nuls', 'é ünïcode ✅', 'y'.repeat(90), 'tail without newline'].join('\n'),
    );
    for (const step of [1, 7, 64, 100, 1000]) {
      const copied: string[] = [];
      const lent: string[] = [];
      const droppedCopied: number[] = [];
      const droppedLent: number[] = [];
      const a = new LineSplitter(128, (n) => droppedCopied.push(n));
      const b = new LineSplitter(128, (n) => droppedLent.push(n), true);
      for (let at = 0; at < text.length; at += step) {
        const part = text.subarray(at, at + step);
        const x = a.push(part);
        const y = b.push(part);
        if (x) copied.push(x.toString('latin1'));
        // Read during the call: the next push may overwrite it.
        if (y) lent.push(y.toString('latin1'));
      }
      expect(lent).toEqual(copied);
      expect(droppedLent).toEqual(droppedCopied);
      expect(copied.join('')).toContain('after nuls');
    }
  });

  test('a lent chunk is a view into one buffer, overwritten by the next push; a copied one is kept', () => {
    const lending = new LineSplitter(128, () => {}, true);
    const lent = lending.push(Buffer.from('one\ntwo\n'))!;
    expect(lending.push(Buffer.from('six\n'))!.toString()).toBe('six\n');
    expect(lent.toString()).toBe('six\ntwo\n');
    const copying = new LineSplitter(128);
    const kept = copying.push(Buffer.from('one\ntwo\n'))!;
    copying.push(Buffer.from('six\n'));
    expect(kept.toString()).toBe('one\ntwo\n');
  });
});

describe('serialRunner', () => {
  test('never runs twice at once; asks during a run fold into one more run', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release!: () => void;
    const runner = serialRunner(async () => {
      runs++;
      active++;
      maxActive = Math.max(maxActive, active);
      if (runs === 1) await new Promise<void>((r) => { release = r; });
      active--;
    }, () => {});
    runner.trigger();
    for (let i = 0; i < 5; i++) runner.trigger();
    release();
    await waitFor(() => runs === 2 && active === 0, 'second run');
    await runner.idle();
    expect({ runs, maxActive }).toEqual({ runs: 2, maxActive: 1 });
  });
});
