import { removeDir } from './support/remove-dir.js';
import React from 'react';
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { afterAll, afterEach, expect, test } from 'vitest';
import { App } from '../components/App.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { overviewRows } from '../src/overview/overview-rows.js';
import { rowProblems } from '../src/overview/row-problem.js';
import { foreignLog } from '../src/state/foreign-log.js';
import { runCliAsync } from './support/cli.js';
import { waitFor } from './support/wait-for.js';

// Tester W19: a log in another format (`[2025-11-26 23:00:00] INFO: …`, ISO times) read `waiting`, the word for
// "no log yet", with nothing said: the operator took the path for wrong.
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-foreign-'));
afterAll(() => removeDir(dir));
const closing: Runtime[] = [];
afterEach(async () => {
  for (const r of closing.splice(0)) await r.close();
});

const BRACKETS = ['[2025-11-26 23:00:00] INFO: Loaded 3 dates', '[2025-11-26 23:00:00] INFO:   ✅ Scraped 2022-04-17', '[2025-11-26 23:00:01] WARNING:   ❌ Failed 2022-04-18: HTTP 500 from the scraper service while fetching the boxscore page'];

function logFile(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function dashboard(log: string): Runtime {
  const r = startRuntime(loadConfig({ cwd: dir, flags: { log } }), { exit: () => undefined, width: 80, height: 24 });
  closing.push(r);
  return r;
}

const frame = (r: Runtime) => stripVTControlCharacters(renderToString(<App store={r.store} onIntent={() => undefined} color={false} />, { columns: 80 }));

test('the job screen says how many lines were read and shows the newest, cut to 80 columns; the overview row reads error · log other format', async () => {
  const r = dashboard(logFile('b2.log', BRACKETS));
  await waitFor(() => r.store.getState().log.historyDone || null, 'the log read');
  const state = r.store.getState();
  expect(foreignLog(state)).toEqual({ lines: 3, sample: BRACKETS[2], writerAlive: false });
  const lines = frame(r).split('\n');
  expect(lines.length).toBeLessThanOrEqual(24);
  for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
  expect(lines[0]).toMatch(/^backfill .*error/);
  expect(lines).toContain('No run: 3 lines read, none in the backfill\'s format (TIME - LEVEL - message)');
  expect(lines.find((l) => l.startsWith('newest: '))).toMatch(/^newest: \[2025-11-26 23:00:01\] WARNING: {3}❌ Failed 2022-04-18: HTTP 500 from .*…$/);
  expect(lines.join('\n')).not.toContain('No run in the log yet');
  expect(rowProblems(state)).toMatchObject([{ source: 'log', kind: 'other format', run: true }]);
  expect(overviewRows([state])[0]).toMatchObject({ runUnknown: true });
});

test('a line in the backfill\'s format ends it, and lines before a banner (a wrapper\'s echo) are no foreign log once one is dated', async () => {
  const file = logFile('mixed.log', ['started']);
  const r = dashboard(file);
  await waitFor(() => r.store.getState().log.historyDone || null, 'the log read');
  expect(foreignLog(r.store.getState())).toEqual({ lines: 1, sample: 'started', writerAlive: false });
  appendFileSync(file, '2025-11-26 23:00:02,000 - INFO - NBA.com Player Boxscore Scraper Backfill (v2) initialized\n');
  await waitFor(() => r.store.getState().log.current || null, 'the run to be read');
  expect(foreignLog(r.store.getState())).toBeNull();
  expect(frame(r)).not.toContain('No run: ');
  // A log with a dated line but no run yet is waiting for its run, not in another format.
  const dated = dashboard(logFile('dated.log', ['started', '2025-11-26 23:00:02,000 - INFO - warming up']));
  await waitFor(() => dated.store.getState().log.historyDone || null, 'the log read');
  expect(foreignLog(dated.store.getState())).toBeNull();
});

test('status: error with the count and the newest line, exit 1; --json names it in problems', async () => {
  const file = logFile('b3.log', ['2025-11-26T23:00:00.000Z INFO Loaded 3 dates', '2025-11-26T23:00:00.100Z INFO ✅ Scraped 2022-04-17']);
  const text = await runCliAsync(['--log', file, 'status'], { cwd: dir });
  expect(text.code).toBe(1);
  // And what to do about it (tester AC11): the grammars' reach, wrapped within 80 columns.
  expect(text.stdout.split('\n').slice(0, 5)).toEqual([`backfill: error  ${file}`, "log       2 lines read, none in the backfill's format (TIME - LEVEL - message)", '          newest: 2025-11-26T23:00:00.100Z INFO ✅ Scraped 2022-04-17',
    '          → the built-in grammar and `grammar` read messages after a `2025-11-26', '          23:00:00,000 - INFO - ` prefix']);
  const json = await runCliAsync(['--log', file, 'status', '--json'], { cwd: dir });
  expect(json.code).toBe(1);
  const out = JSON.parse(json.stdout);
  expect(out.run.state).toBe('error');
  expect(out.problems).toEqual([`log ${file}: 2 lines read, none in the backfill's format (TIME - LEVEL - message); newest: 2025-11-26T23:00:00.100Z INFO ✅ Scraped 2022-04-17 → the built-in grammar and \`grammar\` read messages after a \`2025-11-26 23:00:00,000 - INFO - \` prefix`]);
});

// Tester X16: a live backfill whose first lines are not records (`nohup: ignoring input`, a library's warning on
// import) read `error`, exit 1, for the seconds before its banner.
test('while a writer of the log is alive, lines in another format are "no run lines yet", never error; status exit 0', async () => {
  const file = path.join(dir, 'starting.log');
  writeFileSync(file, '');
  const fd = openSync(file, 'a');
  const writer = spawn(process.execPath, ['-e', "require('fs').writeSync(1, 'nohup: ignoring input\\n'); setInterval(() => {}, 1000)"], { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  writer.unref();
  try {
    await waitFor(() => readFileSync(file, 'utf8').includes('nohup'), 'the writer to start');
    const r = dashboard(file);
    await waitFor(() => (r.store.getState().log.historyDone && r.store.getState().process.external) || null, 'the log read and its writer seen', 20_000);
    expect(foreignLog(r.store.getState())).toEqual({ lines: 1, sample: 'nohup: ignoring input', writerAlive: true });
    expect(rowProblems(r.store.getState())).toEqual([]);
    const lines = frame(r).split('\n');
    expect(lines[0]).not.toContain('error');
    expect(lines).toContain("no run lines yet: 1 line, none in the backfill's format so far");
    const text = await runCliAsync(['--log', file, 'status'], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("log       no run lines yet: 1 line, none in the backfill's format so far");
  } finally {
    process.kill(-writer.pid!, 'SIGKILL');
  }
});
