import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { startRuntime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { readRuns } from '../src/runner/runs-file.js';
import { cleanup, tempDir, track, waitFor } from './runner-support.js';

afterAll(cleanup);

/** SIGINT only said; SIGTERM said, and the run winds down 1.5 s later (a script finishing its in-flight keys). */
const SLOW_TERM = `const { writeSync } = require('node:fs');
process.on('SIGINT', () => writeSync(1, 'SIGINT ignored\\n'));
process.on('SIGTERM', () => { writeSync(1, 'SIGTERM: finishing\\n'); setTimeout(() => process.exit(0), 1500); });
writeSync(1, 'started\\n');
setInterval(() => {}, 1000);
`;

// Tester AC11: `x` `y`, then `x` during the stop: `stopping run …: sent SIGINT at 11:28:17; SIGTERM at 11:28:27 (in 8 s) if
// it is still running` stayed on top, `(in 8 s)` frozen, above `run … stopped`. The words say the time only, and go
// once the stop moves on or is over.
test('x during a stop says where it stands by the clock, never a frozen count, and the words go when the stop moves on and when it is over', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'slow.cjs'), SLOW_TERM);
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'slow', log: 'bf.log', keepAwake: false, timezone: 'UTC', command: [process.execPath, 'slow.cjs'] }));
  const config = loadConfig({ cwd: dir });
  // The machine's clock (the stop's waits and its carrier go by it): the SIGTERM comes 10 s after the stop.
  const r = startRuntime(config, { exit: () => undefined, now: Date.now });
  const stopWords = () => r.store.getState().ui.notices.filter((n) => n.text.startsWith('stopping run ')).map((n) => n.text);
  try {
    await waitFor(() => r.store.getState().process.writersChecked && r.store.getState().log.looked, 'ready');
    r.controller.onIntent('resume');
    await waitFor(() => r.store.getState().ui.confirm, 'the launch box');
    r.controller.onIntent('confirm-yes');
    const pid = await waitFor(() => r.store.getState().process.alive && r.store.getState().process.pid, 'the run');
    track(pid);
    await waitFor(() => readFileSync(config.log, 'utf8').includes('started'), 'the run started');
    r.controller.onIntent('stop');
    await waitFor(() => r.store.getState().ui.confirm?.kind === 'stop', 'the stop box');
    r.controller.onIntent('confirm-yes');
    const runId = await waitFor(() => r.store.getState().process.stopping === 'sigint' && r.store.getState().process.runId, 'SIGINT sent');

    // x during the SIGINT stage: right after the key.
    r.controller.onIntent('stop');
    const [during] = stopWords();
    expect(during).toMatch(new RegExp(`^stopping run ${runId}: sent SIGINT at \\d\\d:\\d\\d:\\d\\d; SIGTERM at \\d\\d:\\d\\d:\\d\\d if it is still running$`));
    // Gone once the stop moved on (SIGTERM sent): it would say a SIGTERM still to come.
    await waitFor(() => r.store.getState().process.stopping === 'sigterm', 'SIGTERM sent', 20_000);
    expect(stopWords()).toEqual([]);

    // x during the SIGTERM stage, then the run winds down and ends.
    r.controller.onIntent('stop');
    expect(stopWords()).toEqual([expect.stringMatching(/; the SIGKILL question at \d\d:\d\d:\d\d if it is still running$/)]);
    await waitFor(async () => (await readRuns(config.stateDir, null)).find((x) => x.id === runId)?.end?.reason === 'stopped', 'its end recorded stopped', 20_000);
    await waitFor(() => r.store.getState().process.alive === false || null, 'the run gone on the dashboard');
    expect(stopWords()).toEqual([]);
  } finally {
    await r.close();
  }
}, 60_000);
