/*
 * The config without its schema: errors, file reading, flags, and what follows validation (phases,
 * patterns, absolute paths). zod and the schema (src/config-schema.ts, src/config.ts) load only when a
 * config file is read: `status --log FILE` with flags alone resolves its config here, from plain defaults
 * that test/config-flags.test.ts checks against the schema.
 */
import { duplicateKeys } from './json-duplicates.js';
import { existsSync } from 'node:fs';
import { CONFIG_MAX_BYTES, readUserTextSync, type UserFileError } from './user-file.js';
import path from 'node:path';
import type { ParsedConfig } from './config-schema.js';
import { UserError } from './errors.js';
import { parseGsUrl } from './coverage/gs-url.js';
import { compileKeyPattern } from './coverage/local-source.js';
import { compileCustom, GrammarError } from './parser/custom-grammar.js';
import type { SourceError } from './coverage/source.js';
import { PhasesError, resolvePhases, type PhaseCalendar } from './phases/calendar.js';
import { isGsGlob, splitGsGlob } from './failures/gs-glob.js';
import { unknownPlaceholders } from './runner/command.js';

/** A config problem the operator must fix; `exitCode` 2 as for any usage error. */
export class ConfigError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'ConfigError';
  }
}

/**
 * The resolved config: every path is absolute (relative ones are taken from the config file's folder,
 * or the working directory for flags), so sources never depend on process.cwd().
 */
/**
 * The names of the failed-keys files the reference family's scripts write beside themselves: the date scripts'
 * failed_dates_, the retry script's retry_failed_dates_, the team script's failed_games_ (tester AI10 h: a default
 * of failed_dates_*.json alone left the other two unread, unsaid). The first is a date job's own; in a `jobs` list the
 * others are left to a job whose `failed` names them (jobs/distinct.ts defaultFailedGlob).
 */
export const DEFAULT_FAILED_NAMES = ['failed_dates', 'retry_failed_dates', 'failed_games'] as const;

/** A default glob of some of those names: `{failed_dates,failed_games}_*.json`, or `failed_dates_*.json` for one. */
export function failedNamesGlob(names: readonly string[]): string {
  return names.length === 1 ? `${names[0]}_*.json` : `{${names.join(',')}}_*.json`;
}

/** The failed-keys files of a local job without `failed`: every name the family's scripts write, beside the config. */
export const DEFAULT_FAILED_GLOB = failedNamesGlob(DEFAULT_FAILED_NAMES);

export interface Config extends Omit<ParsedConfig, 'expected' | 'phases' | 'log' | 'failed'> {
  /**
   * The failed-keys files (an absolute glob or a gs:// one); null for a Cloud Run job without `failed`: its
   * script's files are lost with its container, and its failures come from the execution's log (tester X3).
   */
  failed: string | null;
  /**
   * True when `failed` is the default beside the config (not set, nor given as --failed): its files are then told
   * apart by their keys' kind (failures/own-kind.ts). Absent otherwise.
   */
  failedIsDefault?: true;
  /** The `phases` setting resolved and checked (default: the `nba` preset). */
  phases: PhaseCalendar;
  /** The log file (absolute); for a Cloud Run job `cloud-run:projects/P/locations/R/jobs/J`, read from Cloud Logging. */
  log: string;
  /** Where the config came from, or null for flags only. */
  file: string | null;
  baseDir: string;
  expected: { file: string; column?: string; format?: 'date' | 'id'; dateColumn?: string } | null;
}

export const DEFAULT_CONFIG_NAME = 'backfill-tui.config.json';

/** Overrides given on the command line (already absolute or relative to cwd). */
export interface ConfigFlags {
  log?: string;
  failed?: string;
  expected?: string;
  storage?: string;
  job?: string;
  stateDir?: string;
}

