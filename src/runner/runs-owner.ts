import { existsSync } from 'node:fs';
import { basename } from 'node:path';

/*
 * Whose runs a runs.jsonl record is. Two configs may share a state folder (two lone configs side by side both keep
 * `.backfill-tui` beside them: tester AH3), and each must see only its own job's runs: a launch record names the log
 * its run writes (a local log's absolute path) or the Cloud Run job it ran on (`cloud-run:projects/P/locations/R/jobs/J`,
 * with `/executions/ID` once the execution is known).
 */

/** A Cloud Run job's name for its runs, `cloud-run:projects/P/locations/R/jobs/J`: what its launch records name as their log. */
export function cloudRunOwner(j: { project: string; region: string; job: string }): string {
  return `cloud-run:projects/${j.project}/locations/${j.region}/jobs/${j.job}`;
}

/** A job's name for its runs: its Cloud Run job's (cloudRunOwner), else its log's absolute path. */
export function runsOwner(config: { log: string; cloudRun?: { project: string; region: string; job: string } | null }): string {
  return config.cloudRun ? cloudRunOwner(config.cloudRun) : config.log;
}

/**
 * Whether a record naming `log` is `owner`'s run; a record naming no log (none is written so) is kept. A local log named
 * by a path that is gone, with the owner's file name, is the owner's too: the project's folder was moved or mounted
 * elsewhere since (tester h80's copy of /tmp/h72/team: its runs name /tmp/h72/team/bf.log), and its runs stay its own.
 * `exists` answers for a path (memoized by the caller: one look a distinct log).
 */
export function ownsRun(owner: string, log: string | undefined | null, exists: (path: string) => boolean = existsSync): boolean {
  if (!log || log === owner) return true;
  if (owner.startsWith('cloud-run:')) return log.startsWith(`${owner}/`);
  return !log.startsWith('cloud-run:') && basename(log) === basename(owner) && !exists(log);
}
