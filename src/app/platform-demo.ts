import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../runner/atomic-write.js';
import { generateGameDates } from '../sim/game-dates.js';
import { defaultSimOptions } from '../sim/options.js';
import { localSeconds } from '../sim/python-format.js';
import { writeFailedDates } from '../sim/storage.js';
import { mulberry32 } from '../sim/random.js';
import { runScript } from '../sim/script.js';
import { layOutObjects, type DemoObject } from './demo-layout.js';
import type { DemoProgress } from './demo-progress.js';
import { demoCloudRunJob } from './demo-cloud-run.js';

/** The chain's stand-in loader runs a pass this often; each stage trails the one before by one pass. */
const CHAIN_PASS_MS = 15_000;
/** Share of keys a later stage never gets (rows the transform drops), so the funnel shows keys lost on the way. */
const DROPPED = 0.012;

/**
 * Game ids shaped like the team boxscore job's (`00221NNNNN` regular season, `00421NNNNN` playoffs), 5,299 over
 * four seasons: the shape of the reference list, generated, never copied.
 */
export function generateGameIds(): string[] {
  const ids: string[] = [];
  const playoffs = [97, 94, 92, 96];
  [21, 22, 23, 24].forEach((yy, i) => {
    for (let g = 1; g <= 1230; g++) ids.push(`002${yy}${String(g).padStart(5, '0')}`);
    for (let g = 1; g <= playoffs[i]; g++) ids.push(`004${yy}00${String(100 + g).padStart(3, '0')}`);
  });
  return ids.slice(0, 5299);
}

/**
 * Each game id's date, as the real team CSV has it (`game_id,game_date`): a season's regular-season games spread
 * over its game dates before April 15, its playoff games over those after, in id order. So the id jobs get a season
 * calendar and phases by date, as the real file gives them (tester V9).
 */
export function gameIdDates(ids: string[], dates: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const bySeason = new Map<number, { regular: string[]; playoffs: string[] }>();
  for (const d of dates) {
    const season = Number(d.slice(5, 7)) >= 8 ? Number(d.slice(0, 4)) : Number(d.slice(0, 4)) - 1;
    const s = bySeason.get(season) ?? { regular: [], playoffs: [] };
    (d < `${season + 1}-04-15` ? s.regular : s.playoffs).push(d);
    bySeason.set(season, s);
  }
  const groups = new Map<string, string[]>();
  for (const id of ids) groups.set(id.slice(0, 5), [...(groups.get(id.slice(0, 5)) ?? []), id]);
  for (const [prefix, group] of groups) {
    const s = bySeason.get(2000 + Number(prefix.slice(3, 5)));
    const days = prefix.startsWith('004') ? s?.playoffs : s?.regular;
    if (!days?.length) continue;
    group.forEach((id, i) => out.set(id, days[Math.floor((i * days.length) / group.length)]));
  }
  return out;
}

/** A key's folder with one non-empty file: an empty object is a placeholder, not data (the sources' present rule). */
async function mark(dir: string, key: string, file = 'loaded.json'): Promise<void> {
  await mkdir(path.join(dir, key), { recursive: true });
  await writeFile(path.join(dir, key, file), '{"demo":true}\n');
}

interface DemoJob {
  name: string;
  keys: string[];
  /** Share already in storage when the demo opens. */
  present: number;
  /** Write a finished run's log (the team boxscore job is done). */
  finished?: boolean;
  warehouse?: boolean;
}

/** In a demo directory while its key folders are laid out. */
export const PREPARING = '.demo-preparing';

/** A new platform demo whose files to read are written, and whose key folders are still to lay out. */
export interface PlatformDemoPlan {
  /** The config file (every job, the chain, and the Cloud Run job when asked for). */
  file: string;
  /**
   * Simulates the finished job's run (its log and failed-keys file), then lays out about 13,000 key folders:
   * storage, warehouse and chain stages, saying how far on `progress`. Until it is done the sources have
   * nothing true to read.
   */
  layOut(progress?: DemoProgress): Promise<void>;
}

/**
 * The platform demo: the five scrapers of the seed, each with its simulated backfill, and a four-stage chain
 * after the player boxscore job (Phase 1 its storage, then raw, analytics and feature directories filled by
 * {@link startChainLoader}); with `cloudRun`, the demo's Cloud Run job as a sixth (see demoCloudRunJob). The
 * config and the keys files are written now (a few files); what is in storage, the warehouse and the chain is
 * decided and laid out by the plan's `layOut`, so the dashboard can show its first frame in between.
 */
/** The five-job demo's local jobs, in the overview's order (its Cloud Run job is DEMO_JOB). */
export const DEMO_JOB_NAMES = ['team-boxscores', 'player-boxscores', 'bdl-standings', 'play-by-play', 'espn-boxscores'];

