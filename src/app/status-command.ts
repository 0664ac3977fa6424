import { formatCount } from '../format.js';
import { runUnknown } from '../overview/row-problem.js';
import { FOREIGN_LOG_HINT, foreignLogProblem, foreignLogText } from '../state/foreign-log.js';
import type { Config } from '../config.js';
import { keysForTarget, NO_KEYS_EXPECTED } from '../coverage/math.js';
import { collectSnapshot, newReport, type SnapshotReport } from './snapshot.js';
import { progressOnStderr } from './read-progress.js';
import { statusJson } from './status-json.js';
import { fitStatusLines, statusText } from './status-text.js';
import { coverageView } from '../state/coverage-view.js';
import type { AppState } from '../state/app-state.js';
import { failuresView } from '../state/failures-view.js';
import { UserError } from '../errors.js';
import { keysFileText } from '../runner/keys-file.js';
import { readExpectedLayout } from '../coverage/expected-keys.js';
import { unsafeKeyProblem } from '../key-safety.js';
import { persistentUnknown } from '../failures/analysis.js';
import { sayErr, terminalColumns, writeOut } from '../std-write.js';
import { readingLog, readingText } from '../state/log-reading.js';
import { executionLogUnread, FAILURES_UNKNOWN_WORDS, failuresUnknown } from '../state/failures-known.js';

/** `backfill-tui status [--json] [--require N --source S]`: one snapshot; exit 1 when a required target is unmet. */
export async function runStatus(config: Config, opts: { json?: boolean; require?: string; source: 'storage' | 'warehouse'; timeoutMs?: number }): Promise<number> {
  const report = newReport();
  const state = await lookWithProgress(config, { timeoutMs: opts.timeoutMs, report });
  // `problems`: what could not be looked at within the time bound, or at all; each explained.
  // A log in another format (tester W19) is a problem for scripts too; the text says it under the state line.
  const foreign = foreignLogProblem(state);
  const json = { ...statusJson(state), problems: [...report.problems, ...(foreign ? [`log ${config.log}: ${foreignLogText(foreign)}; newest: ${foreign.sample.slice(0, 500)} → ${FOREIGN_LOG_HINT}`] : [])] };
  // Text only: the newest line of a log in another format is cut by display width (string-width, not loaded for --json).
  if (opts.json) writeOut(`${JSON.stringify(json, null, 2)}\n`);
  else {
    // Every line within the terminal (80 columns when piped), wrapped by display width as the views measure it.
    const { truncate: cut, wrap } = await import('../text-width.js');
    const lines = [...statusText(state, { cut, width: statusWidth() }).trimEnd().split('\n'), ...report.problems.map((p) => `problem   ${p}`)];
    writeOut(`${fitStatusLines(lines, statusWidth(), wrap).join('\n')}\n`);
  }
  // The run cannot be known (a log that cannot be read, or not to its end within --timeout, a Cloud Run region that
  // does not answer): an error, exit 1.
  if (runNotKnown(state, report)) {
    if (opts.require !== undefined && readingLog(state)) await sayErr(`backfill-tui: --require ${opts.require} not checked: the log ${state.log.path} was not read to its end (${readingText(state)}; give --timeout more seconds)\n`);
    return 1;
  }
  return withProblems(opts.require === undefined ? 0 : await checkRequire(state, opts.require, opts.source), json.problems.length, opts.require);
}

/**
 * The exit with `problems` said (a `problem` line, an entry of `problems`: a part of the look left out at --timeout or
 * not read whole, whatever its kind): 1, as for a run that cannot be known, since what was printed is not all there is
 * (tester h68's nit: exit 0 beside a damaged kept file's problem line); a usage error (2) stays 2. With `--require`
 * met it says why the exit is 1 all the same.
 */
export async function withProblems(code: number, problems: number, require?: string): Promise<number> {
  // Not met (1) or a usage error (2): that exit, the problems said with it.
  if (problems === 0 || code !== 0) return code;
  if (require !== undefined) await sayErr(`backfill-tui: --require ${require} met, but exit 1: status said ${problems === 1 ? 'a problem' : `${problems} problems`} (see problem)\n`);
  return 1;
}

/**
 * Text status's width: the terminal's, however narrow (tester AI10 e: laid out for 50 in a 40-column pane, the terminal
 * broke `↷ 0` / `skipped` and `th` / `at tried` mid-word), 80 when not a terminal (a pipe, a file, cron's mail).
 */
export function statusWidth(): number {
  const columns = terminalColumns();
  return columns ? columns : 80;
}

/**
 * The job's run cannot be known from this snapshot: its log could not be read, or not to its end within the bound
 * (tester Z12: exit 0 beside `reading… 27 %`), or its Cloud Run place does not answer. `status` then exits 1.
 */
export function runNotKnown(state: AppState, report: SnapshotReport): boolean {
  return report.logUnreadable || runUnknown(state) || readingLog(state) || executionLogUnread(state);
}

