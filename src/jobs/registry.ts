import { statSync } from 'node:fs';
import path from 'node:path';
import { configSchema } from '../config-schema.js';
import { ConfigError, configDir, configFileFor, readConfigFile, resolveConfig, type Config, type ConfigFlags } from '../config.js';
import { resolveChain, type ChainConfig } from './chain-config.js';
import { checkDistinct, defaultFailedGlobs, jobFiles, type JobFiles } from './distinct.js';
import { isPlainObject, mergeSettings } from './merge.js';

/**
 * Every job the dashboard watches, resolved: each entry is exactly what a one-job config resolves to
 * (its log, sources, command, state directory), so the runtime, controller and status treat a job of a
 * list and a lone job alike. A job's place of run is read from its own fields (today `command` + `log`).
 */
export interface JobRegistry {
  file: string | null;
  baseDir: string;
  /** The config has a `jobs` list and no single job was picked with `--job`: the overview is the first screen. */
  multi: boolean;
  jobs: Config[];
  chain: ChainConfig | null;
  /**
   * Reads the config file again, with the same flags, as it is now (a launch takes its settings from it: see
   * launch-settings.ts); absent for flags alone or a config that is no regular file (a pipe is read once). Throws
   * ConfigError naming the file, the job and the field.
   */
  reread?: () => JobRegistry;
}

const TOP_LEVEL_WITH_JOBS = new Set(['jobs', 'defaults', 'chain']);
/** Flags that name one job's files: with a list of jobs they need `--job`. */
const ONE_JOB_FLAGS = ['log', 'failed', 'expected', 'storage', 'stateDir'] as const;

/** A job name as a folder name: its state (runs.jsonl, keys files, launch lock) lives in STATEDIR/<this>/. */
export function jobDirName(job: string): string {
  return job.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * Reads the config as a registry of jobs. A config without `jobs` is one job, resolved exactly as before.
 * With `jobs`, each entry is laid over `defaults` and checked on its own; errors name the file, the job and
 * the field. `flags.job` picks one job of the list (then the registry is that one job, as a lone config).
 */
export function loadRegistry(opts: { file?: string; cwd: string; flags?: ConfigFlags }): JobRegistry {
  const registry = readRegistry(opts);
  if (!registry.file || !isRegularFile(registry.file)) return registry;
  return { ...registry, reread: () => loadRegistry(opts) };
}

function isRegularFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function readRegistry(opts: { file?: string; cwd: string; flags?: ConfigFlags }): JobRegistry {
  const flags = opts.flags ?? {};
  const file = configFileFor(opts);
  const raw = file ? readConfigFile(file) : {};
  const baseDir = file ? configDir(file, opts.cwd) : opts.cwd;
  const where = file ?? 'command line';
  if (!('jobs' in raw)) {
    const { chain: chainRaw, defaults, name, ...job } = raw;
    if (defaults !== undefined) throw new ConfigError(`${where}: invalid config\n  defaults: only used with a "jobs" list; put these settings at the top level`);
    // "name" names a job as an entry of `jobs` does: a lone config may use it too (as the README's examples do).
    if (name !== undefined) {
      if (job.job !== undefined && job.job !== name) throw new ConfigError(`${where}: invalid config\n  name: give "name" or "job", not both`);
      job.job = name;
    }
    bothRunPlaces(job, '', where);
    const config = resolveConfig(job, { file, cwd: opts.cwd, flags });
    const chain = chainRaw === undefined ? null : resolveChain(chainRaw, { where, baseDir, merge: mergeSettings });
    return { file, baseDir, multi: false, jobs: [config], chain };
  }
  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL_WITH_JOBS.has(key)) {
      throw new ConfigError(`${where}: invalid config\n  ${key}: not allowed beside "jobs"; shared settings go under "defaults", a job's own in its entry of "jobs"`);
    }
  }
  const defaults = raw.defaults ?? {};
  if (!isPlainObject(defaults)) throw new ConfigError(`${where}: invalid config\n  defaults: expected an object`);
  const known = new Set(Object.keys(configSchema.shape));
  for (const key of Object.keys(defaults)) {
    if (key === 'job' || key === 'name') throw new ConfigError(`${where}: invalid config\n  defaults.${key}: each job names itself; names must be unique`);
    if (!known.has(key)) throw new ConfigError(`${where}: invalid config\n  defaults.${key}: unknown setting`);
  }
  if (!Array.isArray(raw.jobs) || raw.jobs.length === 0) throw new ConfigError(`${where}: invalid config\n  jobs: expected a non-empty list of job objects`);
  const entries = raw.jobs.map((entry, i) => namedEntry(entry, i, where));
  const names = new Map<string, number>();
  entries.forEach(({ name }, i) => {
    const first = names.get(name);
    if (first !== undefined) throw new ConfigError(`${where}: invalid config\n  jobs.${i}.name: "${name}" is also the name of jobs.${first}; job names must be unique`);
    names.set(name, i);
  });
  let picked = entries;
  if (flags.job) {
    picked = entries.filter((e) => e.name === flags.job);
    if (picked.length === 0) throw new ConfigError(`${where}: no job named "${flags.job}" (jobs: ${entries.map((e) => e.name).join(', ')})`);
  } else {
    const oneJob = ONE_JOB_FLAGS.filter((f) => flags[f] !== undefined);
    if (oneJob.length) throw new ConfigError(`--${oneJob[0].replace('stateDir', 'state-dir')} sets one job's file, and ${where} lists ${entries.length} jobs: add --job NAME (jobs: ${entries.map((e) => e.name).join(', ')})`);
  }
  // Every job's mistakes at once, each under its job's heading (tester AK11: only the first job's were said; fix, run
  // again, meet the next).
  const mistakes: string[] = [];
  const tried = picked.map(({ name, index, entry }): Config | null => {
    const jobWhere = `${where}: job "${name}" (jobs.${index})`;
    const merged = mergeSettings(inheritedDefaults(defaults, entry), { ...entry, job: name }) as Record<string, unknown>;
    // A bad value is named where it is written: the entry's own, or the `defaults` it inherited (tester T11).
    const locate = (p: string[]) => (has(entry, p) || !has(defaults, p) ? ['jobs', String(index), ...p] : ['defaults', ...p]);
    let config: Config;
    try {
      config = resolveConfig(merged, { file, cwd: opts.cwd, flags: { ...flags, job: undefined }, where: jobWhere, locate });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      mistakes.push(err.message);
      return null;
    }
    // Jobs share one state directory by default: each keeps its runs, keys files and launch lock in its own folder.
    return flags.stateDir ? config : { ...config, stateDir: path.join(config.stateDir, jobDirName(name)) };
  });
  if (mistakes.length > 0) throw new ConfigError(mistakes.join('\n'));
  const loaded = tried as Config[];
  // Every job of the list, picked or not: `--job huge` must not read the failed-keys files of another job either.
  // The default glob of a job without `failed` leaves out the names another job's `failed` gives to that job.
  const files: JobFiles[] = defaultFailedGlobs(
    entries.map(({ name, index, entry }) => {
      const config = loaded[picked.findIndex((p) => p.index === index)];
      return jobFiles({ name, index, entry, defaults: inheritedDefaults(defaults, entry), baseDir, config });
    }),
  );
  const jobs = loaded.map((j) => ({ ...j, failed: files.find((f) => f.name === j.job)!.failed }));
  checkDistinct(jobs, files, where);
  if (flags.job) return { file, baseDir, multi: false, jobs, chain: null };
  const chain = raw.chain === undefined ? null : resolveChain(raw.chain, { where, baseDir, defaults, merge: mergeSettings });
  return { file, baseDir, multi: true, jobs, chain };
}

