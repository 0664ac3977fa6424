import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, expect, test } from 'vitest';
import { startAlertSink } from '../src/alerts/alert-sink.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { appendRunRecord } from '../src/runner/runs-file.js';
import { currentFigures } from '../src/state/current-figures.js';
import { cleanup, tempDir, track } from './runner-support.js';
import { banner, logOf } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

afterAll(cleanup);
const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

/** A backfill that logs nothing until GATE exists (a Python script importing its clients), then its banner and one outcome. */
const GATED = `
import { existsSync, writeSync } from 'node:fs';
const gate = process.argv[2];
const stamp = () => { const d = new Date(); const p = (n, w = 2) => String(n).padStart(w, '0'); return d.getUTCFullYear() + '-' + p(d.getUTCMonth() + 1) + '-' + p(d.getUTCDate()) + ' ' + p(d.getUTCHours()) + ':' + p(d.getUTCMinutes()) + ':' + p(d.getUTCSeconds()) + ',' + p(d.getUTCMilliseconds(), 3); };
const wait = () => {
  if (!existsSync(gate)) return setTimeout(wait, 10);
  for (const m of ['NBA.com Player Boxscore Scraper Backfill (v2) initialized', 'Loaded 3 dates from k.csv', '  ✅ Scraped 2022-01-03']) writeSync(1, stamp() + ' - INFO - ' + m + '\\n');
  setInterval(() => {}, 1000);
};
wait();
`;

const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];
const QUIET_MS = 20 * 60_000;

/**
 * A job whose log's last run went quiet 20 min ago (longer than its 5 min stall window), its file last written then:
 * `before` adds what runs.jsonl says of that run. Returns the runtime, its alerts file and the gate of the next launch.
 */
async function quietJob(before: (stateDir: string, t: number, log: string) => Promise<void>, command?: string[]) {
  const dir = tempDir();
  const t = Date.now() - QUIET_MS - 10_000;
  const log = path.join(dir, 'bf.log');
  writeFileSync(log, logOf(t, [...banner(1, 60, 3), ['INFO', '  ✅ Scraped 2021-12-01'], ['INFO', '[2/3] Processing 2021-12-02']]));
  // A file quiet since its last line (a file just written with old lines reads as a clock behind, not as silence).
  const last = new Date(t + 11_000);
  utimesSync(log, last, last);
  writeFileSync(path.join(dir, 'k.csv'), KEYS.join('\n') + '\n');
  mkdirSync(path.join(dir, 'st'));
  writeFileSync(path.join(dir, 'gated.mjs'), GATED);
  const gate = path.join(dir, 'gate');
  const config = { job: 'quiet', log: 'bf.log', expected: 'k.csv', storage: { url: 'st', pollSeconds: 1 }, command: command ?? [process.execPath, path.join(dir, 'gated.mjs'), gate, '--csv={keysFile}'], keepAwake: false, timezone: 'UTC', alerts: { bell: false, desktop: false } };
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify(config));
  const loaded = loadConfig({ cwd: dir });
  await before(loaded.stateDir, t, log);
  const r: Runtime = startRuntime(loaded, { exit: () => undefined, now: () => Date.now() });
  const stopSink = startAlertSink(r.store, { channels: loaded.alerts, stateDir: loaded.stateDir, write: () => undefined });
  open.push(async () => {
    stopSink();
    await r.close();
  });
  return { r, gate, alertsFile: path.join(loaded.stateDir, 'alerts.jsonl') };
}

/** `s` `y` once the old run is read and the writers looked at; then the run's own lines; returns the alerts fired. */
async function launchAndRead(job: Awaited<ReturnType<typeof quietJob>>, oldState: string) {
  const { r, gate } = job;
  await waitFor(() => r.store.getState().log.historyDone && r.store.getState().process.writersChecked && r.store.getState().coverage.storage?.checkedAt && r.store.getState().process.history, 'the old run read, writers looked at');
  expect(currentFigures(r.store.getState()).status).toBe(oldState);
  r.controller.onIntent('resume');
  await waitFor(() => r.store.getState().ui.confirm, 'the resume box');
  r.controller.onIntent('confirm-yes');
  // The new run from the spawn: never the old one with a live writer and 20 min of silence.
  const starting = await waitFor(() => (r.store.getState().process.startingPid ? r.store.getState() : null), 'the spawn');
  track(starting.process.startingPid);
  expect(starting.log.current).toMatchObject({ total: 3, succeeded: 0 });
  expect(currentFigures(starting).status).toBe('running');
  await waitFor(() => r.store.getState().process.pid !== null && r.store.getState().process.runId?.startsWith('resume'), 'the launch settled');
  writeFileSync(gate, '');
  await waitFor(() => r.store.getState().log.current?.succeeded === 1, 'the new run\'s first outcome');
  return r.store.getState();
}

// Tester Y11: each launch after a quiet spell fired `run stalled: no log line for over 15 min` (bell, desktop, webhook,
// alerts.jsonl) about the run before it: in the launch's start window that run read as alive and silent.
test('a launch after a quiet spell: the run before it ended without a summary; no alert is about it', async () => {
  const job = await quietJob(async () => undefined);
  const s = await launchAndRead(job, 'ended');
  expect(s.log.history.at(-1)).toMatchObject({ total: 3, succeeded: 1 });
  expect(s.alerts.recent).toEqual([]);
  expect(s.alerts.seq).toBe(0);
  expect(existsSync(job.alertsFile) ? readFileSync(job.alertsFile, 'utf8') : '').toBe('');
}, 60_000);