export async function planPlatformDemo(dir: string, opts: { speed: number; cli: string; cloudRun?: { keys: string[]; port?: number } }): Promise<PlatformDemoPlan> {
  const dates = generateGameDates({ seasons: [2021, 2022, 2023, 2024], seed: 7 });
  const ids = generateGameIds();
  const idDates = gameIdDates(ids, dates);
  const jobs: DemoJob[] = [
    // Their names are DEMO_JOB_NAMES (checked against `demo --job` before anything is laid out).
    { name: 'team-boxscores', keys: ids, present: 1, finished: true, warehouse: true },
    { name: 'player-boxscores', keys: dates, present: 0.75, warehouse: true },
    { name: 'bdl-standings', keys: dates, present: 0.3 },
    { name: 'play-by-play', keys: ids, present: 0 },
    { name: 'espn-boxscores', keys: ids, present: 0 },
  ];
  // Written side by side: each atomic write waits for its own fsync.
  await Promise.all(
    jobs.map(async (job) => {
      const home = path.join(dir, job.name);
      await mkdir(home, { recursive: true });
      // The id jobs' file as the real team CSV: the game id, then its date (calendar and phases by date).
      await writeFileAtomic(path.join(home, 'keys.csv'), job.keys === ids ? `game_id,game_date\n${ids.map((id) => `${id},${idDates.get(id) ?? ''}`).join('\n')}\n` : `${dates.join('\n')}\n`);
    }),
  );
  const entries: Record<string, unknown>[] = [];
  for (const job of jobs) {
    const home = path.join(dir, job.name);
    entries.push({
      name: job.name,
      log: `${job.name}/backfill.log`,
      failed: `${job.name}/failed_dates_*.json`,
      expected: job.keys === ids ? { file: `${job.name}/keys.csv`, column: 'game_id', format: 'id' } : `${job.name}/keys.csv`,
      storage: { url: `${job.name}/storage` },
      ...(job.warehouse ? { warehouse: { table: `demo.nba_raw.${job.name.replace(/-/g, '_')}`, column: job.keys === ids ? 'game_id' : 'game_date', dir: `${job.name}/warehouse` } } : {}),
      vars: { storage: path.join(home, 'storage'), failedDir: home },
    });
  }
  // Gone once every folder is laid out: a demo directory that still has it was left half-made (see runDemo).
  await writeFile(path.join(dir, PREPARING), 'the demo is laying out this directory\n');
  const cloud = opts.cloudRun ? await demoCloudRunJob(dir, { ...opts.cloudRun, speed: opts.speed }) : null;
  if (cloud) entries.push(cloud.entry);
  const file = path.join(dir, 'backfill-tui.config.json');
  await writeFileAtomic(file, `${JSON.stringify(platformConfig(entries, opts), null, 2)}\n`);
  const layOut = async (progress?: DemoProgress) => {
    const objects = await demoObjects(dir, jobs, progress);
    if (cloud) objects.push(...cloud.objects);
    await layOutObjects(dir, objects, (done, total) => progress?.count('key folders', done, total));
    await rm(path.join(dir, PREPARING));
  };
  return { file, layOut };
}

/** {@link planPlatformDemo} laid out at once (without the Cloud Run job); returns the config file. */
export async function setUpPlatformDemo(dir: string, opts: { speed: number; cli: string; progress?: DemoProgress }): Promise<string> {
  const plan = await planPlatformDemo(dir, opts);
  await plan.layOut(opts.progress);
  return plan.file;
}

/** What each job's storage and warehouse hold, and the chain's later stages, each behind the one before. */
async function demoObjects(dir: string, jobs: DemoJob[], progress?: DemoProgress): Promise<DemoObject[]> {
  const rng = mulberry32(11);
  const objects: DemoObject[] = [];
  const loaded = new Map<string, string[]>();
  for (const job of jobs) {
    const home = path.join(dir, job.name);
    const storage = path.join(home, 'storage');
    await mkdir(storage, { recursive: true });
    if (job.finished) progress?.step(`simulating the finished ${job.name} run (${job.keys.length.toLocaleString('en-US')} keys)`);
    const stored = job.finished ? await writeFinishedRun(home, job.keys) : job.keys.filter(() => rng() < job.present);
    for (const key of stored) objects.push({ folder: storage, key, name: '20251126_120000.json' });
    if (job.warehouse) {
      const warehouse = path.join(home, 'warehouse');
      await mkdir(warehouse, { recursive: true });
      const inWarehouse = stored.filter(() => rng() < 0.96);
      for (const key of inWarehouse) objects.push({ folder: warehouse, key, name: 'loaded.json' });
      loaded.set(job.name, inWarehouse);
    }
  }
  // Later phases already part-way, each behind the one before, as on a platform mid-backfill.
  let feeding = loaded.get('player-boxscores') ?? [];
  for (const [stage, share] of [['analytics', 0.9], ['features', 0.85]] as const) {
    await mkdir(path.join(dir, 'chain', stage), { recursive: true });
    feeding = feeding.filter((key) => !dropped(key) && rng() < share);
    for (const key of feeding) objects.push({ folder: path.join(dir, 'chain', stage), key, name: 'loaded.json' });
  }
  return objects;
}

