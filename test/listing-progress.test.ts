import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { createController } from '../src/app/controller.js';
import type { LiveSources } from '../src/app/live-sources.js';
import { loadConfig } from '../src/config.js';
import type { KeySource, ListOptions } from '../src/coverage/source.js';
import { createLocalSource } from '../src/coverage/local-source.js';
import { initialState } from '../src/state/app-state.js';
import { listingProgress } from '../src/state/listing-progress.js';
import { createStore } from '../src/store.js';
import { waitFor } from './support/wait-for.js';

// Tester X9: `s` on 120,000 expected keys with a 90,000-folder local storage said `listing … for a fresh count…`
// for 3-5 s with no elapsed time or bar (the brief: a progress bar for anything over a second).
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe('the fresh listing before a launch', () => {
  test('over a second, its notice shows how far it is (a bar where the whole is known) and the time taken; it ends with the listing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-listing-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'e.csv'), '2022-01-03\n2022-01-04\n');
    writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify({ job: 'big', log: 'b.log', expected: 'e.csv', storage: { url: 'st' }, command: ['true', '{keysFile}'], keepAwake: false }));
    const config = loadConfig({ file: path.join(dir, 'cfg.json'), cwd: dir });
    // A listing that reports 2 of 4 folders looked at, then waits for the test: a slow folder, held still.
    let release = () => undefined as void;
    const held = new Promise<void>((r) => (release = r));
    const storage: KeySource = {
      name: 'storage',
      label: 'st',
      async list(_signal, options: ListOptions = {}) {
        if (options.trace) options.trace.progress = { done: 2, of: 4, unit: 'folders' };
        await held;
        return { keys: new Set(['2022-01-03']), requests: 5, bytesBilled: null, method: 'directory' };
      },
    };
    const store = createStore(initialState({ job: 'big', log: config.log, now: Date.now(), targets: [95, 98, 100] }), { frameMs: 0 });
    const live: LiveSources = { storage, warehouse: null, refresh: () => [], done: Promise.resolve(), pace: () => undefined };
    const ac = new AbortController();
    cleanups.push(() => ac.abort());
    const controller = createController({ config, store, live, exit: () => undefined, now: Date.now, signal: ac.signal });
    store.dispatch({ type: 'process/update', patch: { writersChecked: true } });
    store.dispatch({ type: 'expected/loaded', expected: { keys: ['2022-01-03', '2022-01-04'], format: 'date', blank: 0, duplicates: 0, invalid: [], file: 'e.csv' } });
    controller.onIntent('resume');
    const shown = await waitFor(() => store.getState().ui.notices.find((n) => n.key === 'listing' && / of 4 folders /.test(n.text))?.text, 'the progress notice', 10_000);
    expect(shown).toMatch(/^listing st for a fresh count: 2 of 4 folders ██████░░░░░░ 50\.0 % · 0:0\d$/);
    release();
    const box = await waitFor(() => store.getState().ui.confirm, 'the resume box');
    expect(box.keys).toEqual(['2022-01-04']);
    expect(store.getState().ui.notices.some((n) => n.key === 'listing')).toBe(false);
  }, 20_000);

  test('a local folder listing reports folders looked at of all', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-listing-local-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    for (const k of ['a', 'b', 'c']) {
      const sub = path.join(dir, k);
      (await import('node:fs')).mkdirSync(sub);
      writeFileSync(path.join(sub, 'x.json'), '{}');
    }
    const trace = { asked: 0 } as { asked: number; progress?: { done: number; of: number | null; unit: string } };
    await createLocalSource({ dir, name: 'storage' }).list(new AbortController().signal, { trace });
    expect(trace.progress).toEqual({ done: 3, of: 3, unit: 'folders' });
  });

  test.each([
    [{ done: 3000, of: 90000, unit: 'folders' }, 3000, 'listing st for a fresh count: 3,000 of 90,000 folders ░░░░░░░░░░░░ 3.3 % · 0:03'],
    [{ done: 12345, of: null, unit: 'keys' }, 61000, 'listing st for a fresh count: 12,345 keys so far · 1:01'],
    [undefined, 2000, 'listing st for a fresh count… 0:02'],
  ])('%j at %d ms', (progress, ms, text) => {
    expect(listingProgress('st', progress, ms)).toBe(text);
  });
});
