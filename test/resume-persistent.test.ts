import { removeDir } from './support/remove-dir.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import React from 'react';
import { renderToString } from 'ink';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConfirmBox } from '../components/ConfirmBox.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { launchOffer } from '../src/state/retry-offer.js';
import { keysByPhase, type FailureRow } from '../src/failures/analysis.js';
import { resolvePhases } from '../src/phases/calendar.js';
import { runCliAsync } from './support/cli.js';
import { waitFor } from './support/wait-for.js';

// Tester Z7: `s` (resume what is missing) offered the keys that failed in every run that tried them (the All-Star,
// Play-In and Playoff dates) without a word, while `r` left them out and said so. `s` now leaves them out as `r` does,
// says so, and `a` asks again with them; `missing --from storage` says them on stderr and `--not-persistent` prints
// exactly what `s` launches.
let dir: string;
let runtime: Runtime | null = null;
const KEYS = Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2022, 0, 3) + i * 86_400_000).toISOString().slice(0, 10));

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-resume-persistent-'));
  writeFileSync(path.join(dir, 'expected.txt'), KEYS.join('\n') + '\n');
  // Storage holds all but the first 10 keys.
  for (const k of KEYS.slice(10)) {
    mkdirSync(path.join(dir, 'st', k), { recursive: true });
    writeFileSync(path.join(dir, 'st', k, 'a.json'), '{}');
  }
  // Two earlier runs both failed the first 3 keys (2 of 2: persistent); the first also failed KEYS[3] (1 of 1).
  const file = (name: string, keys: string[]) =>
    writeFileSync(path.join(dir, name), JSON.stringify({ timestamp: '2025-11-26T23:49:49', total_failed: keys.length, failed_dates: keys.map((k) => ({ game_date: k, status: 'failed', error: 'HTTP 500' })) }));
  file('failed_dates_20251126_231710.json', KEYS.slice(0, 4));
  file('failed_dates_20251127_090000.json', KEYS.slice(0, 3));
  const config = {
    job: 'rp',
    log: 'backfill.log',
    expected: 'expected.txt',
    failed: 'failed_dates_*.json',
    storage: { url: 'st', pollSeconds: 60 },
    command: [process.execPath, '-e', '0', '--csv={keysFile}', '--workers={workers}'],
    workers: 2,
    keepAwake: false,
  };
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify(config));
});
afterEach(async () => {
  await runtime?.close();
  runtime = null;
  removeDir(dir);
});

