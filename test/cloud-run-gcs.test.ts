import { removeDir } from './support/remove-dir.js';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { collectSnapshot, newReport } from '../src/app/snapshot.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { statusJson } from '../src/app/status-json.js';
import { startLoopbackServer, type LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { loadConfig } from '../src/config.js';
import { watchGcsFailedFiles } from '../src/failures/gcs-failed-watch.js';
import { writeKeysObject } from '../src/run-place/cloud-run-setup.js';
import { startFakeGcs, type FakeGcs, type FakeObject } from './support/fake-gcs-server.js';
import { waitFor } from './support/wait-for.js';

const BUCKET = 'nba-scraped-data';
let dir: string;
const cleanups: (() => Promise<unknown> | void)[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-cr-gcs-'));
  cleanups.push(() => removeDir(dir));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A failed-keys file as the reference scripts write it. */
function failedFile(stamp: string, entries: [string, string][]): string {
  return JSON.stringify({ timestamp: stamp, total_failed: entries.length, failed_dates: entries.map(([game_date, error]) => ({ game_date, status: 'failed', error })) }, null, 2);
}

const NEWER = failedFile('2026-03-01T12:40:00', [['2024-01-02', 'HTTP 500'], ['2024-01-05', 'HTTP 500'], ['2024-02-07', 'Read timed out']]);
const OLDER = failedFile('2026-02-27T09:00:00', [['2024-01-02', 'HTTP 500'], ['2023-11-20', 'HTTP 404']]);

async function gcs(objects: FakeObject[], pageSize?: number): Promise<FakeGcs> {
  const server = await startFakeGcs({ bucket: BUCKET, objects, pageSize });
  cleanups.push(() => server.close());
  return server;
}

async function region(runTask?: Parameters<typeof startLoopbackServer>[0]['runTask']): Promise<LoopbackServer> {
  const server = await startLoopbackServer({
    project: 'nba-props-platform',
    region: 'us-west2',
    jobs: [{ name: 'bdl-boxscore-backfill', timeoutSeconds: 1800 }],
    runTask: runTask ?? (async (ctx) => {
      ctx.log(`2026-03-01 12:00:00,000 - INFO - args ${ctx.args.join(' ')}`);
      await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r()));
      return 0;
    }),
  });
  cleanups.push(() => server.close());
  return server;
}

function writeConfig(d: string, extra: Record<string, unknown>): string {
  const file = path.join(d, 'backfill-tui.config.json');
  writeFileSync(file, JSON.stringify({ job: 'bdl-boxscores', keepAwake: false, ...extra }));
  return file;
}

