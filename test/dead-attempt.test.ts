import { removeDir } from './support/remove-dir.js';
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import React from 'react';
import { renderToString } from 'ink';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { App } from '../components/App.js';
import { startRuntime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { currentFigures } from '../src/state/current-figures.js';
import { overviewRow } from '../src/overview/overview-rows.js';
import { createStore } from '../src/store.js';
import { CLI, runCliAsync, unwrapped } from './support/cli.js';
import { waitFor } from './support/wait-for.js';

// Tester X11 "Related": a re-run appended with `>>` after a finished run that died at start (a missing argument, a
// wrong path, a venv not activated) read as the finished run before it, `complete`, with no word of it anywhere.
let dir: string;
/** A finished run's log, written by the real simulator. */
let finished: string;

/** Runs `cmd args` with stdout and stderr appended to `log`, as `>> log 2>&1` does. */
async function appendRun(log: string, cmd: string, args: string[]): Promise<number | null> {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', fd, fd] });
    return await new Promise((resolve) => child.on('close', resolve));
  } finally {
    closeSync(fd);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-dead-attempt-'));
  writeFileSync(path.join(dir, 'keys.csv'), '2022-01-03\n2022-01-04\n2022-01-05\n');
  finished = path.join(dir, 'finished.log');
  expect(await appendRun(finished, process.execPath, [CLI, 'sim', '--csv=keys.csv', '--speed=100000', '--storage=st', '--seed=3', '--fail-rate=0'])).toBe(0);
  expect(readFileSync(finished, 'utf8')).toContain('BACKFILL COMPLETE');
});
afterAll(() => removeDir(dir));

/** The last non-empty line a command wrote to the log: what the operator would read as the cause. */
const lastLine = (log: string) => readFileSync(log, 'utf8').trimEnd().split('\n').at(-1)!;

describe('a re-run that died at start after a finished run is the newest run: ended, saying why', () => {
  // Each a real process appending to the log, as the operator's `>> bf.log 2>&1` re-run does.
  const starts: [string, string, string[]][] = [
    ['a missing argument (argparse)', process.execPath, [CLI, 'sim', '--csv=keys.csv', '--bogus-flag']],
    ['a wrong script path', 'python3', ['-u', 'nothere.py']],
    ['a venv not activated (an import error)', 'python3', ['-u', '-c', 'import nonexistent_mod']],
    ['a command not found (sh)', 'sh', ['-c', 'nonexistent-backfill-cmd --csv=keys.csv']],
  ];
  test.each(starts)('%s: status --json and text', async (_what, cmd, args) => {
    const log = path.join(dir, `${_what.replace(/\W+/g, '-')}.log`);
    copyFileSync(finished, log);
    expect(await appendRun(log, cmd, args)).not.toBe(0);
    const cause = lastLine(log);
    const json = await runCliAsync(['status', '--json', '--log', log], { cwd: dir });
    const out = JSON.parse(json.stdout);
    expect(out.run).toMatchObject({ state: 'ended', error: cause, done: 0, succeeded: 0 });
    // The finished run is the one before it, as it was.
    expect(out.runs).toHaveLength(1);
    expect(out.runs[0]).toMatchObject({ state: 'complete', succeeded: 3 });
    const text = await runCliAsync(['status', '--log', log], { cwd: dir });
    expect(text.stdout).toMatch(/^backfill: ended\b/);
    expect(unwrapped(text.stdout)).toContain(`\n          ended before its first record; its last output: "${cause}"\n`);
  }, 30_000);

  test('a good run after the dead one is a run of its own; a traceback after a summary that is no start\'s stays the finished run\'s', async () => {
    const log = path.join(dir, 'again.log');
    copyFileSync(finished, log);
    await appendRun(log, process.execPath, [CLI, 'sim', '--csv=keys.csv', '--bogus-flag']);
    await appendRun(log, process.execPath, [CLI, 'sim', '--csv=keys.csv', '--speed=100000', '--storage=st2', '--seed=4', '--fail-rate=0']);
    const out = JSON.parse((await runCliAsync(['status', '--json', '--log', log], { cwd: dir })).stdout);
    expect(out.run).toMatchObject({ state: 'complete', succeeded: 3, error: null });
    expect(out.runs.map((r: { state: string; error: string | null }) => [r.state, r.error])).toEqual([
      ['complete', null],
      ['ended', 'backfill-tui sim: error: unrecognized arguments: --bogus-flag'],
    ]);

    // A script that died after its summary (saving its failed-keys file) is the same run: no new attempt began.
    const late = path.join(dir, 'late.log');
    copyFileSync(finished, late);
    appendFileSync(late, 'Traceback (most recent call last):\n  File "backfill.py", line 300, in save\nPermissionError: [Errno 13] Permission denied: \'failed_dates.json\'\n');
    const l = JSON.parse((await runCliAsync(['status', '--json', '--log', late], { cwd: dir })).stdout);
    expect(l.run).toMatchObject({ state: 'complete', succeeded: 3 });
    expect(l.runs).toEqual([]);
  }, 30_000);
});