function platformConfig(jobs: Record<string, unknown>[], opts: { speed: number; cli: string }) {
  return {
    defaults: {
      storage: { pollSeconds: 5 },
      warehouse: { pollSeconds: 10 },
      command: [process.execPath, opts.cli, 'sim', '--csv={keysFile}', '--workers={workers}', '--timeout={timeout}', '--storage={storage}', '--failed-dir={failedDir}', '--speed={speed}', '--playoff-fail-rate=0.4'],
      vars: { speed: opts.speed },
      workers: 6,
      timeout: 180,
      retry: { workers: 3, timeout: 300 },
      keepAwake: false,
    },
    jobs,
    chain: {
      expected: 'player-boxscores/keys.csv',
      stages: [
        { name: 'Phase 1', storage: { url: 'player-boxscores/storage', pollSeconds: 5 } },
        { name: 'Phase 2', warehouse: { table: 'demo.nba_raw.player_boxscores', column: 'game_date', dir: 'player-boxscores/warehouse', pollSeconds: 10 } },
        { name: 'Phase 3', warehouse: { table: 'demo.nba_analytics.player_game_summary', column: 'game_date', dir: 'chain/analytics', pollSeconds: 10 } },
        { name: 'Phase 4', warehouse: { table: 'demo.nba_precompute.player_features', column: 'game_date', dir: 'chain/features', pollSeconds: 10 } },
      ],
    },
  };
}

/**
 * A whole run of the simulated scraper on a virtual clock, ended two hours ago: its log and failed-keys file
 * written, the keys it scraped returned (for storage).
 */
async function writeFinishedRun(home: string, keys: string[]): Promise<string[]> {
  const lines: string[] = [];
  let now = Date.now() - 2 * 3_600_000;
  const scraped: string[] = [];
  const o = { ...defaultSimOptions, csv: path.join(home, 'keys.csv'), seed: 5, workers: 6, timeout: 180, meanSeconds: 0.8, failRate: 0.0006, playoffFailRate: 0.0006, timeoutRate: 0.0002, exceptionRate: 0 };
  await runScript(o, {
    now: () => now,
    startClock: () => {
      const base = now;
      return (offsetMs) => void (now = base + Math.round(offsetMs));
    },
    stopped: () => false,
    isPresent: () => false,
    saveScraped: (key) => void scraped.push(key),
    log: (level, message) => void lines.push(`${localSeconds(now)},${String(now % 1000).padStart(3, '0')} - ${level} - ${message}`),
    loadKeys: () => ({ keys, label: o.csv! }),
    saveFailed: (failed, startedAt) => writeFailedDates(home, failed, startedAt, now),
  });
  await writeFile(path.join(home, 'backfill.log'), `${lines.join('\n')}\n`);
  return scraped;
}

/** A stable pseudo-random fraction of a key, so a stage drops the same keys on every pass. */
function dropped(key: string): boolean {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32 < DROPPED;
}

/**
 * The demo's stand-in for phases 2 to 4: each pass copies into a stage what the stage before held on the
 * previous pass (so each trails by a pass), minus a few keys the transform drops from Phase 3 on.
 */
export function startChainLoader(dir: string, signal: AbortSignal): void {
  const stages = [path.join(dir, 'player-boxscores', 'storage'), path.join(dir, 'player-boxscores', 'warehouse'), path.join(dir, 'chain', 'analytics'), path.join(dir, 'chain', 'features')];
  let seen: Set<string>[] = stages.map(() => new Set());
  const pass = async () => {
    const now = await Promise.all(stages.map(async (s) => new Set(await readdir(s).catch(() => [] as string[]))));
    for (let i = 1; i < stages.length; i++) {
      for (const key of seen[i - 1]) {
        if (signal.aborted) return;
        if (now[i - 1].has(key) && !now[i].has(key) && !(i >= 2 && dropped(key)) && !existsSync(path.join(stages[i], key))) await mark(stages[i], key);
      }
    }
    seen = now;
  };
  const timer = setInterval(() => void pass(), CHAIN_PASS_MS);
  timer.unref();
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
