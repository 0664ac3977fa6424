import { removeDir } from './remove-dir.js';
import { startRuntime } from '../../src/app/runtime.js';
import { loadConfig } from '../../src/config.js';
import { waitFor } from './wait-for.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A job folder for a run launched from a dashboard: expected keys, a local storage folder, the script `lives`
 * (an ES module's text; the command runs it with `--csv={keysFile}`), an empty log `b.log`, and the job's config
 * in backfill-tui.config.json. The folder goes with `cleanups`.
 */
export function liveJobDir(prefix: string, job: string, keys: string[], lives: string, cleanups: Array<() => unknown>): { dir: string; log: string; configFile: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => removeDir(dir));
  writeFileSync(path.join(dir, 'expected.txt'), keys.join('\n') + '\n');
  mkdirSync(path.join(dir, 'st'), { recursive: true });
  writeFileSync(path.join(dir, 'lives.mjs'), lives);
  const log = path.join(dir, 'b.log');
  writeFileSync(log, '');
  const config = { job, log: 'b.log', expected: 'expected.txt', storage: { url: 'st', pollSeconds: 1 }, command: [process.execPath, path.join(dir, 'lives.mjs'), '--csv={keysFile}'], workers: 1, timeout: 30, keepAwake: false, timezone: 'UTC' };
  const configFile = path.join(dir, 'backfill-tui.config.json');
  writeFileSync(configFile, JSON.stringify(config));
  return { dir, log, configFile };
}

/** A cleanup that kills process group `pid` (a backfill spawned detached, with what it started), gone or not. */
export const killGroup = (pid: number) => () => {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone
  }
};

/**
 * A dashboard runtime on `configFile` that launches the job's run as `s` `y` would, once what `s` waits for is read:
 * the runtime, its state, and the launched run's pid (its group killed at cleanup, as the runtime closed).
 */
export async function launchedFromDashboard(configFile: string, dir: string, cleanups: Array<() => unknown>) {
  const r = startRuntime(loadConfig({ file: configFile, cwd: dir }), { exit: () => undefined });
  cleanups.push(() => r.close());
  const state = () => r.store.getState();
  await waitFor(() => state().coverage.expected && state().coverage.storage?.checkedAt && state().process.writersChecked && state().log.historyDone, 'ready to launch');
  r.controller.onIntent('resume');
  await waitFor(() => state().ui.confirm, 'the resume box');
  r.controller.onIntent('confirm-yes');
  const ours = await waitFor(() => state().process.pid, 'our launched pid', 30_000);
  cleanups.push(killGroup(ours));
  return { r, state, ours };
}

/**
 * A backfill of the reference family whose every step waits for a gate file: banner, `Loaded N` and each key queued at
 * once (several workers), then `Scraped KEY` as gate TAG.i appears, and its summary and exit at TAG.end. TAG is `ours`
 * for the keys file a dashboard launched it with, else `theirs`.
 */
export const GATED = `
import { existsSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
const csv = process.argv.find((a) => a.startsWith('--csv=')).slice(6);
const tag = csv.includes('.backfill-tui') ? 'ours' : 'theirs';
const keys = readFileSync(csv, 'utf8').split('\\n').map((l) => l.trim()).filter((l) => /^20/.test(l));
const dir = path.dirname(process.argv[1]);
const stamp = () => new Date().toISOString().replace('T', ' ').replace('.', ',').slice(0, 23);
const log = (m, level = 'INFO') => writeSync(1, stamp() + ' - ' + level + ' - ' + m + '\\n');
const gate = (name) => new Promise((go) => { const look = () => (existsSync(path.join(dir, tag + '.' + name)) ? go() : setTimeout(look, 10)); look(); });
log('NBA.com Player Boxscore Scraper Backfill (v2) initialized');
log('Workers: 4 | Timeout: 30s');
log('Loaded ' + keys.length + ' dates from ' + csv);
keys.forEach((k, i) => log('[' + (i + 1) + '/' + keys.length + '] Queued ' + k));
for (let i = 0; i < keys.length; i++) { await gate(i); log('  ✅ Scraped ' + keys[i]); }
await gate('end');
for (const m of ['='.repeat(70), 'BACKFILL COMPLETE', 'Total dates: ' + keys.length, '✅ Processed: ' + keys.length, '⏭️  Skipped: 0', '❌ Failed: 0', '='.repeat(70)]) log(m);
`;
