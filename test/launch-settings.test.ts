import { removeDir } from './support/remove-dir.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { settingsTaken, settingsWords } from '../src/run-place/settings-taken.js';
import { readRuns } from '../src/runner/runs-file.js';
import { retryOffer } from '../src/state/retry-offer.js';
import { waitFor } from './support/wait-for.js';

// Tester X4: `Launch 5,299 keys, 6 workers, timeout 180 s?` for `python3 -u team/team.py {keysFile} 0.02`, a script
// with its own fixed settings: neither figure reached it, yet the box stated them and runs.jsonl recorded them.
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];

async function launchWith(command: string[]): Promise<{ message: string; record: Record<string, unknown>; seed: { workers: number | null; timeoutSec: number | null } }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-settings-'));
  cleanups.push(() => removeDir(dir));
  writeFileSync(path.join(dir, 'e.csv'), KEYS.join('\n') + '\n');
  const config = { job: 'team', log: 'b.log', expected: 'e.csv', command, workers: 6, timeout: 180, keepAwake: false, timezone: 'UTC' };
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify(config));
  const loaded = loadConfig({ file: path.join(dir, 'backfill-tui.config.json'), cwd: dir });
  const r: Runtime = startRuntime(loaded, { exit: () => undefined });
  cleanups.push(() => r.close());
  const state = () => r.store.getState();
  await waitFor(() => state().coverage.expected && state().process.writersChecked, 'ready to launch');
  r.controller.onIntent('resume');
  const box = await waitFor(() => state().ui.confirm, 'the resume box');
  r.controller.onIntent('confirm-yes');
  const record = await waitFor(async () => (await readRuns(loaded.stateDir, null)).at(-1), 'the launch record', 20_000);
  const seed = await waitFor(() => state().log.current, 'the launched run');
  return { message: box.message, record: record as unknown as Record<string, unknown>, seed };
}

describe('a launch box states only the settings the command takes', () => {
  test('neither placeholder: `Launch 3 keys?`, and neither figure recorded or shown as the run\'s', async () => {
    const out = await launchWith([process.execPath, '-e', 'setTimeout(() => {}, 200)', '{keysFile}', '0.02']);
    expect(out.message).toBe('Launch 3 keys? No storage is configured, so nothing was subtracted: these are all the expected keys.');
    expect(out.record).not.toHaveProperty('workers');
    expect(out.record).not.toHaveProperty('timeout');
    expect(out.seed).toMatchObject({ workers: null, timeoutSec: null });
  }, 30_000);

  test('only {workers}: the box and the record name the workers, not the timeout', async () => {
    const out = await launchWith([process.execPath, '-e', 'setTimeout(() => {}, 200)', '{keysFile}', '--workers={workers}']);
    expect(out.message).toMatch(/^Launch 3 keys, 6 workers\? /);
    expect(out.record).toMatchObject({ workers: 6 });
    expect(out.record).not.toHaveProperty('timeout');
    expect(out.seed).toMatchObject({ workers: 6, timeoutSec: null });
  }, 30_000);

  test('the words, and a retry box with none or some', () => {
    expect(settingsTaken(['x', '--w={workers}', '--t={timeout}'])).toEqual({ workers: true, timeout: true });
    expect(settingsTaken(['x', '{keysFile}'])).toEqual({ workers: false, timeout: false });
    expect(settingsWords({ workers: true, timeout: true }, 1, 1800)).toBe('1 worker, timeout 1,800 s');
    expect(settingsWords({ workers: false, timeout: true }, 6, 180)).toBe('timeout 180 s');
    expect(settingsWords({ workers: false, timeout: false }, 6, 180)).toBe('');
    expect(retryOffer(['a', 'b'], new Set(), '', '').message).toBe('Retry 2 failed keys?');
    expect(retryOffer(['a', 'b'], new Set(['a']), '', '').message).toBe('Retry 1 failed key? 1 persistent key left out (failed in every run that tried it: a retry will not help); a asks to retry all 2.');
    expect(retryOffer(['a'], new Set(['a']), '', '3 workers').message).toBe('The failed key is persistent (failed in every run that tried it: a retry will not help). Nothing to retry by default; a asks to retry it anyway, 3 workers.');
  });
});