/** `--require P [--source S]` against one job's snapshot: 0 met, 1 not met or unknown, 2 not a percentage. */
export async function checkRequire(state: AppState, require: string, sourceName: 'storage' | 'warehouse'): Promise<number> {
  // The command line checks it first (cli.ts: a usage error, exit 2); callers from elsewhere get the same rule.
  const want = Number(require);
  if (require.trim() === '' || !Number.isFinite(want) || want < 0 || want > 100) {
    await sayErr(`backfill-tui: --require takes a percentage from 0 to 100, got "${require}"\n`);
    return 2;
  }
  if (!state.coverage[sourceName]) {
    // A source the job does not have is a wrong question, not a target missed (tester V10: exit 1 read as "not met").
    await sayErr(`backfill-tui: --require ${want} --source ${sourceName}: ${state.job} has no ${sourceName} configured\n`);
    return 2;
  }
  const source = coverageView(state)[sourceName];
  if (!source?.coverage) {
    await sayErr(`backfill-tui: --require ${want}: no ${sourceName} coverage known${source?.error ? ` (${source.error})` : ''}\n`);
    return 1;
  }
  const { present, expected } = source.coverage;
  if (expected === 0) {
    // Nothing expected proves nothing: the JSON says `met: false` for every target, and so does the exit.
    await sayErr(`backfill-tui: --require ${want}: ${NO_KEYS_EXPECTED}, so no target can be met\n`);
    return 1;
  }
  const keys = want === 0 ? 0 : keysForTarget(want, expected);
  const met = present >= keys;
  if (!met) await sayErr(`backfill-tui: ${sourceName} coverage ${formatCount(present)}/${formatCount(expected)} is below ${want} % (${formatCount(keys)} keys, ${formatCount(keys - present)} more needed)\n`);
  return met ? 0 : 1;
}

/** Filters of `missing --from failures`. */
export interface FailureFilter {
  phase?: string;
  persistent?: boolean;
}

/**
 * `backfill-tui missing --from failures [--phase LABEL] [--persistent|--not-persistent]`: the keys still
 * failing (latest failed-keys file and the log's live run, minus keys now in storage), one a line, sorted.
 */
export async function runMissingFailures(config: Config, filter: FailureFilter, timeoutMs?: number): Promise<number> {
  // `--phase play-in` is `Play-In`: the label as the config spells it, matched whatever the case (tester U16).
  // `"phases": null` groups nothing: no label, not even the default one every key falls under, names a phase (AC11).
  if (filter.phase !== undefined && config.phases.none) {
    throw new UserError(`--phase: job ${config.job} has no phases ("phases": null in its config): drop --phase, or set "phases"`, 2);
  }
  const phase = filter.phase === undefined ? undefined : config.phases.labels.find((l) => l.toLowerCase() === filter.phase!.trim().toLowerCase());
  if (filter.phase !== undefined && phase === undefined) {
    throw new UserError(`--phase: no phase ${JSON.stringify(filter.phase)}; phases are ${config.phases.labels.map((l) => JSON.stringify(l)).join(', ')}`, 2);
  }
  const report = newReport();
  const state = await lookWithProgress(config, { timeoutMs, report });
  for (const p of report.problems) await sayErr(`backfill-tui: ${p}\n`);
  // A list from part of what failed would go to a backfill's --csv as the whole: no list, exit 1.
  const unknown = failuresUnknown(state);
  if (unknown) {
    await sayErr(`backfill-tui: ${FAILURES_UNKNOWN_WORDS[unknown].missing(state)}\n`);
    return 1;
  }
  const storage = state.coverage.storage;
  // Without a storage listing a key that has since recovered cannot be told apart: say so, still print.
  if (storage && storage.keys === null) await sayErr(`backfill-tui: storage not listed (${storage.error ?? 'unknown'}): keys that recovered since are included\n`);
  const failing = failuresView(state).rows.filter((r) => !r.recovered);
  // Storage not listed: no key is known to be persistent (a run silent about a key may have scraped it).
  // --persistent then has no answer (exit 1, nothing printed); --not-persistent prints every failing key.
  const known = failing.length === 0 || failing[0].persistentKnown;
  if (!known && filter.persistent !== undefined) {
    await sayErr(`backfill-tui: persistent: ${persistentUnknown(state.coverage.storage !== null)}: ${filter.persistent ? 'no key is printed' : 'every failing key is printed'}\n`);
    if (filter.persistent) return 1;
  }
  const keys = failing
    .filter((r) => phase === undefined || r.phase === phase)
    .filter((r) => filter.persistent === undefined || !known || r.persistent === filter.persistent)
    .map((r) => r.key)
    .sort();
  // The output is data for a backfill's --csv: a key cut for display (over 200 characters, ending in …) or one
  // with a control character or a leading - is never printed as one; the count goes to stderr (tester T14).
  const safe = keys.filter((k) => unsafeKeyProblem(k) === null);
  const left = keys.length - safe.length;
  if (left > 0) await sayErr(`backfill-tui: ${left} suspicious key${left === 1 ? '' : 's'} left out (over 200 characters, a control character, bytes that are not UTF-8 or a leading -): not a key a backfill can take\n`);
  await writeKeysOut(safe, config.expected);
  return 0;
}

