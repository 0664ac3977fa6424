import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRegistry } from '../jobs/registry.js';
import { generateGameDates } from '../sim/game-dates.js';
import { mulberry32 } from '../sim/random.js';
import { describeWriteError, writeFileAtomic } from '../runner/atomic-write.js';
import { loadForTerminal } from './load-for-terminal.js';
import { DEMO_JOB_NAMES, PREPARING, planPlatformDemo, startChainLoader, type PlatformDemoPlan } from './platform-demo.js';
import { DEMO_JOB, ensureDemoRegion, freePort, leaveDemoRegion, startDemoRegionFor, stopDemoRegion } from './demo-cloud-run.js';
import { layOutObjects, type DemoObject } from './demo-layout.js';
import { demoProgress, progressLines, type DemoProgress } from './demo-progress.js';
import { demoLeaveLines } from './demo-leave-words.js';
import type { SetUp } from './platform-dashboard.js';
import { markStartup } from '../startup-timing.js';
import { UserError } from '../errors.js';
import { makeDirs } from '../runner/make-dirs.js';
import { fitErr } from '../std-write.js';

/** Written first into a directory the demo lays out: `--dir` opens only such a directory, or an empty one. */
export const DEMO_MARK = '.backfill-tui-demo';

/**
 * Makes sure `dir` is the demo's to write into: empty (then marked as the demo's), or laid out by a demo before
 * (its mark, or the set-up marker of one killed while laying out). Anything else holds files of the operator's,
 * which the demo would overwrite (tester W11: `--dir .` in a backfill's folder replaced its keys.csv).
 * Throws UserError (exit 2) naming the directory and a few of its entries.
 */
export async function claimDemoDir(dir: string): Promise<void> {
  const entries = await readdir(dir);
  if (entries.includes(DEMO_MARK) || entries.includes(PREPARING)) return;
  if (entries.length > 0) {
    const some = entries.slice(0, 3).join(', ') + (entries.length > 3 ? `, … (${entries.length} entries)` : '');
    throw new UserError(`${dir} is not a demo directory: it holds files the demo did not write (${some}), and the demo would write over them; give --dir an empty or new folder, or one an earlier demo made`, 2);
  }
  await writeFileAtomic(path.join(dir, DEMO_MARK), 'laid out by `backfill-tui demo`: --dir opens this directory again\n');
}

/** Share of keys already in storage when the demo opens: April–June mostly missing, as in the real run. */
const PRESENT_REGULAR = 0.8;
const PRESENT_PLAYOFFS = 0.35;
/** The demo's Phase 2: keys reach the warehouse this long after storage. */
const LOAD_EVERY_MS = 15_000;

