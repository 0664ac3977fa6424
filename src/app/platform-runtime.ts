import { startChain, type ChainLive } from '../chain/chain-live.js';
import { createSourceHub, type SourceHub } from '../coverage/source-hub.js';
import type { JobRegistry } from '../jobs/registry.js';
import { createPlatformUi, type PlatformUiStore } from '../overview/platform-ui.js';
import type { Timers } from '../store.js';
import { startRuntime, type Runtime } from './runtime.js';

/** Every job of the registry running at once, their shared sources, the chain, and the overview's state. */
export interface Platform {
  registry: JobRegistry;
  /** One runtime per job (today's per-job runtime: store, sources, controller), in config order. */
  jobs: Runtime[];
  chain: ChainLive | null;
  ui: PlatformUiStore;
  hub: SourceHub;
  /** The runtime of the job named `name`. */
  job(name: string): Runtime | undefined;
  close(): Promise<void>;
}

/**
 * Starts one runtime per job over one source hub (a prefix or table named by several jobs or stages is polled
 * once per interval, and cloud lists share 4 slots), plus the chain. `exit` is what `q` calls.
 */
export function startPlatform(registry: JobRegistry, opts: { now?: () => number; exit: () => void; timers?: Timers; width?: number; height?: number; hub?: SourceHub }): Platform {
  const hub = opts.hub ?? createSourceHub({ mode: 'live', now: opts.now });
  const ac = new AbortController();
  const jobs = registry.jobs.map((config) => startRuntime(config, { ...opts, hub }));
  const chain = registry.chain ? startChain(registry.chain, hub, ac.signal) : null;
  const ui = createPlatformUi({ screen: registry.multi ? 'overview' : 'job', selected: null, help: false });
  const byName = new Map(jobs.map((r, i) => [registry.jobs[i].job, r]));
  return {
    registry,
    jobs,
    chain,
    ui,
    hub,
    job: (name) => byName.get(name),
    async close() {
      ac.abort();
      await Promise.all(jobs.map((j) => j.close()));
      if (!opts.hub) hub.close();
    },
  };
}
