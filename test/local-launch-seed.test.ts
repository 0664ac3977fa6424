import { removeDir } from './support/remove-dir.js';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { currentFigures } from '../src/state/current-figures.js';
import { banner, logOf } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';
import { killRunGroups } from './support/run-groups.js';

let dir: string;
const runtimes: Runtime[] = [];
const pids: number[] = [];
const KEYS = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(2022, 0, 3) + i * 86_400_000).toISOString().slice(0, 10));

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-seed-'));
});
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
  killRunGroups(pids);
  removeDir(dir);
});

/** A backfill that logs nothing until GATE exists (a Python script's start-up), then its banner and one outcome. */
const GATED = `
import { existsSync, writeSync } from 'node:fs';
const gate = process.argv[2];
const stamp = () => { const d = new Date(); const p = (n, w = 2) => String(n).padStart(w, '0'); return d.getUTCFullYear() + '-' + p(d.getUTCMonth() + 1) + '-' + p(d.getUTCDate()) + ' ' + p(d.getUTCHours()) + ':' + p(d.getUTCMinutes()) + ':' + p(d.getUTCSeconds()) + ',' + p(d.getUTCMilliseconds(), 3); };
const wait = () => {
  if (!existsSync(gate)) return setTimeout(wait, 10);
  for (const m of ['NBA.com Player Boxscore Scraper Backfill (v2) initialized', '  ✅ Scraped 2022-01-03']) writeSync(1, stamp() + ' - INFO - ' + m + '\\n');
  setInterval(() => {}, 1000);
};
wait();
`;

describe('a local launch is a new run at once (tester U3, the same class as a new Cloud Run execution)', () => {
  test('until its first line, the run is the launch\'s: 0/N, its workers and timeout, elapsed from the launch; its banner then joins it', async () => {
    writeFileSync(path.join(dir, 'expected.txt'), KEYS.join('\n') + '\n');
    mkdirSync(path.join(dir, 'st'), { recursive: true });
    writeFileSync(path.join(dir, 'gated.mjs'), GATED);
    // The log's last run: 6 workers, timeout 180 s, 9 keys, complete.
    const done = ['INFO', 'BACKFILL COMPLETE'];
    writeFileSync(path.join(dir, 'b.log'), logOf(Date.UTC(2022, 0, 1, 10), [...banner(6, 180, 9), ['INFO', '  ✅ Scraped 2021-12-01'], done, ['INFO', 'Total dates: 9'], ['INFO', '✅ Processed: 9']]));
    const gate = path.join(dir, 'gate');
    const config = { job: 'seed', log: 'b.log', expected: 'expected.txt', storage: { url: 'st', pollSeconds: 1 }, command: [process.execPath, path.join(dir, 'gated.mjs'), gate, '--csv={keysFile}', '--workers={workers}', '--timeout={timeout}'], workers: 2, timeout: 30, keepAwake: false, timezone: 'UTC' };
    writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify(config));
    const r = startRuntime(loadConfig({ file: path.join(dir, 'backfill-tui.config.json'), cwd: dir }), { exit: () => undefined });
    runtimes.push(r);
    await waitFor(() => r.store.getState().log.current?.complete && r.store.getState().coverage.expected && r.store.getState().coverage.storage?.checkedAt && r.store.getState().process.writersChecked, 'the old run read, ready');
    r.controller.onIntent('resume');
    await waitFor(() => r.store.getState().ui.confirm, 'the resume box');
    const before = Date.now();
    r.controller.onIntent('confirm-yes');
    pids.push(await waitFor(() => r.store.getState().process.pid, 'the pid'));
    const s = r.store.getState();
    expect(existsSync(gate)).toBe(false);
    expect(s.log.current).toMatchObject({ total: 12, workers: 2, timeoutSec: 30, succeeded: 0, complete: false });
    expect(s.log.current!.startedAt).toBeGreaterThanOrEqual(before);
    expect(s.log.history.at(-1)).toMatchObject({ total: 9, workers: 6, complete: true });
    expect(currentFigures(s)).toMatchObject({ status: 'running', done: 0, remaining: 12, ratePerMin: null, etaSeconds: null });
    expect(currentFigures(s).elapsedMs).toBe(Math.max(0, s.now - s.log.current!.startedAt!));
    // 5 s later by this machine's clock, 5 s of elapsed: the old log's times (years behind the file's writing) say
    // nothing of the clock of a run launched here.
    expect(currentFigures({ ...s, now: s.log.current!.startedAt! + 5000 }).elapsedMs).toBe(5000);
    const runs = r.store.getState().log.history.length;
    // Its own lines: the banner joins the launch's run (one run, not two), its outcome counts.
    writeFileSync(gate, '');
    const after = await waitFor(() => (r.store.getState().log.current?.succeeded === 1 ? r.store.getState() : null), 'the run\'s first outcome');
    expect(after.log.history.length).toBe(runs);
    expect(after.log.current).toMatchObject({ title: 'NBA.com Player Boxscore Scraper Backfill (v2)', total: 12, workers: 2, timeoutSec: 30 });
  }, 60_000);
});