/**
 * Writes `keys` to stdout as a launch's keys file holds them (runner/keys-file.ts keysFileText): the expected file's
 * header and each key's own row when it has a header, else `key` first when the first key does not start with `20`,
 * else one key a line. The output is documented as ready for a backfill's --csv, whose scripts take a first line that
 * does not start with `20` for a header: a bare list of game ids lost its first key, silently (tester AJ7: `Loaded 99`
 * of 100). Nothing at all for no key.
 */
export async function writeKeysOut(keys: string[], expected: Config['expected']): Promise<void> {
  writeOut(keysFileText(keys, keys.length ? await readExpectedLayout(expected) : null));
}

/**
 * `backfill-tui missing --from S`: the keys, one a line, sorted (ready for a backfill's --csv). From storage, the keys
 * that failed in every run that tried them (persistent) are said on stderr, as `s` leaves them out of its box and says
 * so (tester Z7); `persistent` true or false prints only those, or only the others (what `s` launches by default).
 */
export async function runMissing(config: Config, from: 'storage' | 'warehouse' | 'lag', timeoutMs?: number, persistent?: boolean): Promise<number> {
  if (!config.expected) {
    await sayErr('backfill-tui: missing needs `expected` in the config (or --expected FILE)\n');
    return 2;
  }
  // A source the job does not have: a usage error, as an unknown --from is (tester V10), said before anything is read
  // (tester AF8 b's class). For lag, the one it lacks is named (tester AA7: `has no storage and warehouse configured`
  // read as if neither were).
  if (from === 'lag' ? !config.storage || !config.warehouse : !config[from]) {
    const lacking = from !== 'lag' ? from : !config.storage && !config.warehouse ? 'storage and no warehouse' : !config.storage ? 'storage' : 'warehouse';
    await sayErr(`backfill-tui: cannot list missing keys from ${from === 'lag' ? 'storage and warehouse' : from}: ${config.job} has no ${lacking} configured${from === 'lag' ? ' (--from lag needs storage and warehouse)' : ''}\n`);
    return 2;
  }
  const report = newReport();
  const state = await lookWithProgress(config, { timeoutMs, report });
  // The keys go to stdout for a script to read; what could not be looked at goes to stderr.
  for (const p of report.problems) await sayErr(`backfill-tui: ${p}\n`);
  // Without the expected keys nothing is missing or present: say why they are not known, not blame storage.
  if (!state.coverage.expected) {
    await sayErr(`backfill-tui: cannot list missing keys: ${state.coverage.expectedError ?? 'the expected keys were not read in time'}\n`);
    return 1;
  }
  const cov = coverageView(state);
  let keys: string[] | null;
  if (from === 'lag') keys = cov.lag;
  else keys = cov[from]?.coverage?.missing ?? null;
  if (keys === null) {
    const src = from === 'lag' ? 'storage and warehouse' : from;
    const err = cov[from === 'lag' ? 'storage' : from]?.error ?? cov.warehouse?.error ?? 'no answer in time';
    await sayErr(`backfill-tui: cannot list missing keys from ${src}: ${err}\n`);
    return 1;
  }
  if (from === 'storage') keys = await persistentSaid(state, keys, persistent);
  if (keys === null) return 1;
  await writeKeysOut([...keys].sort(), config.expected);
  return 0;
}

/**
 * The missing keys of storage with the persistent ones said on stderr (or kept alone, or left out, by `persistent`),
 * in `s`'s words; null (exit 1, nothing printed) when --persistent asks what is not known.
 */
async function persistentSaid(state: AppState, keys: string[], persistent: boolean | undefined): Promise<string[] | null> {
  const rows = failuresView(state).rows.filter((r) => !r.recovered);
  const missing = new Set(keys);
  const failing = rows.filter((r) => missing.has(r.key));
  const known = failing.length === 0 || failing[0].persistentKnown;
  if (!known) {
    if (persistent !== undefined) await sayErr(`backfill-tui: persistent: ${persistentUnknown(state.coverage.storage !== null)}: ${persistent ? 'no key is printed' : 'every missing key is printed'}\n`);
    return persistent ? null : keys;
  }
  const stuck = new Set(failing.filter((r) => r.persistent).map((r) => r.key));
  if (persistent !== undefined) return keys.filter((k) => stuck.has(k) === persistent);
  if (stuck.size > 0) {
    const n = stuck.size;
    await sayErr(`backfill-tui: ${formatCount(n)} of these ${formatCount(keys.length)} keys ${n === 1 ? 'is' : 'are'} persistent (failed in every run that tried ${n === 1 ? 'it' : 'them'}: a retry will not help); s leaves ${n === 1 ? 'it' : 'them'} out, and so does --not-persistent\n`);
  }
  return keys;
}

/** collectSnapshot with a progress line on a terminal's stderr from its first second on (read-progress.ts). */
async function lookWithProgress(config: Config, opts: { timeoutMs?: number; report: SnapshotReport }): Promise<AppState> {
  const progress = progressOnStderr(config.job);
  try {
    return await collectSnapshot(config, { ...opts, watch: progress.watch });
  } finally {
    progress.stop();
  }
}
