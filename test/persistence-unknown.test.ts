import { removeDir } from './support/remove-dir.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FailedFile } from '../src/failures/failed-file.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { failureGroupLines, failureSummaryLine, failuresView, runsText } from '../src/state/failures-view.js';
import { reduce } from '../src/state/reducer.js';
import { retryOffer } from '../src/state/retry-offer.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { CLI, runCliAsync } from './support/cli.js';
import { startRuntime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { waitFor } from './support/wait-for.js';
import { startFakeGcs, type FakeGcs } from './support/fake-gcs-server.js';
import { logOf } from './support/log-text.js';

// Tester U7: with storage not listed (not configured, or failing) a run's silence about a key proves nothing,
// so "absent from its failed list = not tried" must not make a key persistent.

// The real history's shape, small: a 2-key test, the big run, another 2-key test, the retry of what the big
// run missed, and the last run. P1-P3 fail in every run that tries them; R1-R6 fail in the big run and are
// scraped in the retry (R3-R6) or the last run (R1, R2); t1, t2, x1, x2 are the test runs' keys, scraped later.
const P = ['2022-04-16', '2022-04-17', '2022-05-02'];
const R = ['2021-11-03', '2021-11-04', '2021-12-01', '2021-12-02', '2022-01-05', '2022-01-06'];
const T = ['2021-10-20', '2021-10-21'];
const X = ['2021-10-22', '2021-10-23'];
const runs: [string, string, string[]][] = [
  ['20251126_162529', '2025-11-26T16:26:57.525721', T],
  ['20251126_162719', '2025-11-26T17:19:47.882513', [...P, ...R]],
  ['20251126_230657', '2025-11-26T23:11:52.526223', X],
  ['20251126_231710', '2025-11-26T23:49:49.094932', [...P, ...R.slice(0, 2)]],
  ['20251127_085942', '2025-11-27T09:25:11.038410', P],
];
const everFailed = [...new Set(runs.flatMap(([, , keys]) => keys))].sort();
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-persist-unknown-'));
const env = { METADATA_SERVER_DETECTION: 'none', TZ: 'UTC' };
let gcs: FakeGcs;

beforeAll(async () => {
  for (const [stamp, timestamp, keys] of runs) {
    const entries = keys.map((k) => ({ game_date: k, status: 'failed', error: 'HTTP 500' }));
    writeFileSync(path.join(dir, `failed_dates_${stamp}.json`), JSON.stringify({ timestamp, total_failed: keys.length, failed_dates: entries }));
  }
  writeFileSync(path.join(dir, 'dates.csv'), `${[...everFailed, '2021-10-19'].sort().join('\n')}\n`);
  // Storage holds every key but the three persistent ones.
  gcs = await startFakeGcs({ bucket: 'bkt', objects: [...R, ...T, ...X, '2021-10-19'].map((k) => `p/${k}/x.json`) });
});
afterAll(async () => {
  await gcs.close();
  removeDir(dir);
});

function config(storage: boolean) {
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({
    log: 'none.log', expected: 'dates.csv', failed: 'failed_dates_*.json',
    ...(storage ? { storage: { url: 'gs://bkt/p/', apiEndpoint: gcs.url } } : {}),
  }));
}

const cli = (args: string[]) => runCliAsync(args, { cwd: dir, env });

describe('the real files\' shape, storage listed, failing, or not configured', () => {
  test('storage listed: the 3 keys failed in every run that tried them are persistent (the 35 of the real files)', async () => {
    config(true);
    gcs.setFault(null);
    const r = await cli(['status', '--json', '--timeout', '20']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).failures).toMatchObject({ failing: 3, recovered: everFailed.length - 3, persistent: 3, persistentUnknown: null });
    expect((await cli(['missing', '--from', 'failures', '--persistent', '--timeout', '20'])).stdout).toBe(`${[...P].sort().join('\n')}\n`);
  });

  test('storage failing (the server answers 403, as with expired credentials): persistence not known in status, status --json and missing', async () => {
    config(true);
    gcs.setFault({ status: 403 });
    const json = await cli(['status', '--json', '--timeout', '10']);
    expect(json.code).toBe(0);
    const failures = JSON.parse(json.stdout).failures;
    // Positive evidence only: the files say what failed; nothing says R, T, X were scraped since.
    expect(failures).toMatchObject({ failing: everFailed.length, recovered: 0, persistent: null, persistentByPhase: {}, persistentUnknown: 'storage not listed' });
    const text = await cli(['status', '--timeout', '10']);
    expect(text.stdout).toContain('persistent: not known (storage not listed)');
    expect(text.stdout).not.toContain('failed in every run that tried');
    const persistent = await cli(['missing', '--from', 'failures', '--persistent', '--timeout', '10']);
    expect(persistent).toMatchObject({ code: 1, stdout: '' });
    expect(persistent.stderr).toContain('persistent: not known (storage not listed): no key is printed');
    const notPersistent = await cli(['missing', '--from', 'failures', '--not-persistent', '--timeout', '10']);
    expect(notPersistent.code).toBe(0);
    expect(notPersistent.stdout).toBe(`${everFailed.join('\n')}\n`);
  });

  test('no storage configured: the same answer, saying why (it will never be listed: tester X9)', async () => {
    config(false);
    const json = await cli(['status', '--json', '--timeout', '10']);
    expect(JSON.parse(json.stdout).failures).toMatchObject({ failing: everFailed.length, persistent: null, persistentUnknown: 'no storage configured' });
    const text = (await cli(['status', '--timeout', '10'])).stdout;
    expect(text).toContain('persistent: not known (no storage configured)');
    expect(text).not.toContain('storage not listed');
    const persistent = await cli(['missing', '--from', 'failures', '--persistent']);
    expect(persistent.code).toBe(1);
    expect(persistent.stderr).toContain('persistent: not known (no storage configured): no key is printed');
  });

  test('r in the dashboard, no storage: every failing key offered, none left out as persistent on no evidence, and said', async () => {
    const file = path.join(dir, 'dash.config.json');
    writeFileSync(file, JSON.stringify({
      job: 'u7', log: 'none.log', expected: 'dates.csv', failed: 'failed_dates_*.json', keepAwake: false,
      command: [process.execPath, CLI, 'sim', '--csv={keysFile}', '--workers={workers}', '--timeout={timeout}', '--failed-dir=.'],
    }));
    const r = startRuntime(loadConfig({ file, cwd: dir }), { exit: () => undefined });
    try {
      await waitFor(() => r.store.getState().failed.files.length === runs.length, 'the failed files read');
      r.controller.onIntent('retry');
      const box = await waitFor(() => r.store.getState().ui.confirm, 'the retry box');
      expect(box.keys).toEqual(everFailed);
      expect(box.withPersistent).toBeUndefined();
      expect(box.message).toBe(`Retry ${everFailed.length} failed keys, 3 workers, timeout 300 s? Persistent: not known (no storage configured).`);
      r.controller.onIntent('confirm-no');
    } finally {
      await r.close();
    }
  });
});

