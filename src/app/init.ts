import path from 'node:path';
import { DEFAULT_CONFIG_NAME } from '../config.js';
import { writeFileAtomic } from '../runner/atomic-write.js';
import { fitErr } from '../std-write.js';

/** The example of the README: the player-boxscore job of the reference run. */
export const EXAMPLE_CONFIG = {
  job: 'nbac-player-boxscores',
  log: 'player_boxscore_retry_backfill.log',
  // The date script's files and its retry script's, beside them (backfill-logs.md): one job's failures.
  failed: 'backfill_jobs/scrapers/nbac_player_boxscore/{failed_dates,retry_failed_dates}_*.json',
  expected: { file: 'backfill_jobs/scrapers/nbac_player_boxscore/game_dates_to_scrape.csv' },
  storage: { url: 'gs://nba-scraped-data/nba-com/player-boxscores/', pollSeconds: 60 },
  warehouse: { table: 'nba-props-platform.nba_raw.nbac_player_boxscores', column: 'game_date', since: '2021-10-01', pollSeconds: 300 },
  targets: [95, 98, 100],
  command: [
    'python',
    '-u',
    'backfill_jobs/scrapers/nbac_player_boxscore/nbac_player_boxscore_scraper_backfill_v2.py',
    '--service-url={serviceUrl}',
    '--csv={keysFile}',
    '--workers={workers}',
    '--timeout={timeout}',
  ],
  vars: { serviceUrl: 'https://nba-scrapers-XXXXXXXX-wl.a.run.app' },
  env: { PYTHONUNBUFFERED: '1' },
  workers: 6,
  timeout: 180,
  retry: { workers: 3, timeout: 300 },
  keepAwake: true,
  phases: 'nba',
};

/** `backfill-tui init`: writes the example config here, never over an existing file. */
export async function runInit(cwd: string): Promise<number> {
  const file = path.join(cwd, DEFAULT_CONFIG_NAME);
  try {
    await writeFileAtomic(file, `${JSON.stringify(EXAMPLE_CONFIG, null, 2)}\n`, { overwrite: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      process.stderr.write(await fitErr(`backfill-tui: ${file} exists; not overwriting it\n`));
      return 2;
    }
    throw err;
  }
  process.stdout.write(`wrote ${file}: edit vars.serviceUrl and the paths, then run backfill-tui\n`);
  return 0;
}
