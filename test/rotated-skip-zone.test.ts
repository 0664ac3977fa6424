import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { collectSnapshot } from '../src/app/snapshot.js';
import { statusJson } from '../src/app/status-json.js';
import { loadConfig } from '../src/config.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import type { WritersScan } from '../src/runner/log-writers.js';
import { currentFigures } from '../src/state/current-figures.js';
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
  expect(json.run.startedAt).toBe(iso(start));
  expect(json.run.lastActivityAt).toBe(iso(newestAt));
  const f = currentFigures(state);
  expect(f.status).toBe('running');
  expect(f.elapsedMs).toBe(now - start);
  expect(f.elapsedMs).toBeLessThan(3 * HOUR);
});
