/** The simulated backfill: the demo's engine and the tests' data source. */
export { simMain, type SimDeps } from './sim-main.js';
export { generateGameDates } from './game-dates.js';
export { writeSyntheticLog, type SyntheticLogCounts } from './synthetic-log.js';
export { parseSimArgs, defaultSimOptions, type SimOptions } from './options.js';
