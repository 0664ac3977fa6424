import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLocalPlace } from '../src/run-place/local-place.js';
import { initialState } from '../src/state/app-state.js';
import { createStore } from '../src/store.js';
import { cleanup, tempDir, track, waitFor } from './runner-support.js';

afterAll(cleanup);

// Tester V12: relaunching right after a run ended, the new run read `running (external)` and x refused it: the
// previous run's `alive: false`, sent once the follower had read its last lines, landed after the new launch.
test('what a run\'s end sends after waiting for its last lines applies to that run only, never to one launched meanwhile', async () => {
  const dir = tempDir();
  // The first run writes half a line and exits: the log is never read to its size at the exit (no follower here),
  // so its end waits the whole END_READ_WAIT_MS before saying the run is gone.
  writeFileSync(join(dir, 'first.cjs'), 'process.stdout.write("partial"); process.exit(0);\n');
  writeFileSync(join(dir, 'second.cjs'), 'setInterval(() => {}, 1000);\n');
  const write = (script: string) => {
    writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'race', log: 'bf.log', keepAwake: false, command: [process.execPath, script] }));
    return loadConfig({ cwd: dir });
  };
  const store = createStore(initialState({ job: 'race', log: join(dir, 'bf.log'), now: Date.now(), targets: [] }), { frameMs: 0 });
  const ac = new AbortController();
  const deps = { store, now: Date.now, signal: ac.signal, freshStorage: async () => null, refreshHistory: async () => undefined, refreshWarehouse: () => undefined };
  try {
    const first = await createLocalPlace({ ...deps, config: write('first.cjs') }).launch({ keys: [], workers: 1, timeout: 60, label: 'launch' });
    expect(first.ok).toBe(true);
    const firstId = first.ok ? first.runId : '';
    await waitFor(() => store.getState().process.exitCode !== null || null, 'the first run to exit');
    // Relaunched at once, while the first run's end still waits for its last lines.
    const second = await createLocalPlace({ ...deps, config: write('second.cjs') }).launch({ keys: [], workers: 1, timeout: 60, label: 'launch' });
    expect(second.ok).toBe(true);
    const p = store.getState().process;
    track(p.pid);
    expect(p).toMatchObject({ alive: true, attached: true });
    const secondId = p.runId;
    // The first run's end is recorded once its wait is over: everything it sends came by then.
    await waitFor(() => readFileSync(join(dir, '.backfill-tui', 'runs.jsonl'), 'utf8').includes(`"type":"end","id":"${firstId}"`) || null, 'the first run\'s end record', 30_000);
    expect(store.getState().process).toMatchObject({ runId: secondId, alive: true, attached: true });
  } finally {
    ac.abort();
  }
}, 60_000);