/** Lays out a scratch directory: expected keys, partial storage, warehouse behind it, config with the simulator. */
export async function setUpDemo(dir: string, opts: { speed: number; cli: string; progress?: DemoProgress }): Promise<string> {
  const storage = path.join(dir, 'storage');
  const warehouse = path.join(dir, 'warehouse');
  await mkdir(storage, { recursive: true });
  await mkdir(warehouse, { recursive: true });
  const keys = generateGameDates({ seasons: [2021, 2022, 2023, 2024], seed: 7 });
  await writeFileAtomic(path.join(dir, 'game_dates_to_scrape.csv'), `${keys.join('\n')}\n`);
  const rng = mulberry32(11);
  const objects: DemoObject[] = [];
  for (const key of keys) {
    const month = Number(key.slice(5, 7));
    if (rng() < (month >= 4 && month <= 6 ? PRESENT_PLAYOFFS : PRESENT_REGULAR)) {
      objects.push({ folder: storage, key, name: '20251126_120000.json' });
      if (rng() < 0.95) objects.push({ folder: warehouse, key, name: 'loaded' });
    }
  }
  await layOutObjects(dir, objects, (done, total) => opts.progress?.count('key folders', done, total));
  const config = {
    job: 'player-boxscores (demo)',
    log: 'player_boxscore_backfill.log',
    failed: 'failed_dates_*.json',
    expected: 'game_dates_to_scrape.csv',
    storage: { url: 'storage', pollSeconds: 5 },
    warehouse: { table: 'demo.nba_raw.nbac_player_boxscores', column: 'game_date', dir: 'warehouse', pollSeconds: 10 },
    command: [process.execPath, opts.cli, 'sim', '--csv={keysFile}', '--workers={workers}', '--timeout={timeout}', '--storage={storage}', '--failed-dir={failedDir}', '--speed={speed}', '--playoff-fail-rate=0.4'],
    vars: { storage, failedDir: dir, speed: opts.speed },
    workers: 6,
    timeout: 180,
    retry: { workers: 3, timeout: 300 },
    keepAwake: false,
  };
  const file = path.join(dir, 'backfill-tui.config.json');
  await writeFileAtomic(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** A warehouse folder with one file of data: the local source counts a key when its folder holds bytes (empty files are not data). */
async function markLoaded(warehouse: string, key: string): Promise<void> {
  await mkdir(path.join(warehouse, key), { recursive: true });
  await writeFile(path.join(warehouse, key, 'loaded'), 'loaded\n');
}

/** The demo's stand-in for the Phase 2 loader: copies storage keys into the warehouse, one pass at a time. */
export function startDemoLoader(dir: string, signal: AbortSignal): void {
  const storage = path.join(dir, 'storage');
  const warehouse = path.join(dir, 'warehouse');
  let seen = new Set<string>();
  const pass = async () => {
    const now = new Set(await readdir(storage).catch(() => [] as string[]));
    // Load what was already there on the previous pass: the warehouse trails storage by one interval.
    for (const key of seen) if (now.has(key) && !existsSync(path.join(warehouse, key))) await markLoaded(warehouse, key);
    seen = now;
  };
  const timer = setInterval(() => void pass(), LOAD_EVERY_MS);
  timer.unref();
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}

/**
 * `--job` checked before anything is made (tester X9: `demo --job nope` laid out a whole demo, started and stopped
 * its region, printed `open it again with …`, and only then said there is no such job): against the jobs of the
 * directory's config when `--dir` names a demo already laid out, else against the demo's own jobs.
 */
async function checkDemoJob(opts: { dir?: string; job?: string }): Promise<void> {
  if (opts.job === undefined) return;
  const existing = opts.dir ? path.join(path.resolve(opts.dir), 'backfill-tui.config.json') : null;
  let names: string[];
  if (existing && existsSync(existing)) {
    const config = JSON.parse(await readFile(existing, 'utf8')) as { job?: string; jobs?: { name?: string }[] };
    // A lone-job demo takes any --job as its name (loadRegistry): nothing to check.
    if (!config.jobs) return;
    names = config.jobs.map((j) => j.name ?? '');
  } else names = [...DEMO_JOB_NAMES, DEMO_JOB.name];
  if (!names.includes(opts.job)) throw new UserError(`demo: no job named "${opts.job}" (jobs: ${names.join(', ')}); nothing was made`, 2);
}

/**
 * `backfill-tui demo`: the whole product offline; nothing runs until `s`. Without `--job`, the platform: five
 * scrapers and the phase chain on the overview; `--job player-boxscores` the single-job demo of before.
 */
/**
 * The command that opens `dir` again, as the demo was started: `npm run demo -- --dir DIR` from the repository's
 * script (npm sets npm_lifecycle_event to the script's name), else `npx backfill-tui demo --dir DIR`, which works
 * wherever the package is installed (tester AC13: an installed demo said `npm run demo …`, which there is no script).
 */
export function reopenCommand(dir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_lifecycle_event === 'demo' ? `npm run demo -- --dir ${dir}` : `npx backfill-tui demo --dir ${dir}`;
}

/**
 * Makes `--dir` (and its parents) as make-dirs.ts does, or says why not as a usage error naming it (tester AI8: a file
 * there was a stack trace, exit 1, and under /proc Node's recursive mkdir never returned: a blank screen spinning a core
 * until Ctrl-C). A file system that does not answer is said after MAKE_DIRS_LIMIT_MS.
 */
async function makeDemoDir(dir: string): Promise<void> {
  try {
    await makeDirs(dir);
  } catch (err) {
    const why = describeWriteError(err, 'x').message.replace(/^Cannot write x: /, '');
    throw new UserError(`cannot make the demo directory ${dir}: ${why}; give --dir a new or empty folder`, 2);
  }
}

export async function runDemo(opts: { dir?: string; speed: number; color: boolean; job?: string }): Promise<number> {
  markStartup('demo loaded');
  await checkDemoJob(opts);
  const dir = opts.dir ? path.resolve(opts.dir) : await mkdtemp(path.join(os.tmpdir(), 'backfill-tui-demo-'));
  await makeDemoDir(dir);
  await claimDemoDir(dir);
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'cli.js');
  const existing = path.join(dir, 'backfill-tui.config.json');
  let file: string;
  // Laying out the single-job demo is said at once, with a bar, before its first frame.
  const progress = demoProgress(process.stderr);
  let plan: PlatformDemoPlan | null = null;
  let region: Promise<string | null>;
  let views: Promise<typeof import('./platform-dashboard.js')> | null = null;
  if (existsSync(existing)) {
    // Only a kill leaves one (leaving waits for the set-up): its folders are half there, its figures would lie.
    if (existsSync(path.join(dir, PREPARING))) throw new UserError(`${dir} was left before its set-up finished laying it out (the demo was killed then): start a new demo with \`npm run demo\``);
    file = existing;
    // Started detached (or found from an earlier demo): a Cloud Run execution outlives the dashboard.
    region = startDemoRegionFor(dir, file, cli);
  } else if (opts.job === 'player-boxscores') {
    progress.step(`laying out ${dir}`);
    file = await setUpDemo(dir, { speed: opts.speed, cli, progress });
    progress.done();
    region = Promise.resolve(null);
  } else {
    // The five-job demo writes its config and keys files now and lays out its ~13,000 key folders under its first
    // frame (see below). The sixth job runs as a Cloud Run Job on the shipped loopback region: a process of its
    // own, started now so that it gets ready meanwhile.
    const port = await freePort();
    region = ensureDemoRegion(dir, { cli, port, jobs: [DEMO_JOB.cloudRunJob] });
    // Read and compiled while the plan's few files are written (waits on the disk, not the main thread).
    views = loadForTerminal(() => import('./platform-dashboard.js'));
    plan = await planPlatformDemo(dir, { speed: opts.speed, cli, cloudRun: { keys: generateGameDates({ seasons: [2021, 2022, 2023, 2024], seed: 7 }), port } });
    file = plan.file;
    markStartup('demo planned');
  }
  region.catch(() => {}); // its failure is said where it is awaited
  const platform = 'jobs' in (JSON.parse(await readFile(file, 'utf8')) as object);
  const ac = new AbortController();
  process.stderr.write(await fitErr(`demo directory: ${dir}\n`));
  /** What the sources wait for: the key folders laid out, the region answering; the stand-in loaders then start. */
  const prepare = async (shown: DemoProgress) => {
    try {
      if (plan) await plan.layOut(shown);
      await region;
    } catch (err) {
      // A demo that never opened leaves no region behind.
      if (plan) await region.then(() => stopDemoRegion(dir), () => {});
      throw err;
    }
    if (platform) startChainLoader(dir, ac.signal);
    else startDemoLoader(dir, ac.signal);
  };
  let preparing = null as Promise<void> | null;
  try {
    // Ink, React and the views load only now (the five-job demo: from its plan on): a single-job set-up's bar shows
    // as soon as the command starts, and the two never compete for the one main thread (loading them during the
    // set-up made both slower).
    const { runPlatformDashboard } = await (views ?? loadForTerminal(() => import('./platform-dashboard.js')));
    markStartup('views loaded');
    // A lone-job config takes --job as its name; only a platform's --job picks one of its jobs.
    const registry = loadRegistry({ file, cwd: dir, flags: platform && opts.job ? { job: opts.job } : {} });
    // The five-job overview draws first and says how its set-up goes under its title; one job's screen after it.
    // Each line redraws the whole overview (5-15 ms here): four a second, not ten, leave the CPU to the set-up.
    const setUp: SetUp = (say) => (preparing = prepare(progressLines(say, { everyMs: 250 })));
    if (!registry.multi) {
      await prepare(progress);
      progress.done();
    }
    return await runPlatformDashboard(registry, { color: opts.color, setUp: registry.multi ? setUp : undefined });
  } finally {
    // Quit under the first frame: the set-up (under a second) finishes first, so the directory opens again whole.
    await preparing?.catch(() => undefined);
    ac.abort();
    // Said again on leaving: the dashboard drew over the first line, and a launched run goes on.
    const width = process.stderr.columns || process.stdout.columns || 80;
    const say = (...lines: string[]) => process.stderr.write(`${demoLeaveLines(lines, width).join('\n')}\n`);
    say(`demo directory: ${dir}`, `open it again with: ${reopenCommand(dir)}`);
    const left = (await region.catch(() => null)) ? await leaveDemoRegion(dir, file).catch((err: Error) => `demo Cloud Run region: ${err.message}`) : null;
    if (left) say(left);
  }
}