test('a launch after a quiet spell: the run before it was stopped from here; no alert is about it', async () => {
  const job = await quietJob(async (stateDir, t, log) => {
    await appendRunRecord(stateDir, { type: 'launch', id: 'resume-old', label: 'resume', argv: ['x'], cwd: path.dirname(log), keysFile: null, keyCount: 3, pid: 2_000_000_000, procStart: 1, log, startedAt: t - 500 });
    await appendRunRecord(stateDir, { type: 'stop', id: 'resume-old', at: t + 11_500 });
    await appendRunRecord(stateDir, { type: 'end', id: 'resume-old', endedAt: t + 12_000, exitCode: null, signal: 'SIGINT', reason: 'stopped' });
  });
  const s = await launchAndRead(job, 'stopped');
  expect(s.alerts.recent).toEqual([]);
  expect(existsSync(job.alertsFile) ? readFileSync(job.alertsFile, 'utf8') : '').toBe('');
}, 60_000);

test('a launch after a quiet spell that fails to start, writing nothing: the run before is the current run again, no alert', async () => {
  const job = await quietJob(async () => undefined, ['sh', '-c', 'exit 3', 'sh', '{keysFile}']);
  const { r } = job;
  await waitFor(() => r.store.getState().log.historyDone && r.store.getState().process.writersChecked && r.store.getState().coverage.storage?.checkedAt, 'the old run read, writers looked at');
  const old = r.store.getState().log.current;
  r.controller.onIntent('resume');
  await waitFor(() => r.store.getState().ui.confirm, 'the resume box');
  r.controller.onIntent('confirm-yes');
  await waitFor(() => r.store.getState().ui.notices.find((n) => n.text.includes('exited with code 3')), 'the failed start said');
  const s = r.store.getState();
  expect(s.log.current).toBe(old);
  expect(currentFigures(s).status).toBe('ended');
  expect(s.alerts.recent).toEqual([]);
}, 60_000);

/** A backfill that logs its banner at once and goes on (a fresh run the alerts must leave alone). */
const TALKER = `
import { writeSync } from 'node:fs';
const stamp = () => { const d = new Date(); const p = (n, w = 2) => String(n).padStart(w, '0'); return d.getUTCFullYear() + '-' + p(d.getUTCMonth() + 1) + '-' + p(d.getUTCDate()) + ' ' + p(d.getUTCHours()) + ':' + p(d.getUTCMinutes()) + ':' + p(d.getUTCSeconds()) + ',' + p(d.getUTCMilliseconds(), 3); };
for (const m of ['NBA.com Player Boxscore Scraper Backfill (v2) initialized', 'Loaded 3 dates from k.csv']) writeSync(1, stamp() + ' - INFO - ' + m + '\\n');
setInterval(() => {}, 1000);
`;

// Tester Z2 (Y11's class): a launch right after a stopped run whose end no dashboard had watched alerted `run ended
// without a summary after 0 keys` about the NEW run, 0.9 s after its banner, while it ran.
test('a launch right after a stopped run recorded unwatched: no alert about any run, the new run running', async () => {
  const job = await quietJob(async (stateDir, t, log) => {
    writeFileSync(path.join(path.dirname(log), 'talker.mjs'), TALKER);
    await appendRunRecord(stateDir, { type: 'launch', id: 'resume-old', label: 'resume', argv: ['x'], cwd: path.dirname(log), keysFile: null, keyCount: 3, pid: 2_000_000_000, procStart: 1, log, startedAt: t - 500 });
    await appendRunRecord(stateDir, { type: 'stop', id: 'resume-old', at: t + 11_500 });
  }, [process.execPath, 'talker.mjs', '--csv={keysFile}']);
  const { r } = job;
  // This dashboard records the stopped run's end (its process gone, no end yet).
  await waitFor(() => r.store.getState().process.history.find((h) => h.id === 'resume-old' && h.reason === 'stopped' && !h.endFromStop), 'the stopped run\'s end recorded');
  await waitFor(() => r.store.getState().log.historyDone && r.store.getState().process.writersChecked && r.store.getState().coverage.storage?.checkedAt, 'ready');
  expect(currentFigures(r.store.getState()).status).toBe('stopped');
  r.controller.onIntent('resume');
  await waitFor(() => r.store.getState().ui.confirm, 'the resume box');
  r.controller.onIntent('confirm-yes');
  const pid = await waitFor(() => r.store.getState().process.pid !== null && r.store.getState().process.runId?.startsWith('resume-2') && r.store.getState().process.pid, 'the launch settled');
  track(pid);
  const settledAt = Date.now();
  // Its banner read, its launch record read back, and a look at the log's writers after the launch settled.
  await waitFor(() => {
    const s = r.store.getState();
    return s.log.current?.title && s.process.history.some((h) => h.pid === pid) && (s.process.writersCheckedAt ?? 0) > settledAt && s.now > settledAt;
  }, 'the new run read and looked at after its launch', 20_000);
  const s = r.store.getState();
  expect(currentFigures(s).status).toBe('running');
  expect(s.alerts.recent).toEqual([]);
}, 60_000);