/** True when `obj` holds a value at `path` (objects and arrays walked). */
function has(obj: unknown, path: string[]): boolean {
  let v = obj;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || !(p in (v as object))) return false;
    v = (v as Record<string, unknown>)[p];
  }
  return v !== undefined;
}

/**
 * What a source or a run place needs before it names a place by itself: without it, shared settings are only
 * fill-ins. `cloudRun` too: a shared project and region fill in the jobs that run on Cloud Run and never make a local
 * job one (h59: `defaults.cloudRun` with project and region refused every local job with `cloudRun.job: required`).
 */
const SOURCE_NEEDS: Record<string, string[]> = { storage: ['url'], warehouse: ['table', 'column'], cloudRun: ['job'] };

/**
 * The defaults a job inherits. Shared `storage`/`warehouse`/`cloudRun` settings that name no place by themselves
 * (say only `apiEndpoint`, `pollSeconds`, or a project and region) fill in what a job has, and give none to a job
 * without it.
 */
function inheritedDefaults(defaults: Record<string, unknown>, entry: Record<string, unknown>): Record<string, unknown> {
  const out = { ...defaults };
  for (const [kind, needs] of Object.entries(SOURCE_NEEDS)) {
    const d = defaults[kind];
    if (entry[kind] === undefined && isPlainObject(d) && !needs.every((k) => k in d)) delete out[kind];
  }
  return out;
}

/** A job runs as a local process (`command`) or a Cloud Run Job (`cloudRun`): given both, which would s launch? */
function bothRunPlaces(entry: Record<string, unknown>, at: string, where: string): void {
  if (entry.command !== undefined && entry.cloudRun !== undefined) {
    throw new ConfigError(`${where}: invalid config\n  ${at}cloudRun: give "command" (a local process) or "cloudRun" (a Cloud Run Job), not both`);
  }
}

function namedEntry(entry: unknown, index: number, where: string): { name: string; index: number; entry: Record<string, unknown> } {
  if (!isPlainObject(entry)) throw new ConfigError(`${where}: invalid config\n  jobs.${index}: expected a job object`);
  const { name, job, ...rest } = entry;
  bothRunPlaces(rest, `jobs.${index}.`, where);
  if (name !== undefined && job !== undefined && name !== job) throw new ConfigError(`${where}: invalid config\n  jobs.${index}: give "name" or "job", not both`);
  const n = name ?? job;
  if (typeof n !== 'string' || n.trim() === '') throw new ConfigError(`${where}: invalid config\n  jobs.${index}.name: every job of a list needs a name`);
  // The name is a folder of the state directory: "." or ".." would be the state directory itself or its parent.
  if (/^\.+$/.test(jobDirName(n))) throw new ConfigError(`${where}: invalid config\n  jobs.${index}.name: "${n}" cannot name a job (it would name a folder above its state)`);
  return { name: n, index, entry: rest };
}

/** The job named `name`, or a usage error listing the names there are. */
export function jobNamed(registry: JobRegistry, name: string): Config {
  const job = registry.jobs.find((j) => j.job === name);
  if (!job) throw new ConfigError(`no job named "${name}" (jobs: ${registry.jobs.map((j) => j.job).join(', ')})`);
  return job;
}
