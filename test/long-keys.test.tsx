import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../components/App.js';
import { compileGrammar, parseChunk } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { createStore } from '../src/store.js';
import { statusJson } from '../src/app/status-json.js';
import { statusText } from '../src/app/status-text.js';
import { waitFor } from './support/wait-for.js';
import { runCliAsync } from './support/cli.js';

afterEach(() => cleanup());

// A 60,000-character key in a failure line (the fault-injection input): cut once where it is parsed.
const LONG = `2022-01-${'9'.repeat(60_000)}`;
const LOG = [
  '2025-11-26 23:17:10,000 - INFO - NBA.com Player Boxscore Scraper Backfill (v2) initialized',
  `2025-11-26 23:17:11,000 - ERROR -   ❌ Failed ${LONG}: HTTP 500`,
  '2025-11-26 23:17:12,000 - INFO -   ✅ Scraped 2022-01-03',
].join('\n') + '\n';

test('a key longer than 200 characters is cut to 200 and …, and counted as suspicious', () => {
  const batch = parseChunk(Buffer.from(LOG), compileGrammar());
  const failed = batch.lines.find((l) => l.kind === 'failed') as { key: string };
  expect(failed.key).toBe(`${LONG.slice(0, 200)}…`);
  expect(batch.suspiciousKeys).toBe(1);
});

test('the failures view and status show the cut key; the count reaches status text and JSON; frames fit 80 columns', async () => {
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: Date.UTC(2025, 10, 27), targets: [95] }), { frameMs: 0 });
  store.dispatch({ type: 'log/batch', batch: parseChunk(Buffer.from(LOG), compileGrammar()) });
  // The log read to its end (a log read in part gives no count: tester Z12).
  store.dispatch({ type: 'log/progress', bytesRead: LOG.length, size: LOG.length, historyDone: true });
  expect(store.getState().log.suspiciousKeys).toBe(1);
  expect(statusJson(store.getState()).suspiciousKeys).toBe(1);
  expect(statusText(store.getState())).toContain('suspicious 1 key longer than 200 characters in the log, cut for display (never launched)');
  store.dispatch({ type: 'ui/view', view: 'failures' });
  const r = render(<App store={store} onIntent={() => undefined} color={false} />);
  const frame = await waitFor(() => stripVTControlCharacters(r.lastFrame() ?? '').includes('2022-01-999') && stripVTControlCharacters(r.lastFrame() ?? ''), 'the failures view');
  for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  expect(frame).not.toContain('9'.repeat(300));
});

// Tester T14: `missing --from failures` printed the display cut (200 characters and …) as if it were a key.
test('missing --from failures never prints a cut key as data: left out, counted on stderr', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-long-missing-'));
  try {
    // And a key holding a byte that is not UTF-8 (tester AC6): it would be printed as U+FFFD, a key no source wrote.
    const notUtf8 = Buffer.concat([Buffer.from('2025-11-26 23:17:13,000 - WARNING -   ❌ Failed 2022-01-0'), Buffer.from([0xff]), Buffer.from('1: HTTP 500\n')]);
    writeFileSync(path.join(dir, 'x.log'), Buffer.concat([Buffer.from(LOG.replace('✅ Scraped 2022-01-03', '❌ Failed 2022-01-01: HTTP 500')), notUtf8]));
    writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify({ job: 'j', log: 'x.log' }));
    const r = await runCliAsync(['missing', '--from', 'failures', '--config', 'cfg.json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('2022-01-01\n');
    expect(r.stderr).toBe('backfill-tui: 2 suspicious keys left out (over 200 characters, a control character, bytes that are not UTF-8 or a leading -): not a key a backfill can take\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
