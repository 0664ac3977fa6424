import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { startRuntime } from '../src/app/runtime.js';
import { collectSnapshot } from '../src/app/snapshot.js';
import { statusJson } from '../src/app/status-json.js';
import { statusText } from '../src/app/status-text.js';
import { leaveSummary } from '../src/app/leave-summary.js';
import { settleAndSay } from '../src/app/leave.js';
import { loadConfig } from '../src/config.js';
import { createLocalPlace } from '../src/run-place/local-place.js';
import { pidExists as alive, procStartOf } from '../src/runner/proc.js';
import { appendRunRecord } from '../src/runner/runs-file.js';
import { clockTime, STOP_GRACE_MS } from '../src/state/confirm-situation.js';
import { initialState } from '../src/state/app-state.js';
import { createStore } from '../src/store.js';
import { cleanup, tempDir, track, waitFor } from './runner-support.js';

afterAll(cleanup);

/**
 * A backfill whose SIGINT handler only says so and carries on (a flag its pool never checks: tester Y9's bf.py);
 * SIGTERM ends it (the default). It writes a line when it starts and at each signal.
 */
const STUBBORN = `
const { writeSync } = require('node:fs');
process.on('SIGINT', () => writeSync(1, 'KeyboardInterrupt: waiting for workers to finish in-flight requests\\n'));
writeSync(1, 'started ' + process.pid + '\\n');
setInterval(() => {}, 1000);
`;

const records = (dir: string) => readFileSync(join(dir, '.backfill-tui', 'runs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; id: string; at?: number; signal?: string; reason?: string });

function stubbornJob() {
  const dir = tempDir();
  writeFileSync(join(dir, 'stubborn.cjs'), STUBBORN);
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'stopq', log: 'bf.log', keepAwake: false, timezone: 'UTC', command: [process.execPath, 'stubborn.cjs'] }));
  return { dir, config: loadConfig({ cwd: dir }) };
}


// Tester Y9 and Z1: `x` `y`, then `q` within the SIGINT grace: the dashboard froze 10–20 s, or (before) the SIGTERM
// never came and the run scraped on; the words said `goes on`. Leaving now hands the SIGTERM to a carrier.
test('q during a stop: the stop returns at once, its SIGTERM goes from a carrier when due, recorded, and the words say so', async () => {
  const { dir, config } = stubbornJob();
  // The dashboard's clock reads 9 s behind: its SIGINT's grace (10 s by its clock) ends about 1 s from now, real time.
  const skew = STOP_GRACE_MS - 1000;
  const now = () => Date.now() - skew;
  const store = createStore(initialState({ job: 'stopq', log: config.log, now: now(), targets: [] }), { frameMs: 0 });
  const ac = new AbortController();
  const place = createLocalPlace({ config, store, now, signal: ac.signal, freshStorage: async () => null, refreshHistory: async () => undefined, refreshWarehouse: () => undefined });
  const out = await place.launch({ keys: [], workers: 1, timeout: 60, label: 'launch' });
  expect(out.ok).toBe(true);
  const pid = store.getState().process.pid!;
  track(pid);
  await waitFor(() => readFileSync(config.log, 'utf8').includes('started'), 'the run started');
  const stop = await place.stop();
  expect(stop.ok).toBe(true);
  // It returned with the first signal sent, the run still going: nothing of the stop's waits is the dashboard's.
  await waitFor(() => readFileSync(config.log, 'utf8').includes('KeyboardInterrupt'), 'SIGINT handled');
  expect(alive(pid)).toBe(true);
  expect(store.getState().process.stopping).toBe('sigint');
  place.handOffStop();
  const carrier = store.getState().process.stopCarrier;
  expect(carrier).toEqual(expect.any(Number));
  track(carrier);
  const words = leaveSummary([store.getState()]);
  const sigintAt = store.getState().process.stopSignals[0].at;
  expect(words.map((w) => w.replace(/^ {14}/, ' ')).join('')).toBe(`backfill-tui: stopq: run ${out.ok ? out.runId : ''} (pid ${pid}) is stopping: SIGINT at ${clockTime(sigintAt)}; SIGTERM at ${clockTime(sigintAt + STOP_GRACE_MS)} if it still runs (pid ${carrier} sends it)`);
  expect(words.join('\n')).not.toContain('goes on');
  // The dashboard is gone.
  ac.abort();
  await waitFor(() => !alive(pid) || null, 'the run ended by the carrier\'s SIGTERM', 15_000);
  const term = await waitFor(() => records(dir).find((r) => r.type === 'stop' && r.signal === 'SIGTERM'), 'the SIGTERM recorded');
  // Sent when due (the SIGINT's time plus its grace, as the dashboard handed it on), never early.
  expect(term.at!).toBeGreaterThanOrEqual(sigintAt + STOP_GRACE_MS);
  await waitFor(() => !alive(carrier!) || null, 'the carrier gone');
}, 60_000);

