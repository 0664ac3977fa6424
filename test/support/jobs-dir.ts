import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { banner, logOf } from './log-text.js';

/**
 * A platform of several jobs in `dir`, as the overview reads it: `keys.txt` the expected keys; for each job its
 * storage folder `JOB/storage` holding the first `present(i)` keys, and, where `finished(i)`, a finished run over
 * every key in `JOB/backfill.log`, three hours old (no log otherwise); `backfill-tui.config.json` with `jobs` (log,
 * failed-keys files and storage per job) and the shared `defaults` (60 s storage polls, no keep-awake).
 */
export function writeJobsDir(dir: string, opts: { jobs: string[]; keys: string[]; present: (i: number) => number; finished: (i: number) => boolean }): void {
  writeFileSync(path.join(dir, 'keys.txt'), opts.keys.join('\n') + '\n');
  opts.jobs.forEach((job, i) => {
    const storage = path.join(dir, job, 'storage');
    mkdirSync(storage, { recursive: true });
    for (const k of opts.keys.slice(0, opts.present(i))) {
      mkdirSync(path.join(storage, k));
      writeFileSync(path.join(storage, k, 'a.json'), '{}\n');
    }
    if (opts.finished(i)) {
      const run = [...banner(6, 180, opts.keys.length), ...opts.keys.map((k) => ['INFO', `  ✅ Scraped ${k}`]), ['INFO', 'BACKFILL COMPLETE']];
      writeFileSync(path.join(dir, job, 'backfill.log'), logOf(Date.now() - 3 * 3_600_000, run));
    }
  });
  const config = {
    defaults: { expected: 'keys.txt', keepAwake: false, storage: { pollSeconds: 60 } },
    jobs: opts.jobs.map((name) => ({ name, log: `${name}/backfill.log`, failed: `${name}/failed_*.json`, storage: { url: `${name}/storage` } })),
  };
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify(config));
}
