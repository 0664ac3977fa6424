import { removeDir } from './support/remove-dir.js';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startRuntime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { waitFor } from './support/wait-for.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// Tester W14: a command without {keysFile} (a script choosing its own keys: `--season 2024`, its own resume) was
// offered `Launch 853 keys, 6 workers, timeout 180 s?`, and a keys file of 853 keys was written that it never read.
test('a command that takes no keys file: s runs it as configured (no keys file), r says it cannot be given the failed keys', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-keyless-'));
  cleanups.push(() => removeDir(dir));
  writeFileSync(path.join(dir, 'e.csv'), ['2022-01-03', '2022-01-04', '2022-01-05'].join('\n') + '\n');
  mkdirSync(path.join(dir, 'st'), { recursive: true });
  writeFileSync(path.join(dir, 'nt.mjs'), "process.stdout.write('own keys\\n');\n");
  writeFileSync(path.join(dir, 'failed_dates_20220103_000000.json'), JSON.stringify({ failed_dates: [{ date: '2022-01-03', error: 'HTTP 500' }] }));
  const config = { job: 'nt', log: 'b.log', expected: 'e.csv', failed: 'failed_dates_*.json', storage: { url: 'st', pollSeconds: 1 }, command: [process.execPath, path.join(dir, 'nt.mjs'), '--workers={workers}'], workers: 6, timeout: 180, keepAwake: false, timezone: 'UTC' };
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify(config));
  const r = startRuntime(loadConfig({ file: path.join(dir, 'backfill-tui.config.json'), cwd: dir }), { exit: () => undefined });
  cleanups.push(() => r.close());
  const state = () => r.store.getState();
  await waitFor(() => state().coverage.expected && state().coverage.storage?.checkedAt && state().process.writersChecked && state().failed.files.length, 'ready');
  r.controller.onIntent('retry');
  const refused = await waitFor(() => state().ui.notices.find((n) => n.text.startsWith('cannot retry')), 'r refused');
  expect(refused.text).toBe('cannot retry only the failed keys: its command takes no keys file ({keysFile}): it chooses what to scrape');
  expect(state().ui.confirm).toBeNull();
  r.controller.onIntent('resume');
  const box = await waitFor(() => state().ui.confirm, 'the s box');
  // Only the settings the command takes (it has {workers}, not {timeout}).
  expect(box.message).toBe('Run node nt.mjs as configured, 6 workers? It takes no keys file ({keysFile}): it chooses what to scrape.');
  r.controller.onIntent('confirm-yes');
  await waitFor(() => readFileSync(path.join(dir, 'b.log'), 'utf8').includes('own keys') || null, 'the run');
  // The launch's record with its pid is written after the spawn: the script's line may come first (CI under load).
  const launched = () => readFileSync(path.join(dir, '.backfill-tui', 'runs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).find((x) => x.type === 'launch' && x.pid !== null);
  expect(await waitFor(launched, 'the launch recorded with its pid', 30_000)).toMatchObject({ keysFile: null, keyCount: 0, argv: [process.execPath, path.join(dir, 'nt.mjs'), '--workers=6'] });
  const keysDir = path.join(dir, '.backfill-tui', 'keys');
  expect(existsSync(keysDir) ? readdirSync(keysDir) : []).toEqual([]);
}, 60_000);
