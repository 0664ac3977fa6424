import { readExpectedKeys } from '../coverage/expected-keys.js';
import type { KeySource } from '../coverage/source.js';
import { lookOnce } from './look-once.js';
import type { Config } from '../config.js';
import { readFailedFilesOnce } from './failed-once.js';
import { triedKeysForFiles } from '../failures/tried-keys.js';
import { processSnapshot } from './process-info.js';
import { grammarFor } from './grammar.js';
import { createSourceHub, type SourceHub } from '../coverage/source-hub.js';
import { readLogOnce } from './read-log-once.js';
import { initialState, type AppState, type ExpectedInfo } from '../state/app-state.js';
import type { AppEvent } from '../state/events.js';
import { reduce } from '../state/reducer.js';

/** Bound on one look at a cloud source from the command line. */
const SOURCE_TIMEOUT_MS = 20_000;

/** One look at everything (log, expected keys, sources, failed files, process) for `status` and `missing`. */
export async function collectSnapshot(config: Config, opts: { now?: () => number; sources?: boolean; hub?: SourceHub } = {}): Promise<AppState> {
  const now = opts.now ?? Date.now;
  let state = initialState({ job: config.job, log: config.log, now: now(), targets: config.targets, phases: config.phases });
  const dispatch = (e: AppEvent) => {
    state = reduce(state, e);
  };
  const grammar = grammarFor(config);
  const expectedTask = config.expected
    ? readExpectedKeys(config.expected).then(
        (expected: ExpectedInfo) => dispatch({ type: 'expected/loaded', expected }),
        (err: Error) => dispatch({ type: 'expected/failed', message: err.message }),
      )
    : Promise.resolve();
  const tasks: Promise<unknown>[] = [readLogOnce(config.log, grammar, dispatch), expectedTask];
  tasks.push(readFailedFilesOnce(config.failed).then((f) => dispatch({ type: 'failed/update', ...f })));
  tasks.push(processSnapshot(config).then((patch) => dispatch({ type: 'process/update', patch })));
  if (opts.sources !== false) {
    // Jobs of one `status` share a hub: a prefix or table several of them name is read once.
    const hub = opts.hub ?? createSourceHub({ mode: 'snapshot', now });
    const storage = config.storage ? hub.storage(config.storage) : null;
    if (storage) tasks.push(configuredLook(storage, dispatch, now));
    // The warehouse needs the key format (dates vs ids), known once the expected keys are read.
    tasks.push(
      expectedTask.then(() => {
        const warehouse = config.warehouse ? hub.warehouse(config.warehouse, state.coverage.expected?.format ?? 'date') : null;
        return warehouse ? configuredLook(warehouse, dispatch, now) : undefined;
      }),
    );
  }
  await Promise.all(tasks);
  // Persistence needs what each run launched from here tried (its keys file), as the dashboard has it.
  const tried = await triedKeysForFiles(state.failed.files, state.process.history);
  if (tried.size > 0) dispatch({ type: 'failed/tried', tried });
  dispatch({ type: 'clock/tick', now: now() });
  return state;
}

function configuredLook(source: KeySource, dispatch: (e: AppEvent) => void, now: () => number) {
  dispatch({ type: 'coverage/configured', source: source.name, label: source.label });
  return lookOnce(source, dispatch, now, AbortSignal.timeout(SOURCE_TIMEOUT_MS));
}
