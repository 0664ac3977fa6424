import { removeDir } from './support/remove-dir.js';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import React from 'react';
import { renderToString } from 'ink';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { App } from '../components/App.js';
import { startRuntime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { historyLines } from '../src/state/history-lines.js';
import { overviewRow } from '../src/overview/overview-rows.js';
import { overviewCells } from '../src/overview/overview-text.js';
import { currentFigures } from '../src/state/current-figures.js';
import { createStore } from '../src/store.js';
import { CLI, runCliAsync } from './support/cli.js';
import { waitFor } from './support/wait-for.js';

// Tester X15: a `--dry-run` (the reference script's flag, run first by an operator) read `ended · 0/3` and sent
// "run ended without a summary after 0 keys" (bell, desktop, webhook).
let dir: string;
const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-dry-run-'));
  writeFileSync(path.join(dir, 'keys.csv'), `${KEYS.join('\n')}\n`);
});
afterAll(() => removeDir(dir));

test('status of a dry run\'s log: complete (dry run), dryRun true, the note; the run after it is a run of its own', async () => {
  const log = path.join(dir, 'dry.log');
  for (const extra of [['--dry-run'], ['--speed=100000', '--storage=st', '--fail-rate=0']]) {
    // Appended as `>> dry.log 2>&1` does; closed here before status looks (this process is no writer of it).
    const fd = openSync(log, 'a');
    const child = spawn(process.execPath, [CLI, 'sim', '--csv=keys.csv', ...extra], { cwd: dir, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    if (extra[0] !== '--dry-run') continue;
    const text = await runCliAsync(['status', '--log', log], { cwd: dir });
    expect(text.stdout.split('\n').slice(0, 4)).toEqual([`backfill: complete (dry run)  ${log}`, 'run       0/3  0.0 %  elapsed 0:00', '          ✓ 0 scraped  ✗ 0 failed  ↷ 0 skipped', '          dry run: the script lists its keys and scrapes none (DRY RUN MODE)']);
    expect(text.code).toBe(0);
    expect(JSON.parse((await runCliAsync(['status', '--json', '--log', log], { cwd: dir })).stdout).run).toMatchObject({ state: 'complete', dryRun: true, total: 3, done: 0, error: null });
  }
  const after = JSON.parse((await runCliAsync(['status', '--json', '--log', log], { cwd: dir })).stdout);
  expect(after.run).toMatchObject({ state: 'complete', dryRun: false, succeeded: 3 });
  expect(after.runs.map((r: { state: string; dryRun: boolean }) => [r.state, r.dryRun])).toEqual([['complete', true]]);
}, 30_000);

test('a dry run launched from the dashboard: complete (dry run) on the job screen and in h, no alert', async () => {
  const sub = mkdtempSync(path.join(dir, 'dash-'));
  writeFileSync(path.join(sub, 'e.csv'), `${KEYS.join('\n')}\n`);
  mkdirSync(path.join(sub, 'st'));
  const config = { job: 'dry', log: 'b.log', expected: 'e.csv', storage: { url: 'st', pollSeconds: 1 }, command: [process.execPath, CLI, 'sim', '--csv={keysFile}', '--dry-run'], workers: 1, timeout: 60, keepAwake: false, timezone: 'UTC' };
  writeFileSync(path.join(sub, 'backfill-tui.config.json'), JSON.stringify(config));
  const r = startRuntime(loadConfig({ file: path.join(sub, 'backfill-tui.config.json'), cwd: sub }), { exit: () => undefined });
  try {
    const state = () => r.store.getState();
    await waitFor(() => state().coverage.expected && state().coverage.storage?.checkedAt && state().process.writersChecked, 'ready');
    r.controller.onIntent('resume');
    await waitFor(() => state().ui.confirm, 'the s box');
    r.controller.onIntent('confirm-yes');
    // Its process gone and its end recorded: nothing more is coming that could alert.
    await waitFor(() => readFileSync(path.join(sub, '.backfill-tui', 'runs.jsonl'), 'utf8').includes('"type":"end"'), 'the run\'s end record', 30_000);
    await waitFor(() => state().log.current?.complete && state().process.alive === false, 'the dry run read and its process gone', 15_000);
    const s = state();
    expect(currentFigures(s)).toMatchObject({ status: 'complete', done: 0, total: 3 });
    expect(s.alerts.recent).toEqual([]);
    const screen = stripVTControlCharacters(renderToString(React.createElement(App, { store: createStore({ ...s, ui: { ...s.ui, width: 80, height: 24 } }, { frameMs: 0 }), onIntent: () => undefined, color: false }), { columns: 80 }));
    expect(screen).toMatch(/^dry complete \(dry run\) · /m);
    expect(screen).toContain('dry run: the script lists its keys and scrapes none');
    expect(overviewCells(overviewRow(s))).toMatchObject({ state: 'dry run', run: '0/3' });
    expect(historyLines(s).map((l) => l.text).find((t) => t.includes('3 keys ·'))).toMatch(/✓ 0 ✗ 0 ↷ 0 · dry run$/);
  } finally {
    await r.close();
  }
}, 60_000);
