/*
 * Whose runs a runs.jsonl record is. Two configs may share a state folder (two lone configs side by side both keep
 * `.backfill-tui` beside them: tester AH3), and each must see only its own job's runs: a launch record names the log
 * its run writes (a local log's absolute path) or the Cloud Run job it ran on (`cloud-run:projects/P/locations/R/jobs/J`,
 * with `/executions/ID` once the execution is known).
 */

/** A job's name for its runs: its Cloud Run job's `cloud-run:projects/P/locations/R/jobs/J`, else its log's absolute path. */
export function runsOwner(config: { log: string; cloudRun?: { project: string; region: string; job: string } | null }): string {
  const cr = config.cloudRun;
  return cr ? `cloud-run:projects/${cr.project}/locations/${cr.region}/jobs/${cr.job}` : config.log;
}

/** Whether a record naming `log` is `owner`'s run; a record naming no log (none is written so) is kept. */
export function ownsRun(owner: string, log: string | undefined | null): boolean {
  return !log || log === owner || (owner.startsWith('cloud-run:') && log.startsWith(`${owner}/`));
}
