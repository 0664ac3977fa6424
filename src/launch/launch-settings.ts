import { relative } from 'node:path';
import type { Config } from '../config.js';

/**
 * What a launch takes from the config: the command and what fills it in, the settings, and a Cloud Run job's
 * overrides. Read from the file as it is when `s`, `r` or `R` is pressed and again at `y` (tester AJ8: the operator
 * fixed the command in the config with the dashboard open, and `s` `y` ran the old one, read once at start). The
 * rest (the log, the sources, the state directory, which Cloud Run job) is what the dashboard follows, read at start.
 */
export interface LaunchSettings {
  command: Config['command'];
  cwd: Config['cwd'];
  env: Config['env'];
  vars: Config['vars'];
  workers: Config['workers'];
  timeout: Config['timeout'];
  retry: Config['retry'];
  keepAwake: Config['keepAwake'];
  cloudRun: Pick<NonNullable<Config['cloudRun']>, 'args' | 'env' | 'taskCount' | 'timeout' | 'keysPrefix'> | null;
}

/** The launch settings of a resolved config. */
export function launchSettingsOf(c: Config): LaunchSettings {
  const cr = c.cloudRun;
  return {
    command: c.command,
    cwd: c.cwd,
    env: c.env,
    vars: c.vars,
    workers: c.workers,
    timeout: c.timeout,
    retry: c.retry,
    keepAwake: c.keepAwake,
    cloudRun: cr ? { args: cr.args, env: cr.env, taskCount: cr.taskCount, timeout: cr.timeout, keysPrefix: cr.keysPrefix } : null,
  };
}

/** A value as one string, objects' keys in order: two settings are the same when their strings are. */
function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x)) ?? 'undefined';
}

/** One string per set of launch settings: two are the same launch when their keys are equal. */
export function launchSettingsKey(s: LaunchSettings): string {
  return stable(s);
}

/** The fields (config words: `command`, `workers`, `cloudRun.args`) whose values differ between two launch settings. */
export function changedLaunchFields(a: LaunchSettings, b: LaunchSettings): string[] {
  const out = (Object.keys(a) as (keyof LaunchSettings)[]).filter((k) => k !== 'cloudRun' && stable(a[k]) !== stable(b[k])) as string[];
  const ca = a.cloudRun ?? {};
  const cb = b.cloudRun ?? {};
  for (const k of new Set([...Object.keys(ca), ...Object.keys(cb)])) if (stable((ca as Record<string, unknown>)[k]) !== stable((cb as Record<string, unknown>)[k])) out.push(`cloudRun.${k}`);
  return out;
}

/**
 * Puts `s` in the job's config, the one object every launch, box and place of the job reads its launch settings from
 * (the local place, the Cloud Run place's spec): from now on they are the file's as it is. Nothing else changes.
 */
export function takeLaunchSettings(config: Config, s: LaunchSettings): void {
  Object.assign(config, { command: s.command, cwd: s.cwd, env: s.env, vars: s.vars, workers: s.workers, timeout: s.timeout, retry: s.retry, keepAwake: s.keepAwake });
  if (config.cloudRun && s.cloudRun) Object.assign(config.cloudRun, s.cloudRun);
}

/** An argument as a shell would need it to be one word: bare when safe, else in single quotes. */
export function shellWord(arg: string): string {
  // Nothing a shell reads specially (spaces, quotes, $, globs, braces, redirections): as it is (`…` too).
  if (arg !== '' && !/[\s'"`$\\|&;<>()*?[\]{}#~!^]/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An argument array as one line a shell would run the same: `python -u backfill.py '--name=a b'`. */
export function commandLine(argv: readonly string[]): string {
  return argv.map(shellWord).join(' ');
}

/**
 * The keys file a launch will write, as a box shows it before the launch: its folder under the state directory
 * (relative to where the command runs, when inside it) and its name, stamped at `y` (`resume-….txt`).
 */
export function keysFileShown(stateDir: string, cwd: string, label: string): string {
  const dir = `${stateDir.replace(/\/+$/, '')}/keys`;
  const rel = relative(cwd, dir);
  return `${rel && !rel.startsWith('..') ? rel : dir}/${label}-….txt`;
}
