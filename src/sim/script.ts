import { runKeys, type FailedEntry, type RunHooks } from './engine.js';
import { filterKeys } from './keys.js';
import { bannerMessages, initMessages, summaryMessages } from './messages.js';
import type { SimOptions } from './options.js';
import { mixSeed, mulberry32 } from './random.js';

/** The run's inputs and its one output file, on top of what the key loop touches. */
export interface ScriptHooks extends RunHooks {
  /** Reads the raw key list; `label` is what `Loaded N dates from ...` names. */
  loadKeys(): Promise<{ keys: string[]; label: string }> | { keys: string[]; label: string };
  /** Writes failed_dates_*.json (named after `startedAt`) and returns the path to log. */
  saveFailed(failed: FailedEntry[], startedAt: number): Promise<string> | string;
}

/** How a run ended: summary written, stopped before it (no summary, like a killed script), or dry run. */
export type ScriptEnd = 'complete' | 'interrupted' | 'dry-run';

/** One whole run of `nbac_player_boxscore_scraper_backfill_v2.py`, record for record. */
export async function runScript(o: SimOptions, hooks: ScriptHooks, runSeed = 0): Promise<ScriptEnd> {
  const info = (message: string) => hooks.log('INFO', message);
  const startedAt = hooks.now();
  initMessages(o).forEach((m, i) => hooks.log('INFO', m, i === 0 ? 'start' : undefined));
  bannerMessages(o).forEach(info);
  const loaded = await hooks.loadKeys();
  const keys = filterKeys(loaded.keys, o);
  info(`Loaded ${keys.length} dates from ${loaded.label}`);
  if (o.dryRun) {
    info('DRY RUN - Sample dates:');
    keys.slice(0, 10).forEach((key, i) => info(`  ${i + 1}. ${key}`));
    info('DRY RUN complete. Use without --dry-run to execute.');
    return 'dry-run';
  }
  const rng = mulberry32(mixSeed(o.seed, runSeed));
  const fates = { ...o, crashes: o.workers > 1 };
  const result = await runKeys(keys, fates, rng, hooks);
  if (result.interrupted) return 'interrupted';
  summaryMessages(result, (hooks.now() - startedAt) / 1000).forEach(info);
  if (result.failedDates.length > 0) {
    const path = await hooks.saveFailed(result.failedDates, startedAt);
    info(`💾 Failed dates saved to: ${path}`);
  }
  return 'complete';
}