/** Reads a config file as a JSON object; throws ConfigError naming the file. */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    // A device named as the config is refused unopened (it would block or never end: tester AH9's class).
    // A pipe (`--config <(jq …)`, `/dev/stdin`) is read to its end within 5 s; a FIFO no one writes is said at once.
    text = readUserTextSync(file, { label: 'config', maxBytes: CONFIG_MAX_BYTES, pipeWaitMs: 5000 }).text;
  } catch (err) {
    throw new ConfigError(`${file}: cannot read config: ${(err as UserFileError).reason}`);
  }
  let raw: unknown;
  try {
    // Editors on Windows save UTF-8 with a byte-order mark; JSON.parse refuses it.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON at ${jsonErrorAt(text.replace(/^\uFEFF/, ''))}: ${(err as Error).message.replace(/, (\.\.\.)?"[\s\S]*$/, '').replace(/ in JSON at position \d+$/, '')}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${file}: expected a JSON object at the top level`);
  }
  // JSON.parse keeps the last of a key written twice, silently (a second `storage` block pasted below the first).
  const twice = duplicateKeys(text);
  if (twice.length > 0) {
    const lines = twice.map((d) => `  ${d.path}: given twice (line${d.lines[0] === d.lines[1] ? ` ${d.lines[0]}` : `s ${d.lines[0]} and ${d.lines[1]}`}); JSON would keep only the last: write it once`);
    throw new ConfigError(`${file}: invalid config\n${lines.join('\n')}`);
  }
  return raw as Record<string, unknown>;
}

/**
 * Where JSON.parse stops reading `text`, as "line L, column C" (1-based): the first character after which the
 * text can no longer be the start of a JSON value, found by parsing prefixes (V8 gives a position for some
 * errors only, never a line). Only called on text that failed to parse; a config file is small.
 */
export function jsonErrorAt(text: string): string {
  const brokenWithin = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (err) {
      const message = (err as Error).message;
      if (/Unexpected end of JSON input|Unterminated string/.test(message)) return false;
      const at = /at position (\d+)/.exec(message);
      return at === null || Number(at[1]) < k; // an error at the very end means the prefix is merely cut short
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (brokenWithin(mid + 1)) hi = mid;
    else lo = mid + 1;
  }
  const before = text.slice(0, lo);
  const line = before.split('\n').length;
  const column = lo - before.lastIndexOf('\n');
  return lo >= text.length ? `line ${line}, column ${column} (the end of the file)` : `line ${line}, column ${column}`;
}

/** The config file `loadConfig` reads: `--config FILE`, or `backfill-tui.config.json` in cwd when it exists. */
export function configFileFor(opts: { file?: string; cwd: string }): string | null {
  const candidate = opts.file ? path.resolve(opts.cwd, opts.file) : path.join(opts.cwd, DEFAULT_CONFIG_NAME);
  return opts.file || existsSync(candidate) ? candidate : null;
}

/** Command-line flags laid over one job's raw config (flags are relative to where they were typed). */
export function withFlags(raw: Record<string, unknown>, cwd: string, flags: ConfigFlags): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  if (flags.log) out.log = path.resolve(cwd, flags.log);
  if (flags.failed) out.failed = path.resolve(cwd, flags.failed);
  if (flags.expected) out.expected = path.resolve(cwd, flags.expected);
  if (flags.job) out.job = flags.job;
  if (flags.stateDir) out.stateDir = path.resolve(cwd, flags.stateDir);
  if (flags.storage) {
    const url = /^gs:\/\//.test(flags.storage) ? flags.storage : path.resolve(cwd, flags.storage);
    out.storage = { ...((raw.storage as object) ?? {}), url };
  }
  return out;
}

/** What the schema gives for a config of flags alone, beside the flags (see flagsOnlyConfig). */
export const FLAGS_ONLY_DEFAULTS = {
  job: 'backfill',
  targets: [95, 98, 100],
  env: {},
  vars: {},
  workers: 6,
  timeout: 180,
  retry: { workers: 3, timeout: 300 },
  stateDir: '.backfill-tui',
  keepAwake: true,
  alerts: { bell: true, desktop: true },
} as const;

/** `storage.pollSeconds` when `--storage` gives the storage of a config of flags alone. */
export const STORAGE_POLL_DEFAULT = 60;

/**
 * The config of command-line flags alone (no config file), without the schema: what `resolveConfig({}, …)`
 * returns for the same flags (test/config-flags.test.ts compares the two). null when the flags need the
 * schema's judgement (a job named . or ..): then resolveConfig says what is wrong.
 */
