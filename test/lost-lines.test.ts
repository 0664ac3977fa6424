import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { logHandlers } from '../src/app/log-events.js';
import { statusText } from '../src/app/status-text.js';
import { FileFollower } from '../src/follow/file-follower.js';
import { compileGrammar } from '../src/parser/index.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { clockTime } from '../src/state/confirm-situation.js';
import { lostNote } from '../src/state/rotation-note.js';
import { reduce } from '../src/state/reducer.js';
import { banner, logOf, T0 } from './support/log-text.js';
import { removeDir } from './support/remove-dir.js';

// Tester AD14: two copytruncates while the dashboard was suspended (Ctrl-Z), the second shifting and deleting the first
// copy (`rotate 1`): the lines written between its last read and the first cut are in no file. The end read `✓ 136 ✗ 64`
// (the summary) beside kinds summing 47 and `failing 47`, and nothing said lines were missing.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-lost-'));
afterAll(() => removeDir(root));

/** A `>` writer goes on at its own offset after a cut: the cut file is NULs up to there, then its new lines. */
function writeAt(log: string, offset: number, text: string) {
  const fd = fs.openSync(log, 'r+');
  fs.writeSync(fd, text, offset);
  fs.closeSync(fd);
}

function copyTruncate(log: string) {
  fs.copyFileSync(log, `${log}.1`);
  fs.truncateSync(log, 0);
}

test('lines lost between two reads are said, with when, and the failures read fall short of the summary\'s ✗ by them', async () => {
  const log = path.join(root, 'bf.log');
  const fail = (k: string) => ['WARNING', `  ❌ Failed ${k}: HTTP 500`];
  const scraped = (k: string) => ['INFO', `  ✅ Scraped ${k}`];
  const head = banner(1, 60, 6);
  fs.writeFileSync(log, logOf(T0, [...head, fail('2022-01-03')]));
  let state: AppState = initialState({ job: 'lost', log, now: T0, targets: [] });
  const ac = new AbortController();
  const follower = new FileFollower(log, logHandlers(compileGrammar(undefined, 'UTC'), (e) => (state = reduce(state, e))), ac.signal, { chunkSize: 64 * 1024, maxLineBytes: 4096 });
  await follower.check();
  const t = T0 + head.length * 1000;
  // Written after that read, then cut (its copy deleted by the next rotation): two failures in no file any more.
  fs.appendFileSync(log, logOf(t + 1000, [fail('2022-01-04'), fail('2022-01-05')]));
  const first = fs.statSync(log).size;
  copyTruncate(log);
  writeAt(log, first, logOf(t + 3000, [scraped('2022-01-06')]));
  const second = fs.statSync(log).size;
  fs.renameSync(`${log}.1`, `${log}.2`);
  copyTruncate(log);
  fs.rmSync(`${log}.2`);
  writeAt(log, second, logOf(t + 4000, [fail('2022-01-07'), scraped('2022-01-08'), ['INFO', 'BACKFILL COMPLETE'], ['INFO', 'Total dates: 6'], ['INFO', '✅ Processed: 2'], ['INFO', '⏭️  Skipped: 0'], ['INFO', '❌ Failed: 4']]));
  await follower.check();
  await follower.close();
  ac.abort();

  const run = state.log.current!;
  expect(run).toMatchObject({ complete: true, failed: 4, failures: { 'HTTP 500': 2 } });
  const note = `lines written between ${clockTime(t)} and ${clockTime(t + 3000)} while the dashboard was not reading are in no file found (a rotated copy deleted?): its failures read are 2 short of its summary's ✗ 4`;
  expect(lostNote(state)).toBe(note);
  const text = statusText({ ...state, now: t + 10_000 });
  expect(text).toContain('          HTTP 500 2 · 2 not read (lines lost)\n');
});

// h78's note: a daily `copytruncate` with `compress` and no `delaycompress` leaves the copy as bf.log.1.gz at once; the
// lines written between the dashboard's last read and the cut are in it, and the dashboard said they were in no file (a
// rotated copy deleted?).
test('lines whose copy was compressed at once are said to be in that compressed copy, which is not read', async () => {
  const { gzipSync } = await import('node:zlib');
  const dir = fs.mkdtempSync(path.join(root, 'gz-'));
  const log = path.join(dir, 'bf.log');
  const fail = (k: string) => ['WARNING', `  ❌ Failed ${k}: HTTP 500`];
  const head = banner(1, 60, 4);
  fs.writeFileSync(log, logOf(T0, [...head, fail('2022-01-03')]));
  // Yesterday's rotation, compressed: older than the last read, it holds nothing of this gap.
  fs.writeFileSync(`${log}.2.gz`, gzipSync('old'));
  fs.utimesSync(`${log}.2.gz`, new Date(Date.now() - 86_400_000), new Date(Date.now() - 86_400_000));
  let state: AppState = initialState({ job: 'gz', log, now: T0, targets: [] });
  const ac = new AbortController();
  const follower = new FileFollower(log, logHandlers(compileGrammar(undefined, 'UTC'), (e) => (state = reduce(state, e))), ac.signal, { chunkSize: 64 * 1024, maxLineBytes: 4096 });
  await follower.check();
  const t = T0 + head.length * 1000;
  fs.appendFileSync(log, logOf(t + 1000, [fail('2022-01-04')]));
  const cutAt = fs.statSync(log).size;
  // copytruncate, then compress at once: bf.log.1 becomes bf.log.1.gz before the dashboard looks again.
  copyTruncate(log);
  fs.writeFileSync(`${log}.1.gz`, gzipSync(fs.readFileSync(`${log}.1`)));
  fs.rmSync(`${log}.1`);
  writeAt(log, cutAt, logOf(t + 3000, [fail('2022-01-05'), ['INFO', 'BACKFILL COMPLETE'], ['INFO', 'Total dates: 4'], ['INFO', '✅ Processed: 1'], ['INFO', '⏭️  Skipped: 0'], ['INFO', '❌ Failed: 3']]));
  await follower.check();
  await follower.close();
  ac.abort();

  expect(state.log.current).toMatchObject({ complete: true, failed: 3, failures: { 'HTTP 500': 2 } });
  expect(lostNote(state)).toBe(`lines written between ${clockTime(t)} and ${clockTime(t + 3000)} while the dashboard was not reading are likely in bf.log.1.gz, compressed by the rotation, which the dashboard does not read: its failures read are 1 short of its summary's ✗ 3`);
  expect(statusText({ ...state, now: t + 10_000 })).toContain('          HTTP 500 2 · 1 not read (in bf.log.1.gz)\n');
});
