import { configSchema } from './config-schema.js';
import { issueLines } from './config-issues.js';
import { ConfigError, configFileFor, DEFAULT_CONFIG_NAME, finishConfig, readConfigFile, withFlags, type Config, type ConfigFlags } from './config-base.js';

export { ConfigError, configDir, configFileFor, DEFAULT_CONFIG_NAME, DEFAULT_FAILED_GLOB, FLAGS_ONLY_DEFAULTS, flagsOnlyConfig, jsonErrorAt, readConfigFile, withFlags, type Config, type ConfigFlags } from './config-base.js';

/** Reads, validates and resolves a config; throws ConfigError naming file and field. */
export function loadConfig(opts: { file?: string; cwd: string; flags?: ConfigFlags }): Config {
  const file = configFileFor(opts);
  return resolveConfig(file ? readConfigFile(file) : {}, { file, cwd: opts.cwd, flags: opts.flags });
}

/**
 * Validates one job's raw config (flags applied) and makes every path absolute. `where` names the file
 * (and, for a job of a `jobs` list, the job) in errors.
 */
export function resolveConfig(raw: Record<string, unknown>, ctx: { file: string | null; cwd: string; flags?: ConfigFlags; where?: string; locate?: (path: string[]) => string[] }): Config {
  const { file, cwd, flags = {} } = ctx;
  const merged = withFlags(raw, cwd, flags);
  if (!file && !flags.log) {
    throw new ConfigError(
      `no ${DEFAULT_CONFIG_NAME} in ${cwd} and no --log given.\n` +
        `  Start with:  backfill-tui init        (writes an example config)\n` +
        `          or:  backfill-tui --log backfill.log\n` +
        `          or:  backfill-tui demo        (a simulated backfill, no cloud needed)`,
    );
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const where = ctx.where ?? file ?? 'command line';
    const lines = issueLines(result.error.issues, [], '(top level)', { raw: merged, locate: ctx.locate });
    throw new ConfigError(`${where}: invalid config\n${lines.join('\n')}`);
  }
  oneLogPlace(result.data, ctx, flags);
  return finishConfig(result.data, ctx);
}

/**
 * A Cloud Run job's log is Cloud Logging's: a `log` beside `cloudRun` names a file that would never be read, while
 * the screen and `status` showed its path as the job's log (tester AA14). Refused, naming where it is written.
 */
function oneLogPlace(c: { job: string; log?: string; cloudRun?: { job: string; region: string } }, ctx: { file: string | null; where?: string; locate?: (path: string[]) => string[] }, flags: ConfigFlags): void {
  if (!c.cloudRun || c.log === undefined) return;
  const where = ctx.where ?? ctx.file ?? 'command line';
  const field = flags.log !== undefined ? '--log' : (ctx.locate?.(['log']) ?? ['log']).join('.');
  throw new ConfigError(
    `${where}: invalid config\n  ${field}: job "${c.job}" runs on Cloud Run (cloudRun: job ${c.cloudRun.job} in ${c.cloudRun.region}), whose log is read from Cloud Logging, so a log file is never read for it: ${flags.log !== undefined ? 'drop --log' : 'remove "log"'} (or remove "cloudRun" and give "command" to run it as a local process)`,
  );
}
