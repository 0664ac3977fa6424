import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { collectSnapshot, newReport } from '../src/app/snapshot.js';
import { rowProblems } from '../src/overview/row-problem.js';
import { statusJson } from '../src/app/status-json.js';
import { statusText } from '../src/app/status-text.js';
import { loadConfig } from '../src/config.js';
import { currentFigures } from '../src/state/current-figures.js';
import { deadStartCause, deadStartWords } from '../src/state/dead-start.js';
import { formatElapsed } from '../src/format.js';
import { readRuns } from '../src/runner/runs-file.js';
import { banner, logOf } from './support/log-text.js';
import { cleanup, tempDir } from './runner-support.js';
import { waitFor } from './support/wait-for.js';

afterAll(cleanup);
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
});

/** A dashboard on `config` that launches `s` (resume) and answers `y`, once its expected keys, writers and log are looked at. */
async function launchResume(config: ReturnType<typeof loadConfig>): Promise<Runtime> {
  const a = startRuntime(config, { exit: () => undefined });
  runtimes.push(a);
  await waitFor(() => a.store.getState().coverage.expected && a.store.getState().process.writersChecked && a.store.getState().log.looked, 'ready');
  a.controller.onIntent('resume');
  await waitFor(() => a.store.getState().ui.confirm, 'the box');
  a.controller.onIntent('confirm-yes');
  return a;
}

// Tester Z8: `command ["python3","missing_script.py","{keysFile}"]` (a typo) on a new log: the launching dashboard said
// `ended before its first record: …can't open file…`; status said `error`, none in the backfill's format, run.error
// null, exit 1; a dashboard opened afterwards said `error` too.
test('a launch that died at start on a new log: status and a later dashboard say ended, its cause and its start, as the launcher did', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'e.csv'), '2022-01-03\n2022-01-04\n');
  // What python3 does with a missing script: one line on stderr (the log), exit 2.
  const cant = `python3: can't open file '${join(dir, 'missing_script.py')}': [Errno 2] No such file or directory`;
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'nocmd', log: 'bf.log', expected: 'e.csv', keepAwake: false, timezone: 'UTC', command: ['sh', '-c', `echo "${cant}" >&2; exit 2`, 'sh', '{keysFile}'] }));
  const config = loadConfig({ cwd: dir });
  const a = await launchResume(config);
  await waitFor(() => a.store.getState().ui.notices.find((n) => n.text.includes('exited with code 2')), 'the failed start said');
  await waitFor(() => deadStartCause(a.store.getState()) === cant, 'the launcher says why');
  const launchedAt = a.store.getState().log.current!.startedAt!;
  await a.close();
  runtimes.length = 0;

  const snap = await collectSnapshot(config, { sources: false });
  const json = statusJson(snap);
  expect(json.run).toMatchObject({ state: 'ended', error: cant, startedAt: new Date(launchedAt).toISOString(), total: 2 });
  expect(statusText(snap)).toMatch(/^nocmd: ended {2}/);
  expect(statusText(snap)).toContain(`ended before its first record; its only output: "${cant}"`);

  const b = startRuntime(config, { exit: () => undefined });
  runtimes.push(b);
  await waitFor(() => b.store.getState().log.current, 'the later dashboard has the run');
  expect(currentFigures(b.store.getState()).status).toBe('ended');
  expect(deadStartCause(b.store.getState())).toBe(cant);
  // It ended before this dashboard opened: no news (tester Y6's class).
  expect(b.store.getState().alerts.recent).toEqual([]);
}, 60_000);

