import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLocalPlace } from '../src/run-place/local-place.js';
import { procStartOf } from '../src/runner/proc.js';
import { appendRunRecord, parseRunLines, runsPath } from '../src/runner/runs-file.js';
import { initialState } from '../src/state/app-state.js';
import { createStore } from '../src/store.js';
import { cleanup, node, readText, tempDir, waitFor, writeScript } from './runner-support.js';

afterEach(cleanup);

/** A run that lives until SIGINT, in its own process group as a launched run is. */
const UNTIL_SIGINT = `
import { writeSync } from 'node:fs';
process.on('SIGINT', () => process.exit(0));
setInterval(() => {}, 1000);
writeSync(1, 'ready\\n');
`;

/**
 * Tester U4: a dashboard re-attaches to a run another dashboard launched, its look for runs that ended unwatched
 * is still waiting on the log's history when the operator stops the run: both the stop's watch and that look see
 * the run gone. Each order of the two is driven by what each waits on (the watch on the log read to the size at the
 * exit, the look on the history read), never by sleeps.
 */
async function reattachedAndStopped(first: 'watch' | 'unwatched') {
  const dir = tempDir();
  const log = join(dir, 'b.log');
  writeFileSync(log, '');
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'j', log: 'b.log', command: ['true'], keepAwake: false }));
  const config = loadConfig({ file: join(dir, 'backfill-tui.config.json'), cwd: dir });
  const child = node(writeScript(dir, 'run.mjs', UNTIL_SIGINT), [], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  await waitFor(() => child.pid && procStartOf(child.pid), 'the run started');
  const pid = child.pid!;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const id = 'resume-20261130-103713-e3c1f2';
  await appendRunRecord(config.stateDir, { type: 'launch', id, label: 'resume', argv: ['run.mjs'], cwd: dir, keysFile: null, keyCount: 400, pid, procStart: procStartOf(pid), log, startedAt: Date.now() });

  const store = createStore(initialState({ job: 'j', log, now: Date.now(), targets: [95] }));
  const ac = new AbortController();
  const place = createLocalPlace({ config, store, now: Date.now, signal: ac.signal, freshStorage: async () => null, refreshHistory: async () => undefined, refreshWarehouse: () => undefined });
  store.dispatch({ type: 'process/update', patch: { runId: id, pid, procStart: procStartOf(pid), attached: true, alive: true } });
  place.attach({ runId: id, pid, procStart: procStartOf(pid), attached: true });

  // x y: SIGINT to its group; the run exits before the look for unwatched ends has read runs.jsonl.
  await place.stop();
  await exited;
  const look = place.noteEndedUnseen();
  const ends = () => parseRunLines(readText(runsPath(config.stateDir))).filter((r) => r.type === 'end');
  if (first === 'watch') {
    // The watch reads the log to its size at the exit, records the end; only then is the history read.
    store.dispatch({ type: 'log/progress', bytesRead: 0, size: 0, historyDone: false });
    await waitFor(() => ends().length > 0, 'the end recorded by the watch', 15_000);
    store.dispatch({ type: 'log/history-done' });
    await look;
  } else {
    // The history is read first: the look is done before the watch may record anything.
    store.dispatch({ type: 'log/history-done' });
    await look;
    store.dispatch({ type: 'log/progress', bytesRead: 0, size: 0, historyDone: true });
    await waitFor(() => ends().length > 0, 'the end recorded by the watch', 15_000);
  }
  // Stopped from here: its notice says so.
  await waitFor(() => store.getState().ui.notices.some((n) => n.text === `run ${id} stopped`), 'the watch done');
  ac.abort();
  return { ends: ends(), notices: store.getState().ui.notices.map((n) => n.text) };
}

describe('one end record per run when the stop and the ended-unwatched look both see it go (tester U4)', () => {
  test.each(['watch', 'unwatched'] as const)('%s first: one end record, `stopped`, and no "ended while no dashboard watched"', async (first) => {
    const { ends, notices } = await reattachedAndStopped(first);
    expect(ends.map((e) => (e.type === 'end' ? e.reason : null))).toEqual(['stopped']);
    expect(notices.some((n) => n.includes('ended while no dashboard watched'))).toBe(false);
  }, 30_000);
});
