import { readExpectedKeys, type ExpectedKeys } from '../coverage/expected-keys.js';
import type { SourceHub } from '../coverage/source-hub.js';
import type { KeySource } from '../coverage/source.js';
import { asSourceError } from '../app/look-once.js';
import type { ChainConfig, ChainStage } from '../jobs/chain-config.js';
import type { StageLook } from './funnel.js';

/** Everything the funnel is computed from: the chain's expected keys and each stage's last look. */
export interface ChainState {
  expected: ExpectedKeys | null;
  expectedError: string | null;
  looks: Map<string, StageLook>;
}

/** Bound on one look at a cloud source from the command line (as for a job's sources). */
const SOURCE_TIMEOUT_MS = 20_000;

/**
 * The hub source a stage reads: its storage listing or its warehouse table (or a local directory); told how many
 * keys the chain expects, when known, which bounds the pages its listings may take.
 */
export function stageSource(hub: SourceHub, stage: ChainStage, keyFormat: 'date' | 'id', expectedKeys?: number): KeySource {
  const source = stage.storage ? hub.storage(stage.storage) : hub.warehouse(stage.warehouse!, keyFormat);
  if (expectedKeys !== undefined) hub.expect(source, expectedKeys);
  return source;
}

/** How often a stage is looked at: its source's `pollSeconds`. */
export function stageIntervalMs(stage: ChainStage): number {
  return (stage.storage?.pollSeconds ?? stage.warehouse?.pollSeconds ?? 300) * 1000;
}

/** One look at every stage, in parallel, through the hub (a source a job also names is read once). */
export async function collectChain(chain: ChainConfig, hub: SourceHub, now: () => number = Date.now): Promise<ChainState> {
  const state: ChainState = { expected: null, expectedError: null, looks: new Map() };
  try {
    state.expected = await readExpectedKeys(chain.expected, 'the chain\'s "expected"');
  } catch (err) {
    state.expectedError = (err as Error).message;
  }
  const format = state.expected?.format ?? 'date';
  await Promise.all(
    chain.stages.map(async (stage) => {
      let source: KeySource | null = null;
      try {
        source = stageSource(hub, stage, format, state.expected?.keys.length);
        const result = await source.list(AbortSignal.timeout(SOURCE_TIMEOUT_MS));
        state.looks.set(stage.name, { label: source.label, keys: result.keys, checkedAt: now(), error: null, hint: null });
      } catch (err) {
        const e = asSourceError(err);
        state.looks.set(stage.name, { label: source?.label ?? stageLabel(stage), keys: null, checkedAt: null, error: e.message, hint: e.hint });
      }
    }),
  );
  return state;
}

/** The source as the config names it, for a stage whose source could not even be made. */
export function stageLabel(stage: ChainStage): string {
  return stage.storage ? stage.storage.url : stage.warehouse!.dir ?? stage.warehouse!.table;
}
