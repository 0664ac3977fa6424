import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { settleAndSay } from '../src/app/leave.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { createLocalPlace } from '../src/run-place/local-place.js';
import { pidExists, procStartOf } from '../src/runner/proc.js';
import { appendRunRecord } from '../src/runner/runs-file.js';
import { STOP_GRACE_MS } from '../src/state/confirm-situation.js';
import { initialState } from '../src/state/app-state.js';
import { createStore } from '../src/store.js';
import { cleanup, tempDir, track, waitFor } from './runner-support.js';
import { killRunGroups } from './support/run-groups.js';

const groups: number[] = [];
afterAll(() => {
  killRunGroups(groups);
  cleanup();
});

/** A run that says each signal and ignores it (SIGINT and SIGTERM): every SIGTERM it gets is a line of its log. */
const DEAF = `const { writeSync } = require('node:fs');\nfor (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => writeSync(1, s + ' ignored\\n'));\nwriteSync(1, 'started\\n');\nsetInterval(() => {}, 1000);\n`;

type Rec = { type: string; id: string; at?: number; signal?: string; carrier?: { pid: number; procStart: number; dueAt: number } };

function deafJob() {
  const dir = tempDir();
  writeFileSync(join(dir, 'deaf.cjs'), DEAF);
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'deaf', log: 'bf.log', keepAwake: false, timezone: 'UTC', command: [process.execPath, 'deaf.cjs'] }));
  const config = loadConfig({ cwd: dir });
  const records = () => readFileSync(join(config.stateDir, 'runs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
  const terms = () => records().filter((r) => r.type === 'stop' && r.signal === 'SIGTERM');
  const carriers = () => records().filter((r) => r.type === 'stop' && r.carrier).map((r) => r.carrier!);
  const received = () => readFileSync(config.log, 'utf8').split('\n').filter((l) => l === 'SIGTERM ignored').length;
  return { dir, config, records, terms, carriers, received };
}

/** A dashboard on the run's folder (the runtime: /proc snapshot, re-attach, carried-on stop). */
function dashboard(config: ReturnType<typeof loadConfig>, now: () => number): Runtime {
  return startRuntime(config, { exit: () => undefined, now });
}

/**
 * A (a local place with its own store) launches `config`'s command, and once the run has said `started`, B (a
 * dashboard) opens on its folder and re-attaches to it: the two dashboards of the stop cases. The caller aborts `ac`
 * and closes `b`; a failure here does both.
 */
async function launchedAndWatched(config: ReturnType<typeof loadConfig>) {
  const now = Date.now;
  const store = createStore(initialState({ job: config.job, log: config.log, now: now(), targets: [] }), { frameMs: 0 });
  const ac = new AbortController();
  const a = createLocalPlace({ config, store, now, signal: ac.signal, freshStorage: async () => null, refreshHistory: async () => undefined, refreshWarehouse: () => undefined });
  const out = await a.launch({ keys: [], workers: 1, timeout: 60, label: 'launch' });
  if (!out.ok) throw new Error(out.message);
  groups.push(store.getState().process.pid!);
  await waitFor(() => readFileSync(config.log, 'utf8').includes('started'), 'the run started');
  const b = dashboard(config, now);
  try {
    await waitFor(() => b.store.getState().ui.notices.some((n) => n.text.includes(`re-attached to run ${out.runId}`)), 'B re-attached');
  } catch (err) {
    ac.abort();
    await b.close();
    throw err;
  }
  return { a, ac, out, b, store };
}

// Round 12 (carried-on stop): a dashboard opened mid-stop carried the stop on but stood no carrier, and the carrier
// of the dashboard that stopped the run was recorded nowhere, so the dashboard opened later sent a SIGTERM of its own
// beside that carrier's: two to a run that ignores SIGINT. Every dashboard now defers to a live recorded carrier.
test('stopped on A, A killed, B opened and closed, C opened, all during the grace: the run gets one SIGTERM, from the carrier A recorded', async () => {
  const job = deafJob();
  // One clock for the dashboards and the carrier (a skewed one would make the carrier, on the machine's, early).
  const now = Date.now;
  const store = createStore(initialState({ job: 'deaf', log: job.config.log, now: now(), targets: [] }), { frameMs: 0 });
  const ac = new AbortController();
  const a = createLocalPlace({ config: job.config, store, now, signal: ac.signal, freshStorage: async () => null, refreshHistory: async () => undefined, refreshWarehouse: () => undefined });
  const out = await a.launch({ keys: [], workers: 1, timeout: 60, label: 'launch' });
  if (!out.ok) throw new Error(out.message);
  const pid = store.getState().process.pid!;
  groups.push(pid);
  await waitFor(() => readFileSync(job.config.log, 'utf8').includes('started'), 'the run started');
  expect((await a.stop()).ok).toBe(true);
  await waitFor(() => readFileSync(job.config.log, 'utf8').includes('SIGINT ignored'), 'SIGINT handled');
  // The stop record names its carrier, by pid and start time.
  const [carrier] = job.carriers();
  expect(carrier).toMatchObject({ pid: expect.any(Number), procStart: procStartOf(carrier.pid) });
  track(carrier.pid);
  // A is killed (no hand-off, its timers never fire).
  ac.abort();

  const b = dashboard(job.config, now);
  await waitFor(() => b.store.getState().ui.notices.some((n) => n.text.includes(`re-attached to run ${out.runId}`)), 'B re-attached, stopping');
  // B left with q: the stop is handed to the carrier that stands for it, A's, not to a second one.
  let said = '';
  await settleAndSay([b], (t) => (said += t), 80)();
  await b.close();
  // One line wrapped under its text (tester AG6 b): read joined.
  expect(said.replace(/\n {14}/g, ' ')).toContain(`if it still runs (pid ${carrier.pid} sends it)`);
  const c = dashboard(job.config, now);
  try {
    await waitFor(() => c.store.getState().ui.notices.some((n) => n.text.includes(`re-attached to run ${out.runId}`)), 'C re-attached, stopping');
    // C watches from before the SIGTERM is due: its own escalation reaches the SIGTERM's time.
    expect(job.received()).toBe(0);
    await waitFor(() => job.received() >= 1 || null, 'the SIGTERM', 20_000);
    // The carrier exits once it has sent it (or once it is ended): a second SIGTERM would have come by then.
    await waitFor(() => !pidExists(carrier.pid) || null, 'the carrier gone', 10_000);
    await waitFor(() => c.store.getState().process.stopping === 'sigterm' || null, 'C at the SIGTERM stage', 10_000);
    // One SIGTERM received and recorded, sent by A's carrier; B and C stood none (one carrier recorded).
    expect(job.received()).toBe(1);
    expect(job.terms()).toHaveLength(1);
    expect(job.carriers()).toEqual([carrier]);
    expect(pidExists(pid)).toBe(true);
  } finally {
    await c.close();
  }
}, 90_000);

test('a stop carried on with no live carrier recorded (its pid reused since): the dashboard stands one and records it; killed, its carrier sends the SIGTERM once, and the next dashboard sends none', async () => {
  const job = deafJob();
  const fd = openSync(job.config.log, 'a');
  const child = spawn(process.execPath, [join(job.dir, 'deaf.cjs')], { cwd: job.dir, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  const pid = child.pid!;
  groups.push(pid);
  await waitFor(() => readFileSync(job.config.log, 'utf8').includes('started'), 'the run started');
  const t = Date.now();
  await appendRunRecord(job.config.stateDir, { type: 'launch', id: 'resume-deaf', label: 'resume', argv: [process.execPath, 'deaf.cjs'], cwd: job.dir, keysFile: null, keyCount: 0, pid, procStart: procStartOf(pid), log: job.config.log, startedAt: t - 30_000 });
  // SIGINT went 6 s ago; its carrier's pid now names another process (this one, started at another time): not it.
  const reused = { pid: process.pid, procStart: (procStartOf(process.pid) as number) + 1, dueAt: t + STOP_GRACE_MS - 5000 };
  await appendRunRecord(job.config.stateDir, { type: 'stop', id: 'resume-deaf', at: t - 6000, carrier: reused });
  process.kill(-pid, 'SIGINT');
  await waitFor(() => readFileSync(job.config.log, 'utf8').includes('SIGINT ignored'), 'SIGINT handled');

  const b = dashboard(job.config, Date.now);
  const stood = await waitFor(() => job.carriers().find((c) => c.pid !== reused.pid), 'B\'s own carrier recorded', 15_000);
  track(stood.pid);
  expect(stood.procStart).toBe(procStartOf(stood.pid));
  // Recorded with the stop's own time: the stop is not asked again later.
  expect(job.records().filter((r) => r.type === 'stop' && r.carrier?.pid === stood.pid).map((r) => r.at)).toEqual([t - 6000]);
  // B is gone before the SIGTERM is due (closed: its own timers end).
  await b.close();
  await waitFor(() => job.received() >= 1 || null, 'the SIGTERM from B\'s carrier', 20_000);
  await waitFor(() => job.terms().length >= 1 || null, 'it recorded');
  const c = dashboard(job.config, Date.now);
  try {
    await waitFor(() => c.store.getState().ui.notices.some((n) => n.text.includes('re-attached to run resume-deaf')), 'C re-attached, stopping');
    // C goes on from the SIGTERM sent (its grace, then the SIGKILL question), never a second.
    expect(c.store.getState().process.stopping).toBe('sigterm');
    await waitFor(() => !pidExists(stood.pid) || null, 'B\'s carrier gone', 10_000);
    expect(job.received()).toBe(1);
    expect(job.terms()).toHaveLength(1);
  } finally {
    await c.close();
  }
}, 90_000);

// Tester h68's note: two dashboards answering `x` `y` at once each sent a SIGINT and stood a carrier of their own. The
// second sees the first's stop (its record, its claim), says so, and carries it on: one SIGINT, one carrier, one SIGTERM.
test('two dashboards stopping one run at once: one SIGINT and one carrier; the other says the stop is under way and sends none', async () => {
  const job = deafJob();
  const { a, ac, out, b } = await launchedAndWatched(job.config);
  try {
    b.controller.onIntent('stop');
    await waitFor(() => b.store.getState().ui.confirm?.kind === 'stop' || null, 'B\'s stop box');
    // Both answered in one moment.
    const both = Promise.all([a.stop(), Promise.resolve(b.controller.onIntent('confirm-yes'))]);
    await both;
    const said = await waitFor(() => b.store.getState().ui.notices.find((n) => n.text.includes('being stopped already by another dashboard')) ?? null, 'B saying the stop is under way');
    expect(said.text).toMatch(new RegExp(`^run ${out.runId} is being stopped already by another dashboard \\(SIGINT at \\d\\d:\\d\\d:\\d\\d\\): none sent again; SIGTERM at \\d\\d:\\d\\d:\\d\\d if it still runs$`));
    await waitFor(() => readFileSync(job.config.log, 'utf8').includes('SIGINT ignored'), 'SIGINT handled');
    expect(job.carriers()).toHaveLength(1);
    for (const c of job.carriers()) track(c.pid);
    await waitFor(() => job.received() >= 1 || null, 'the SIGTERM', 20_000);
    await waitFor(() => job.carriers().every((c) => !pidExists(c.pid)) || null, 'the carrier gone', 10_000);
    expect(readFileSync(job.config.log, 'utf8').split('\n').filter((l) => l === 'SIGINT ignored')).toHaveLength(1);
    expect(job.received()).toBe(1);
    expect(job.terms()).toHaveLength(1);
  } finally {
    ac.abort();
    await b.close();
  }
}, 90_000);

// h70's note: a second dashboard's `x` `y` after the first dashboard's stop had sent its SIGTERM began a new stop: a
// second SIGINT, a second carrier and 10 s more. It joins the stop where it is: nothing sent again, the SIGKILL question next.
test('a dashboard answering x y after another dashboard\'s stop sent its SIGTERM sends nothing and asks about SIGKILL next', async () => {
  const job = deafJob();
  // B watches the run from before the stop.
  const { a, ac, out, b } = await launchedAndWatched(job.config);
  try {
    // B's box opened before A's stop (a box opened after it says the stop instead: tester AG1, below), answered after
    // A's SIGTERM went.
    b.controller.onIntent('stop');
    await waitFor(() => b.store.getState().ui.confirm?.kind === 'stop' || null, 'B\'s stop box');
    expect((await a.stop()).ok).toBe(true);
    for (const c of job.carriers()) track(c.pid);
    await waitFor(() => job.received() >= 1 || null, 'A\'s SIGTERM', 20_000);
    // B reads A's stop from runs.jsonl (tester AG1): its box, which promised a SIGINT, closes with nothing done, and
    // B carries A's stop on (a y there would join it: local-stop.ts joinAfterTerm).
    const closed = await waitFor(() => b.store.getState().ui.notices.find((n) => n.text.startsWith('Nothing was done: the stop question closed')) ?? null, 'B\'s box closed', 20_000);
    expect(closed.text).toContain('as the stop moved on');
    expect(b.store.getState().ui.confirm).toBeNull();
    expect(b.store.getState().process.stopping).not.toBeNull();
    // One stop: one SIGINT, one SIGTERM, one carrier; B's SIGKILL question once the grace is over.
    await waitFor(() => b.store.getState().process.stopping === 'needs-kill' || null, 'B at the SIGKILL question', 20_000);
    expect(readFileSync(job.config.log, 'utf8').split('\n').filter((l) => l === 'SIGINT ignored')).toHaveLength(1);
    expect(job.received()).toBe(1);
    expect(job.records().filter((r) => r.type === 'stop' && !r.signal)).toHaveLength(1);
    expect(job.carriers()).toHaveLength(1);
  } finally {
    ac.abort();
    await b.close();
  }
}, 90_000);

// Tester AG1: a dashboard watching a local run never showed another dashboard's stop: `running` with its clock on while
// `status` said `stopping`, and its `x` opened a fresh `Stop run …? SIGINT to its process group` box. It reads the stop
// record as `status` does: `stopping` and the stage, and `x` says the stop is another dashboard's and sends nothing.
test('a dashboard watching a run another dashboard stops: stopping with the stage, x sends nothing, one SIGTERM in all', async () => {
  const job = deafJob();
  const { a, ac, out, b } = await launchedAndWatched(job.config);
  try {
    expect(b.store.getState().process.stopping).toBeNull();
    expect((await a.stop()).ok).toBe(true);
    const [stop] = job.records().filter((r) => r.type === 'stop');
    const hms = (ms: number) => new Date(ms).toISOString().slice(11, 19);
    // x at once (before B's next look at runs.jsonl, most likely): it reads the record first. No box promising a SIGINT,
    // the stop said as the other dashboard's.
    b.controller.onIntent('stop');
    expect(b.store.getState().ui.confirm).toBeNull();
    expect(b.store.getState().ui.notices.map((n) => n.text)).toContain(`run ${out.runId} is being stopped already by another dashboard (SIGINT at ${hms(stop.at!)}): none sent again; SIGTERM at ${hms(stop.at! + STOP_GRACE_MS)} if it still runs`);
    expect(b.store.getState().process.stopping).toBe('sigint');
    expect(b.store.getState().process.stopSignals).toEqual([{ signal: 'SIGINT', at: stop.at }]);
    expect(b.store.getState().ui.notices.map((n) => n.text)).toContain(`run ${out.runId} is being stopped by another dashboard: sent SIGINT at ${hms(stop.at!)}; SIGTERM at ${hms(stop.at! + STOP_GRACE_MS)} if it is still running`);
    for (const c of job.carriers()) track(c.pid);
    await waitFor(() => job.received() >= 1 || null, 'the SIGTERM', 20_000);
    await waitFor(() => b.store.getState().process.stopping === 'sigterm' || null, 'B at the SIGTERM stage', 10_000);
    await waitFor(() => job.carriers().every((c) => !pidExists(c.pid)) || null, 'the carrier gone', 10_000);
    expect(readFileSync(job.config.log, 'utf8').split('\n').filter((l) => l === 'SIGINT ignored')).toHaveLength(1);
    expect(job.received()).toBe(1);
    expect(job.terms()).toHaveLength(1);
  } finally {
    ac.abort();
    await b.close();
  }
}, 90_000);

test('the watching dashboard says the other dashboard\'s stop by itself, within its next look at runs.jsonl', async () => {
  const job = deafJob();
  const { a, ac, out, b } = await launchedAndWatched(job.config);
  try {
    expect((await a.stop()).ok).toBe(true);
    const [stop] = job.records().filter((r) => r.type === 'stop');
    await waitFor(() => b.store.getState().process.stopping === 'sigint' || null, 'B stopping', 15_000);
    expect(b.store.getState().process.stopSignals).toEqual([{ signal: 'SIGINT', at: stop.at }]);
    for (const c of job.carriers()) track(c.pid);
    await waitFor(() => job.received() >= 1 || null, 'the SIGTERM', 20_000);
    await waitFor(() => job.carriers().every((c) => !pidExists(c.pid)) || null, 'the carrier gone', 10_000);
    expect(job.received()).toBe(1);
  } finally {
    ac.abort();
    await b.close();
  }
}, 90_000);

// h74's note (h76's recheck): a run whose processes all ignore SIGINT (SIG_IGN, as a script's `&` or `trap '' INT` leaves
// them) gets no SIGINT: A said `SIGINT not sent: … so SIGTERM goes now`, while B, joining, said `SIGINT at …` and later
// `ignored SIGINT at …, SIGTERM at …`. The SIGTERM's record says the SIGINT was skipped; B says what was sent.
test('a dashboard joining a stop whose SIGINT was never sent (every process ignores it) says the SIGTERM alone', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'ign.sh'), `trap '' INT TERM\necho started\nwhile :; do sleep 1; done\n`);
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'ign', log: 'bf.log', keepAwake: false, timezone: 'UTC', command: ['bash', 'ign.sh'] }));
  const config = loadConfig({ cwd: dir });
  const records = () => readFileSync(join(config.stateDir, 'runs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec & { skipped?: string });
  const { a, ac, out, b, store } = await launchedAndWatched(config);
  try {
    expect((await a.stop()).ok).toBe(true);
    for (const r of records().filter((x) => x.carrier)) track(r.carrier!.pid);
    const term = await waitFor(() => records().find((r) => r.type === 'stop' && r.signal === 'SIGTERM') ?? null, 'A\'s SIGTERM recorded', 20_000);
    expect(store.getState().ui.notices.map((n) => n.text).join('\n')).toMatch(/SIGINT not sent: pids? [\d, ]+ (all )?ignores? it, so SIGTERM goes now/);
    expect(term.skipped).toBe('SIGINT');
    const hms = (ms: number) => new Date(ms).toISOString().slice(11, 19);
    // B's x reads the record at once: the SIGTERM alone, as sent.
    b.controller.onIntent('stop');
    expect(b.store.getState().ui.confirm).toBeNull();
    expect(b.store.getState().process.stopSignals).toEqual([{ signal: 'SIGTERM', at: term.at }]);
    expect(b.store.getState().ui.notices.map((n) => n.text)).toContain(`run ${out.runId} is being stopped already by another dashboard (SIGINT not sent as its processes ignore it, SIGTERM at ${hms(term.at!)}): none sent again; x asks about SIGKILL from ${hms(term.at! + STOP_GRACE_MS)} if it still runs`);
    expect(b.store.getState().ui.notices.map((n) => n.text).join('\n')).not.toContain('SIGINT at');
    // Its question at the end names what was sent.
    await waitFor(() => b.store.getState().process.stopping === 'needs-kill' || null, 'B at the SIGKILL question', 20_000);
    expect(b.store.getState().ui.notices.map((n) => n.text)).toContain(`run ${out.runId} ignored SIGTERM at ${hms(term.at!)}: press x to decide about SIGKILL`);
  } finally {
    ac.abort();
    await b.close();
  }
}, 90_000);
