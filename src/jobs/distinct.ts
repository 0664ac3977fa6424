import path from 'node:path';
import { ConfigError, DEFAULT_FAILED_GLOB, DEFAULT_FAILED_NAMES, failedNamesGlob, type Config } from '../config-base.js';
import { isGsGlob } from '../failures/gs-glob.js';
import { globsMeet } from './glob-overlap.js';
import { mergeSettings } from './merge.js';

/** The files of one job of a list that no other job may share, and where its `failed` is written. */
export interface JobFiles {
  name: string;
  index: number;
  /** The local log, absolute, or a Cloud Run job's `cloud-run:projects/P/locations/R/jobs/J`; null when not known. */
  log: string | null;
  /** The failed-keys glob, absolute or gs://; null for a Cloud Run job without one. */
  failed: string | null;
  /** The field that sets `failed` (`jobs.1.failed`, `defaults.failed`), or null when the default applies. */
  failedAt: string | null;
  /** `failed` is the default glob beside the config (not set, nor given as --failed): see defaultFailedGlobs. */
  onDefault: boolean;
}

/**
 * A job's files: from its resolved config when the job was loaded, else read from its settings as they stand
 * (a job `--job` did not pick is not checked field by field, but may still not share another's files).
 */
export function jobFiles(j: { name: string; index: number; entry: Record<string, unknown>; defaults: Record<string, unknown>; baseDir: string; config?: Config }): JobFiles {
  const failedAt = typeof j.entry.failed === 'string' ? `jobs.${j.index}.failed` : typeof j.defaults.failed === 'string' ? 'defaults.failed' : null;
  if (j.config) {
    return { name: j.name, index: j.index, log: j.config.log, failed: j.config.failed, failedAt, onDefault: j.config.failedIsDefault === true };
  }
  const pick = (k: string) => (typeof j.entry[k] === 'string' ? (j.entry[k] as string) : typeof j.defaults[k] === 'string' ? (j.defaults[k] as string) : undefined);
  const log = pick('log');
  const failed = pick('failed');
  const cr = mergeSettings(j.defaults.cloudRun, j.entry.cloudRun) as Record<string, unknown> | undefined;
  const cloud = j.entry.cloudRun !== undefined || (cr !== undefined && j.entry.command === undefined && log === undefined);
  return {
    name: j.name,
    index: j.index,
    log: cloud ? (cr ? cloudRunLog(cr) : null) : log !== undefined ? path.resolve(j.baseDir, log) : null,
    failed: failed === undefined ? (cloud ? null : path.resolve(j.baseDir, DEFAULT_FAILED_GLOB)) : isGsGlob(failed) ? failed : path.resolve(j.baseDir, failed),
    failedAt,
    onDefault: failed === undefined && !cloud,
  };
}

/**
 * The default glob of each job on it, in a list: the names the family's scripts write, less those of the retry and
 * team scripts (retry_failed_dates_, failed_games_) that a job whose `failed` is set names: that job has said whose
 * they are (the README's list of a date job without `failed` beside a team job on failed_games_*.json stays as it
 * was). A date job's own failed_dates_ is never left out: another job naming it is refused by checkDistinct, as two
 * jobs both on the default are (W26), since nothing tells whose such a file is.
 */
export function defaultFailedGlobs(files: JobFiles[]): JobFiles[] {
  const set = files.filter((f) => !f.onDefault && f.failed !== null).map((f) => f.failed!);
  return files.map((f) => {
    if (!f.onDefault || f.failed === null) return f;
    const folder = f.failed.slice(0, f.failed.lastIndexOf('/') + 1);
    const names = DEFAULT_FAILED_NAMES.filter((n, i) => i === 0 || !set.some((g) => globsMeet(g, folder + failedNamesGlob([n]))));
    return names.length === DEFAULT_FAILED_NAMES.length ? f : { ...f, failed: folder + failedNamesGlob(names) };
  });
}

/** A Cloud Run job's log name, as a resolved config has it (config-base.ts). */
function cloudRunLog(cr: Record<string, unknown>): string | null {
  const { project, region, job } = cr;
  return [project, region, job].every((v) => typeof v === 'string') ? `cloud-run:projects/${project}/locations/${region}/jobs/${job}` : null;
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
    if (other) throw new ConfigError(`${where}: invalid config\n  ${sameLog(f, other)}`);
    byLog.set(f.log, f.name);
  }
  files.forEach((f, i) => {
    const other = f.failed === null ? undefined : files.slice(0, i).find((o) => o.failed !== null && globsMeet(o.failed, f.failed!));
    if (other) throw new ConfigError(`${where}: invalid config\n  ${failedClash(f, other)}`);
  });
  const byState = new Map<string, string>();
  for (const j of jobs) {
    const otherState = byState.get(j.stateDir);
    if (otherState) throw new ConfigError(`${where}: invalid config\n  job "${j.job}": state folder ${j.stateDir} is also that of job "${otherState}"; rename one job`);
    byState.set(j.stateDir, j.job);
  }
}

/** Two jobs on one log; on one Cloud Run job, each would take the other's executions and launches for its own. */
function sameLog(f: JobFiles, other: string): string {
  const cr = /^cloud-run:projects\/([^/]+)\/locations\/([^/]+)\/jobs\/(.+)$/.exec(f.log!);
  if (cr) return `jobs.${f.index}.cloudRun (job "${f.name}"): Cloud Run job ${cr[3]} (project ${cr[1]}, region ${cr[2]}) is also job "${other}"'s; each job needs its own Cloud Run job, or the two would take each other's executions and launches for their own`;
  return `job "${f.name}": log ${f.log} is also the log of job "${other}"; each job needs its own log`;
}

function failedClash(f: JobFiles, other: JobFiles): string {
  const said = (j: JobFiles) => (j.failedAt ? `${j.failedAt} ${j.failed}` : `not set, so the default ${j.failed}`);
  const same = f.failed === other.failed ? 'the same failed-keys files' : 'failed-keys files';
  return (
    `${f.failedAt ?? `jobs.${f.index}.failed`} (job "${f.name}"): ${said(f)}; it names ${same} as job "${other.name}" ` +
    `(${other.failedAt || f.failedAt ? said(other) : 'not set either'}): one job's failures would be read as the other's, and r would retry them ` +
    `through the wrong command. Give each job the files its own script writes, e.g. "failed": "failed_games_*.json" ` +
    `or "${f.name}/failed_dates_*.json"`
  );
}
