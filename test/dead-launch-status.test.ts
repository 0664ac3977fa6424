import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { collectSnapshot } from '../src/app/snapshot.js';
import { statusJson } from '../src/app/status-json.js';
import { statusText } from '../src/app/status-text.js';
import { loadConfig } from '../src/config.js';
import { currentFigures } from '../src/state/current-figures.js';
import { deadStartCause } from '../src/state/dead-start.js';
import { cleanup, tempDir } from './runner-support.js';
import { waitFor } from './support/wait-for.js';

afterAll(cleanup);
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
});

// Tester Z8: `command ["python3","missing_script.py","{keysFile}"]` (a typo) on a new log: the launching dashboard said
// `ended before its first record: …can't open file…`; status said `error`, none in the backfill's format, run.error
// null, exit 1; a dashboard opened afterwards said `error` too.
test('a launch that died at start on a new log: status and a later dashboard say ended, its cause and its start, as the launcher did', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'e.csv'), '2022-01-03\n2022-01-04\n');
  // What python3 does with a missing script: one line on stderr (the log), exit 2.
  const cant = `python3: can't open file '${join(dir, 'missing_script.py')}': [Errno 2] No such file or directory`;
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'nocmd', log: 'bf.log', expected: 'e.csv', keepAwake: false, timezone: 'UTC', command: ['sh', '-c', `echo "${cant}" >&2; exit 2`, 'sh', '{keysFile}'] }));
  const config = loadConfig({ cwd: dir });
  const a = startRuntime(config, { exit: () => undefined });
  runtimes.push(a);
  await waitFor(() => a.store.getState().coverage.expected && a.store.getState().process.writersChecked && a.store.getState().log.looked, 'ready');
  a.controller.onIntent('resume');
  await waitFor(() => a.store.getState().ui.confirm, 'the box');
  a.controller.onIntent('confirm-yes');
  await waitFor(() => a.store.getState().ui.notices.find((n) => n.text.includes('exited with code 2')), 'the failed start said');
  await waitFor(() => deadStartCause(a.store.getState()) === cant, 'the launcher says why');
  const launchedAt = a.store.getState().log.current!.startedAt!;
  await a.close();
  runtimes.length = 0;

  const snap = await collectSnapshot(config, { sources: false });
  const json = statusJson(snap);
  expect(json.run).toMatchObject({ state: 'ended', error: cant, startedAt: new Date(launchedAt).toISOString(), total: 2 });
  expect(statusText(snap)).toMatch(/^nocmd: ended {2}/);
  expect(statusText(snap)).toContain(`ended before its first record: ${cant}`);

  const b = startRuntime(config, { exit: () => undefined });
  runtimes.push(b);
  await waitFor(() => b.store.getState().log.current, 'the later dashboard has the run');
  expect(currentFigures(b.store.getState()).status).toBe('ended');
  expect(deadStartCause(b.store.getState())).toBe(cant);
  // It ended before this dashboard opened: no news (tester Y6's class).
  expect(b.store.getState().alerts.recent).toEqual([]);
}, 60_000);