export function flagsOnlyConfig(cwd: string, flags: ConfigFlags): Config | null {
  if (!flags.log) return null;
  const { storage, ...merged } = withFlags({}, cwd, flags) as { log: string; failed?: string; expected?: string; job?: string; stateDir?: string; storage?: { url: string } };
  if (merged.job === '.' || merged.job === '..') return null;
  const parsed: ParsedConfig = {
    ...FLAGS_ONLY_DEFAULTS,
    targets: [...FLAGS_ONLY_DEFAULTS.targets],
    env: {},
    vars: {},
    retry: { ...FLAGS_ONLY_DEFAULTS.retry },
    alerts: { ...FLAGS_ONLY_DEFAULTS.alerts },
    ...merged,
    ...(storage ? { storage: { url: storage.url, pollSeconds: STORAGE_POLL_DEFAULT } } : {}),
  };
  return finishConfig(parsed, { file: null, cwd, where: 'command line' });
}

/**
 * The folder a config's relative paths are taken from: its own, or the working directory for one read from a pipe
 * (`--config <(jq …)` is /dev/fd/63, `/dev/stdin`: their folder is no place of the operator's).
 */
export function configDir(file: string, cwd: string): string {
  return /^\/(dev|proc)\//.test(file) ? cwd : path.dirname(file);
}

