import { removeDir } from './support/remove-dir.js';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createController } from '../src/app/controller.js';
import { readFailedFile } from '../src/failures/failed-file.js';
import type { LiveSources } from '../src/app/live-sources.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { createStore, type Store } from '../src/store.js';
import { banner, logOf, T0 } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';
import { HAS_LEASE, lease } from './support/lease.js';

// A key pressed before what it acts on is read waits for it and says so (tester T25), never blames the config.
let dir: string;
const runtimes: Runtime[] = [];
const aborts: AbortController[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-before-read-'));
});
const releases: Array<() => void> = [];
afterEach(async () => {
  for (const release of releases.splice(0)) release();
  for (const r of runtimes.splice(0)) await r.close();
  for (const a of aborts.splice(0)) a.abort();
  removeDir(dir);
});

const KEYS = Array.from({ length: 12 }, (_, i) => `2022-04-${String(i + 10).padStart(2, '0')}`);
const noticeText = (store: Store) => store.getState().ui.notices.map((n) => n.text).join('\n');

function writeConfig(extra: Record<string, unknown> = {}): string {
  const file = path.join(dir, 'backfill-tui.config.json');
  writeFileSync(file, JSON.stringify({ job: 'early', log: 'backfill.log', expected: 'expected.txt', command: ['/bin/true', '{keysFile}', '--workers={workers}', '--timeout={timeout}'], keepAwake: false, ...extra }));
  return file;
}

/**
 * A controller over a store the test fills, as the sources would: no storage, nothing launched, the failed-keys files'
 * first look done (none there) unless `failedRead` is false.
 */
function controllerOver(file: string, failedRead = true) {
  const config = loadConfig({ file, cwd: dir });
  const store = createStore(initialState({ job: 'early', log: config.log, now: T0, targets: [95, 98, 100] }), { frameMs: 0 });
  if (failedRead) store.dispatch({ type: 'failed/update', files: [], current: null, notes: [] });
  const live: LiveSources = { storage: null, warehouse: null, refresh: () => [], done: Promise.resolve(), pace: () => undefined };
  const ac = new AbortController();
  aborts.push(ac);
  const controller = createController({ config, store, live, exit: () => undefined, now: () => T0, signal: ac.signal });
  return { store, controller };
}

