import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import React from 'react';
import { renderToString } from 'ink';
import { afterAll, describe, expect, test } from 'vitest';
import { App } from '../components/App.js';
import { createStore } from '../src/store.js';
import { overviewRow } from '../src/overview/overview-rows.js';
import { compileGrammar } from '../src/parser/index.js';
import { parseChunk } from '../src/parser/chunk.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { runCliAsync } from './support/cli.js';
import { banner, logOf, T0 } from './support/log-text.js';

// Tester Z13: the run's error is a traceback's exception line, whatever the exception's name looks like. Python
// writes it qualified by its module unless it is a builtin or the script's own (`requests.exceptions.ConnectionError:
// HTTPSConnectionPool(...)`), with or without a message (`StopIteration`), and a chained traceback ("During handling
// of the above exception, another exception occurred:") ends with the one that killed the script.
const grammar = compileGrammar();
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-exception-line-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A run killed after one key, then `tail` written without a record prefix (as Python writes a traceback). */
const died = (tail: string[]) => logOf(T0, [...banner(6, 180, 244), ['INFO', '[1/244] Queued 2021-10-31'], ['INFO', '  ✅ Scraped 2021-10-31']]) + tail.map((l) => `${l}\n`).join('');

const frames = ['Traceback (most recent call last):', '  File "/app/backfill.py", line 210, in <module>', '    main()', '  File "/app/backfill.py", line 180, in main', '    resp = session.post(url, json=body, timeout=timeout)', '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^'];
const REQUESTS = "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='nba-scrapers-x-wl.a.run.app', port=443): Max retries exceeded with url: /scrape (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f3a>: Failed to establish a new connection: [Errno 111] Connection refused'))";
const URLLIB3 = "urllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool(host='nba-scrapers-x-wl.a.run.app', port=443): Read timed out. (read timeout=180)";
const GOOGLE = 'google.api_core.exceptions.NotFound: 404 GET https://storage.googleapis.com/storage/v1/b/nba-scraped-data/o?prefix=x: The specified bucket does not exist.';

/** The log folded as `status` and the dashboard fold it, cut into batches at each of `cuts` (line numbers). */
function foldWith(text: string, cuts: number[], keyed: boolean): AppState {
  let state = initialState({ job: 'j', log: '/x.log', now: T0, targets: [] });
  const lines = text.split('\n');
  let from = 0;
  for (const cut of [...cuts, lines.length]) {
    const part = lines.slice(from, cut).join('\n');
    from = cut;
    if (part.trim() !== '') state = reduce(state, { type: 'log/batch', batch: parseChunk(Buffer.from(`${part}\n`), grammar, 200, undefined, keyed) });
  }
  return state;
}

/** The run as folded with outcome lines as keyed columns (status, the dashboard) and as LogLines: the same. */
function fold(text: string, cuts: number[] = []): AppState {
  const keyed = foldWith(text, cuts, true);
  const plain = foldWith(text, cuts, false);
  expect(plain.log.current?.error).toBe(keyed.log.current?.error);
  expect(plain.log.current?.exitTrace).toBe(keyed.log.current?.exitTrace);
  return keyed;
}

describe('the exception line of a traceback is the run\'s error', () => {
  test.each([
    ['a builtin', 'ConnectionError: x'],
    ['a module path (requests)', REQUESTS],
    ['a module path (urllib3)', URLLIB3],
    ['a name that says no Error (google.api_core)', GOOGLE],
    ['requests\' Timeout, no Error in its name', "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='x.run.app', port=443): Read timed out. (read timeout=180)"],
    ['a lowercase class (socket)', 'socket.gaierror: [Errno -2] Name or service not known'],
    ['no message', 'StopIteration'],
    ['no message, a module path', 'concurrent.futures._base.CancelledError'],
    ['the script\'s own class', 'BackfillAborted: 3 workers died'],
    ['KeyboardInterrupt', 'KeyboardInterrupt'],
  ])('%s: %s', (_, line) => {
    const text = died([...frames, line]);
    expect(fold(text).log.current?.error).toBe(line);
    // Cut between the header and the exception line (a followed log gets them in two reads): the same.
    const lines = text.split('\n');
    expect(fold(text, [lines.indexOf(frames[0]) + 1, lines.length - 2]).log.current?.error).toBe(line);
  });

  test('a chained traceback: the last exception, the one that killed the script', () => {
    const chained = [
      ...frames,
      'TimeoutError: The read operation timed out',
      '',
      'The above exception was the direct cause of the following exception:',
      '',
      ...frames,
      URLLIB3,
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      ...frames,
      "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='nba-scrapers-x-wl.a.run.app', port=443): Read timed out. (read timeout=180)",
    ];
    expect(fold(died(chained)).log.current?.error).toBe(chained.at(-1));
    // Ending in a name that says it is one, after a bare one: still the last.
    expect(fold(died([...frames, 'StopIteration', '', 'During handling of the above exception, another exception occurred:', '', ...frames, REQUESTS])).log.current?.error).toBe(REQUESTS);
  });

  test('a name alone is no exception outside a traceback: a shell\'s Terminated, nohup, a print, a message\'s next line', () => {
    for (const tail of [['Terminated'], ['Killed'], ['nohup: ignoring input'], ['done.'], ['Total: 5']]) {
      const run = fold(died(tail)).log.current!;
      expect(run.error).toBeNull();
      expect(run.exitTrace).toBe(false);
    }
    // After its exception line a traceback is over: a second line of the message, or an exception's note, is not it.
    expect(fold(died([...frames, REQUESTS, 'Details: the pool was closed'])).log.current?.error).toBe(REQUESTS);
    // A run that moved on after a logged traceback's header (its exception line never came): no later line is it.
    const moved = logOf(T0, [...banner(6, 180, 244), ['INFO', '[1/244] Queued 2021-10-31']]) + 'Traceback (most recent call last):\n' + logOf(T0 + 60_000, [['INFO', '  ✅ Scraped 2021-10-31']]) + 'Terminated\n';
    expect(fold(moved).log.current?.error).toBeNull();
  });

  test('status --json and the text status say it, from the log on disk (the built CLI)', async () => {
    const log = path.join(dir, 'bf.log');
    writeFileSync(log, died([...frames, GOOGLE]));
    const { stdout, code } = await runCliAsync(['status', '--json', '--log', log, '--failed', path.join(dir, 'none_*.json')], { cwd: dir, env: { TZ: 'UTC' } });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).run).toMatchObject({ state: 'ended', error: GOOGLE });
    const text = await runCliAsync(['status', '--log', log, '--failed', path.join(dir, 'none_*.json')], { cwd: dir, env: { TZ: 'UTC' } });
    expect(text.stdout).toContain('google.api_core.exceptions.NotFound: 404 GET');
  }, 30_000);
});