describe('s and the keys a retry will not help', () => {
  test('the resume box leaves the persistent keys out and says so; a asks again with them; missing agrees', async () => {
    const r = (runtime = startRuntime(loadConfig({ file: path.join(dir, 'backfill-tui.config.json'), cwd: dir }), { exit: () => undefined }));
    await waitFor(() => r.store.getState().coverage.expected && r.store.getState().coverage.storage?.checkedAt && r.store.getState().failed.files.length === 2, 'expected keys, storage and both failed-keys files', 30_000);
    r.controller.onIntent('resume');
    const box = await waitFor(() => r.store.getState().ui.confirm, 'the resume box', 30_000);
    expect(box.keys).toEqual(KEYS.slice(3, 10));
    expect(box.withPersistent).toEqual(KEYS.slice(0, 10));
    expect(box.message).toBe('Launch 7 keys, 2 workers? 3 persistent keys left out (Regular season 3; failed in every run that tried them: a retry will not help); a asks to launch all 10.');
    const shown = stripVTControlCharacters(renderToString(React.createElement(ConfirmBox, { confirm: box, width: 80 }), { columns: 80 }));
    expect(shown).toContain('y go (7) · a ask for all 10 · n/Esc cancel');
    // a: a box of its own, asked from a fresh listing; nothing launched by the a itself.
    r.controller.onIntent('confirm-all');
    const all = await waitFor(() => (r.store.getState().ui.confirm && r.store.getState().ui.confirm !== box ? r.store.getState().ui.confirm : null), 'the box for all', 30_000);
    expect(all.keys).toEqual(KEYS.slice(0, 10));
    expect(all.message).toBe('Launch all 10 keys, the 3 persistent ones included (Regular season 3; failed in every run that tried them: a retry will not help), 2 workers?');
    expect(r.store.getState().process.pid).toBeNull();
    r.controller.onIntent('confirm-no');

    // The command line: every missing key, the persistent ones said on stderr; --not-persistent is what s launches.
    const plain = await runCliAsync(['missing', '--from', 'storage'], { cwd: dir });
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim().split('\n')).toEqual(KEYS.slice(0, 10));
    expect(plain.stderr).toBe('backfill-tui: 3 of these 10 keys are persistent (failed in every run that tried them: a retry will not help); s leaves them out, and so does --not-persistent\n');
    const others = await runCliAsync(['missing', '--from', 'storage', '--not-persistent'], { cwd: dir });
    expect(others.stdout.trim().split('\n')).toEqual(box.keys);
    const stuck = await runCliAsync(['missing', '--from', 'storage', '--persistent'], { cwd: dir });
    expect(stuck.stdout.trim().split('\n')).toEqual(KEYS.slice(0, 3));
    expect((await runCliAsync(['missing', '--from', 'warehouse', '--persistent'], { cwd: dir })).code).toBe(2);
  }, 30_000);

  test.each([
    ['none persistent', [], 'Launch 3 keys, 2 workers?'],
    ['one of three', ['c'], 'Launch 2 keys, 2 workers? 1 persistent key left out (failed in every run that tried it: a retry will not help); a asks to launch all 3.'],
    ['all three', ['a', 'b', 'c'], 'All 3 missing keys are persistent (failed in every run that tried them: a retry will not help). Nothing to launch by default; a asks to launch them anyway, 2 workers.'],
  ])('launchOffer in a resume\'s words: %s', (_what, persistent, message) => {
    const offer = launchOffer(['a', 'b', 'c'], new Set(persistent), { verb: 'Launch', noun: 'key', allNoun: 'missing keys', what: '', where: '', settings: '2 workers', note: null });
    expect(offer.message).toBe(message);
  });

  // Tester AD4: the box said the 35 were persistent, not that they are the All-Star, Play-In and Playoff dates (as f does).
  test('the persistent keys left out are said by phase, in calendar order; no phases, no words for them', () => {
    const rows = [['2024-05-01', 'Playoffs'], ['2024-02-17', 'All-Star'], ['2024-04-17', 'Play-In'], ['2024-05-02', 'Playoffs'], ['2024-01-10', 'Regular season']].map(([key, phase]) => ({ key, phase }) as FailureRow);
    const byPhase = keysByPhase(rows, resolvePhases('nba'));
    expect(byPhase(['2024-05-01', '2024-05-02', '2024-02-17', '2024-04-17'])).toBe('All-Star 1 · Play-In 1 · Playoffs 2');
    expect(byPhase(['2030-01-01'])).toBeNull();
    expect(keysByPhase(rows, resolvePhases(null))(['2024-05-01'])).toBeNull();
    const words = { verb: 'Retry' as const, noun: 'failed key', allNoun: 'failed keys', what: '', where: '', settings: '3 workers', note: null, phases: byPhase };
    const keys = ['2024-05-01', '2024-05-02', '2024-02-17', '2024-04-17'];
    expect(launchOffer(keys, new Set(keys), words).message).toBe('All 4 failed keys are persistent (All-Star 1 · Play-In 1 · Playoffs 2; failed in every run that tried them: a retry will not help). Nothing to retry by default; a asks to retry them anyway, 3 workers.');
    expect(launchOffer([...keys, '2024-01-11'], new Set(keys.slice(0, 2)), words).message).toBe('Retry 3 failed keys, 3 workers? 2 persistent keys left out (Playoffs 2; failed in every run that tried them: a retry will not help); a asks to retry all 5.');
  });

  test('persistence not known (no storage): said only when a key offered is failing', () => {
    const words = { verb: 'Launch' as const, noun: 'key', allNoun: 'missing keys', what: '', where: '', settings: '', note: null };
    expect(launchOffer(['a', 'b'], null, words, (k) => k === 'b', false).message).toBe('Launch 2 keys? Persistent: not known (no storage configured).');
    expect(launchOffer(['a', 'b'], null, words, () => false, false).message).toBe('Launch 2 keys?');
  });
});
