import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { startLiveSources } from '../src/app/live-sources.js';
import { collectSnapshot } from '../src/app/snapshot.js';
import { statusJson } from '../src/app/status-json.js';
import { loadConfig } from '../src/config.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import type { WritersScan } from '../src/runner/log-writers.js';
import { initialState } from '../src/state/app-state.js';
import { currentFigures } from '../src/state/current-figures.js';
import { reduce } from '../src/state/reducer.js';
import { removeDir } from './support/remove-dir.js';
import { simulate } from './support/simulate.js';

// h66's leftover: a run written in New York across its spring-forward night, read on a UTC machine (vitest pins
// TZ=UTC) with no `timezone`, rotated by moving (`mv bf.log bf.log.1`, the writer reopening bf.log) after the skip.
// The zone is guessed from bf.log (written now: UTC-04:00, after the skip); bf.log.1, read first as the run's
// earlier part, holds the skip, and was read in that zone too: its lines before the skip, written in UTC-05:00, an
// hour early, and the run's start with them (elapsed an hour long).
const dir = mkdtempSync(join(tmpdir(), 'rotated-skip-'));
afterAll(() => removeDir(dir));
const SEC = 1000;
const HOUR = 3_600_000;
const oneWriter: WritersScan = { external: async () => [424242], asks: 0, walks: 0, waiting: false };
const noWriter: WritersScan = { external: async () => [], asks: 0, walks: 0, waiting: false };
const iso = (ms: number) => new Date(ms).toISOString();

test.each([
  // name, zone, run start (UTC): 01:30 EST on 2026-03-08, the skip at 02:00; 01:30 EDT on 2026-11-01, the set back at 02:00
  ['spring', Date.UTC(2026, 2, 8, 6, 30), '03:1'],
  ['fall', Date.UTC(2026, 10, 1, 5, 30), '01:1'],
])('%s: the rotated file holding the clock change is read in the zone the run began in, the log in its own', async (name, start, cutAt) => {
  const here = join(dir, name);
  mkdirSync(here);
  const { log, code } = await simulate(['--limit=300', '--workers=1', '--mean-seconds=30', '--fail-rate=0', '--playoff-fail-rate=0', '--timeout-rate=0', '--exception-rate=0', '--timezone=America/New_York', `--storage=${join(here, 'st')}`, `--failed-dir=${here}`], { start, cwd: here });
  expect(code).toBe(0);
  const lines = log.split('\n');
  const live = lines.slice(0, lines.findIndex((l) => l.endsWith('BACKFILL COMPLETE')) - 1);
  // Rotated some minutes after the change: the lines from the first one at 03:1x (EDT) or the second 01:1x (EST) on.
  const at = live.findIndex((l, i) => l.slice(11, 15) === cutAt && (name === 'spring' || i > live.findIndex((x) => x.slice(11, 13) === '01' && x.slice(14, 16) === '59')));
  expect(at).toBeGreaterThan(0);
  writeFileSync(join(here, 'bf.log.1'), `${live.slice(0, at).join('\n')}\n`);
  writeFileSync(join(here, 'bf.log'), `${live.slice(at).join('\n')}\n`);
  const newestAt = parseText(`${live.join('\n')}\n`, compileGrammar(undefined, 'America/New_York')).lastAt!;
  const rotatedAt = parseText(`${live.slice(0, at).join('\n')}\n`, compileGrammar(undefined, 'America/New_York')).lastAt!;
  utimesSync(join(here, 'bf.log.1'), rotatedAt / 1000, rotatedAt / 1000);
  utimesSync(join(here, 'bf.log'), (newestAt + 500) / 1000, (newestAt + 500) / 1000);
  writeFileSync(join(here, 'cfg.json'), JSON.stringify({ job: name, log: 'bf.log', timeout: 60 }));
  const now = newestAt + 5 * SEC;
  const state = await collectSnapshot(loadConfig({ file: join(here, 'cfg.json'), cwd: here }), { now: () => now, writers: oneWriter, sources: false });
  const json = statusJson(state);
  expect(json.logRotated).not.toBeNull();
  // The change said, and the zone guessed the one the run began in, as for the log in one file (log-zone-guess.test.ts).
  expect(json.logClockStep).toMatchObject(name === 'spring' ? { change: 'skip', from: '02:00', to: '03:00' } : { change: 'set-back', from: '02:00', to: '01:00' });
  expect(json.logZoneGuess).toMatchObject({ zone: name === 'spring' ? 'UTC-05:00' : 'UTC-04:00' });
  expect(json.run.startedAt).toBe(iso(start));
  expect(json.run.lastActivityAt).toBe(iso(newestAt));
  const f = currentFigures(state);
  expect(f.status).toBe('running');
  expect(f.elapsedMs).toBe(now - start);
  expect(f.elapsedMs).toBeLessThan(3 * HOUR);
});