// Tester AC8: a script's main thread died of its error; at shutdown Python interrupted its pool's threads and printed
// what it ignored (`Exception ignored in: …`, a traceback, `KeyboardInterrupt: `). status named the ignored one.
describe('an exception Python says it ignored is never the run\'s error', () => {
  const RUNTIME = 'RuntimeError: service URL returned HTML';
  const ignored = ["Exception ignored in: <module 'threading' from '/usr/lib/python3.11/threading.py'>", 'Traceback (most recent call last):', '  File "/usr/lib/python3.11/threading.py", line 1590, in _shutdown', '    lock.acquire()', 'KeyboardInterrupt: '];

  test('after the error that ended the run, in one read and cut at each line', () => {
    const text = died([...frames, RUNTIME, ...ignored]);
    expect(fold(text).log.current).toMatchObject({ error: RUNTIME, exitTrace: true });
    const lines = text.split('\n');
    const from = lines.indexOf(ignored[0]);
    for (let cut = from; cut < lines.length - 1; cut++) expect(fold(text, [cut]).log.current?.error).toBe(RUNTIME);
  });

  test('one without a traceback (a closed pipe at exit), and 3.13\'s `Exception ignored while …`', () => {
    expect(fold(died([...frames, RUNTIME, "Exception ignored in: <_io.TextIOWrapper name='<stdout>' mode='w' encoding='utf-8'>", 'BrokenPipeError: [Errno 32] Broken pipe'])).log.current?.error).toBe(RUNTIME);
    expect(fold(died([...frames, RUNTIME, 'Exception ignored while finalizing generator <generator object f at 0x7f>:', 'Traceback (most recent call last):', 'StopIteration'])).log.current?.error).toBe(RUNTIME);
  });

  test('before a real traceback: that one is the error; alone, a run that went on has none', () => {
    expect(fold(died([...ignored, ...frames, RUNTIME])).log.current?.error).toBe(RUNTIME);
    const run = fold(died(ignored)).log.current!;
    expect(run.error).toBeNull();
    expect(run.exitTrace).toBe(false);
  });

  test('the job screen says the error under the counts, as status does', () => {
    const later = T0 + 3_600_000;
    let state = fold(died([...frames, RUNTIME, ...ignored]));
    // Read to its end, and a look at /proc found no writer: the run ended.
    for (const event of [{ type: 'log/progress', bytesRead: 1, size: 1, historyDone: true }, { type: 'clock/tick', now: later }, { type: 'process/update', patch: { writersChecked: true, writersCheckedAt: later } }] as const) state = reduce(state, event);
    const screen = stripVTControlCharacters(renderToString(React.createElement(App, { store: createStore({ ...state, ui: { ...state.ui, width: 80, height: 24 } }, { frameMs: 0 }), onIntent: () => undefined, color: false }), { columns: 80 }));
    // Under the counts (the log pane below may show any of its lines, the ignored one too).
    const rows = screen.split('\n');
    const counts = rows.findIndex((r) => r.startsWith('✓ 1 scraped'));
    expect(rows[counts + 1].trim()).toBe(`ended: ${RUNTIME}`);
    // The overview's line for the job says it too.
    expect(overviewRow(state).problem).toMatchObject({ source: 'run', kind: 'died', message: `ended: ${RUNTIME}` });
  });
});