describe('a key pressed before what it acts on is read', () => {
  test.skipIf(!HAS_LEASE)('s while the expected keys are still being read says so and asks once they are: never "config `expected`"', async () => {
    // The expected keys file is held by a lease (as a slow mount holds it): its read ends only when the test lets go.
    // (A named pipe held it once; a FIFO is now refused unopened, tester AH9.)
    await writeFile(path.join(dir, 'expected.txt'), KEYS.join('\n') + '\n');
    const held = await lease(path.join(dir, 'expected.txt'));
    releases.push(held.release);
    const r = startRuntime(loadConfig({ file: writeConfig(), cwd: dir }), { exit: () => undefined });
    runtimes.push(r);
    await waitFor(() => r.store.getState().process.writersChecked || null, 'the first look at the writers');
    r.controller.onIntent('resume');
    const said = await waitFor(() => r.store.getState().ui.notices.find((n) => /expected keys/.test(n.text)), 'what s waits for');
    expect(said.text).toBe('the expected keys are still being read from expected.txt: s goes on once that is done');
    expect(noticeText(r.store)).not.toContain('config');
    expect(r.store.getState().ui.confirm).toBeNull();
    // Pressed again while waiting: said again, still one box later.
    r.controller.onIntent('resume');
    held.release();
    const box = await waitFor(() => r.store.getState().ui.confirm, 'the box once the keys are read');
    expect(box.message).toBe('Launch 12 keys, 6 workers, timeout 180 s? No storage is configured, so nothing was subtracted: these are all the expected keys.');
    expect(noticeText(r.store)).not.toContain('still being read');
    expect(existsSync(path.join(dir, '.backfill-tui', 'runs.jsonl'))).toBe(false);
  });

  test('s with an expected keys file that cannot be read names the file and the cause, not the config', async () => {
    const { store, controller } = controllerOver(writeConfig());
    store.dispatch({ type: 'process/update', patch: { writersChecked: true } });
    store.dispatch({ type: 'expected/failed', message: `expected keys file not found: ${path.join(dir, 'expected.txt')}` });
    controller.onIntent('resume');
    await waitFor(() => store.getState().ui.notices.length > 0 || null, 'a notice');
    expect(noticeText(store)).toBe(`resume needs the expected keys: expected keys file not found: ${path.join(dir, 'expected.txt')}`);
  });

  test('r and R while the log is still being read wait for every failure; x waits for the first look at the writers', async () => {
    const { store, controller } = controllerOver(writeConfig());
    store.dispatch({ type: 'log/progress', bytesRead: 400, size: 1000, historyDone: false });
    controller.onIntent('retry');
    await waitFor(() => store.getState().ui.notices.length > 0 || null, 'what r waits for');
    expect(noticeText(store)).toBe('the log is still being read (40 %), so not every failure is known: r goes on once that is done');
    controller.onIntent('retry-group');
    await waitFor(() => /R goes on/.test(noticeText(store)) || null, 'what R waits for');
    controller.onIntent('stop');
    await waitFor(() => /x goes on/.test(noticeText(store)) || null, 'what x waits for');
    expect(noticeText(store)).toContain('the first look at which process writes the log is not done yet: x goes on once that is done');
    expect(store.getState().ui.confirm).toBeNull();
    expect(store.getState().ui.choosingGroup).toBeNull();
    // The rest of the log: two failures, the end of the history. The writers are looked at.
    const records = [...banner(6, 180, 12), ['WARNING', `  ❌ Failed ${KEYS[0]}: HTTP 500`], ['WARNING', `  ❌ Failed ${KEYS[1]}: Timeout after 180s`]];
    store.dispatch({ type: 'log/batch', batch: parseText(logOf(T0, records), compileGrammar()) });
    store.dispatch({ type: 'log/progress', bytesRead: 1000, size: 1000, historyDone: true });
    store.dispatch({ type: 'process/update', patch: { writersChecked: true, writersCheckedAt: T0 } });
    // r went first: its box, with both failures; R and x do not open anything over it.
    const box = await waitFor(() => store.getState().ui.confirm, 'the retry box');
    expect(box.message).toMatch(/^Retry 2 failed keys/);
    expect(box.keys).toEqual([KEYS[0], KEYS[1]]);
    await waitFor(() => !/goes on once/.test(noticeText(store)) || null, 'the waiting notices gone');
    expect(store.getState().ui.choosingGroup).toBeNull();
    expect(store.getState().ui.confirm).toBe(box);
  });
});

test('r whose wait lasts longer than 5 s opens nothing by itself once the log is read: it says to press r again (tester X9)', async () => {
  const file = writeConfig();
  const config = loadConfig({ file, cwd: dir });
  const store = createStore(initialState({ job: 'early', log: config.log, now: T0, targets: [95, 98, 100] }), { frameMs: 0 });
  const live: LiveSources = { storage: null, warehouse: null, refresh: () => [], done: Promise.resolve(), pace: () => undefined };
  const ac = new AbortController();
  aborts.push(ac);
  let now = T0;
  const controller = createController({ config, store, live, exit: () => undefined, now: () => now, signal: ac.signal });
  store.dispatch({ type: 'failed/update', files: [], current: null, notes: [] });
  store.dispatch({ type: 'process/update', patch: { writersChecked: true, writersCheckedAt: T0 } });
  store.dispatch({ type: 'log/progress', bytesRead: 130, size: 1000, historyDone: false });
  controller.onIntent('retry');
  await waitFor(() => /r goes on once/.test(noticeText(store)) || null, 'what r waits for');
  // The history read ends 20 s after the key.
  now = T0 + 20_000;
  const records = [...banner(6, 180, 12), ['WARNING', `  ❌ Failed ${KEYS[0]}: HTTP 500`]];
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(T0, records), compileGrammar()) });
  store.dispatch({ type: 'log/progress', bytesRead: 1000, size: 1000, historyDone: true });
  await waitFor(() => /press r again/.test(noticeText(store)) || null, 'the ready notice');
  expect(noticeText(store)).toContain('ready now: press r again (pressed at 23:17:00, before what it acts on was read)');
  expect(noticeText(store)).not.toContain('goes on once');
  expect(store.getState().ui.confirm).toBeNull();
  // Pressed again: the box, at once.
  controller.onIntent('retry');
  const box = await waitFor(() => store.getState().ui.confirm, 'the retry box');
  expect(box.message).toMatch(/^Retry 1 failed key/);
});