/** The stop carriers of run `id` now (their argv holds its id): pids, read from /proc. */
function carriersOf(id: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[1] === '-e' && argv[3]?.includes(`"id":${JSON.stringify(id)}`)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

// Tester AC14: `x` `y`, then Ctrl-Z (SIGTERM waited for `fg`), or the terminal closed or the dashboard killed (the
// SIGTERM never came, the run scraped to its end). A carrier stands from the SIGINT on, due a second after the grace.
test('a dashboard gone during a stop\'s grace without leaving (killed, its terminal closed): the SIGTERM still comes, once', async () => {
  const { dir, config } = stubbornJob();
  // The dashboard's clock reads 9 s behind: the grace ends about 1 s from now, real time, the carrier's a second later.
  const now = () => Date.now() - (STOP_GRACE_MS - 1000);
  const store = createStore(initialState({ job: 'stopq', log: config.log, now: now(), targets: [] }), { frameMs: 0 });
  const ac = new AbortController();
  const place = createLocalPlace({ config, store, now, signal: ac.signal, freshStorage: async () => null, refreshHistory: async () => undefined, refreshWarehouse: () => undefined });
  const out = await place.launch({ keys: [], workers: 1, timeout: 60, label: 'launch' });
  if (!out.ok) throw new Error(out.message);
  const pid = store.getState().process.pid!;
  track(pid);
  await waitFor(() => readFileSync(config.log, 'utf8').includes('started'), 'the run started');
  expect((await place.stop()).ok).toBe(true);
  await waitFor(() => readFileSync(config.log, 'utf8').includes('KeyboardInterrupt'), 'SIGINT handled');
  for (const c of carriersOf(out.runId)) track(c);
  const sigintAt = store.getState().process.stopSignals[0].at;
  // Gone without q: no hand-off, its own timers never fire.
  ac.abort();
  await waitFor(() => !alive(pid) || null, 'the run ended by the standing carrier\'s SIGTERM', 20_000);
  const terms = await waitFor(() => records(dir).filter((r) => r.type === 'stop' && r.signal === 'SIGTERM'), 'the SIGTERM recorded');
  expect(terms).toHaveLength(1);
  expect(terms[0].at!).toBeGreaterThanOrEqual(sigintAt + STOP_GRACE_MS);
  await waitFor(() => carriersOf(out.runId).length === 0, 'the carrier gone');
}, 60_000);

test('a dashboard that sends the SIGTERM itself ends the standing carrier first: a run that ignores it gets one SIGTERM', async () => {
  const dir = tempDir();
  // SIGINT and SIGTERM both only said: the SIGKILL question comes, and no second SIGTERM from a carrier.
  writeFileSync(join(dir, 'both.cjs'), `const { writeSync } = require('node:fs');\nfor (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => writeSync(1, s + ' ignored\\n'));\nwriteSync(1, 'started\\n');\nsetInterval(() => {}, 1000);\n`);
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'both', log: 'bf.log', keepAwake: false, timezone: 'UTC', command: [process.execPath, 'both.cjs'] }));
  const config = loadConfig({ cwd: dir });
  const store = createStore(initialState({ job: 'both', log: config.log, now: Date.now(), targets: [] }), { frameMs: 0 });
  const ac = new AbortController();
  const place = createLocalPlace({ config, store, now: Date.now, signal: ac.signal, freshStorage: async () => null, refreshHistory: async () => undefined, refreshWarehouse: () => undefined });
  try {
    const out = await place.launch({ keys: [], workers: 1, timeout: 60, label: 'launch' });
    if (!out.ok) throw new Error(out.message);
    track(store.getState().process.pid);
    await waitFor(() => readFileSync(config.log, 'utf8').includes('started'), 'the run started');
    expect((await place.stop()).ok).toBe(true);
    const standing = await waitFor(() => carriersOf(out.runId).length === 1 && carriersOf(out.runId), 'the carrier standing');
    track(standing[0]);
    await waitFor(() => readFileSync(config.log, 'utf8').includes('SIGTERM ignored'), 'the dashboard\'s own SIGTERM', 20_000);
    // Ended before that SIGTERM went: nothing is left to send another.
    expect(carriersOf(out.runId)).toEqual([]);
    await waitFor(() => store.getState().process.stopping === 'needs-kill', 'the SIGKILL question due', 20_000);
    expect(records(dir).filter((r) => r.type === 'stop' && r.signal === 'SIGTERM')).toHaveLength(1);
  } finally {
    ac.abort();
  }
}, 60_000);

