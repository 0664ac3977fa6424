import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { collectSnapshot, newReport } from '../src/app/snapshot.js';
import { loadConfig } from '../src/config.js';
import { createSourceHub } from '../src/coverage/source-hub.js';
import type { KeySource } from '../src/coverage/source.js';
import { removeDir } from './support/remove-dir.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'storage-cut-'));
afterAll(() => removeDir(root));

// Tester AI12: a storage count cut by its share of `--timeout` (5,023 folders, `--timeout 1`) said `folders not counted
// within 0.5 s … give it longer` and exited 0 with `problems: []`, while a part the whole bound cut is a problem (exit
// 1): a cron could not tell storage not known from all well. The folder here answers never (a hung mount's readdir).
test('a storage look its share of --timeout cut is a problem, with its words; one that answered with an error is not', async () => {
  mkdirSync(path.join(root, 'st'));
  writeFileSync(path.join(root, 'keys.csv'), '2024-01-01\n2024-01-02\n');
  writeFileSync(path.join(root, 'c.json'), JSON.stringify({ job: 'j', log: 'bf.log', expected: 'keys.csv', storage: { url: 'st' } }));
  const config = loadConfig({ file: path.join(root, 'c.json'), cwd: root });
  const hung: KeySource = { name: 'storage', label: path.join(root, 'st'), list: (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })) };
  const hub = createSourceHub({ mode: 'snapshot', now: Date.now });
  const report = newReport();
  const state = await collectSnapshot(config, { hub: { ...hub, storage: () => hung }, timeoutMs: 2_000, report });
  expect(state.coverage.storage?.error).toMatch(/folders not counted within 1 s/);
  expect(report.problems).toContainEqual(expect.stringMatching(/^storage \S+: folders not counted within 1 s: a busy machine or a slow file system → give it longer with --timeout$/));

  const refused: KeySource = { ...hung, list: async () => Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })) };
  const answered = newReport();
  const after = await collectSnapshot(config, { hub: { ...hub, storage: () => refused }, timeoutMs: 2_000, report: answered });
  expect(after.coverage.storage?.error).toMatch(/EACCES|permission/);
  expect(answered.problems).toEqual([]);
});