describe("a box's and a launch's words (tester T23)", () => {
  test('counts with thousands separators and a singular for one', async () => {
    const many = Array.from({ length: 1200 }, (_, i) => new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10));
    for (const [keys, workers, message] of [
      // No storage in this config: the box says nothing was subtracted (tester U16).
      [many, 6, 'Launch 1,200 keys, 6 workers, timeout 180 s? No storage is configured, so nothing was subtracted: these are all the expected keys.'],
      [many.slice(0, 1), 1, 'Launch 1 key, 1 worker, timeout 180 s? No storage is configured, so nothing was subtracted: these are all the expected keys.'],
    ] as const) {
      const { store, controller } = controllerOver(writeConfig({ workers }));
      store.dispatch({ type: 'process/update', patch: { writersChecked: true } });
      store.dispatch({ type: 'expected/loaded', expected: { keys: [...keys], format: 'date', blank: 0, duplicates: 0, invalid: [], file: 'expected.txt' } });
      controller.onIntent('resume');
      expect((await waitFor(() => store.getState().ui.confirm, 'the box')).message).toBe(message);
    }
  });
});

// Tester AC17: `R` pressed in the first second, the log looked at (not there yet) and the failed-keys files not read
// yet, said `no failures to retry` while the screen then said `failing 305`. It waits for them and then offers the groups.
test('R before the failed-keys files are read waits for them, then offers the groups', async () => {
  const { store, controller } = controllerOver(writeConfig(), false);
  store.dispatch({ type: 'log/waiting' });
  store.dispatch({ type: 'process/update', patch: { writersChecked: true } });
  controller.onIntent('retry-group');
  await waitFor(() => store.getState().ui.notices.length > 0 || null, 'a notice');
  expect(noticeText(store)).toBe('failed-keys files not read yet: R goes on once that is done');
  const file = path.join(dir, 'failed_dates_20251126_234949.json');
  writeFileSync(file, JSON.stringify({ timestamp: '2025-11-26T23:49:49', total_failed: 1, failed_dates: [{ game_date: '2022-04-10', status: 'failed', error: 'HTTP 500' }] }));
  const read = await readFailedFile(file);
  if (!read.ok) throw new Error(read.reason);
  store.dispatch({ type: 'failed/update', files: [read.file], current: read.file, notes: [] });
  const choice = await waitFor(() => store.getState().ui.choosingGroup, 'the group picker');
  expect(choice.groups.map((g) => g.label)).toContain('error HTTP 500');
  expect(noticeText(store)).not.toContain('no failures to retry');
});

// Tester AC17's residue: `R` about 2 s after start (failed-keys files read, storage not listed yet) offered groups that
// counted keys storage holds (`error HTTP 500: 215 keys`, 12 after the listing). It waits for the first listing.
test('R before storage\'s first listing waits for it, then offers groups without the keys storage holds', async () => {
  const { store, controller } = controllerOver(writeConfig({ storage: { url: 'storage' } }), false);
  store.dispatch({ type: 'log/waiting' });
  store.dispatch({ type: 'process/update', patch: { writersChecked: true } });
  store.dispatch({ type: 'coverage/configured', source: 'storage', label: 'storage' });
  const file = path.join(dir, 'failed_dates_20251126_234949.json');
  writeFileSync(file, JSON.stringify({ timestamp: '2025-11-26T23:49:49', total_failed: 2, failed_dates: [{ game_date: KEYS[0], status: 'failed', error: 'HTTP 500' }, { game_date: KEYS[1], status: 'failed', error: 'HTTP 500' }] }));
  const read = await readFailedFile(file);
  if (!read.ok) throw new Error(read.reason);
  store.dispatch({ type: 'failed/update', files: [read.file], current: read.file, notes: [] });
  controller.onIntent('retry-group');
  await waitFor(() => store.getState().ui.notices.length > 0 || null, 'a notice');
  expect(noticeText(store)).toBe('storage not listed yet: R goes on once that is done');
  expect(store.getState().ui.choosingGroup).toBeNull();
  // The first listing: one of the two failed keys is in storage.
  store.dispatch({ type: 'coverage/result', source: 'storage', result: { keys: new Set([KEYS[0]]), bytesBilled: null, method: 'prefixes', requests: 1 }, at: T0 });
  const choice = await waitFor(() => store.getState().ui.choosingGroup, 'the group picker');
  expect(choice.groups.find((g) => g.label === 'error HTTP 500')?.keys).toEqual([KEYS[1]]);
});