test('a start\'s death lines are read as its error; ordinary lines without a prefix are not', () => {
  const records = (text: string) => parseText(text, compileGrammar()).lines;
  for (const line of [
    'backfill.py: error: the following arguments are required: --service-url',
    "/usr/bin/python3: can't open file '/tmp/x/nothere.py': [Errno 2] No such file or directory",
    'sh: 1: nonexistent-backfill-cmd: not found',
    'bash: ./backfill.py: No such file or directory',
    'bash: python: command not found',
  ]) expect(records(line)).toEqual([{ kind: 'trace', at: 0, error: line }]);
  // A line shaped like an exception's name (`usage: …`, `note: …`) is only a bare candidate, an error only right after
  // a traceback's header (exception-line.test.ts).
  const notBare = (text: string) => records(text).filter((r) => !(r.kind === 'trace' && r.bare));
  for (const line of ['usage: backfill.py [-h] --csv CSV', '  File "x.py", line 1, in <module>', '======', 'note: see error: below', ' sh: 1: x: not found']) expect(notBare(line)).toEqual([]);
});

test('a dashboard following the log: the dead re-run is the run on screen, alerted once with why', async () => {
  const sub = mkdtempSync(path.join(dir, 'dash-'));
  const log = path.join(sub, 'bf.log');
  copyFileSync(finished, log);
  writeFileSync(path.join(sub, 'backfill-tui.config.json'), JSON.stringify({ log: 'bf.log', keepAwake: false }));
  const runtime = startRuntime(loadConfig({ cwd: sub }), { exit: () => undefined });
  try {
    await waitFor(() => runtime.store.getState().log.historyDone && runtime.store.getState().log.current?.complete, 'the finished run read');
    await appendRun(log, 'python3', ['-u', '-c', 'import nonexistent_mod']);
    const cause = lastLine(log);
    await waitFor(() => runtime.store.getState().log.current?.error === cause && currentFigures(runtime.store.getState()).status === 'ended', 'the dead re-run read and ended', 15_000);
    const s = runtime.store.getState();
    expect(s.log.history.at(-1)).toMatchObject({ complete: true, succeeded: 3 });
    const alerts = s.alerts.recent.filter((a) => a.kind === 'ended-without-summary');
    expect(alerts.map((a) => a.text)).toEqual([`backfill: run ended before its first record; its last output: "${cause}"`]);
    const screen = stripVTControlCharacters(renderToString(React.createElement(App, { store: createStore({ ...s, ui: { ...s.ui, width: 80, height: 24 } }, { frameMs: 0 }), onIntent: () => undefined, color: false }), { columns: 80 }));
    expect(screen).toMatch(/backfill\s+ended/);
    expect(screen).toContain(`ended before its first record; its last output: "${cause}"`.slice(0, 60));
    // The overview's line for the job says it too, and the job sorts with those needing the operator.
    expect(overviewRow(s)).toMatchObject({ status: 'ended', rank: 0, problem: { source: 'run', kind: 'died at start', message: `ended before its first record; its last output: "${cause}"` } });
  } finally {
    await runtime.close();
  }
}, 30_000);

test('a dead re-run is ended from its first line, before any look at who writes the log (never `running` in between)', () => {
  const at = Date.UTC(2026, 10, 30, 12, 0, 0);
  const lines = readFileSync(finished, 'utf8');
  let s = initialState({ job: 'j', log: '/x/bf.log', now: at, targets: [95] });
  s = reduce(s, { type: 'log/batch', batch: parseText(lines, compileGrammar()) });
  s = reduce(s, { type: 'log/history-done' });
  // The last look found no writer; then lines arrive, which makes a look due (until it, a run reads `running`).
  s = reduce(s, { type: 'process/update', patch: { writersChecked: true, writersCheckedAt: at } });
  s = reduce(s, { type: 'log/batch', batch: parseText('usage: backfill.py [-h] --csv CSV\nbackfill.py: error: the following arguments are required: --service-url', compileGrammar()), arrivedAt: at + 1000 });
  expect(s.log.current).toMatchObject({ deadStart: true, error: 'backfill.py: error: the following arguments are required: --service-url' });
  expect(currentFigures({ ...s, now: at + 1000 }).status).toBe('ended');
});
