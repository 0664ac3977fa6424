import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeExecution } from '../src/cloud-run/execution.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { initialPlaceState } from '../src/state/place-state.js';
import { placeLines } from '../src/state/place-view.js';
import { reduce } from '../src/state/reducer.js';
import { runFigures } from '../src/state/run-view.js';
import { writerOf } from '../src/state/writer.js';
import { overviewRows } from '../src/overview/overview-rows.js';
import { statusJson } from '../src/app/status-json.js';
import { runUnknown } from '../src/overview/row-problem.js';
import { deadStartCause } from '../src/state/dead-start.js';
import { alertsBetween } from '../src/alerts/alert-events.js';

const t0 = Date.parse('2026-03-01T10:00:00Z');
const running = decodeExecution({ name: 'projects/p/locations/us-west2/jobs/j/executions/j-ab12c', createTime: '2026-03-01T10:00:00Z', startTime: '2026-03-01T10:00:00Z', taskCount: 1, runningCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_PENDING' }], template: { timeout: '604800s' } });
const LOG = ['2026-03-01 10:00:00,000 - INFO - NBA.com Player Boxscore Scraper Backfill (v2) initialized', '2026-03-01 10:00:00,000 - INFO - Loaded 40 dates from keys.csv', '2026-03-01 10:00:05,000 - INFO -   ✅ Scraped 2024-01-02'].join('\n');

/** A Cloud Run job's state: its log lines fed as entries, its execution as the place reports it, at `now`. */
function cloudState(now: number, patch: Partial<NonNullable<AppState['place']>> = {}): AppState {
  let s = initialState({ job: 'j', log: 'cloud-run:projects/p/locations/us-west2/jobs/j', now: t0, targets: [95], place: initialPlaceState('Cloud Run job j (us-west2)', 2 * 3600_000) });
  s = reduce(s, { type: 'log/batch', batch: parseText(LOG, compileGrammar()) });
  s = reduce(s, { type: 'place/update', patch: { execution: running, ours: true, logNewestAt: t0 + 5000, ...patch } });
  return reduce(s, { type: 'clock/tick', now });
}

describe('a Cloud Run run on screen (injected clock)', () => {
  it('is never stalled from log silence while the execution says tasks run; a local run would be', () => {
    const s = cloudState(t0 + 60 * 60_000);
    expect(runFigures(s.log.current, s.now, writerOf(s)).status).toBe('running');
    const local = { ...s, place: null, process: { ...s.process, pid: 4242, alive: true } };
    expect(runFigures(local.log.current, local.now, writerOf(local)).status).toBe('stalled');
  });

  it('an execution whose log entries have not arrived is running from the execution, not waiting (tester T22)', () => {
    let s = initialState({ job: 'j', log: 'cloud-run:projects/p/locations/us-west2/jobs/j', now: t0, targets: [95], place: initialPlaceState('Cloud Run job j (us-west2)', 2 * 3600_000) });
    expect(runFigures(s.log.current, s.now, writerOf(s)).status).toBe('waiting');
    s = reduce(s, { type: 'place/update', patch: { execution: running, ours: true } });
    s = reduce(s, { type: 'clock/tick', now: t0 + 45_000 });
    expect(s.log.current).toBeNull();
    expect(runFigures(s.log.current, s.now, writerOf(s)).status).toBe('running');
    expect(overviewRows([s])[0]).toMatchObject({ status: 'running' });
    expect(statusJson(s).run.state).toBe('running');
  });

  it('shows the log delay, then stuck past stuckAfter with how to cancel', () => {
    expect(placeLines(cloudState(t0 + 47_000)).map((l) => l.text)).toEqual(['execution running · tasks 0/1 done, 1 running · log delay 0:42 · j-ab12c']);
    const stuck = placeLines(cloudState(t0 + 121 * 60_000));
    expect(stuck[1]).toMatchObject({ tone: 'fail', text: 'stuck: running 2 h 01 min, past 2 h 00 min (stuckAfter) · x cancels it (or gcloud run jobs executions cancel j-ab12c --region=us-west2 --project=p)' });
  });

  // Tester AH10's twin on the job screen: the stuck line wrapped the cancel command as `… cancel ID` / `--region=…
  // --project=…`, and a paste of the rows ran the first alone (gcloud's default project), then `--region=…`.
  it('on the job screen the stuck line\'s cancel command is on rows of its own, broken only with a trailing ` \\`', async () => {
    const [React, { renderToString }, { App }, { createStore }] = await Promise.all([import('react'), import('ink'), import('../components/App.js'), import('../src/store.js')]);
    // The team's names: the command is 107 characters, never one row at 80 columns.
    const name = 'projects/nba-props-platform/locations/us-west2/jobs/bdl-boxscore-backfill/executions/bdl-boxscore-backfill-x7k2p';
    const long = decodeExecution({ name, createTime: '2026-03-01T10:00:00Z', startTime: '2026-03-01T10:00:00Z', taskCount: 1, runningCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_PENDING' }], template: { timeout: '604800s' } });
    const s = cloudState(t0 + 121 * 60_000, { execution: long });
    const command = 'gcloud run jobs executions cancel bdl-boxscore-backfill-x7k2p --region=us-west2 --project=nba-props-platform';
    const frame = stripVTControlCharacters(renderToString(React.createElement(App, { store: createStore(s, { frameMs: 0 }), onIntent: () => undefined, color: false }), { columns: 80 }));
    const rows = frame.split('\n');
    const at = rows.findIndex((r) => r.startsWith('stuck: '));
    expect(rows.slice(at, at + 2)).toEqual(['stuck: running 2 h 01 min, past 2 h 00 min (stuckAfter) ·', '  x cancels it, or in a shell:']);
    const commandRows = rows.slice(at + 2, at + 4);
    expect(commandRows[0]).toMatch(/^ {2}gcloud run jobs executions cancel bdl-boxscore-backfill-x7k2p \\$/);
    expect(commandRows[1]).toMatch(/^ {4}--region=us-west2 --project=nba-props-platform$/);
    // Pasted into a shell: one command, whole.
    expect(commandRows.join('\n').replace(/ \\\n\s*/g, ' ').trim()).toBe(command);
    for (const r of rows) expect(r.length).toBeLessThanOrEqual(80);
  });

  // Tester AI14: text `status` wrapped the stuck line's `(or gcloud` / `run jobs executions cancel ID --region=…` /
  // `--project=…)` at spaces: pasted, the shell ran `run jobs …` as a command, then `--project=…)`; and `x cancels it`
  // means nothing in a shell.
  it('text status gives the stuck execution\'s cancel command on rows of its own, broken only with ` \\`, and says x is the dashboard\'s', async () => {
    const [{ statusText, fitStatusLines }, { wrap }] = await Promise.all([import('../src/app/status-text.js'), import('../src/text-width.js')]);
    const name = 'projects/nba-props-platform/locations/us-west2/jobs/bdl-boxscore-backfill/executions/bdl-boxscore-backfill-x7k2p';
    const long = decodeExecution({ name, createTime: '2026-03-01T10:00:00Z', startTime: '2026-03-01T10:00:00Z', taskCount: 1, runningCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_PENDING' }], template: { timeout: '604800s' } });
    const s = cloudState(t0 + 121 * 60_000, { execution: long });
    const command = 'gcloud run jobs executions cancel bdl-boxscore-backfill-x7k2p --region=us-west2 --project=nba-props-platform';
    for (const width of [80, 50]) {
      const rows = fitStatusLines(statusText(s, { width }).trimEnd().split('\n'), width, wrap);
      const from = rows.findIndex((r) => r.trimStart().startsWith('gcloud '));
      expect(from).toBeGreaterThan(0);
      const lead = rows.slice(0, from).join(' ').replace(/\s+/g, ' ');
      expect(lead).toContain('stuck: running 2 h 01 min, past 2 h 00 min (stuckAfter) · cancel it with x on its dashboard, or in a shell:');
      expect(lead).not.toContain('x cancels it');
      const cmd = rows.slice(from, rows.findIndex((r, i) => i >= from && !r.endsWith(' \\')) + 1);
      for (const r of cmd) expect(r.length).toBeLessThanOrEqual(width);
      expect(cmd.length).toBeGreaterThan(1);
      // Pasted into a shell: one command, whole, nothing around it.
      expect(cmd.join('\n').replace(/ \\\n\s*/g, ' ').trim()).toBe(command);
    }
  });

  // Tester h84 on c55a3ac: the header's clock stepped with the looks (`stuck · 0:30` six times) while the stuck line ticked
  // each second (`running 0:31` … `0:37`): one screen, two times. Both go to what the newest look proved.
  // The lead's rule (option 2): it ticks each second a look (5 s) and a second behind now, never past that proof.
  it('the header\'s elapsed and the stuck line both tick a look behind now, never past the newest look that found it running', () => {
    const look = t0 + 7_197_000;
    const s = cloudState(t0 + 7_200_000, { seenRunningAt: look, logNewestAt: t0 + 5000 });
    // 6 s behind now: 1:59:54, under the look.
    expect(runFigures(s.log.current, s.now, writerOf(s))).toMatchObject({ status: 'running', elapsedMs: 7_194_000 });
    const later = reduce(s, { type: 'clock/tick', now: t0 + 7_201_000 });
    expect(runFigures(later.log.current, later.now, writerOf(later)).elapsedMs).toBe(7_195_000);
    // The next look late: held at the newest proof (1:59:57), not past it, whatever the clock says.
    const held = reduce(s, { type: 'clock/tick', now: t0 + 7_210_000 });
    expect(runFigures(held.log.current, held.now, writerOf(held))).toMatchObject({ status: 'running', elapsedMs: 7_197_000 });
    expect(placeLines(held).map((l) => l.text).some((t) => t.startsWith('stuck:'))).toBe(false);
    // A look proves it ran past 2 h, and the clock is past that by a look: stuck, on the header and its line alike.
    const next = reduce(held, { type: 'place/update', patch: { seenRunningAt: t0 + 7_209_000 } });
    expect(runFigures(next.log.current, next.now, writerOf(next))).toMatchObject({ status: 'stuck', elapsedMs: 7_204_000 });
    expect(placeLines(next)[1].text).toMatch(/^stuck: running 2 h 00 min, past 2 h 00 min \(stuckAfter\)/);
  });

  // Tester AI7's nit: `stuck · 0:27` over `stuck: running 0:26, past 0:20` on every sample: the header read whole clock
  // seconds (formatElapsed), the stuck line floored its own span. One rounding; stuck once the time said is past the bound.
  it('the stuck line says the header\'s time to the second, and is stuck only once that time is past the bound', async () => {
    const { formatElapsed } = await import('../src/format.js');
    const started = decodeExecution({ name: 'projects/p/locations/us-west2/jobs/j/executions/j-ab12c', createTime: '2026-03-01T10:00:00.700Z', startTime: '2026-03-01T10:00:00.700Z', taskCount: 1, runningCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_PENDING' }], template: { timeout: '604800s' } });
    const at = (now: number) => {
      let s = initialState({ job: 'j', log: 'cloud-run:projects/p/locations/us-west2/jobs/j', now: t0, targets: [95], place: initialPlaceState('Cloud Run job j (us-west2)', 20_000) });
      s = reduce(s, { type: 'log/batch', batch: parseText('2026-03-01 10:00:00,900 - INFO - Loaded 40 dates from keys.csv', compileGrammar()) });
      s = reduce(s, { type: 'place/update', patch: { execution: started, ours: true, logNewestAt: t0 + 900 } });
      s = reduce(s, { type: 'clock/tick', now });
      const f = runFigures(s.log.current, s.now, writerOf(s));
      return { header: `${f.status} · ${formatElapsed(f.startedAt, f.elapsedMs)}`, line: placeLines(s).map((l) => l.text).find((t) => t.startsWith('stuck:'))?.split(' · ')[0] ?? null };
    };
    // 20.3 s after its start, read at 10:00:21: the header says 0:21, and so does the line, past 0:20.
    expect(at(t0 + 21_000)).toEqual({ header: 'stuck · 0:21', line: 'stuck: running 0:21, past 0:20 (stuckAfter)' });
    // 26.8 s: 0:27 on both (the line said 0:26).
    expect(at(t0 + 27_500)).toEqual({ header: 'stuck · 0:27', line: 'stuck: running 0:27, past 0:20 (stuckAfter)' });
    // 20.1 s after its start, but 0:20 by the clock: not past the bound it would say it passed.
    expect(at(t0 + 20_800)).toEqual({ header: 'running · 0:20', line: null });
  });

  // One rounding on every surface (AI7's nit, its class): the log delay read 0:41 on screen and 42 in --json (a floored
  // span, a rounded one), and --json's stuck words took the clock's now where the line takes the newest look's proof.
  it('the log delay and the stuck words read the same on the screen, in text status and in --json', async () => {
    const { statusText } = await import('../src/app/status-text.js');
    const s = cloudState(t0 + 47_100, { logNewestAt: t0 + 5_800, seenRunningAt: t0 + 45_000, stuckAfterMs: 20_000 });
    const [line, stuck] = placeLines(s).map((l) => l.text);
    expect(line).toContain('· log delay 0:42 ·');
    const json = statusJson(s);
    expect(json.execution?.logDelaySeconds).toBe(42);
    expect(json.execution?.stuck).toBe('running 0:41, past 0:20 (stuckAfter)');
    expect(stuck.startsWith(`stuck: ${json.execution?.stuck} ·`)).toBe(true);
    expect(statusText(s)).toContain(`stuck: ${json.execution?.stuck} ·`);
  });

  it('a region that stops answering while the execution is stuck: the error and since when first, the execution as last seen (tester AC12)', () => {
    const errorAt = t0 + 120 * 60_000;
    const lines = placeLines(cloudState(t0 + 122 * 60_000, { error: 'Cloud Run: connection refused at 127.0.0.1:39511: nothing listens there', errorAt, errorSince: errorAt, logReadAt: errorAt })).map((l) => l.text);
    expect(lines).toEqual(['execution last seen running · tasks 0/1 done, 1 running · log delay 2:01:55 · j-ab12c', 'Cloud Run: connection refused at 127.0.0.1:39511: nothing listens there · since 12:00:00, retrying · figures as of 12:00:00 (stale)']);
  });

  // Tester AI10 k: Cloud Logging refused right after the execution ended: `figures as of – ago (stale)`. Once the run is
  // over the screen's clock ticks every 15 s, so the last read can be later than the state's now: no age to say.
  it('the figures of a place that stopped answering are dated by a clock time, never `– ago`', () => {
    const ended = decodeExecution({ name: 'projects/p/locations/us-west2/jobs/j/executions/j-ab12c', createTime: '2026-03-01T10:00:00Z', startTime: '2026-03-01T10:00:00Z', completionTime: '2026-03-01T10:01:07Z', taskCount: 1, succeededCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_SUCCEEDED' }] });
    const s = cloudState(t0 + 75_000, { execution: ended, error: 'Cloud Logging: connection refused at 127.0.0.1:39884: nothing listens there', errorAt: t0 + 81_000, logReadAt: t0 + 79_000 });
    const line = placeLines(s)[1].text;
    expect(line).toContain(' · figures as of 10:01:19 (stale)');
    expect(line).not.toMatch(/–|ago/);
  });

  it('an ended execution: the log delay shows while its last entries are awaited, and not once its log is whole (so the line fits 80 columns)', () => {
    const cancelled = decodeExecution({ name: 'projects/p/locations/us-west2/jobs/j/executions/bdl-boxscore-backfill-4dd7f', createTime: '2026-03-01T10:00:00Z', startTime: '2026-03-01T10:00:00Z', completionTime: '2026-03-01T10:00:20Z', taskCount: 1, cancelledCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_FAILED', executionReason: 'CANCELLED' }] });
    const waiting = placeLines(cloudState(t0 + 40_000, { execution: cancelled, logIncomplete: 'waiting' })).map((l) => l.text);
    expect(waiting[0]).toBe('execution cancelled · tasks 0/1 done · log delay 0:35 · bdl-boxscore-backfill-4dd7f');
    // At 80 columns (tester T3) the cut takes the end of the long name, never the delay; the problem line is whole.
    const demo = placeLines(cloudState(t0 + 40_000, { execution: { ...running, id: 'bdl-boxscore-backfill-ffb7f' }, logIncomplete: null })).map((l) => l.text);
    expect(demo[0].slice(0, 80)).toContain('· log delay 0:35 · bdl-boxscore-');
    expect(waiting[1].length).toBeLessThanOrEqual(78);
    expect(placeLines(cloudState(t0 + 400_000, { execution: cancelled, logIncomplete: 'gave-up' }))[1].text.length).toBeLessThanOrEqual(78);
    const whole = placeLines(cloudState(t0 + 90_000, { execution: cancelled, logIncomplete: null })).map((l) => l.text);
    expect(whole).toEqual(['execution cancelled · tasks 0/1 done · bdl-boxscore-backfill-4dd7f']);
  });

  // Tester AF8 (e): the alert (alerts.jsonl, h, the webhook) said `still running past its task timeout or stuckAfter`
  // while the screen said which.
  it('the stuck alert says which bound the execution passed, as the screen does', () => {
    const at = (now: number) => reduce(cloudState(now), { type: 'log/history-done' });
    const alerts = alertsBetween(at(t0 + 119 * 60_000), at(t0 + 121 * 60_000));
    expect(alerts.map((a) => a.text)).toEqual(['j: execution stuck: j-ab12c running 2 h 01 min, past 2 h 00 min (stuckAfter) (x on its dashboard cancels it, or: gcloud run jobs executions cancel j-ab12c --region=us-west2 --project=p)']);
  });

  // Tester AF5: the region killed mid-run, the dashboard kept `⠼ running · 1:35` (the clock since the launch), counted in
  // the title's `1 running`, while `status` beside it said `error`.
  it('an execution last seen running that the region no longer answers about: error everywhere, its clock stopped at the last look', () => {
    const down = { error: 'Cloud Run: connection refused at 127.0.0.1:9: nothing listens there', errorAt: t0 + 30_000 };
    const s = cloudState(t0 + 90_000, down);
    expect(runUnknown(s)).toBe(true);
    expect(overviewRows([s])[0]).toMatchObject({ runUnknown: true });
    expect(statusJson(s).run.state).toBe('error');
    // From the run's start (10:00:00) to the first failed look, not to now.
    expect(runFigures(s.log.current, s.now, writerOf(s)).elapsedMs).toBe(30_000);
    // Cloud Logging alone failing: the region still says it runs; the run is running, its clock goes on.
    const logOnly = cloudState(t0 + 90_000, { ...down, error: 'Cloud Logging: connection refused at 127.0.0.1:9: nothing listens there' });
    expect(runUnknown(logOnly)).toBe(false);
    expect(runFigures(logOnly.log.current, logOnly.now, writerOf(logOnly))).toMatchObject({ status: 'running', elapsedMs: 90_000 });
  });

  it('stuck is the run state everywhere (header, overview rank, status): not running (tester T17)', () => {
    const s = cloudState(t0 + 121 * 60_000);
    expect(runFigures(s.log.current, s.now, writerOf(s)).status).toBe('stuck');
    expect(overviewRows([s])[0]).toMatchObject({ status: 'stuck', rank: 0 });
    expect(statusJson(s).run.state).toBe('stuck');
  });

  it('a succeeded execution whose last entries are awaited is incomplete, not ended; ended once given up on (tester T7)', () => {
    const succeeded = decodeExecution({ name: 'projects/p/locations/us-west2/jobs/j/executions/j-ab12c', createTime: '2026-03-01T10:00:00Z', startTime: '2026-03-01T10:00:00Z', completionTime: '2026-03-01T10:00:20Z', taskCount: 1, succeededCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_SUCCEEDED' }] });
    const waiting = cloudState(t0 + 40_000, { execution: succeeded, logIncomplete: 'waiting' });
    expect(runFigures(waiting.log.current, waiting.now, writerOf(waiting)).status).toBe('incomplete');
    expect(overviewRows([waiting])[0]).toMatchObject({ status: 'incomplete', rank: 1 });
    const gaveUp = cloudState(t0 + 400_000, { execution: succeeded, logIncomplete: 'gave-up' });
    expect(runFigures(gaveUp.log.current, gaveUp.now, writerOf(gaveUp)).status).toBe('ended');
  });

  it('alerts fire for a Cloud Run run once its log was first read: run complete, never ended while its last entries are awaited (tester T7)', () => {
    const succeeded = decodeExecution({ name: 'projects/p/locations/us-west2/jobs/j/executions/j-ab12c', createTime: '2026-03-01T10:00:00Z', startTime: '2026-03-01T10:00:00Z', completionTime: '2026-03-01T10:00:20Z', taskCount: 1, succeededCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_SUCCEEDED' }] });
    let s = reduce(cloudState(t0 + 30_000), { type: 'log/history-done' });
    expect(s.log.historyDone).toBe(true);
    // The execution ends: the place says so and marks the log incomplete in one event, then the process follows.
    s = reduce(s, { type: 'place/update', patch: { execution: succeeded, logIncomplete: 'waiting' } });
    s = reduce(s, { type: 'process/update', patch: { alive: false, attached: false } });
    s = reduce(s, { type: 'clock/tick', now: t0 + 35_000 });
    const summary = ['=' .repeat(70), 'BACKFILL COMPLETE', 'Total dates: 40', '✅ Processed: 1', '⏭️  Skipped: 0', '❌ Failed: 0'].map((l) => `2026-03-01 10:00:21,000 - INFO - ${l}`).join('\n');
    s = reduce(s, { type: 'log/batch', batch: parseText(summary, compileGrammar()) });
    // The summary is in, but the place has not yet said its log is whole: the run is not complete yet (tester AI11: the
    // header said `complete` over `log incomplete` for 15 s), so neither is its alert. It fires when the place says so.
    expect(runFigures(s.log.current, s.now, writerOf(s)).status).toBe('incomplete');
    expect(s.alerts.recent).toEqual([]);
    s = reduce(s, { type: 'place/update', patch: { logIncomplete: null } });
    expect(runFigures(s.log.current, s.now, writerOf(s)).status).toBe('complete');
    expect(s.alerts.recent.map((a) => a.kind)).toEqual(['completed']);
  });

  // Tester AI11's header part: the summaries in, an outcome line they count not read yet. One rule on every surface:
  // the run is complete only once its log is, and its alert fires then, once.
  it('a summary in before an outcome line it counts: running while the execution runs, incomplete after, complete (and its alert) once the line is in', async () => {
    const { statusText } = await import('../src/app/status-text.js');
    const ended = decodeExecution({ name: 'projects/p/locations/us-west2/jobs/j/executions/j-ab12c', createTime: '2026-03-01T10:00:00Z', startTime: '2026-03-01T10:00:00Z', completionTime: '2026-03-01T10:00:20Z', taskCount: 1, succeededCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_SUCCEEDED' }] });
    const at = (time: string, l: string) => `2026-03-01 ${time},000 - INFO - ${l}`;
    const summary = ['='.repeat(70), 'BACKFILL COMPLETE', 'Total dates: 40', '✅ Processed: 2', '⏭️  Skipped: 0', '❌ Failed: 0'].map((l) => at('10:00:19', l));
    const said = (s: AppState) => ({ header: runFigures(s.log.current, s.now, writerOf(s)).status, json: statusJson(s).run.state, text: statusText(s).split('\n')[0].split(/\s+/)[1], alerts: s.alerts.recent.map((a) => a.kind) });
    let s = reduce(cloudState(t0 + 18_000), { type: 'log/history-done' });
    s = reduce(s, { type: 'log/batch', batch: parseText(summary.join('\n'), compileGrammar()) });
    expect(s.log.current).toMatchObject({ complete: true, succeeded: 2, summaryUnseen: 1 });
    expect(said(s)).toEqual({ header: 'running', json: 'running', text: 'running', alerts: [] });
    // The region says it ended; the place marks its log incomplete in the same event.
    s = reduce(s, { type: 'place/update', patch: { execution: ended, logIncomplete: 'waiting' } });
    s = reduce(s, { type: 'clock/tick', now: t0 + 25_000 });
    expect(said(s)).toEqual({ header: 'incomplete', json: 'incomplete', text: 'incomplete', alerts: [] });
    // Which source each figure is from, plainly (AJ5 f: it said `execution counts shown` over the log's counts).
    expect(placeLines(s).map((l) => l.text)).toContain('log incomplete: last entries not yet in Cloud Logging; counts from the log');
    expect(placeLines(s).every((l) => [...l.text].length <= 78)).toBe(true);
    // The late line, read again in log order (before the summary), then the place says the log is whole.
    const whole = [LOG, at('10:00:18', '  ✅ Scraped 2024-01-03'), ...summary].join('\n');
    s = reduce(s, { type: 'log/batch', batch: parseText(whole, compileGrammar()), replace: true });
    expect(s.log.current).toMatchObject({ complete: true, succeeded: 2, summaryUnseen: 0 });
    expect(said(s).header).toBe('incomplete');
    s = reduce(s, { type: 'place/update', patch: { logIncomplete: null } });
    expect(said(s)).toEqual({ header: 'complete', json: 'complete', text: 'complete', alerts: ['completed'] });
    s = reduce(s, { type: 'clock/tick', now: t0 + 30_000 });
    expect(said(s).alerts).toEqual(['completed']);
  });

  it('an execution already ended, its last entries awaited, when the dashboard first knows it: its complete later is no news', () => {
    const ended = decodeExecution({ name: 'projects/p/locations/us-west2/jobs/j/executions/j-ab12c', createTime: '2026-03-01T10:00:00Z', startTime: '2026-03-01T10:00:00Z', completionTime: '2026-03-01T10:00:20Z', taskCount: 1, succeededCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_SUCCEEDED' }] });
    let s = cloudState(t0 + 25_000, { execution: ended, logIncomplete: 'waiting' });
    s = reduce(s, { type: 'process/update', patch: { alive: false, attached: false } });
    s = reduce(s, { type: 'log/history-done' });
    expect(runFigures(s.log.current, s.now, writerOf(s)).status).toBe('incomplete');
    // Its last entries come (lines after the first read), then its log is whole.
    const summary = ['='.repeat(70), 'BACKFILL COMPLETE', 'Total dates: 40', '✅ Processed: 1', '⏭️  Skipped: 0', '❌ Failed: 0'].map((l) => `2026-03-01 10:00:19,000 - INFO - ${l}`).join('\n');
    s = reduce(s, { type: 'log/batch', batch: parseText(summary, compileGrammar()) });
    s = reduce(s, { type: 'place/update', patch: { logIncomplete: null } });
    expect(runFigures(s.log.current, s.now, writerOf(s)).status).toBe('complete');
    expect(s.alerts.recent).toEqual([]);
  });

  it('a log read again in order replaces what was read in one step: one run, counted once, no alert (tester T24)', () => {
    let s = reduce(cloudState(t0 + 30_000), { type: 'log/history-done' });
    const more = `${LOG}\n2026-03-01 10:00:06,000 - INFO -   ✅ Scraped 2024-01-03`;
    s = reduce(s, { type: 'log/batch', batch: parseText(more, compileGrammar()), replace: true });
    expect(s.log.history).toEqual([]);
    expect(s.log.current).toMatchObject({ succeeded: 2, total: 40 });
    expect(s.alerts.recent).toEqual([]);
  });

  it('an error keeps the last figures, marked stale, with the fix; an external execution says so', () => {
    const s = cloudState(t0 + 90_000, { ours: false, error: 'Cloud Logging: quota reached (429): …; next read in 8 s', hint: 'backing off', logReadAt: t0 + 30_000 });
    const lines = placeLines(s).map((l) => l.text);
    expect(lines[0]).toMatch(/^execution running \(external\) · .* · j-ab12c$/);
    expect(lines[1]).toBe('Cloud Logging: quota reached (429): …; next read in 8 s · since 10:00:00, retrying · figures as of 10:00:30 (stale) → backing off');
    expect(s.log.current?.succeeded).toBe(1);
  });

  // Tester V4: a Cloud Run cancel snapped the elapsed back (`stuck · 2:30` → `stopped · 1:48`): it ended at the log's
  // newest entry read, not at the execution's completion (the log arrives late).
  it('a cancelled execution is stopped at its completion: the elapsed never steps back to the newest entry read', () => {
    const live = cloudState(t0 + 150_000);
    expect(runFigures(live.log.current, live.now, writerOf(live))).toMatchObject({ status: 'running', elapsedMs: 150_000 });
    const cancelled = decodeExecution({ name: 'projects/p/locations/us-west2/jobs/j/executions/j-ab12c', createTime: '2026-03-01T10:00:00Z', startTime: '2026-03-01T10:00:00Z', completionTime: '2026-03-01T10:02:31Z', taskCount: 1, cancelledCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_FAILED', reason: 'Cancelled' }], template: { timeout: '604800s' } });
    expect(cancelled.state).toBe('cancelled');
    let s = reduce(live, { type: 'place/update', patch: { execution: cancelled } });
    s = reduce(s, { type: 'process/update', patch: { stopped: true, alive: false } });
    s = reduce(s, { type: 'clock/tick', now: t0 + 200_000 });
    expect(runFigures(s.log.current, s.now, writerOf(s))).toMatchObject({ status: 'stopped', elapsedMs: 151_000 });
    // Tester W23: `logDelaySeconds: 620` for an execution ended 10 min ago: the age of its last entry, not a delay.
    expect(statusJson(live).execution?.logDelaySeconds).toBe(145);
    expect(statusJson(reduce(s, { type: 'place/update', patch: { logIncomplete: 'waiting' } })).execution?.logDelaySeconds).toBe(195);
    expect(statusJson(s).execution?.logDelaySeconds).toBeNull();
  });

  // Tester X11: an execution that died on a bad argument read `ended · 0:00`, `run.error null`: its cause (argparse's
  // last line) was only in the log pane.
  it('an execution that ended before its first record says why: the log\'s last line is its error on the screen and in status', async () => {
    const failed = decodeExecution({ name: 'projects/p/locations/us-west2/jobs/j/executions/j-bad01', createTime: '2026-03-01T10:00:00Z', startTime: '2026-03-01T10:00:00Z', completionTime: '2026-03-01T10:00:04Z', taskCount: 1, failedCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_FAILED', message: 'Task 0 failed with exit code 2' }], template: { timeout: '604800s' } });
    let s = initialState({ job: 'j', log: 'cloud-run:projects/p/locations/us-west2/jobs/j', now: t0, targets: [95], place: initialPlaceState('Cloud Run job j (us-west2)', 2 * 3600_000) });
    // An earlier execution's last lines were read: never taken for this one's cause (following it begins its log anew,
    // as the dashboard's place does).
    s = reduce(s, { type: 'log/batch', batch: parseText('2026-03-01 09:00:00,000 - INFO - an earlier line', compileGrammar()) });
    s = reduce(s, { type: 'log/begin', seed: { startedAt: t0, total: null, workers: null, timeoutSec: null } });
    s = reduce(s, { type: 'place/update', patch: { execution: failed, ours: false, logNewestAt: null, logIncomplete: null } });
    expect(deadStartCause(s)).toBeNull();
    const usage = ['usage: backfill-tui sim [-h] [--keys KEYS] [--workers WORKERS]', 'backfill-tui sim: error: unrecognized arguments: --bogus-flag'];
    s = reduce(s, { type: 'log/batch', batch: parseText(usage.join('\n'), compileGrammar()) });
    s = reduce(s, { type: 'place/update', patch: { execution: failed, ours: false, logNewestAt: t0 + 3000, logIncomplete: null } });
    s = reduce(s, { type: 'clock/tick', now: t0 + 60_000 });
    expect(runFigures(s.log.current, s.now, writerOf(s)).status).toBe('ended');
    expect(deadStartCause(s)).toBe(usage[1]);
    expect(statusJson(s).run.error).toBe(usage[1]);
    const [React, { renderToString }, { stripVTControlCharacters }, { App }, { createStore }] = await Promise.all([import('react'), import('ink'), import('node:util'), import('../components/App.js'), import('../src/store.js')]);
    const screen = stripVTControlCharacters(renderToString(React.createElement(App, { store: createStore({ ...s, ui: { ...s.ui, width: 80, height: 24 } }, { frameMs: 0 }), onIntent: () => undefined, color: false }), { columns: 80 }));
    // Whole, wrapped over the free rows (tester AA9's residue: the cause was cut at the width).
    expect(screen.split('\n').map((r) => r.trim()).join(' ')).toContain(`ended before its first record; its last output: "${usage[1]}"`);
    // A run with a record, or still going, has no such cause.
    expect(deadStartCause(cloudState(t0 + 60_000))).toBeNull();
  });

  // Tester W18 / Z10: `not reachable` was said of a region that took the request and only answered late.
  it.each([
    ['Cloud Run: no answer from http://127.0.0.1:9 within 20 s', false, 'timed out after 20 s'],
    ['Cloud Run: no answer from https://run.googleapis.com within 4.5 s (--timeout)', false, 'timed out after 4.5 s'],
    ['Cloud Run: connection refused at 127.0.0.1:9: nothing listens there', false, 'not reachable'],
    ['Cloud Run: cannot reach https://x.invalid (ENOTFOUND)', false, 'not reachable'],
    ['Cloud Run: permission run.executions.list missing on projects/p (403)', false, 'no access (403)'],
    ["Cloud Run: the look timed out at 1 s (--timeout) before the job's executions were listed", true, 'look timed out'],
  ])('the place line says what happened: %s', (error, cut, words) => {
    const s = reduce(initialState({ job: 'j', log: 'cloud-run:projects/p/locations/us-west2/jobs/j', now: t0, targets: [95], place: initialPlaceState('Cloud Run job j (us-west2)', 2 * 3600_000) }), { type: 'place/update', patch: { error, hint: null, errorAt: t0, cut } });
    expect(placeLines(s)[0].text).toBe(`Cloud Run job j (us-west2) · ${words}`);
  });

  // Tester W18: a region that does not answer read `waiting`, the word for "never launched", with no host and no time.
  it('a region that does not answer: which host, since the first failure of the streak (not the last), retrying; an answer ends the streak', () => {
    let s = initialState({ job: 'j', log: 'cloud-run:projects/p/locations/us-west2/jobs/j', now: t0, targets: [95], place: initialPlaceState('Cloud Run job j (us-west2)', 2 * 3600_000) });
    const noAnswer = (at: number) => ({ type: 'place/update' as const, patch: { error: 'Cloud Run: no answer from http://127.0.0.1:9 within 20 s', hint: 'check the network or the endpoint setting', errorAt: at } });
    s = reduce(s, noAnswer(t0 + 20_000));
    s = reduce(s, noAnswer(t0 + 65_000));
    s = reduce(s, { type: 'clock/tick', now: t0 + 70_000 });
    expect(placeLines(s).map((l) => l.text)).toEqual([
      'Cloud Run job j (us-west2) · timed out after 20 s',
      'Cloud Run: no answer from http://127.0.0.1:9 within 20 s · since 10:00:20, retrying → check the network or the endpoint setting',
    ]);
    expect(runUnknown(s)).toBe(true);
    expect(overviewRows([s])[0]).toMatchObject({ runUnknown: true });
    s = reduce(s, { type: 'place/update', patch: { error: null, hint: null, errorAt: null, listedAt: t0 + 80_000 } });
    s = reduce(s, noAnswer(t0 + 90_000));
    expect(placeLines(s)[1].text).toContain('since 10:01:30, retrying');
  });
});