// Round 12 (tester's AC11 add): a launch that died before its first record after an earlier run of the log. The
// launching dashboard said `ended · 0/N`; `status` and a later dashboard said `0/?` and `elapsed –` (a start death read
// from its lines, with neither total nor start), or the run before it, `complete 2/2` (an exit with a line no rule
// reads, a 1-key launch's `print(1)`). The launch's own key count and start are the run's, on every screen.
test.each([
  ['a start death', ['sh', '-c', `echo "python3: can't open file '/x/missing_script.py': [Errno 2] No such file or directory" >&2; exit 2`, 'sh', '{keysFile}'], 3],
  ['a line no rule reads', ['sh', '-c', 'echo 1', 'sh', '{keysFile}'], 1],
])('a launch that died at start after an earlier run (%s): N from its launch on the launcher, in status and on a later dashboard', async (_what, command, n) => {
  const dir = tempDir();
  const keys = ['2022-01-03', '2022-01-04', '2022-01-05'];
  writeFileSync(join(dir, 'e.csv'), keys.join('\n') + '\n');
  mkdirSync(join(dir, 'st'));
  for (const k of keys.slice(n)) {
    mkdirSync(join(dir, 'st', k));
    writeFileSync(join(dir, 'st', k, 'a.json'), '{}');
  }
  // An earlier run of the log, complete, an hour ago.
  writeFileSync(join(dir, 'bf.log'), logOf(Date.now() - 3_600_000, [...banner(1, 60, 2), ['INFO', '  ✅ Scraped 2022-01-01'], ['INFO', '  ✅ Scraped 2022-01-02'], ['INFO', 'BACKFILL COMPLETE']]));
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'dead', log: 'bf.log', expected: 'e.csv', storage: { url: 'st' }, keepAwake: false, timezone: 'UTC', command }));
  const config = loadConfig({ cwd: dir });
  const a = startRuntime(config, { exit: () => undefined });
  runtimes.push(a);
  await waitFor(() => a.store.getState().coverage.storage?.checkedAt && a.store.getState().process.writersChecked && a.store.getState().log.historyDone, 'ready');
  a.controller.onIntent('resume');
  const box = await waitFor(() => a.store.getState().ui.confirm, 'the box');
  expect(box.keys).toHaveLength(n);
  a.controller.onIntent('confirm-yes');
  await waitFor(async () => (await readRuns(config.stateDir, null)).at(-1)?.end || null, 'its end recorded');
  const launch = (await readRuns(config.stateDir, null)).at(-1)!;
  await waitFor(() => currentFigures(a.store.getState()).status === 'ended' || null, 'the launcher says ended');
  expect(currentFigures(a.store.getState())).toMatchObject({ done: 0, total: n });

  // One elapsed for the run (tester AD3: `0:01` on the launcher and in h, `elapsed 0:00` in status): its launch to its
  // recorded end, everywhere.
  const endedAt = launch.end!.endedAt;
  const elapsed = formatElapsed(launch.startedAt, endedAt - launch.startedAt);
  expect(formatElapsed(launch.startedAt, currentFigures(a.store.getState()).elapsedMs)).toBe(elapsed);
  // Its output quoted: `1` is no count (tester AD3: `ended before its first record: 1`), in the line and the alert.
  if (n === 1) {
    expect(deadStartWords(a.store.getState())).toBe('ended before its first record; its only output: "1"');
    expect(a.store.getState().alerts.recent.map((x) => x.text)).toEqual(['dead: run ended before its first record; its only output: "1"']);
  }
  await a.close();
  runtimes.length = 0;

  const snap = await collectSnapshot(config, { sources: false });
  expect(statusJson(snap).run).toMatchObject({ state: 'ended', total: n, done: 0, startedAt: new Date(launch.startedAt).toISOString(), finishedAt: new Date(endedAt).toISOString() });
  expect(statusText(snap)).toContain(`run       0/${n}  0.0 %  elapsed ${elapsed}`);
  const b = startRuntime(config, { exit: () => undefined });
  runtimes.push(b);
  await waitFor(() => b.store.getState().log.current?.startedAt === launch.startedAt || null, 'the later dashboard has the launch\'s run');
  expect(currentFigures(b.store.getState())).toMatchObject({ status: 'ended', done: 0, total: n });
  expect(formatElapsed(launch.startedAt, currentFigures(b.store.getState()).elapsedMs)).toBe(elapsed);
  // The run before it stays the log's earlier run, once.
  expect(b.store.getState().log.history.filter((r) => r.complete)).toHaveLength(1);
  expect(b.store.getState().log.history.filter((r) => r.deadStart)).toHaveLength(0);
  expect(b.store.getState().alerts.recent).toEqual([]);
}, 60_000);

// Tester AH6: a launch that failed to start (its command not found) was said only by the launching screen's notice and
// `h`: status said `waiting`, exit 0, `problems: []`, and the overview's title left the job out of `whose run died`.
test('a launch that failed to start is a problem for status and the job\'s run problem on every dashboard, until a run begins', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'e.csv'), '2022-01-03\n2022-01-04\n');
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'nocmd', log: 'bf.log', expected: 'e.csv', keepAwake: false, timezone: 'UTC', command: ['no-such-command-ah6', '{keysFile}'] }));
  const config = loadConfig({ cwd: dir });
  const a = await launchResume(config);
  await waitFor(async () => (await readRuns(config.stateDir, null)).at(-1)?.end?.reason === 'failed-to-start' || null, 'the failed start recorded');
  const id = (await readRuns(config.stateDir, null)).at(-1)!.id;
  await waitFor(() => rowProblems(a.store.getState()).find((p) => p.kind === 'failed to start'), 'the launching dashboard says it as the run\'s problem');
  await a.close();
  runtimes.length = 0;

  const report = newReport();
  const snap = await collectSnapshot(config, { sources: false, report });
  expect(report.problems).toEqual([expect.stringMatching(new RegExp(`^launch ${id} at \\d\\d:\\d\\d:\\d\\d failed to start: Command not found: no-such-command-ah6; s launches again`))]);
  expect(rowProblems(snap)).toMatchObject([{ source: 'run', kind: 'failed to start' }]);

  const b = startRuntime(config, { exit: () => undefined });
  runtimes.push(b);
  await waitFor(() => rowProblems(b.store.getState()).find((p) => p.kind === 'failed to start'), 'a later dashboard says it too');

  // A run begun since (started from a shell) is the job's news: the failed launch is no longer said.
  writeFileSync(join(dir, 'bf.log'), logOf(Date.now() + 60_000, [...banner(1, 60, 2), ['INFO', '  ✅ Scraped 2022-01-03']]));
  const after = newReport();
  const later = await collectSnapshot(config, { sources: false, report: after });
  expect(after.problems).toEqual([]);
  expect(rowProblems(later)).toEqual([]);
}, 60_000);