// Tester Y9: a new dashboard re-attached to the run (`running`, `re-attached … still running`) and said nothing of the
// stop; no SIGTERM came. It carries the stop on from its record, and status says `stopping` before it.
test('a dashboard opened on a run with a stop record and no end says stopping and sends the overdue SIGTERM; status says it too', async () => {
  const { dir, config } = stubbornJob();
  const fd = openSync(config.log, 'a');
  const child = spawn(process.execPath, [join(dir, 'stubborn.cjs')], { cwd: dir, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  const pid = child.pid!;
  track(pid);
  await waitFor(() => readFileSync(config.log, 'utf8').includes('started'), 'the run started');
  const t = Date.now();
  const base = { label: 'resume' as const, argv: [process.execPath, 'stubborn.cjs'], cwd: dir, keysFile: null, keyCount: 0, pid, procStart: procStartOf(pid), log: config.log, startedAt: t - 30_000 };
  await appendRunRecord(config.stateDir, { type: 'launch', id: 'resume-stopq', ...base });
  // SIGINT went 12 s ago (the stopping dashboard was left 1 s after): SIGTERM is 2 s overdue.
  await appendRunRecord(config.stateDir, { type: 'stop', id: 'resume-stopq', at: t - 12_000 });
  process.kill(-pid, 'SIGINT');
  await waitFor(() => readFileSync(config.log, 'utf8').includes('KeyboardInterrupt'), 'SIGINT handled');

  const snap = await collectSnapshot(config, { now: () => t, sources: false });
  expect(statusJson(snap).process).toMatchObject({ runId: 'resume-stopq', stopping: 'sigint', stopRequestedAt: new Date(t - 12_000).toISOString() });
  const text = statusText(snap);
  expect(text).toMatch(/^stopq: stopping {2}/);
  expect(text).toContain('stop      sent SIGINT at');
  expect(alive(pid)).toBe(true);

  const r = startRuntime(config, { exit: () => undefined, now: Date.now });
  try {
    await waitFor(() => r.store.getState().ui.notices.find((n) => n.text.includes('re-attached to run resume-stopq') && n.text.includes('stopping: sent SIGINT at')), 're-attached, stopping said');
    await waitFor(() => !alive(pid) || null, 'the run ended by the SIGTERM the dashboard carried on', 15_000);
    await waitFor(() => records(dir).find((x) => x.type === 'stop' && x.signal === 'SIGTERM'), 'the SIGTERM recorded');
    expect(records(dir).filter((x) => x.type === 'stop' && x.signal === 'SIGTERM')).toHaveLength(1);
    await waitFor(() => records(dir).find((x) => x.type === 'end' && x.id === 'resume-stopq' && x.reason === 'stopped'), 'its end recorded stopped', 15_000);
  } finally {
    await r.close();
  }
}, 60_000);

test('the words on leaving during each stage of a stop', () => {
  const s = initialState({ job: 'j', log: '/x.log', now: Date.UTC(2026, 0, 1, 3, 16, 12), targets: [] });
  const at = s.now;
  const p = { ...s.process, runId: 'r1', pid: 42, attached: true, alive: true };
  const sigint = { ...s, process: { ...p, stopping: 'sigint' as const, stopSignals: [{ signal: 'SIGINT' as const, at }] } };
  const t = (ms: number) => clockTime(ms);
  // No carrier (no /proc): the next dashboard must be opened in time.
  // What was sent and when, then what comes next, in one line wrapped under its text (tester AG6 b).
  expect(leaveSummary([sigint])).toEqual([`backfill-tui: j: run r1 (pid 42) is stopping: SIGINT at ${t(at)}; SIGTERM due at`, `${' '.repeat(14)}${t(at + 10_000)}: open the dashboard by then to send it`]);
  const sigterm = { ...s, process: { ...p, stopping: 'sigterm' as const, stopSignals: [{ signal: 'SIGINT' as const, at }, { signal: 'SIGTERM' as const, at: at + 10_000 }] } };
  // Plainly, as status says it (tester AI10 j: `running at 05:10:23?` read as a typo).
  expect(leaveSummary([sigterm])).toEqual([`backfill-tui: j: run r1 (pid 42) is stopping: SIGINT at ${t(at)}, SIGTERM at`, `${' '.repeat(14)}${t(at + 10_000)}; if it still runs at ${t(at + 20_000)}, open the dashboard: x asks`, `${' '.repeat(14)}about SIGKILL`]);
  // SIGINT not sent (every process ignored it): the SIGTERM alone, the same words.
  const termOnly = { ...s, process: { ...p, stopping: 'sigterm' as const, stopSignals: [{ signal: 'SIGTERM' as const, at }] } };
  expect(leaveSummary([termOnly]).join(' ').replace(/\s+/g, ' ')).toBe(`backfill-tui: j: run r1 (pid 42) is stopping: SIGTERM at ${t(at)}; if it still runs at ${t(at + 10_000)}, open the dashboard: x asks about SIGKILL`);
  const kill = { ...s, process: { ...p, stopping: 'needs-kill' as const, stopSignals: sigterm.process.stopSignals } };
  // Both ignored: it goes on, and the runs-go-on line says so too.
  expect(leaveSummary([kill])).toEqual([`backfill-tui: j: run r1 (pid 42) ignored SIGINT at ${t(at)} and SIGTERM at`, `${' '.repeat(14)}${t(at + 10_000)}: it goes on; open the dashboard: x asks about SIGKILL`, 'backfill-tui: runs go on without the dashboard; open it again to stop them']);
});

// The same through the dashboard's own leaving (settleAndSay, what q, Ctrl-C and SIGHUP run): s y, x y, leave.
test('leaving the dashboard during a stop hands it on and says so under the last frame', async () => {
  const { config } = stubbornJob();
  const skew = STOP_GRACE_MS - 1000;
  const r = startRuntime(config, { exit: () => undefined, now: () => Date.now() - skew });
  let pid = 0;
  try {
    await waitFor(() => r.store.getState().process.writersChecked && r.store.getState().log.looked, 'ready');
    r.controller.onIntent('resume');
    await waitFor(() => r.store.getState().ui.confirm, 'the launch box');
    r.controller.onIntent('confirm-yes');
    pid = await waitFor(() => r.store.getState().process.alive && r.store.getState().process.pid, 'the run');
    track(pid);
    await waitFor(() => readFileSync(config.log, 'utf8').includes('started'), 'the run started');
    r.controller.onIntent('stop');
    await waitFor(() => r.store.getState().ui.confirm?.kind === 'stop', 'the stop box');
    r.controller.onIntent('confirm-yes');
    await waitFor(() => r.store.getState().process.stopping === 'sigint', 'SIGINT sent');
    let said = '';
    await settleAndSay([r], (t) => (said += t), 80)();
    const carrier = r.store.getState().process.stopCarrier;
    expect(carrier).toEqual(expect.any(Number));
    track(carrier);
    // One line, wrapped under its text: what was sent, then who sends what comes next (tester AG6 b).
    const joined = said.replace(/\n {14}/g, ' ');
    expect(joined).toMatch(new RegExp(`\\(pid ${pid}\\) is stopping: SIGINT at \\d\\d:\\d\\d:\\d\\d; SIGTERM at \\d\\d:\\d\\d:\\d\\d if it still runs \\(pid ${carrier} sends it\\)\n`));
    expect(said).not.toContain('goes on');
  } finally {
    await r.close();
  }
  await waitFor(() => !alive(pid) || null, 'the run ended by the carrier', 15_000);
}, 60_000);