describe('failed-keys files in Cloud Storage (a Cloud Run job\'s container keeps no files)', () => {
  test('status reads the objects a gs:// glob names, paged, and merges them into the failures exactly as the same local files', async () => {
    const objects: FakeObject[] = [
      { name: 'failed/failed_dates_20260301_124000.json', content: NEWER, updated: '2026-03-01T12:40:01Z' },
      { name: 'failed/failed_dates_20260227_090000.json', content: OLDER, updated: '2026-02-27T09:00:01Z' },
      { name: 'failed/failed_dates_20260301_130000.json', content: '{"failed_dates": [', updated: '2026-03-01T13:00:01Z' },
      { name: 'failed/notes.json', content: '{}' },
      { name: 'failed/sub/failed_dates_20260302_000000.json', content: NEWER },
      ...Array.from({ length: 7 }, (_, i) => `failed/failed_dates_other_${i}.txt`),
    ];
    const server = await gcs(objects, 2);
    const region1 = await region();
    const cloud = writeConfig(dir, {
      failed: `gs://${BUCKET}/failed/failed_dates_*.json`,
      storage: { url: `gs://${BUCKET}/st/`, apiEndpoint: server.url },
      cloudRun: { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-boxscore-backfill', apiEndpoint: region1.url, loggingEndpoint: region1.url },
    });
    const report = newReport();
    const state = await collectSnapshot(loadConfig({ file: cloud, cwd: dir }), { timeoutMs: 10_000, report });
    expect(report.problems).toEqual([]);
    const failures = statusJson(state).failures;
    expect(failures.file).toBe(`gs://${BUCKET}/failed/failed_dates_20260301_124000.json`);
    // The newest file's three keys and the older file's key no later run tried again (2024-01-02 failed in both).
    expect(failures.failing).toBe(4);
    expect(failures.byError).toEqual({ 'HTTP 500': 2, 'HTTP 404': 1, timeout: 1 });
    expect(failures.persistent).toBe(1);
    // The half-written object is a note, not a file; the sub-folder and other names are not matched.
    expect(state.failed.files.map((f) => f.name)).toEqual(['failed_dates_20260301_124000.json', 'failed_dates_20260227_090000.json']);
    expect(state.failed.notes).toEqual([expect.stringContaining('failed_dates_20260301_130000.json cannot be read (incomplete JSON')]);
    // Listed page by page (2 names a page), only under the glob's literal prefix; only matches downloaded.
    const failedQueries = server.queries.filter((q) => q.get('prefix')?.startsWith('failed'));
    expect(failedQueries.length).toBeGreaterThanOrEqual(3);
    expect(failedQueries.every((q) => q.get('prefix') === 'failed/failed_dates_')).toBe(true);
    expect([...server.downloads].sort()).toEqual(['failed/failed_dates_20260227_090000.json', 'failed/failed_dates_20260301_124000.json', 'failed/failed_dates_20260301_130000.json']);

    // The same two files on disk give the same failures.
    const local = path.join(dir, 'local');
    mkdirSync(path.join(local, 'failed'), { recursive: true });
    writeFileSync(path.join(local, 'failed', 'failed_dates_20260301_124000.json'), NEWER);
    writeFileSync(path.join(local, 'failed', 'failed_dates_20260227_090000.json'), OLDER);
    writeFileSync(path.join(local, 'backfill.log'), '');
    const localFile = writeConfig(local, { failed: 'failed/failed_dates_*.json', log: 'backfill.log' });
    const localState = await collectSnapshot(loadConfig({ file: localFile, cwd: local }), { timeoutMs: 10_000, sources: false });
    // Persistence aside: the local config lists no storage, so it is not known there (and says so: tester X9).
    const { file: _a, persistent: _p, persistentByPhase: _pp, persistentUnknown: _pu, ...cloudFailures } = failures;
    const { file: _b, persistent, persistentByPhase: _lp, persistentUnknown, ...localFailures } = statusJson(localState).failures;
    expect(cloudFailures).toEqual(localFailures);
    expect({ persistent, persistentUnknown }).toEqual({ persistent: null, persistentUnknown: 'no storage configured' });
  });

  test('a gs:// glob with * in a folder, or naming only a folder, is a config error naming failed', () => {
    for (const [failed, says] of [
      [`gs://${BUCKET}/failed-*/failed_dates_*.json`, 'only the object name may hold * or ?'],
      [`gs://${BUCKET}/failed/`, 'names a folder: add the file name pattern'],
    ]) {
      const file = writeConfig(dir, { failed, cloudRun: { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-boxscore-backfill' } });
      expect(() => loadConfig({ file, cwd: dir })).toThrow(new RegExp(`invalid config\\n  failed: .*${says.replace(/[*?]/g, '\\$&')}`));
    }
    // A good one is kept as written (not made a local path).
    const file = writeConfig(dir, { failed: `gs://${BUCKET}/failed/failed_dates_*.json`, cloudRun: { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-boxscore-backfill' } });
    expect(loadConfig({ file, cwd: dir }).failed).toBe(`gs://${BUCKET}/failed/failed_dates_*.json`);
  });

  test('a listing that loops is stopped by the page guard and said, not followed forever', async () => {
    const server = await gcs([{ name: 'failed/failed_dates_20260301_124000.json', content: NEWER }]);
    server.setFault('loop-token');
    const region1 = await region();
    const file = writeConfig(dir, {
      failed: `gs://${BUCKET}/failed/failed_dates_*.json`,
      storage: { url: `gs://${BUCKET}/st/`, apiEndpoint: server.url },
      cloudRun: { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-boxscore-backfill', apiEndpoint: region1.url, loggingEndpoint: region1.url },
    });
    const report = newReport();
    await collectSnapshot(loadConfig({ file, cwd: dir }), { timeoutMs: 10_000, report, sources: false });
    expect(report.problems).toEqual([expect.stringMatching(/^failed-keys files gs:\/\/nba-scraped-data\/failed\/failed_dates_\*\.json: Cloud Storage: listing gs:\/\/nba-scraped-data\/failed\/failed_dates_ stopped after 2 pages: the server sent a page token it had already sent/)]);
    expect(server.requests).toBe(2);
  });

  test('the dashboard follows the objects: a new failed file in the bucket becomes the current one', async () => {
    const server = await gcs([{ name: 'failed/failed_dates_20260227_090000.json', content: OLDER, updated: '2026-02-27T09:00:01Z' }]);
    const updates: string[][] = [];
    const ac = new AbortController();
    const watching = watchGcsFailedFiles({ glob: `gs://${BUCKET}/failed/failed_dates_*.json`, apiEndpoint: `${server.url}/storage/v1` }, (files) => updates.push(files.map((f) => f.name)), { signal: ac.signal, pollMs: 20 });
    cleanups.push(async () => {
      ac.abort();
      await watching;
    });
    await waitFor(() => updates.length === 1, 'the first look');
    expect(updates[0]).toEqual(['failed_dates_20260227_090000.json']);
    // Another program (the job's script) writes a newer file.
    await new Storage({ apiEndpoint: server.url, projectId: 'p' }).bucket(BUCKET).file('failed/failed_dates_20260301_124000.json').save(NEWER, { resumable: false });
    await waitFor(() => updates.length === 2, 'the new file seen');
    expect(updates[1]).toEqual(['failed_dates_20260301_124000.json', 'failed_dates_20260227_090000.json']);
    // Unchanged objects are not downloaded again on each look.
    const before = server.downloads.length;
    const looks = server.queries.length;
    await waitFor(() => server.queries.length >= looks + 3, 'three more looks');
    expect(server.downloads.length).toBe(before);
    expect(updates).toHaveLength(2);
  });

  test('the runtime of a Cloud Run job with a gs:// failed glob shows those failures', async () => {
    const server = await gcs([{ name: 'failed/failed_dates_20260301_124000.json', content: NEWER }]);
    const region1 = await region();
    const file = writeConfig(dir, {
      failed: `gs://${BUCKET}/failed/failed_dates_*.json`,
      storage: { url: `gs://${BUCKET}/st/`, apiEndpoint: server.url },
      cloudRun: { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-boxscore-backfill', apiEndpoint: region1.url, loggingEndpoint: region1.url },
    });
    const r: Runtime = startRuntime(loadConfig({ file, cwd: dir }), { exit: () => undefined });
    cleanups.push(() => r.close());
    await waitFor(() => r.store.getState().failed.current, 'the failed file from Cloud Storage');
    expect(r.store.getState().failed.current?.path).toBe(`gs://${BUCKET}/failed/failed_dates_20260301_124000.json`);
    expect(statusJson(r.store.getState()).failures.failing).toBe(3);
  });
});

describe('{keysUri}: the keys object under keysPrefix', () => {
  test('a launch writes the keys to a new object under keysPrefix with ifGenerationMatch=0, and the execution\'s args carry its gs:// URI', async () => {
    const server = await gcs([]);
    const region1 = await region();
    writeFileSync(path.join(dir, 'expected.txt'), ['2024-01-01', '2024-01-02', '2024-01-03'].join('\n') + '\n');
    const file = writeConfig(dir, {
      expected: 'expected.txt',
      // The endpoint in the form the README shows (with /storage/v1): taken as the storage source takes it.
      storage: { url: `gs://${BUCKET}/st/`, apiEndpoint: `${server.url}/storage/v1`, pollSeconds: 1 },
      cloudRun: { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-boxscore-backfill', args: ['--csv={keysUri}', '--workers={workers}'], keysPrefix: `gs://${BUCKET}/backfill-tui/keys/`, apiEndpoint: region1.url, loggingEndpoint: region1.url, pollSeconds: 1 },
      workers: 2,
    });
    const r: Runtime = startRuntime(loadConfig({ file, cwd: dir }), { exit: () => undefined });
    cleanups.push(() => r.close());
    await waitFor(() => r.store.getState().coverage.storage?.checkedAt && r.store.getState().coverage.expected && r.store.getState().place?.listedAt, 'storage listed, expected keys read and executions listed');
    r.controller.onIntent('resume');
    await waitFor(() => r.store.getState().ui.confirm, 'the confirm box').catch((e) => {
      throw new Error(`${e.message}; notices: ${JSON.stringify(r.store.getState().ui.notices)}`);
    });
    r.controller.onIntent('confirm-yes');
    const exec = await waitFor(() => region1.world.executions[0], 'an execution');
    expect(server.uploads).toHaveLength(1);
    const up = server.uploads[0];
    expect(up.name).toMatch(/^backfill-tui\/keys\/resume-[\w-]+\.txt$/);
    expect(up.query.get('ifGenerationMatch')).toBe('0');
    expect(server.content(up.name)).toBe('2024-01-01\n2024-01-02\n2024-01-03\n');
    expect(exec.args).toEqual([`--csv=gs://${BUCKET}/${up.name}`, '--workers=2']);
    // runs.jsonl names the keys object as a local run's keys file.
    await waitFor(() => readFileSync(path.join(dir, '.backfill-tui', 'runs.jsonl'), 'utf8').includes(`"keysFile":"gs://${BUCKET}/${up.name}"`), 'the keys object in runs.jsonl');
    // The launch is recorded before jobs.run answers (tester AE13), its execution after: the test ends once that is
    // written too, or the launch appends into a folder being removed (ENOTEMPTY in the clean-up).
    await waitFor(() => readFileSync(path.join(dir, '.backfill-tui', 'runs.jsonl'), 'utf8').includes(`"execution":"${exec.name}"`), 'the execution recorded in runs.jsonl');
  });

  test('an object already there is never written over: 412 is explained, and nothing is launched', async () => {
    const server = await gcs([{ name: 'backfill-tui/keys/run-1.txt', content: 'not ours\n' }]);
    const config = loadConfig({ file: writeConfig(dir, { storage: { url: `gs://${BUCKET}/st/`, apiEndpoint: server.url }, cloudRun: { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-boxscore-backfill' } }), cwd: dir });
    await expect(writeKeysObject(`gs://${BUCKET}/backfill-tui/keys/run-1.txt`, '2024-01-01\n', config)).rejects.toThrow(`gs://${BUCKET}/backfill-tui/keys/run-1.txt already exists and was not written by this dashboard: not overwritten`);
    expect(server.uploads.map((u) => u.status)).toEqual([412]);
    expect(server.content('backfill-tui/keys/run-1.txt')).toBe('not ours\n');

    // Through a launch: the keys object refused, jobs.run is never called.
    const region1 = await region();
    writeFileSync(path.join(dir, 'expected.txt'), '2024-01-01\n');
    const file = writeConfig(dir, {
      expected: 'expected.txt',
      storage: { url: `gs://${BUCKET}/st/`, apiEndpoint: server.url },
      cloudRun: { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-boxscore-backfill', args: ['--csv={keysUri}'], keysPrefix: `gs://${BUCKET}/backfill-tui/keys/`, apiEndpoint: region1.url, loggingEndpoint: region1.url, pollSeconds: 1 },
    });
    const r: Runtime = startRuntime(loadConfig({ file, cwd: dir }), { exit: () => undefined });
    cleanups.push(() => r.close());
    await waitFor(() => r.store.getState().coverage.storage?.checkedAt && r.store.getState().coverage.expected && r.store.getState().place?.listedAt, 'storage listed, expected keys read and executions listed');
    r.controller.onIntent('resume');
    await waitFor(() => r.store.getState().ui.confirm, 'the confirm box');
    // Someone else's object takes every name from now on (the fake answers every request 412).
    server.setFault({ status: 412 });
    r.controller.onIntent('confirm-yes');
    await waitFor(() => r.store.getState().ui.notices.some((n) => n.text.includes('not launched') && n.text.includes('already exists and was not written by this dashboard')), 'the refusal');
    expect(region1.requests.filter((q) => q.route === 'run')).toHaveLength(0);
  });
});
