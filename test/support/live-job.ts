import { removeDir } from './remove-dir.js';
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
