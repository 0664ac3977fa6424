import path from 'node:path';
import { ConfigError, type Config } from '../config.js';
import { DEFAULT_FAILED_GLOB } from '../config-schema.js';
import { isGsGlob } from '../failures/gs-glob.js';
import { globsMeet } from './glob-overlap.js';

/** The files of one job of a list that no other job may share, and where its `failed` is written. */
export interface JobFiles {
  name: string;
  index: number;
  /** The local log, absolute; null for a Cloud Run job (its log is Cloud Logging's). */
  log: string | null;
  /** The failed-keys glob, absolute or gs://. */
  failed: string;
  /** The field that sets `failed` (`jobs.1.failed`, `defaults.failed`), or null when the default applies. */
  failedAt: string | null;
}

/**
 * A job's files: from its resolved config when the job was loaded, else read from its settings as they stand
 * (a job `--job` did not pick is not checked field by field, but may still not share another's files).
 */
export function jobFiles(j: { name: string; index: number; entry: Record<string, unknown>; defaults: Record<string, unknown>; baseDir: string; config?: Config }): JobFiles {
  const failedAt = typeof j.entry.failed === 'string' ? `jobs.${j.index}.failed` : typeof j.defaults.failed === 'string' ? 'defaults.failed' : null;
  if (j.config) {
    const local = !j.config.cloudRun;
    return { name: j.name, index: j.index, log: local ? j.config.log : null, failed: j.config.failed, failedAt };
  }
  const pick = (k: string) => (typeof j.entry[k] === 'string' ? (j.entry[k] as string) : typeof j.defaults[k] === 'string' ? (j.defaults[k] as string) : undefined);
  const log = pick('log');
  const failed = pick('failed') ?? DEFAULT_FAILED_GLOB;
  const cloud = j.entry.cloudRun !== undefined || (j.defaults.cloudRun !== undefined && j.entry.command === undefined);
  return {
    name: j.name,
    index: j.index,
    log: log !== undefined && !cloud ? path.resolve(j.baseDir, log) : null,
    failed: isGsGlob(failed) ? failed : path.resolve(j.baseDir, failed),
    failedAt,
  };
}

/**
 * Two jobs on one log, in one state folder, or reading one set of failed-keys files would see each other's runs
 * or failures as their own (tester W26: every job without `failed` read the default failed_dates_*.json beside
 * the config, so a game-id job listed a date job's failures, and `r` would have retried them through its command).
 */
export function checkDistinct(jobs: Config[], files: JobFiles[], where: string): void {
  const byLog = new Map<string, string>();
  for (const f of files) {
    if (!f.log) continue;
    const other = byLog.get(f.log);
    if (other) throw new ConfigError(`${where}: invalid config\n  job "${f.name}": log ${f.log} is also the log of job "${other}"; each job needs its own log`);
    byLog.set(f.log, f.name);
  }
  files.forEach((f, i) => {
    const other = files.slice(0, i).find((o) => globsMeet(o.failed, f.failed));
    if (other) throw new ConfigError(`${where}: invalid config\n  ${failedClash(f, other)}`);
  });
  const byState = new Map<string, string>();
  for (const j of jobs) {
    const otherState = byState.get(j.stateDir);
    if (otherState) throw new ConfigError(`${where}: invalid config\n  job "${j.job}": state folder ${j.stateDir} is also that of job "${otherState}"; rename one job`);
    byState.set(j.stateDir, j.job);
  }
}

function failedClash(f: JobFiles, other: JobFiles): string {
  const said = (j: JobFiles) => (j.failedAt ? `${j.failedAt} ${j.failed}` : `not set, so the default ${j.failed}`);
  const same = f.failed === other.failed ? 'the same failed-keys files' : 'failed-keys files';
  return (
    `${f.failedAt ?? `jobs.${f.index}.failed`} (job "${f.name}"): ${said(f)}; it names ${same} as job "${other.name}" ` +
    `(${other.failedAt ? said(other) : 'not set either'}): one job's failures would be read as the other's, and r would retry them ` +
    `through the wrong command. Give each job the files its own script writes, e.g. "failed": "failed_games_*.json" ` +
    `or "${f.name}/failed_dates_*.json"`
  );
}
