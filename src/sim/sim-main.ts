import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Level } from './engine.js';
import { generateGameDates } from './game-dates.js';
import { parseKeyList } from './keys.js';
import { parseSimArgs, type SimOptions } from './options.js';
import { asctime, backslashreplace, isoformat } from './python-format.js';
import { runScript, type ScriptHooks } from './script.js';
import { isPresent, saveScraped, writeFailedDates } from './storage.js';

/** The world the simulated backfill runs in; tests swap in an instant fake clock and a string sink. */
export interface SimDeps {
  /** Epoch ms; log timestamps come from it. */
  now(): number;
  /** Real by default; resolves early (or rejects) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Where log records go, one whole line per call; default process.stderr, as Python logging. */
  write(text: string): void;
  /** Relative --csv, --storage and --failed-dir resolve against it. */
  cwd: string;
  /** Stops the run as SIGINT/SIGTERM would (reason 'SIGTERM' exits 143, anything else 130). */
  signal?: AbortSignal;
}

const defaultDeps: SimDeps = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
  write: (text) => void process.stderr.write(text),
  cwd: process.cwd(),
};

const USAGE =
  'usage: backfill-tui sim [--csv FILE] [--service-url URL] [--workers N]\n' +
  '                        [--timeout S] [--dry-run] [--limit N]\n' +
  '                        [--start-date YYYY-MM-DD] [--season YYYY]\n' +
  '                        [--storage DIR] [--seed N] [--speed X]\n' +
  '                        [--failed-dir DIR] [--fail-months 4,5,6]\n' +
  '                        [--fail-rate P] [--playoff-fail-rate P]\n' +
  '                        [--timeout-rate P] [--exception-rate P]\n' +
  '                        [--mean-seconds S] [--timezone ZONE]\n' +
  '                        [--clock-start ISO] [--nul-prefix N] [--cr-prefix]\n' +
  '                        [--escaped-emoji] [--doubled]\n';

/**
 * How records reach the log, with the damage real machines do when asked: the clock (`--clock-start`,
 * `--timezone`), NULs before the first record (a copytruncate of a log written with `>`), a `\r`-redrawn
 * progress bar before each outcome (tqdm), escapes for every emoji (backslashreplace), every record twice.
 */
function recordWriter(o: SimOptions, d: SimDeps): { now: () => number; log: (level: Level, message: string) => void } {
  const realStart = d.now();
  const start = o.clockStart === null ? realStart : Date.parse(o.clockStart);
  const now = o.clockStart === null ? d.now : () => start + (d.now() - realStart) * o.speed;
  let records = 0;
  let outcomes = 0;
  const log = (level: Level, message: string) => {
    let line = `${asctime(now(), o.timezone)} - ${level} - ${o.escapedEmoji ? backslashreplace(message) : message}\n`;
    if (o.crPrefix && /^ {2}\S+ (Scraped|Failed|Timeout|Error) /u.test(message)) {
      outcomes++;
      line = `\r${String(outcomes % 100).padStart(3)}%|${'#'.repeat(outcomes % 10).padEnd(10)}| ${outcomes} [00:01<00:01, 1.00it/s]${line}`;
    }
    if (records++ === 0 && o.nulPrefix > 0) line = '\0'.repeat(o.nulPrefix) + line;
    d.write(line);
    if (o.doubled) d.write(line);
  };
  return { now, log };
}

/** The hooks a run needs, bound to the real file system under `d.cwd` and to `d`'s clock. */
function hooksFor(o: SimOptions, d: SimDeps, signal: AbortSignal, records: ReturnType<typeof recordWriter>): ScriptHooks {
  const storage = resolve(d.cwd, o.storage);
  const seasons = [2021, 2022, 2023, 2024];
  return {
    now: records.now,
    startClock() {
      const base = d.now();
      return (offsetMs) => {
        const wait = base + offsetMs / o.speed - d.now();
        if (wait > 0 && !signal.aborted) return d.sleep(wait, signal).catch(() => undefined);
      };
    },
    stopped: () => signal.aborted,
    isPresent: (key) => isPresent(storage, key),
    async saveScraped(key, fate) {
      const at = d.now();
      const body = { scraper: 'nbac_player_boxscore', gamedate: key.replace(/-/g, ''), players: fate.players, scraped_at: isoformat(at) };
      await saveScraped(storage, key, at, body);
    },
    log: records.log,
    async loadKeys() {
      if (o.csv === null) {
        return { keys: generateGameDates({ seasons, seed: o.seed }), label: `generated game dates (seasons 2021-2024, seed ${o.seed})` };
      }
      const text = await readFile(resolve(d.cwd, o.csv), 'utf8').catch((err: NodeJS.ErrnoException) => {
        // What Python prints last before dying on a missing --csv file.
        throw err.code === 'ENOENT' ? new Error(`FileNotFoundError: [Errno 2] No such file or directory: '${o.csv}'`) : err;
      });
      return { keys: parseKeyList(text), label: o.csv };
    },
    // Named and stamped as the script does, with datetime.now(): the log's clock and zone (tester AE4).
    saveFailed: (failed, startedAt) => writeFailedDates(resolve(d.cwd, o.failedDir), failed, startedAt, records.now(), o.timezone),
  };
}

