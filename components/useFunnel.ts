import { useSyncExternalStore } from 'react';
import type { ChainLive } from '../src/chain/chain-live.js';
import type { ChainState } from '../src/chain/chain-sources.js';
import { funnel, type FunnelRow } from '../src/chain/funnel.js';
import type { ChainConfig } from '../src/jobs/chain-config.js';

/** The chain of a lone job's config, followed live: its funnel shows on the job's dashboard. */
export interface LoneChain {
  config: ChainConfig;
  live: ChainLive;
}

/** What the dashboard's funnel panel draws. */
export interface FunnelView {
  rows: FunnelRow[];
  error: string | null;
  /** The expected keys are not read yet: no count to show. */
  reading: boolean;
}

const none = { subscribe: () => () => undefined, getState: () => null };
// One funnel per chain state: a frame that did not change the chain computes nothing.
const views = new WeakMap<ChainState, FunnelView>();

/** The funnel of `chain` as it stands, re-rendering when it changes; null without a chain. */
export function useFunnel(chain: LoneChain | null): FunnelView | null {
  const source = chain?.live ?? none;
  const state = useSyncExternalStore(source.subscribe, source.getState);
  if (!chain || !state) return null;
  let view = views.get(state);
  if (!view) {
    view = { rows: funnel(chain.config.stages, chain.config.targets, state.expected?.keys ?? [], state.looks), error: state.expectedError, reading: !state.expected };
    views.set(state, view);
  }
  return view;
}
