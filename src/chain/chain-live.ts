import { readyUnlessAborted } from '../abort.js';
import { watchExpectedKeys } from '../coverage/expected-watch.js';
import { IDLE_POLL_MS, type FollowHandle, type SourceHub } from '../coverage/source-hub.js';
import type { ChainConfig } from '../jobs/chain-config.js';
import { stageIntervalMs, stageLabel, stageSource, type ChainState } from './chain-sources.js';
import type { StageLook } from './funnel.js';

/** The chain followed live: its state, and a way to hear when it changes. */
export interface ChainLive {
  getState(): ChainState;
  subscribe(listener: () => void): () => void;
  /** `g`: look at every stage now. */
  refresh(): void;
  /** Stages looked at at their configured pace (true), or at most every IDLE_POLL_MS: no job feeding them moves. */
  pace(fast: boolean): void;
}

/**
 * Follows every stage of the chain through the hub (a stage naming a job's prefix or table shares its poll).
 * A stage whose source fails keeps its last keys, marked with the error; the others go on.
 */
export function startChain(chain: ChainConfig, hub: SourceHub, signal: AbortSignal, ready: Promise<unknown> = Promise.resolve()): ChainLive {
  let state: ChainState = { expected: null, expectedError: null, looks: new Map() };
  const listeners = new Set<() => void>();
  const followed: { handle: FollowHandle; intervalMs: number }[] = [];
  let fast = true;
  const paceOf = (intervalMs: number) => (fast ? intervalMs : Math.max(intervalMs, IDLE_POLL_MS));
  const set = (next: ChainState) => {
    state = next;
    for (const l of listeners) l();
  };
  const look = (name: string, patch: Partial<StageLook>) => {
    const looks = new Map(state.looks);
    looks.set(name, { ...looks.get(name)!, ...patch });
    set({ ...state, looks });
  };
  // The expected keys as the file is now, re-read when it changes (tester V13); the stages are followed from the first.
  const follow = () => watchExpectedKeys(chain.expected, {
    onKeys: (expected) => {
      if (signal.aborted) return;
      if (state.expected) return set({ ...state, expected, expectedError: null });
      const looks = new Map(chain.stages.map((s) => [s.name, { label: stageLabel(s), keys: null, checkedAt: null, error: null, hint: null }]));
      set({ expected, expectedError: null, looks });
      for (const stage of chain.stages) {
        try {
          const source = stageSource(hub, stage, expected.format, expected.keys.length);
          const intervalMs = stageIntervalMs(stage);
          followed.push({
            intervalMs,
            handle: hub.follow(
              source,
              paceOf(intervalMs),
              {
                onResult: (result, at) => look(stage.name, { label: source.label, keys: result.keys, checkedAt: at, error: null, hint: null }),
                onError: (error) => look(stage.name, { error: error.message, hint: error.hint }),
              },
              signal,
            ),
          });
        } catch (err) {
          look(stage.name, { error: (err as Error).message, hint: null });
        }
      }
    },
    onError: (err: Error) => set({ ...state, expectedError: err.message }),
  }, signal, undefined, 'the chain\'s "expected"');
  // With `ready` (a demo still laying out its stages' folders), nothing is read before it resolves.
  void readyUnlessAborted(ready, signal).then((go) => void (go && follow()));
  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh: () => followed.forEach((f) => f.handle.refresh()),
    pace(next) {
      if (next === fast) return;
      fast = next;
      for (const f of followed) f.handle.pace(paceOf(f.intervalMs));
    },
  };
}
