import { startChain, type ChainLive } from '../chain/chain-live.js';
import { createSourceHub, type SourceHub } from '../coverage/source-hub.js';
import type { Config } from '../config.js';
import type { JobRegistry } from '../jobs/registry.js';
import { createPlatformUi, initialPlatformUi, type PlatformUi, type PlatformUiStore } from '../overview/platform-ui.js';
import type { Timers } from '../store.js';
import { createWritersScan, type WritersScan } from '../runner/log-writers.js';
import { startRuntime, type Runtime } from './runtime.js';
import { createSharedClock, type SharedClock } from './shared-clock.js';

/** Every job of the registry running at once, their shared sources, the chain, and the overview's state. */
export interface Platform {
  registry: JobRegistry;
  /** One runtime per job (today's per-job runtime: store, sources, controller), in config order. */
  jobs: Runtime[];
  chain: ChainLive | null;
  ui: PlatformUiStore;
  hub: SourceHub;
  /** The one clock every job ticks on. */
  clock: SharedClock;
  /** The one look at who writes the jobs' logs. */
  writers: WritersScan;
  /** The runtime of the job named `name`. */
  job(name: string): Runtime | undefined;
  close(): Promise<void>;
}

/**
 * The job `config` as the config file says it now, through the registry's reread (launch-settings.ts), or undefined
 * when there is nothing to read again (flags alone, a config from a pipe). Throws, naming the file, when the file as it
 * is cannot be read or no longer has the job.
 */
export function reloadOf(registry: JobRegistry, config: Config): (() => Config) | undefined {
  const reread = registry.reread;
  if (!reread) return undefined;
  return () => {
    const now = reread();
    const found = now.jobs.find((j) => j.job === config.job);
    if (!found) throw new Error(`${registry.file}: no job named "${config.job}" any more (jobs: ${now.jobs.map((j) => j.job).join(', ')})`);
    return found;
  };
}

/**
 * Starts one runtime per job over one source hub (a prefix or table named by several jobs or stages is polled
 * once per interval, and cloud lists share 4 slots), plus the chain. `exit` is what `q` calls. The jobs share
 * one clock (jobs due together tick together: one frame, not one per job) and one look at who writes the logs
 * (looks asked within a few ms of each other are one walk of /proc). With `ready`, every source and the chain
 * start once it resolves (see startRuntime).
 */
export function startPlatform(registry: JobRegistry, opts: { now?: () => number; exit: () => void; timers?: Timers; width?: number; height?: number; hub?: SourceHub; ready?: Promise<unknown> }): Platform {
  const hub = opts.hub ?? createSourceHub({ mode: 'live', now: opts.now });
  const ac = new AbortController();
  const clock = createSharedClock({ now: opts.now });
  const writers = createWritersScan();
  // The chain's stages move only when a job feeding them does: they keep the configured pace while any job does.
  let chain: ChainLive | null = null;
  const chainPace = () => chain?.pace(jobs.some((j) => j.fast()));
  const jobs: Runtime[] = [];
  for (const config of registry.jobs) jobs.push(startRuntime(config, { ...opts, hub, clock, writers, onScreen: !registry.multi, onPace: chainPace, reload: reloadOf(registry, config) }));
  chain = registry.chain ? startChain(registry.chain, hub, ac.signal, opts.ready) : null;
  const ui = createPlatformUi(initialPlatformUi(registry.multi ? registry.jobs.map((j) => j.job) : []));
  // A job's coverage keeps the configured pace while its own screen is open (see startRuntime).
  const onScreen = () => {
    const s = ui.getState();
    jobs.forEach((j, i) => j.setOnScreen(!registry.multi || (s.screen === 'job' && s.selected === registry.jobs[i].job)));
  };
  const offUi = ui.subscribe(onScreen);
  onScreen();
  const offBoxes = registry.multi ? followBoxes(jobs, ui) : () => {};
  chainPace();
  const byName = new Map(jobs.map((r, i) => [registry.jobs[i].job, r]));
  return {
    registry,
    jobs,
    chain,
    ui,
    hub,
    clock,
    writers,
    job: (name) => byName.get(name),
    async close() {
      offUi();
      offBoxes();
      ac.abort();
      await Promise.all(jobs.map((j) => j.close()));
      clock.close();
      if (!opts.hub) hub.close();
    },
  };
}

/** A job's box (a confirm or a group choice) is open. */
export function boxOpen(job: Runtime): boolean {
  const u = job.store.getState().ui;
  return u.confirm !== null || u.choosingGroup !== null;
}

/**
 * A box that opens is what the operator answers next (tester AG4: `r` lists storage before its box opens; a `/`
 * typed meanwhile opened the overview's filter, the box opened under it, and a filter that left its job out hid
 * the box): the overview's filter prompt and help close (the filter's text is kept), and a job screen of another
 * job gives way to the overview, where the box shows (overviewData selects a job whose box is open). Returns the
 * unsubscribe.
 */
export function followBoxes(jobs: Runtime[], ui: PlatformUiStore): () => void {
  const offs = jobs.map((job) => {
    let was = boxOpen(job);
    return job.store.subscribe(() => {
      const open = boxOpen(job);
      if (open && !was) {
        const s = ui.getState();
        const name = job.store.getState().job;
        const patch: Partial<PlatformUi> = {};
        if (s.filtering) patch.filtering = false;
        if (s.help) patch.help = false;
        if (s.screen === 'job' && s.selected !== name) Object.assign(patch, { screen: 'overview', openedOn: null });
        if (Object.keys(patch).length) ui.set(patch);
      }
      was = open;
    });
  });
  return () => offs.forEach((off) => off());
}
