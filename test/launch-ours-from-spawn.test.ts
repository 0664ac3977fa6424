import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { logWriters, notOurs, type WritersScan } from '../src/runner/log-writers.js';
import { waitFor } from './support/wait-for.js';

const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A backfill that writes its banner and then keeps running (the log open for writing) until killed. */
const LIVES = `
import { writeSync } from 'node:fs';
writeSync(1, 'starting\\n');
setInterval(() => {}, 1000);
`;

/**
 * The look at /proc, injected: its first ask (the runtime's own first look, made before anything is launched, so
 * it is asked with no pid of ours) walks /proc only once a process writes the log, i.e. after the launch's spawn
 * and before the launch is over; the others answer at once, strictly later by the clock than that first ask.
 */
function heldFirstLook(log: string, onWalk: (writers: number[]) => void): WritersScan & { heldAt: number | null; heldDone: boolean } {
  let asks = 0;
  const scan = {
    heldAt: null as number | null,
    heldDone: false,
    async external(file: string, ours: number[]) {
      asks += 1;
      if (asks === 1) {
        scan.heldAt = Date.now();
        const found = await waitFor(async () => ((await logWriters(log)).length ? await logWriters(log) : null), 'a process writing the log', 30_000);
        onWalk(found);
        scan.heldDone = true;
        return notOurs(found, ours);
      }
      await waitFor(() => scan.heldAt !== null && Date.now() > scan.heldAt, 'the clock to move past the first ask');
      return notOurs(await logWriters(file), ours);
    },
    asks: 0,
    walks: 0,
    waiting: false,
  };
  return scan;
}

// Tester V12 (not cured by 6983a8f): relaunching right after a run ended, the new run read `running (external)` and x
// refused it ("was not started here"), with the pid the dashboard itself had just launched. A look at /proc that
// walked while the launch was in its start window (the pid reaches the state only a second after the spawn) found
// the new child and, knowing no pid of ours, called it another writer.
test('a run launched while a look at /proc is under way is ours from its spawn: never `external`, and x offers to stop it', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-spawn-ours-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'expected.txt'), KEYS.join('\n') + '\n');
  mkdirSync(path.join(dir, 'st'), { recursive: true });
  writeFileSync(path.join(dir, 'lives.mjs'), LIVES);
  const log = path.join(dir, 'b.log');
  writeFileSync(log, '');
  const config = { job: 'own', log: 'b.log', expected: 'expected.txt', storage: { url: 'st', pollSeconds: 1 }, command: [process.execPath, path.join(dir, 'lives.mjs'), '--csv={keysFile}'], workers: 1, timeout: 30, keepAwake: false, timezone: 'UTC' };
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify(config));
  let r: Runtime | null = null;
  /** The pid in the state when the held look walked /proc and saw the new child. */
  let pidAtWalk: number | null | undefined;
  const scan = heldFirstLook(log, () => (pidAtWalk = r?.store.getState().process.pid));
  r = startRuntime(loadConfig({ file: path.join(dir, 'backfill-tui.config.json'), cwd: dir }), { exit: () => undefined, writers: scan });
  const runtime = r;
  cleanups.push(() => runtime.close());
  const seen: Array<{ external: boolean; pids: number[]; checkedAt: number | null }> = [];
  runtime.store.subscribe(() => {
    const p = runtime.store.getState().process;
    seen.push({ external: p.external, pids: p.externalPids, checkedAt: p.writersCheckedAt });
  });
  await waitFor(() => runtime.store.getState().coverage.expected && runtime.store.getState().coverage.storage?.checkedAt && runtime.store.getState().process.writersChecked, 'ready to launch');
  expect(scan.heldDone).toBe(false);
  runtime.controller.onIntent('resume');
  await waitFor(() => runtime.store.getState().ui.confirm, 'the resume box');
  runtime.controller.onIntent('confirm-yes');
  const pid = await waitFor(() => runtime.store.getState().process.pid, 'the launched pid', 30_000);
  cleanups.push(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  });
  // The order the test forces: the held look walked /proc after the spawn, before the launch put its pid in the state.
  expect(scan.heldDone).toBe(true);
  expect(pidAtWalk).not.toBe(pid);
  // The held look's answer reached the state (its look began before the start-up snapshot's, so its time is earlier).
  await waitFor(() => seen.some((s) => s.checkedAt !== null && s.checkedAt <= scan.heldAt!), 'the held look to be applied');
  expect(seen.filter((s) => s.external || s.pids.length > 0)).toEqual([]);
  expect(runtime.store.getState().process).toMatchObject({ pid, attached: true, alive: true, external: false });
  runtime.controller.onIntent('stop');
  const box = await waitFor(() => runtime.store.getState().ui.confirm, 'the stop box');
  expect(box.message).toContain(`(pid ${pid})`);
}, 60_000);
