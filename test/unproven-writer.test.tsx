import { removeDir } from './support/remove-dir.js';
import React from 'react';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { afterAll, describe, expect, test } from 'vitest';
import { RunPanel } from '../components/RunPanel.js';
import { startRuntime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { currentFigures } from '../src/state/current-figures.js';
import { emptyRun } from '../src/state/run.js';
import { runFigures } from '../src/state/run-view.js';
import { WRITERS_LOOK_GAP_MS, writerOf, writersLookDue } from '../src/state/writer.js';
import { runCliAsync } from './support/cli.js';
import { logLine } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

// Tester F25: a log no process holds open gets a line. The dashboard said `running` while `status` said
// `ended`, its elapsed ran 0:33 and snapped back to 0:00, and a run of unknown total was drawn as a full bar.
const T0 = Date.UTC(2025, 10, 26, 23, 0, 0);
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-unproven-'));
afterAll(() => removeDir(dir));

/** A state whose last look at the log's writers (none found) was at `lookedAt`, lines last arriving at `arrivedAt`. */
function stateWith(lookedAt: number, arrivedAt: number | null, patch: Partial<AppState['process']> = {}): AppState {
  const s = initialState({ job: 'j', log: '/x.log', now: T0 + 30_000, targets: [95] });
  const current = { ...emptyRun(), startedAt: T0, lastActivityAt: T0, hasActivity: true, succeeded: 1 };
  return { ...s, log: { ...s.log, current, lastArrivalAt: arrivedAt }, process: { ...s.process, writersChecked: true, writersCheckedAt: lookedAt, ...patch } };
}

describe('a line with no writer known', () => {
  test('is unproven until a look, which is due at once (at most one per second); a known writer needs none', () => {
    const s = stateWith(T0 - 5_000, T0);
    expect(writerOf(s)).toMatchObject({ alive: null, unproven: true });
    expect(writersLookDue(s, T0 - 5_000, T0 + 10)).toBe(0);
    expect(writersLookDue(s, T0 - 200, T0)).toBe(WRITERS_LOOK_GAP_MS - 200);
    // The look found nobody after the line came: ended, nothing more to look at.
    expect(writerOf(stateWith(T0 + 1, T0))).toEqual({ alive: false });
    expect(writersLookDue(stateWith(T0 + 1, T0), T0 + 1, T0 + 2)).toBeNull();
    expect(writersLookDue(stateWith(T0 - 5_000, T0, { external: true, externalPids: [42] }), T0 - 5_000, T0)).toBeNull();
    // A launch from here under way: its first lines come before its pid is known, and are no cue for a look.
    expect(writersLookDue(stateWith(T0 - 5_000, T0, { launching: true }), T0 - 5_000, T0)).toBeNull();
  });

  test('elapsed comes from the lines while unproven and from the clock once a writer is known: it never steps back', () => {
    const now = T0 + 33_000;
    const r = { ...emptyRun(), startedAt: T0, lastActivityAt: T0 + 2_000, hasActivity: true };
    expect(runFigures(r, now, { alive: null, arrivedAt: T0 + 2_000, unproven: true })).toMatchObject({ status: 'running', elapsedMs: 2_000 });
    expect(runFigures(r, now, { alive: false })).toMatchObject({ status: 'ended', elapsedMs: 2_000 });
    expect(runFigures(r, now, { alive: true, arrivedAt: T0 + 2_000 })).toMatchObject({ status: 'running', elapsedMs: 33_000 });
  });

  test('a run of unknown total: an empty track and "? (total not known)", never a full bar', () => {
    const r = { ...emptyRun(), startedAt: T0, lastActivityAt: T0, hasActivity: true, succeeded: 1 };
    const line = (total: number | null) => stripVTControlCharacters(renderToString(<RunPanel run={{ ...r, total }} figures={runFigures({ ...r, total }, T0, { alive: false })} width={80} />, { columns: 80 })).split('\n')[0];
    expect(line(null)).toMatch(/^Run ░+ 1\/\? \(total not known\)/);
    expect(line(null)).not.toContain('█');
    expect(line(4)).toMatch(/^Run █+░+ 1\/4 25\.0 %/);
  });
});

test('the dashboard says what status says: a line appended with no writer is ended, and its elapsed never runs on and snaps back', async () => {
  const log = path.join(dir, 'rot.log');
  writeFileSync(log, '');
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'rot', log: 'rot.log', keepAwake: false }));
  const runtime = startRuntime(loadConfig({ cwd: dir }), { exit: () => undefined });
  try {
    await waitFor(() => runtime.store.getState().process.writersChecked && runtime.store.getState().log.historyDone, 'the first look and the log read');
    // Seen on every change, from the line's arrival on.
    const seen: { status: string; elapsedMs: number | null }[] = [];
    runtime.store.subscribe(() => {
      const s = runtime.store.getState();
      if (s.log.current) seen.push({ status: currentFigures(s).status, elapsedMs: currentFigures(s).elapsedMs });
    });
    const at = Date.now();
    appendFileSync(log, `${logLine(at, 'INFO', '  ✅ Scraped NEWKEY2')}\n`);
    await waitFor(() => currentFigures(runtime.store.getState()).status === 'ended', 'ended, as status says', 30_000);
    const status = await runCliAsync(['status', '--json'], { cwd: dir });
    expect(JSON.parse(status.stdout).run).toMatchObject({ state: 'ended', total: null });
    expect(seen.length).toBeGreaterThan(0);
    for (let i = 1; i < seen.length; i++) expect(seen[i].elapsedMs ?? 0).toBeGreaterThanOrEqual(seen[i - 1].elapsedMs ?? 0);
    expect(currentFigures(runtime.store.getState()).elapsedMs).toBe(0);
  } finally {
    await runtime.close();
  }
});

test('a complete run whose lines give no span says the script\'s time to the second, in the header\'s format: 0:54, not "1 min" (tester F7, F40, U10)', () => {
  const r = { ...emptyRun(), startedAt: null, lastActivityAt: T0 + 54_000, finishedAt: T0 + 54_000, hasActivity: true, complete: true, total: 3, succeeded: 3 };
  const text = (durationSec: number) => stripVTControlCharacters(renderToString(<RunPanel run={{ ...r, summary: { durationSec } }} figures={runFigures(r, T0 + 60_000, { alive: false })} width={80} />, { columns: 80 }));
  expect(text(54)).toContain('took 0:54');
  expect(text(32.6 * 60)).toContain('took 32:36');
  expect(text(0.3)).toContain('took 0:00');
  expect(text(2 * 3600 + 5)).toContain('took 2:00:05');
});

test('a complete run whose lines give its span shows one duration, the header\'s: the script\'s minute-rounded `Time: 0.2 minutes` is not a second `took 0:12` (tester W1)', () => {
  const r = { ...emptyRun(), startedAt: T0, lastActivityAt: T0 + 9_900, finishedAt: T0 + 9_900, hasActivity: true, complete: true, total: 3, succeeded: 3 };
  const frame = stripVTControlCharacters(renderToString(<RunPanel run={{ ...r, summary: { durationSec: 12 } }} figures={runFigures(r, T0 + 60_000, { alive: false })} width={80} />, { columns: 80 }));
  expect(frame).toContain('rate ');
  expect(frame).not.toContain('took');
});
