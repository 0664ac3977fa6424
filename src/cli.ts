#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { configFileFor, flagsOnlyConfig, type ConfigFlags } from './config-base.js';
import type { JobRegistry } from './jobs/registry.js';
import { UserError } from './errors.js';
import { flushStartup, markStartup } from './startup-timing.js';
import { loadForTerminal } from './app/load-for-terminal.js';
import { exitAfterOutput, fitErr, outputError, writeErr } from './std-write.js';
import { endProcess } from './process-end.js';
import { terminalProblem } from './terminal-check.js';

// Everything above (the bundle's own code, commander, the config schema) has loaded by now.
markStartup('cli loaded');

// React's production build is chosen at build time (scripts/build.mjs defines NODE_ENV): the
// development build allocates far more on every render.

/**
 * Warnings that libraries raise through the process (gcp-metadata's MetadataLookupWarning when it probes
 * for a metadata server): Node prints them to stderr, which is the dashboard's screen and the output of
 * `status` in cron. They are kept here instead; what matters of them reaches the operator as the failing
 * source's explained error (no credentials, cannot reach the server).
 */
export const processWarnings: string[] = [];
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (processWarnings.length < 20) processWarnings.push(`${w.name}: ${w.message}`);
});

/** Usage errors exit 2 (1 means "target not met"); help and version exit 0. */
const USAGE_EXIT = 2;

/** `--require P`: a percentage from 0 to 100, checked before anything is read. */
function percentArg(value: string): string {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError('expected a percentage from 0 to 100, e.g. 95.');
  return value;
}

/** The package's version, put in by the build (scripts/build.mjs): no file to read at start-up. */
declare const __BT_VERSION__: string;

interface GlobalOpts extends ConfigFlags {
  config?: string;
  color?: boolean;
}

/**
 * The config as a registry of jobs (one for a config without `jobs`); `--job` picks one of a list. Flags
 * alone (no config file) need no schema: zod and the config schema load only to read a config file.
 */
async function registryFrom(opts: GlobalOpts): Promise<JobRegistry> {
  const merged = withRootOptions(opts);
  const cwd = process.cwd();
  const alone = configFileFor({ file: merged.config, cwd }) === null ? flagsOnlyConfig(cwd, merged) : null;
  const registry = alone ? { file: null, baseDir: cwd, multi: false, jobs: [alone], chain: null } : (await import('./jobs/registry.js')).loadRegistry({ file: merged.config, cwd, flags: merged });
  markStartup('config read');
  return registry;
}

/** The global options given before the subcommand (`backfill-tui --log X status`), set by a preAction hook. */
let rootOptions: GlobalOpts = {};
const GLOBAL_KEYS = ['config', 'log', 'failed', 'expected', 'storage', 'job', 'stateDir'] as const;

/**
 * A subcommand's options with the global ones typed before it: honoured, never silently dropped. The same
 * option given before and after the subcommand with different values is a usage error.
 */
function withRootOptions(opts: GlobalOpts): GlobalOpts {
  if (rootOptions === opts) return opts;
  const out: GlobalOpts = { ...opts };
  for (const key of GLOBAL_KEYS) {
    const before = rootOptions[key];
    if (before === undefined) continue;
    if (out[key] !== undefined && out[key] !== before) {
      const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new UserError(`${flag} given twice, before and after the subcommand, with different values ("${before}", "${out[key]}"): give it once`, 2);
    }
    out[key] = before;
  }
  return out;
}

/**
 * Runs an async command body; config and usage errors exit 2 with the message, never a stack. With
 * `exitWhenDone` the process exits once the body has printed everything: a request the client library cannot
 * cancel (a server that never answers) must not keep it alive. With `timeout` (seconds, a one-shot command) a
 * watchdog ends it 2 s past that bound whatever is still running, saying so. `ownOutput`: the body writes
 * only through std-write.ts (the one-shot commands), so its errors go that way too and the exit need not wait
 * for streams that were never made.
 */
