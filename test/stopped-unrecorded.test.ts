import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { collectSnapshot } from '../src/app/snapshot.js';
import { statusJson } from '../src/app/status-json.js';
import { statusText } from '../src/app/status-text.js';
import { loadConfig } from '../src/config.js';
import type { WritersScan } from '../src/runner/log-writers.js';
import { currentFigures } from '../src/state/current-figures.js';
import { banner, logOf, T0 } from './support/log-text.js';

const dir = mkdtempSync(join(tmpdir(), 'stopped-unrecorded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const noWriter: WritersScan = { external: async () => [], asks: 0, walks: 0, waiting: false };

// Tester Y1, `status` part: `x` `y`, then `q` while the script finished its in-flight key and wound down (`Interrupted`
// 4 s later). No dashboard has looked since, so runs.jsonl has the launch and the stop and no end; the process is gone.
describe('a run asked to stop whose end no dashboard recorded: status says stopped', () => {
  // A process that has exited: its pid names nothing now (no start time recorded, so nothing else is taken for it).
  const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
  const launchedAt = T0 - 2000;
  writeFileSync(join(dir, 'bf.log'), logOf(T0, [...banner(1, 60, 13), ['INFO', '  ✅ Scraped 2021-10-19'], ['INFO', '  ✅ Scraped 2021-10-20']]) + logOf(T0 + 16_000, [['WARNING', 'Interrupted']]));
  // Its last line was written when it was timed (this machine's clock and the log's agree).
  utimesSync(join(dir, 'bf.log'), (T0 + 16_000) / 1000, (T0 + 16_000) / 1000);
  mkdirSync(join(dir, '.backfill-tui'));
  const launch = { type: 'launch', id: 'resume-1', label: 'resume', argv: ['python3', 'bf.py'], cwd: dir, keysFile: null, keyCount: 13, pid: gone, procStart: null, log: join(dir, 'bf.log'), startedAt: launchedAt };
  const records = (extra: object[]) => writeFileSync(join(dir, '.backfill-tui', 'runs.jsonl'), [launch, ...extra].map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(join(dir, 'c.json'), JSON.stringify({ job: 'slow', log: 'bf.log', timeout: 60 }));
  const snap = () => collectSnapshot(loadConfig({ file: join(dir, 'c.json'), cwd: dir }), { now: () => T0 + 60_000, writers: noWriter, sources: false });

  test('stopped, its elapsed from its launch to its last line (Interrupted, 0:18), as the dashboard that records it will say', async () => {
    records([{ type: 'stop', id: 'resume-1', at: T0 + 11_500 }]);
    const state = await snap();
    const f = currentFigures(state);
    expect(f.status).toBe('stopped');
    // From its launch, 2 s before its first line, as its launcher counts it (tester AE11).
    expect(f.elapsedMs).toBe(18_000);
    expect(statusJson(state).run.state).toBe('stopped');
    expect(statusText(state)).toContain('slow: stopped');
  });

  // Tester AH1: a script whose main thread took the SIGINT while its pool went on, silent, until its carrier's SIGTERM
  // (recorded only while it still ran): it ended at the SIGTERM, 22 s after its first line, not at the SIGINT.
  test("stopped, its end the carrier's SIGTERM when that came after its last line (0:24), as the dashboard records it", async () => {
    records([{ type: 'stop', id: 'resume-1', at: T0 + 11_500 }, { type: 'stop', id: 'resume-1', at: T0 + 22_000, signal: 'SIGTERM' }]);
    const state = await snap();
    expect(currentFigures(state).elapsedMs).toBe(24_000);
    expect(statusJson(state).run.finishedAt).toBe(new Date(T0 + 22_000).toISOString());
  });

  // Tester AH3's local half: a config beside this one shares its `.backfill-tui`; its runs name its own log.
  test("another job's run in the same runs.jsonl is not this job's", async () => {
    records([{ ...launch, id: 'resume-other', log: join(dir, 'other.log'), startedAt: T0 + 30_000 }]);
    const state = await snap();
    expect(state.process.history.map((r) => r.id)).toEqual(['resume-1']);
  });

  // A project folder moved (or mounted elsewhere) since: its runs name the log where it was, which is gone (tester h80's
  // copy of /tmp/h72/team read no run of its own after the filter above).
  test('a run whose log path is gone but names this log\'s file is this job\'s: the folder moved', async () => {
    records([{ ...launch, id: 'resume-moved', log: join(dir, 'moved-away', 'bf.log'), startedAt: T0 + 30_000 }, { ...launch, id: 'resume-other', log: join(dir, 'moved-away', 'other.log'), startedAt: T0 + 40_000 }]);
    const state = await snap();
    expect(state.process.history.map((r) => r.id)).toEqual(['resume-1', 'resume-moved']);
  });

  test('no stop record: ended, as before', async () => {
    records([]);
    expect(currentFigures(await snap()).status).toBe('ended');
  });
});
