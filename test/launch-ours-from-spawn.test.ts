import { removeDir } from './support/remove-dir.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { logWriters, notOurs, type WritersScan } from '../src/runner/log-writers.js';
import { STOP_REFUSED, initialState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { waitFor } from './support/wait-for.js';
import { liveJobDir } from './support/live-job.js';

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
  const { dir, log } = liveJobDir('bt-spawn-ours-', 'own', KEYS, LIVES, cleanups);
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

// Tester W6: `x` in the first second after `y` said `no run of ours is running` while the run's lines came (the pid
// reaches the state only after the launch's start window), and that notice stayed above the run's stop box.
test('x in the launch\'s start window waits for the run to settle, then opens its stop box; never `no run of ours`', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-start-window-'));
  cleanups.push(() => removeDir(dir));
  writeFileSync(path.join(dir, 'expected.txt'), KEYS.join('\n') + '\n');
  mkdirSync(path.join(dir, 'st'), { recursive: true });
  writeFileSync(path.join(dir, 'lives.mjs'), LIVES);
  const config = { job: 'own', log: 'b.log', expected: 'expected.txt', storage: { url: 'st', pollSeconds: 1 }, command: [process.execPath, path.join(dir, 'lives.mjs'), '--csv={keysFile}'], workers: 1, timeout: 30, keepAwake: false, timezone: 'UTC' };
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify(config));
  const r = startRuntime(loadConfig({ file: path.join(dir, 'backfill-tui.config.json'), cwd: dir }), { exit: () => undefined });
  cleanups.push(() => r.close());
  const state = () => r.store.getState();
  await waitFor(() => state().coverage.expected && state().coverage.storage?.checkedAt && state().process.writersChecked, 'ready to launch');
  r.controller.onIntent('resume');
  await waitFor(() => state().ui.confirm, 'the resume box');
  // x the moment the child is spawned, inside the start window (the launch not settled, its pid not in the state).
  let pressedAt: { launching?: boolean; pid: number | null; startingPid?: number | null } | null = null;
  // What x said, read right after the key: the notice lasts only until the start settles, which a poll may miss.
  let said: { key?: string; text: string } | undefined;
  const unsubscribe = r.store.subscribe(() => {
    const p = state().process;
    if (pressedAt || !p.startingPid) return;
    pressedAt = { launching: p.launching, pid: p.pid, startingPid: p.startingPid };
    r.controller.onIntent('stop');
    said = state().ui.notices.find((n) => n.key === 'wait-x');
  });
  cleanups.push(unsubscribe);
  r.controller.onIntent('confirm-yes');
  const waiting = await waitFor(() => said, 'x waiting for the start', 30_000);
  expect(pressedAt).toMatchObject({ launching: true, pid: null });
  const pid = pressedAt!.startingPid!;
  cleanups.push(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  });
  expect(waiting.text).toBe(`the run being launched (pid ${pid}) is still starting: x goes on once that is done`);
  const box = await waitFor(() => state().ui.confirm, 'the stop box, once the launch settled', 30_000);
  expect(box).toMatchObject({ kind: 'stop' });
  expect(box.message).toContain(`(pid ${pid})`);
  expect(state().ui.notices.map((n) => n.text)).not.toContain('no run of ours is running');
  expect(state().ui.notices.some((n) => n.key === 'wait-x')).toBe(false);
}, 60_000);

test('x\'s refusal `no run of ours is running` goes once a run of ours is live (it denied that run)', () => {
  const s0 = initialState({ job: 'j', log: '/x.log', now: 0, targets: [95] });
  const refused = reduce(s0, { type: 'ui/notice', text: 'no run of ours is running', tone: 'info', key: STOP_REFUSED });
  expect(refused.ui.notices.map((n) => n.text)).toEqual(['no run of ours is running']);
  // Lines of the writer looked at, nothing of ours: it stays.
  expect(reduce(refused, { type: 'process/update', patch: { writersChecked: true, writersCheckedAt: 1 } }).ui.notices).toHaveLength(1);
  const ours = reduce(refused, { type: 'process/update', patch: { runId: 'resume-1', pid: 42, attached: true, alive: true } });
  expect(ours.ui.notices).toEqual([]);
});
