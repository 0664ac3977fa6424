import { removeDir } from './support/remove-dir.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import React from 'react';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, expect, test } from 'vitest';
import { App } from '../components/App.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { lookProgress } from '../src/state/listing-progress.js';
import { startFakeGcs, type FakeGcs } from './support/fake-gcs-server.js';
import { gameDates } from './support/screen-states.js';
import { waitFor } from './support/wait-for.js';

// Tester Z10: a slow Cloud Storage listing showed a bare `checking…` (the seconds only after 10 s): a look over a
// second says how far it is, the objects listed so far, on the dashboard's storage row.
let dir: string | null = null;
let gcs: FakeGcs | null = null;
let runtime: Runtime | null = null;
afterEach(async () => {
  cleanup();
  await runtime?.close();
  await gcs?.close();
  if (dir) removeDir(dir);
  runtime = gcs = dir = null;
});

test.each([
  [500, undefined, null],
  [3200, { done: 120, of: null, unit: 'keys', objects: 1000 }, '1,000 objects listed · 3 s'],
  [2000, { done: 3000, of: 90_000, unit: 'folders' }, '3,000 of 90,000 folders · 2 s'],
  [1500, null, '1 s'],
])('lookProgress(%d ms, %j) reads %s', (ms, progress, want) => expect(lookProgress(ms, progress)).toBe(want));

test('a bucket listing held after two pages: the storage row says the objects listed so far; the answer ends it', async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-look-progress-'));
  const keys = gameDates(1500);
  // Pages 3 on are held until the test has seen the row (a retry of a held page is held too).
  let release = () => undefined as void;
  const gate = new Promise<void>((r) => (release = r));
  gcs = await startFakeGcs({ bucket: 'bkt', objects: keys.map((k) => `p/${k}/x.json`), pageSize: 500, hold: (n) => (n >= 3 ? gate : undefined) });
  writeFileSync(path.join(dir, 'keys.txt'), keys.join('\n') + '\n');
  writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify({ job: 'slow', log: 'b.log', expected: 'keys.txt', storage: { url: 'gs://bkt/p/', apiEndpoint: gcs.url }, keepAwake: false }));
  const r = (runtime = startRuntime(loadConfig({ file: path.join(dir, 'cfg.json'), cwd: dir }), { exit: () => undefined }));
  const app = render(<App store={r.store} onIntent={() => undefined} color={false} />);
  const frame = () => stripVTControlCharacters(app.lastFrame() ?? '');
  const row = await waitFor(() => frame().split('\n').find((l) => /^storage .*checking… 1,000 objects listed · \d+ s/.test(l)) ?? null, 'the storage row with the objects listed so far', 30_000).catch((e: Error) => {
    throw new Error(`${e.message}\n${frame()}`);
  });
  expect(row).toMatch(/checking… 1,000 objects listed · [1-9]\d* s/);
  expect(r.store.getState().coverage.storage?.keys).toBeNull();
  release();
  await waitFor(() => r.store.getState().coverage.storage?.keys?.size === 1500, 'the listing answered', 30_000);
  expect(r.store.getState().coverage.storage?.progress ?? null).toBeNull();
  await waitFor(() => (frame().includes('1,500/1,500') ? true : null), 'the figures on the row', 30_000);
  expect(frame()).not.toContain('objects listed');
}, 60_000);

// Tester Z10: `status --timeout 12` on a bucket answering a page every 3 s said `no answer within 10 s` after 6 pages.
test('a listing cut by the bound after pages came says how far it got, not "no answer"', async () => {
  const { timeoutError } = await import('../src/app/look-once.js');
  const source = { name: 'storage' as const, label: 'gs://bkt/p/', service: 'Cloud Storage', list: async () => ({ keys: new Set<string>(), requests: 0, bytesBilled: null, method: 'objects' }) };
  const cut = await timeoutError(source, 10_000, { asked: 6, progress: { done: 500, of: null, unit: 'keys', objects: 6000 } });
  expect(cut.message).toBe('Cloud Storage gs://bkt/p/: listing not finished within 10 s (it answered: 6,000 objects listed in 6 pages)');
  const silent = await timeoutError(source, 10_000, { asked: 1 });
  expect(silent.message).toBe('Cloud Storage gs://bkt/p/: no answer within 10 s');
});