// Tester AE3's rotated residue (h72 /tmp/h72/rot): the same spring-forward run, rotated after the skip, read long after
// (no zone can be guessed from an old file: read in this machine's zone, UTC here), and beside it the same log as one
// file. The one file says the skip and reads its start as written; the rotated pair said nothing of the skip
// (`logClockStep: null`) and read the start an hour late (bf.log.1 read an hour west of bf.log, `h` `Runs in the log:
// 03-08 02:55` beside `Failed keys by run: 03-08 01:55`). Both are one log: the same facts.
/** A log time (`2026-03-08 03:12:40,520`) read as UTC, by hand. */
const asUtc = (line: string) => Date.parse(`${line.slice(0, 10)}T${line.slice(11, 23).replace(',', '.')}Z`);
test('no zone to go by: a rotated log holding the skip reads as the same log in one file (the skip said, the start as written)', async () => {
  const here = join(dir, 'old');
  mkdirSync(here);
  const start = Date.UTC(2026, 2, 8, 6, 30); // 01:30 EST
  const { log, code } = await simulate(['--limit=300', '--workers=1', '--mean-seconds=30', '--fail-rate=0', '--playoff-fail-rate=0', '--timeout-rate=0', '--exception-rate=0', '--timezone=America/New_York', `--storage=${join(here, 'st')}`, `--failed-dir=${here}`], { start, cwd: here });
  expect(code).toBe(0);
  const lines = log.split('\n').filter((l) => l !== '');
  const at = lines.findIndex((l) => l.slice(11, 15) === '03:1');
  expect(at).toBeGreaterThan(0);
  mkdirSync(join(here, 'rotated'));
  mkdirSync(join(here, 'one'));
  writeFileSync(join(here, 'rotated', 'bf.log.1'), `${lines.slice(0, at).join('\n')}\n`);
  writeFileSync(join(here, 'rotated', 'bf.log'), `${lines.slice(at).join('\n')}\n`);
  writeFileSync(join(here, 'one', 'bf.log'), `${lines.join('\n')}\n`);
  // Copied here a day later: the files' times say nothing of their clock.
  const copied = Date.UTC(2026, 2, 9, 12, 0) / 1000;
  for (const f of ['rotated/bf.log.1', 'rotated/bf.log', 'one/bf.log']) utimesSync(join(here, f), copied, copied);
  const now = () => Date.UTC(2026, 2, 9, 12, 5);
  const read = async (sub: string) => {
    writeFileSync(join(here, sub, 'cfg.json'), JSON.stringify({ job: sub, log: 'bf.log', timeout: 60 }));
    return statusJson(await collectSnapshot(loadConfig({ file: join(here, sub, 'cfg.json'), cwd: join(here, sub) }), { now, writers: noWriter, sources: false }));
  };
  const rotated = await read('rotated');
  const one = await read('one');
  expect(rotated.logRotated).not.toBeNull();
  expect(one.logRotated).toBeNull();
  expect(rotated.logZoneGuess).toBeNull();
  // The skip, said as for the one file.
  expect(rotated.logClockStep).toMatchObject({ change: 'skip', date: '2026-03-08', from: '02:00', to: '03:00', zone: 'America/New_York' });
  expect(rotated.logClockStep).toEqual(one.logClockStep);
  // The start as written (01:30, read in UTC), the end an hour before its time as written (the skipped hour taken off).
  expect(lines[0].slice(0, 19)).toBe('2026-03-08 01:30:00');
  expect(rotated.run.startedAt).toBe('2026-03-08T01:30:00.000Z');
  expect(rotated.run.lastActivityAt).toBe(iso(asUtc(lines[lines.length - 1]) - HOUR));
  expect(rotated.run.finishedAt).not.toBeNull();
  expect(rotated.run).toEqual(one.run);
});

// The same pair (the files of the test before) on a dashboard: its live sources, the log followed after the rotated
// files are read.
test('no zone to go by: a dashboard opened on the rotated log says the skip and reads the start as written', async () => {
  const here = join(dir, 'old', 'rotated');
  const cfg = loadConfig({ file: join(here, 'cfg.json'), cwd: here });
  const ac = new AbortController();
  let state = initialState({ job: 'rotated', log: cfg.log, now: Date.UTC(2026, 2, 9, 12, 5), targets: [95] });
  const read = new Promise<void>((resolve) => {
    startLiveSources(cfg, compileGrammar(undefined, cfg.timezone), (e) => {
      state = reduce(state, e);
      if (e.type === 'log/progress' && e.historyDone) resolve();
    }, ac.signal, () => Date.UTC(2026, 2, 9, 12, 5));
  });
  try {
    await read;
  } finally {
    ac.abort();
  }
  expect(state.log.rotatedFrom).toHaveLength(1);
  expect(state.log.clockStep).toMatchObject({ kind: 'skip', zone: 'America/New_York', wall: Date.UTC(2026, 2, 8, 2, 0) });
  expect(iso(state.log.current!.startedAt!)).toBe('2026-03-08T01:30:00.000Z');
});