/** A validated config made whole: phases resolved, patterns checked, every path absolute. */
export function finishConfig(c: ParsedConfig, ctx: { file: string | null; cwd: string; where?: string; locate?: (path: string[]) => string[] }): Config {
  const { file } = ctx;
  const baseDir = file ? configDir(file, ctx.cwd) : ctx.cwd;
  let phases: PhaseCalendar;
  try {
    phases = resolvePhases(c.phases);
  } catch (err) {
    if (err instanceof PhasesError) throw new ConfigError(`${ctx.where ?? file ?? 'command line'}: invalid config\n  ${err.message}`);
    throw err;
  }
  const where = ctx.where ?? file ?? 'command line';
  if (!c.cloudRun && c.log === undefined) throw new ConfigError(`${where}: invalid config\n  log: required (the backfill's log file), unless the job runs on Cloud Run (cloudRun)`);
  checkPatterns(c, ctx.where ?? file ?? 'command line', baseDir, ctx.locate);
  const abs = (p: string) => path.resolve(baseDir, p);
  const expected =
    c.expected === undefined ? null : typeof c.expected === 'string' ? { file: abs(c.expected) } : { ...c.expected, file: abs(c.expected.file) };
  const storage = c.storage && { ...c.storage, url: /^gs:\/\//.test(c.storage.url) ? c.storage.url : abs(c.storage.url) };
  const warehouse = c.warehouse && { ...c.warehouse, dir: c.warehouse.dir ? abs(c.warehouse.dir) : undefined };
  return {
    ...c,
    file,
    baseDir,
    // A Cloud Run job's log is Cloud Logging's: the name says so, and no local file of that name is read.
    log: c.log !== undefined ? abs(c.log) : `cloud-run:projects/${c.cloudRun!.project}/locations/${c.cloudRun!.region}/jobs/${c.cloudRun!.job}`,
    // A gs:// glob names the failed-keys objects a Cloud Run job's script writes to Cloud Storage.
    failed: c.failed === undefined ? (c.cloudRun ? null : abs(DEFAULT_FAILED_GLOB)) : isGsGlob(c.failed) ? c.failed : abs(c.failed),
    ...(c.failed === undefined && !c.cloudRun ? { failedIsDefault: true as const } : {}),
    expected,
    storage,
    warehouse,
    cwd: c.cwd ? abs(c.cwd) : baseDir,
    env: { PYTHONUNBUFFERED: '1', ...c.env },
    stateDir: abs(c.stateDir),
    phases,
  };
}

/**
 * Settings the schema cannot judge, checked at start so a bad one is exit 2 naming the field, never a stack
 * trace at the first poll: `storage.keyPattern` must compile and hold a `key` group; `failed` may hold * or ?
 * only in its file name (the folder is read, not searched).
 */
function checkPatterns(c: Pick<ParsedConfig, 'storage' | 'failed' | 'grammar' | 'command' | 'cloudRun' | 'vars'>, where: string, baseDir: string, locate?: (path: string[]) => string[]): void {
  // The field where it is written (a job's entry, or the defaults it inherited), as schema errors name it.
  const bad = (field: string, message: string) => new ConfigError(`${where}: invalid config\n  ${locate ? locate(field.split('.')).join('.') : field}: ${message}`);
  checkStorage(c.storage, bad);
  if (c.grammar) {
    try {
      compileCustom(c.grammar);
    } catch (err) {
      if (!(err instanceof GrammarError)) throw err;
      throw new ConfigError(`${where}: invalid config\n  ${err.message}`);
    }
  }
  checkPlaceholders(c, bad);
  if (c.failed === undefined) {
    // the default: a plain file name
  } else if (isGsGlob(c.failed)) {
    try {
      splitGsGlob(c.failed);
    } catch (err) {
      throw bad('failed', (err as Error).message);
    }
  } else if (/[*?]/.test(path.dirname(path.resolve(baseDir, c.failed)))) {
    throw bad('failed', `only the file name may hold * or ? (${c.failed}): name the folder, e.g. "logs/failed_dates_*.json"`);
  }
}

/**
 * A storage source's settings the schema cannot judge: a gs:// URL must name a bucket Cloud Storage would
 * accept, and `keyPattern` must compile and hold a `key` group. Shared by jobs and chain stages, so the same
 * URL is the same exit 2 naming its field wherever it is written (tester V3: a stage's `gs://` started).
 */
export function checkStorage(storage: { url: string; keyPattern?: string } | null | undefined, bad: (field: string, message: string) => ConfigError): void {
  if (!storage) return;
  if (storage.url.startsWith('gs://')) {
    try {
      parseGsUrl(storage.url);
    } catch (err) {
      const e = err as SourceError;
      throw bad('storage.url', `${JSON.stringify(storage.url)} is not gs://BUCKET/PREFIX/ (${e.hint})`);
    }
  }
  if (storage.keyPattern !== undefined) {
    try {
      compileKeyPattern(storage.keyPattern);
    } catch (err) {
      const e = err as SourceError;
      throw bad('storage.keyPattern', `${e.message.replace(/^storage\.keyPattern /, '')}${e.hint ? ` (${e.hint})` : ''}`);
    }
  }
}

/**
 * Every placeholder of `command` and `cloudRun.args` is one a launch fills (the run's own values and `vars`;
 * a Cloud Run launch adds {keys} and {keysUri}, the latter only with `cloudRun.keysPrefix`): a typo is exit 2
 * naming the field at start, never a refused launch after the operator pressed `y`. A Cloud Run job's
 * `command` (inherited from defaults) is never launched and so not checked.
 */
function checkPlaceholders(
  c: Pick<ParsedConfig, 'command' | 'cloudRun' | 'vars'>,
  bad: (field: string, message: string) => ConfigError,
): void {
  // A var named as a value the launch fills was silently lost to it (tester AI10 c: `"vars": {"keysFile": "/etc/passwd"}`
  // launched with the run's own keys file): said, naming it, whichever the command uses.
  const filled = ['keysFile', 'workers', 'timeout', ...(c.cloudRun ? ['keys', 'keysUri'] : [])];
  const taken = Object.keys(c.vars ?? {}).find((n) => filled.includes(n));
  if (taken) throw bad(`vars.${taken}`, `{${taken}} is filled by each launch (the run's own ${taken === 'keysFile' ? 'keys file' : taken === 'keys' || taken === 'keysUri' ? 'keys' : taken}): give the var another name`);
  const run = ['workers', 'timeout', ...Object.keys(c.vars ?? {})];
  const list = (names: string[]) => names.map((n) => `{${n}}`).join(', ');
  // A Cloud Run job launches through cloudRun.args: a command it inherits from defaults is never run, so its
  // placeholders (filled by the local jobs' vars) are not this job's to check (tester U1: the demo refused).
  if (c.command && !c.cloudRun) {
    const known = [...run, 'keysFile'];
    const unknown = unknownPlaceholders(c.command, new Set(known));
    if (unknown.length) throw bad('command', `unknown placeholder ${list(unknown)} (known: ${list(known)}; add it under "vars")`);
  }
  if (c.cloudRun) {
    const known = [...run, 'keys', 'keysUri'];
    const unknown = unknownPlaceholders(c.cloudRun.args, new Set(known));
    if (unknown.length) throw bad('cloudRun.args', `unknown placeholder ${list(unknown)} (known: ${list(known)}; add it under "vars")`);
    if (!c.cloudRun.keysPrefix && c.cloudRun.args.some((a) => a.includes('{keysUri}'))) {
      throw bad('cloudRun.keysPrefix', 'required when cloudRun.args use {keysUri}: the gs://BUCKET/PREFIX/ the dashboard writes the keys objects under');
    }
  }
}