async function guard(body: () => Promise<number>, opts: { exitWhenDone?: boolean; timeout?: string; ownOutput?: boolean } = {}): Promise<void> {
  const bound = opts.timeout === undefined ? NaN : Number(opts.timeout);
  // Out of range is the body's usage error (exit 2); a Node timer past 2^31 ms would fire at once.
  if (bound > 0 && bound <= MAX_TIMEOUT_S) {
    setTimeout(() => {
      void fitErr(`backfill-tui: not done ${bound} s after the start (--timeout): exiting; a source or file system did not answer\n`).then((text) => {
        process.stderr.write(text);
        // Never left waiting on a pool thread whose read does not return (a hung mount: process-end.ts).
        endProcess(1);
      });
    }, bound * 1000 + 2000).unref();
  }
  const say = opts.ownOutput ? writeErr : (text: string) => void process.stderr.write(text);
  try {
    process.exitCode = await body();
  } catch (err) {
    // A usage error commander found in the body (program.error): main says it and exits.
    if (err instanceof CommanderError) throw err;
    if (err instanceof UserError) {
      // Wrapped within a terminal's width (fitErr): a long message is never broken by the terminal mid-word.
      say(await fitErr(`backfill-tui: ${err.message}\n`));
      process.exitCode = err.exitCode;
    } else {
      say(`backfill-tui: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  }
  if (opts.exitWhenDone) {
    const code = process.exitCode;
    if (opts.ownOutput) exitAfterOutput(code);
    else process.stdout.write('', () => process.stderr.write('', () => endProcess(Number(code ?? 0))));
  }
}

/** The longest `--timeout`, in seconds (23 days): Node's timers hold at most 2^31 − 1 ms. */
const MAX_TIMEOUT_S = 2_000_000;

/** `--timeout` in seconds (a positive number up to MAX_TIMEOUT_S, fractions allowed) as milliseconds; anything else is a usage error. */
function timeoutMs(value: string): number {
  const s = Number(value);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || !(s > 0) || s > MAX_TIMEOUT_S) {
    throw new UserError(`--timeout takes a number of seconds above 0 and at most ${MAX_TIMEOUT_S.toLocaleString('en-US')}, got "${value}"`, 2);
  }
  return s * 1000;
}

/**
 * A single-valued option given twice on one side of the subcommand is a usage error (exit 2), as it is across
 * the subcommand (withRootOptions): commander would silently keep the last (tester V4: `--log a.log --log b.log`).
 */
const once = (flag: string) => (value: string, previous: string | undefined): string => {
  if (previous !== undefined) throw new InvalidArgumentError(`${flag} given twice ("${previous}", "${value}"): give it once`);
  return value;
};

function addGlobals(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'config file (default ./backfill-tui.config.json)', once('--config'))
    .option('--log <file>', 'the backfill log to follow', once('--log'))
    .option('--failed <glob>', 'failed-keys files, e.g. failed_dates_*.json', once('--failed'))
    .option('--expected <file>', 'expected keys, one a line or CSV', once('--expected'))
    .option('--storage <url>', 'gs://BUCKET/PREFIX/ or a local directory', once('--storage'))
    .option('--job <name>', 'with a `jobs` list: the one job to show; otherwise the name shown in the header', once('--job'))
    .option('--state-dir <dir>', 'where runs.jsonl and keys files go', once('--state-dir'));
}

async function main(argv: string[]): Promise<void> {
  // The simulator takes the real script's flags verbatim: hand them over untouched.
  if (argv[2] === 'sim') {
    const { simMain } = await import('./sim/sim-main.js');
    process.exitCode = await simMain(argv.slice(3));
    return;
  }
  // The shipped loopback Cloud Run region (the demo's Cloud Run job runs on it).
  if (argv[2] === 'loopback-cloud-run') {
    const { loopbackMain } = await import('./cloud-run/loopback/main.js');
    process.exitCode = await loopbackMain(argv.slice(3));
    return;
  }
  /** What commander says of a usage error, held to be said within the terminal's width (fitErr) as the process leaves. */
  let usageWords = '';
  const program = addGlobals(new Command('backfill-tui'))
    // Before any subcommand is added: they inherit both. The exit is main's, once the words are said (below).
    .configureOutput({ outputError: (text) => void (usageWords += text) })
    .exitOverride((err) => {
      throw err;
    })
    .description('Terminal dashboard for long data backfills: progress, failures, coverage, and launch/resume/retry/stop.')
    .version(__BT_VERSION__, '-V, --version')
    .enablePositionalOptions()
    .hook('preAction', (root) => {
      rootOptions = root.opts() as GlobalOpts;
    })
    .option('--no-color', 'no colors (also NO_COLOR=1)')
    .option('--no-alerts', 'no bell, desktop notification, webhook or alerts.jsonl (config `alerts`)')
    // A word that is no command reaches the dashboard's action: say so, instead of commander's "too many arguments".
    .argument('[command]')
    // Commander would print the argument and the commands both: "[options] [command] [command]" (tester U10).
    .usage('[options] [command]')
    .action(async (word: string | undefined, opts: GlobalOpts & { alerts?: boolean }) =>
      guard(async () => {
        if (word !== undefined) {
          const commands = program.commands.map((c) => c.name());
          program.error(`error: unknown command '${word}' (commands: ${commands.join(', ')}; see backfill-tui --help)`, { exitCode: USAGE_EXIT });
        }
        const notHere = terminalProblem(process, process.env);
        if (notHere) {
          process.stderr.write(await fitErr(`backfill-tui: ${notHere}\n`));
          return USAGE_EXIT;
        }
        const { runPlatformDashboard } = await loadForTerminal(() => import('./app/platform-dashboard.js'));
        markStartup('command loaded');
        const color = opts.color !== false && !process.env.NO_COLOR;
        return runPlatformDashboard(await registryFrom(opts), { color, alerts: opts.alerts !== false });
      }, { exitWhenDone: true }),
    );

  addGlobals(program.command('status'))
    .description('print one snapshot of the run (and coverage) and exit')
    .option('--json', 'machine-readable JSON (contract in the README)')
    .addOption(new Option('--require <percent>', 'exit 1 unless this coverage target (0 to 100) is met (for cron and CI)').argParser(percentArg))
    .addOption(new Option('--source <source>', 'source for --require').choices(['storage', 'warehouse']).default('storage'))
    .option('--stage <name>', 'with --require: a stage of the chain instead of a job')
    .option('--timeout <seconds>', 'print what is known and exit within this bound, whatever a source does', '30')
    .action(async (opts: GlobalOpts & { json?: boolean; require?: string; source: 'storage' | 'warehouse'; stage?: string; timeout: string }) =>
      guard(async () => {
        const { runPlatformStatus } = await import('./app/platform-status.js');
        markStartup('command loaded');
        const code = await runPlatformStatus(await registryFrom(opts), { ...opts, timeoutMs: timeoutMs(opts.timeout) });
        markStartup('output written');
        flushStartup();
        return code;
      }, { exitWhenDone: true, timeout: opts.timeout, ownOutput: true }),
    );

  addGlobals(program.command('missing'))
    .description('print missing keys, one a line, sorted, as a launch\'s keys file holds them (ready for a backfill --csv)')
    .option('--from <source>', "storage, warehouse, lag (in storage, not yet in warehouse), failures (keys still failing), or a stage of the chain", 'storage')
    .option('--present-in <stage>', 'with a stage: keys present in this stage (default: the stage feeding it)')
    .option('--phase <label>', 'with --from failures: only keys of this phase (e.g. Playoffs)')
    .addOption(new Option('--persistent', 'with --from failures or storage: only keys that failed in every run that tried them').conflicts('notPersistent'))
    .option('--not-persistent', 'with --from failures or storage: only keys a retry may still fix (what s launches)')
    .option('--timeout <seconds>', 'print what is known and exit within this bound, whatever a source does', '30')
    .action(async (opts: GlobalOpts & { from: string; presentIn?: string; phase?: string; persistent?: boolean; notPersistent?: boolean; timeout: string }) =>
      guard(async () => {
        const { runPlatformMissing } = await import('./app/platform-status.js');
        markStartup('command loaded');
        const code = await runPlatformMissing(await registryFrom(opts), { ...opts, timeoutMs: timeoutMs(opts.timeout) });
        markStartup('output written');
        flushStartup();
        return code;
      }, { exitWhenDone: true, timeout: opts.timeout, ownOutput: true }),
    );

  program
    .command('demo')
    .description('the whole product offline: a simulated backfill in a scratch directory')
    .option('--dir <dir>', 'scratch directory (default: a new temp directory)')
    .option('--speed <x>', 'simulated seconds per real second', '8')
    .option('--job <name>', 'one job: player-boxscores is the single-job demo')
    .option('--no-color', 'no colors')
    .action(async (opts: { dir?: string; speed: string; color?: boolean; job?: string }) =>
      guard(async () => {
        // The demo is the dashboard: without a terminal it would lay out its directory and then fail inside Ink,
        // and stay alive (tester U13). Said before anything is made, as the dashboard says it.
        const notHere = terminalProblem(process, process.env, 'the demo');
        if (notHere) {
          process.stderr.write(await fitErr(`backfill-tui: ${notHere}\n`));
          return USAGE_EXIT;
        }
        // No Ink here: the demo says how its set-up goes first, then loads the dashboard (through loadForTerminal).
        const { runDemo } = await import('./app/demo.js');
        return runDemo({ dir: opts.dir, speed: Number(opts.speed), color: opts.color !== false && !process.env.NO_COLOR, job: opts.job });
        // Ends once it has said everything, whatever a failure left open (the Cloud Run region is detached).
      }, { exitWhenDone: true }),
    );

  program
    .command('init')
    .description('write an example backfill-tui.config.json here (never overwrites)')
    .action(async () =>
      guard(async () => {
        // stdout a full disk (`init > /dev/full`): one line and exit 1, never Node's unhandled 'error' event and its
        // internals (tester AI3). The config file is written before it says so.
        process.stdout.on('error', (err: NodeJS.ErrnoException) => {
          writeErr(`backfill-tui: ${outputError(1, err).message}\n`);
          process.exit(1);
        });
        const { runInit } = await import('./app/init.js');
        return runInit(process.cwd());
      }),
    );

  program.command('sim').description('simulated backfill taking the real script\'s flags (see README)');
  // Listed in --help; parsed by itself above (its options are its own).
  program.command('loopback-cloud-run').description('a loopback Cloud Run region (Run Admin + Logging REST) whose executions run sim (the demo uses it; see --help)');
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // A usage error (exit 2; `--help` and `--version` exit 0): said as every message is, wrapped on a terminal
    // (`error: unknown command 'x' (commands: …)` was broken by an 80-column terminal mid-word).
    if (usageWords) process.stderr.write(await fitErr(usageWords));
    process.exit(err.exitCode === 0 ? 0 : USAGE_EXIT);
  }
}

void main(process.argv);