// Tester U7 (b): many runs of the same keys in one log, their failed-keys files, no storage.
describe('a log of several runs, no storage', () => {
  const H = 3_600_000;
  const T0 = Date.UTC(2025, 10, 20, 8);
  const stamp = (at: number) => new Date(at).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_');
  const lines = (keys: [string, 'ok' | 'fail'][]) => keys.map(([k, o]): [string, string] => (o === 'ok' ? ['INFO', `  ✅ Scraped ${k}`] : ['WARNING', `  ❌ Failed ${k}: HTTP 500`]));
  // k1 fails in runs 1 and 2, is scraped in run 3; k2 fails in run 1, is scraped in run 2, fails in run 3.
  const plan: [string, 'ok' | 'fail'][][] = [
    [['2021-10-19', 'fail'], ['2021-10-20', 'fail'], ['2021-10-21', 'ok']],
    [['2021-10-19', 'fail'], ['2021-10-20', 'ok'], ['2021-10-21', 'ok']],
    [['2021-10-19', 'ok'], ['2021-10-20', 'fail'], ['2021-10-21', 'ok']],
    [['2021-10-21', 'ok']],
  ];
  function file(at: number, keys: string[]): FailedFile {
    const name = `failed_dates_${stamp(at)}.json`;
    return { path: `/x/${name}`, name, runStartedAt: at, writtenAt: null, mtimeMs: at + 60_000, totalFailed: keys.length, entries: keys.map((key) => ({ key, status: 'failed', error: 'HTTP 500' })), problems: [] };
  }
  function stateAfter(upTo: number): AppState {
    let s = initialState({ job: 'j', log: '/x/bf.log', now: T0 + 5 * H, targets: [95] });
    const grammar = compileGrammar();
    const text = plan
      .slice(0, upTo)
      .map((keys, i) => logOf(T0 + i * H, [['INFO', 'Backfill (v2)'], ['INFO', `Loaded ${keys.length} dates from k.csv`], ...lines(keys), ['INFO', 'BACKFILL COMPLETE']]))
      .join('');
    s = reduce(s, { type: 'log/batch', batch: parseText(text, grammar) });
    const files = plan.slice(0, upTo).flatMap((keys, i) => (keys.some(([, o]) => o === 'fail') ? [file(T0 + i * H, keys.filter(([, o]) => o === 'fail').map(([k]) => k))] : [])).reverse();
    return reduce(s, { type: 'failed/update', files, current: files[0] ?? null, notes: [] });
  }

  test('a key an earlier run of the log scraped after its failures has recovered; no key is called persistent', () => {
    const state = stateAfter(4);
    expect(state.log.history).toHaveLength(3);
    const view = failuresView(state);
    const row = (k: string) => view.rows.find((r) => r.key === k)!;
    // k1: failed in runs 1 and 2 (their files), scraped in run 3 (the log): recovered, though no storage.
    expect(row('2021-10-19')).toMatchObject({ recovered: true, persistent: false, failedIn: 2, triedIn: 3 });
    // k2: scraped in run 2, failed again in run 3: failing, its persistence not known.
    expect(row('2021-10-20')).toMatchObject({ recovered: false, persistent: false, persistentKnown: false });
    expect(view.summary).toMatchObject({ failing: 1, recovered: 1, persistent: null });
    // Run 2 scraped it between its two failures: 2 of 3 (tester AG7: the files alone read 2 of 2).
    expect(runsText(row('2021-10-20'))).toBe('failed in 2 of 3 runs known to have tried it, from its first failure on');
    expect(failureSummaryLine(state)).toBe('failing 1 · persistent: not known (no storage configured) · 1 recovered · HTTP 500 1 · Regular season 1');
    expect(failureGroupLines(view.summary, true, null, false).map((l) => l.text)).toContain('failing 1 · recovered 1 · persistent not known (no storage configured)');
  });
});

test('the r box with persistence not known offers every key and says why none was left out', () => {
  const offer = retryOffer(['a', 'b'], null, '', '3 workers, timeout 300 s');
  expect(offer).toEqual({ keys: ['a', 'b'], message: 'Retry 2 failed keys, 3 workers, timeout 300 s? Persistent: not known (storage not listed).' });
});
