import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { describe, expect, test } from 'vitest';
import { RunPanel } from '../components/RunPanel.js';
import { statusText } from '../src/app/status-text.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { currentFigures } from '../src/state/current-figures.js';
import { initialPlaceState } from '../src/state/place-state.js';
import { placeLines } from '../src/state/place-view.js';
import { emptyRun } from '../src/state/run.js';

// Tester AE5: the region killed mid-run, the job screen kept `rate 61.0/min · ETA 4–5 min` and `⟳ 3 in flight` for
// minutes beside `figures as of 1:05 ago (stale)`: a past moment's figures shown as now's, the ETA the one the
// operator acts on.
const now = Date.UTC(2026, 12 - 1, 1, 16, 6, 0);
const execution = { id: 'bf-job-54962', name: 'projects/proj-x/locations/us-west2/jobs/bf-job/executions/bf-job-54962', state: 'running', taskCount: 1, succeededCount: 0, runningCount: 1, failedCount: 0, retriedCount: 0, cancelledCount: 0, createTime: now - 92_000, startTime: now - 92_000, completionTime: null, args: [], ours: true, taskTimeoutSeconds: null };

/** 23 of 300 keys scraped one a second by 3 workers, the log read up to 65 s ago; Cloud Run answering or not. */
function stateWith(error: string | null): AppState {
  const place = { ...initialPlaceState('Cloud Run job bf-job (us-west2)', 2 * 3_600_000), execution: execution as never, ours: true, listedAt: now - 65_000, logReadAt: now - 65_000, logNewestAt: now - 65_000, error, errorAt: error ? now - 5_000 : null, errorSince: error ? now - 60_000 : null };
  const s = initialState({ job: 'crjob', log: 'cloud-run', now, targets: [95], place });
  const start = now - 92_000;
  const completions = Array.from({ length: 23 }, (_, i) => start + 4_000 + i * 1_000);
  const current = { ...emptyRun(), startedAt: start, lastActivityAt: completions.at(-1)!, hasActivity: true, total: 300, queued: 300, workers: 3, succeeded: 23, completions };
  return { ...s, log: { ...s.log, exists: true, looked: true, historyDone: true, current } };
}

const panel = (s: AppState) => stripVTControlCharacters(renderToString(<RunPanel run={s.log.current} figures={currentFigures(s)} width={80} />, { columns: 80 }));

describe('a run whose Cloud Run figures are only the last look', () => {
  test('answering: rate, ETA and keys in flight as read', () => {
    const s = stateWith(null);
    const f = currentFigures(s);
    expect(f.ratePerMin).not.toBeNull();
    expect(f.etaSeconds).not.toBeNull();
    expect(f.inFlight).toBe(3);
    expect(panel(s)).toContain('⟳ 3 in flight');
  });

  test('not answering: no rate, ETA or keys in flight; said why, on the screen and in status', () => {
    const s = stateWith('connection refused at 127.0.0.1:39681: nothing listens there');
    const f = currentFigures(s);
    expect(f).toMatchObject({ status: 'running', ratePerMin: null, etaSeconds: null, inFlight: 0, unseen: 'Cloud Run cannot be read' });
    const frame = panel(s);
    expect(frame).not.toContain('in flight');
    expect(frame).toContain('rate – · ETA not known while Cloud Run cannot be read');
    expect(statusText(s)).toContain('rate –  ETA not known while Cloud Run cannot be read');
  });

  test('Cloud Logging not answering, the region answering: the log\'s figures are the ones not known, and said so', () => {
    const s = stateWith('Cloud Logging: connection refused at 127.0.0.1:9: nothing listens there');
    expect(currentFigures(s)).toMatchObject({ ratePerMin: null, etaSeconds: null, inFlight: 0, unseen: 'Cloud Logging cannot be read' });
    expect(panel(s)).toContain('rate – · ETA not known while Cloud Logging cannot be read');
  });

  // Tester AE12's note: with Cloud Logging down the execution line said `no log entries yet`: not known, not absent.
  test('no entry read while Cloud Logging fails is `log not read`, not `no log entries yet`', () => {
    const s = stateWith('Cloud Logging: connection refused at 127.0.0.1:9: nothing listens there');
    const unread = { ...s, place: { ...s.place!, logNewestAt: null, logReadAt: null } };
    expect(placeLines(unread)[0].text).toContain(' · log not read · ');
    const up = stateWith(null);
    expect(placeLines({ ...up, place: { ...up.place!, logNewestAt: null } })[0].text).toContain(' · no log entries yet · ');
  });
});

// Tester AE15: the region down when the dashboard opened, the run pane said `No run in the log yet. The dashboard
// follows it as soon as lines arrive.` (a local log's words) while `h` listed four executions launched here.
test('with no run read, a Cloud Run job that cannot be read says so in the run pane', async () => {
  const { noRunWords } = await import('../components/Dashboard.js');
  const s = stateWith('connection refused at 127.0.0.1:39681: nothing listens there');
  const none = { ...s, log: { ...s.log, current: null } };
  expect(noRunWords(none)).toBe("No execution's log read: Cloud Run cannot be read (executions launched here: h).");
  const frame = stripVTControlCharacters(renderToString(<RunPanel run={null} figures={currentFigures(none)} width={80} noRun={noRunWords(none)} />, { columns: 80 }));
  expect(frame).toContain("No execution's log read: Cloud Run cannot be read");
  expect(frame).not.toContain('No run in the log yet');
  // A local job keeps its words.
  expect(noRunWords(initialState({ job: 'j', log: '/x.log', now, targets: [95] }))).toBeUndefined();
});

// Tester AF2: a Cloud Run job never launched said `No run in the log yet. The dashboard follows it as soon as lines
// arrive.`: there is no log file, and nothing arrives until `s`.
test('a Cloud Run job with no execution says so in its own words, listed or not yet, within 80 columns', async () => {
  const { noRunWords } = await import('../components/Dashboard.js');
  const fresh = initialState({ job: 'nl', log: 'cloud-run:projects/p/locations/us-west2/jobs/nl-job', now, targets: [95], place: initialPlaceState('Cloud Run job nl-job (us-west2)', 2 * 3_600_000) });
  expect(noRunWords(fresh)).toBe("Listing the job's executions…");
  const listed = { ...fresh, place: { ...fresh.place!, listedAt: now } };
  expect(noRunWords(listed)).toBe("No execution yet: s launches one (gcloud's or the console's are followed too).");
  const frame = stripVTControlCharacters(renderToString(<RunPanel run={null} figures={currentFigures(listed)} width={80} noRun={noRunWords(listed)} />, { columns: 80 }));
  expect(frame).toContain("No execution yet: s launches one (gcloud's or the console's are followed too).");
  expect(frame).not.toContain('No run in the log yet');
});