/** What each flag does, for `--help` (argparse prints the same shape). */
const HELP =
  '\nThe simulated backfill: writes the reference script\'s log lines, failed-keys\n' +
  'file and storage objects.\n\n' +
  'options:\n' +
  '  -h, --help              show this help message and exit\n' +
  '  --csv FILE              keys to scrape, one a line (default: ~210 game dates\n' +
  '                          a season, 2021-22 to 2024-25)\n' +
  '  --service-url URL       scraper service URL (only logged)\n' +
  '  --workers N             parallel workers (default 1)\n' +
  '  --timeout S             per-key timeout in seconds (default 60)\n' +
  '  --dry-run               list what would be scraped, scrape nothing\n' +
  '  --limit N               only the first N keys\n' +
  '  --start-date YYYY-MM-DD skip keys before this date\n' +
  '  --season YYYY           only this season (2021 = 2021-22)\n' +
  '  --storage DIR           write DIR/KEY/<timestamp>.json per success; keys\n' +
  '                          already there are skipped\n' +
  '  --seed N                random seed (default 1; same seed, same run)\n' +
  '  --speed X               simulated seconds per real second (default 1)\n' +
  '  --failed-dir DIR        where failed_dates_YYYYMMDD_HHMMSS.json goes\n' +
  '  --fail-months 4,5,6     months where HTTP 500 is likelier\n' +
  '  --fail-rate P           HTTP 500 probability in those months\n' +
  '  --playoff-fail-rate P   HTTP 500 probability in the playoffs\n' +
  '  --timeout-rate P        timeout probability\n' +
  '  --exception-rate P      exception probability\n' +
  '  --mean-seconds S        mean seconds per key (default 8)\n' +
  '\nthe damage real logs carry, on request:\n' +
  '  --timezone ZONE         log times (and the failed-keys file\'s name) in this\n' +
  '                          IANA zone (default the system\'s)\n' +
  '  --clock-start ISO       the simulated clock starts at this instant (a DST\n' +
  '                          night, a clock off)\n' +
  '  --nul-prefix N          N NUL bytes before the first record, as after a\n' +
  '                          copytruncate\n' +
  '  --cr-prefix             each outcome after a \\r-redrawn progress bar on its\n' +
  '                          line\n' +
  '  --escaped-emoji         non-ASCII written as Python\'s backslashreplace does\n' +
  '  --doubled               every record written twice, as by a logger with two\n' +
  '                          handlers\n' +
  '\nRun as a loopback Cloud Run execution (backfill-tui loopback-cloud-run\n' +
  '--help), its args may also hold --keys=A,B,C: the keys themselves, in place\n' +
  'of --csv.\n';

/** `backfill-tui sim ...` entry: parses argv (the real script's flags), runs, returns the exit code. */
export async function simMain(argv: string[], deps?: Partial<SimDeps> & { out?: (text: string) => void }): Promise<number> {
  const d: SimDeps = { ...defaultDeps, ...deps };
  if (argv.includes('-h') || argv.includes('--help')) {
    (deps?.out ?? ((t: string) => void process.stdout.write(t)))(USAGE + HELP);
    return 0;
  }
  const parsed = parseSimArgs(argv);
  if ('error' in parsed) {
    d.write(`${USAGE}backfill-tui sim: error: ${parsed.error}\n`);
    return 2;
  }
  const stop = new AbortController();
  const forward = () => stop.abort(d.signal?.reason);
  if (d.signal?.aborted) forward();
  d.signal?.addEventListener('abort', forward, { once: true });
  // Only a real process owns the process's signals; injected runs are stopped through deps.signal.
  const onSignal = (name: NodeJS.Signals) => stop.abort(name);
  if (!deps) for (const name of ['SIGINT', 'SIGTERM'] as const) process.on(name, onSignal);
  try {
    const records = recordWriter(parsed, d);
    const end = await runScript(parsed, hooksFor(parsed, d, stop.signal, records));
    if (end !== 'interrupted') return 0;
    const reason = typeof stop.signal.reason === 'string' ? stop.signal.reason : 'SIGINT';
    records.log('WARNING', `Interrupted by signal ${reason}`);
    return reason === 'SIGTERM' ? 143 : 130;
  } catch (err) {
    d.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    d.signal?.removeEventListener('abort', forward);
    if (!deps) for (const name of ['SIGINT', 'SIGTERM'] as const) process.off(name, onSignal);
  }
}
