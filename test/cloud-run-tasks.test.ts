import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { OrderedEntry } from '../src/cloud-run/entry-order.js';
import { foldExecutionLog } from '../src/cloud-run/execution-log.js';
import { startLoopbackServer } from '../src/cloud-run/loopback/server.js';
import { compileGrammar } from '../src/parser/index.js';
import { runCliAsync } from './support/cli.js';
import { logLine, T0 } from './support/log-text.js';

// Tester V11: an execution of three tasks (each the script on its shard of the keys, one log) read as three
// runs: `34/12 283.3 %` while it ran, then one task's summary (`13/13 ✓ 9 ✗ 4`, `earlier 2 run(s)`).

type Level = 'INFO' | 'WARNING';
/** Each task's own log, as the script writes it for its shard. */
const TASKS: [Level, string][][] = [
  [
    ['INFO', 'NBA.com Player Boxscore Scraper Backfill (v2) initialized'],
    ['INFO', 'Loaded 3 dates from /tmp/shard-0.txt'],
    ['INFO', '  ✅ Scraped 2022-01-01'],
    ['INFO', '  ✅ Scraped 2022-01-02'],
    ['WARNING', '  ❌ Failed 2022-04-16: HTTP 500'],
    ['INFO', 'BACKFILL COMPLETE'],
    ['INFO', 'Total dates: 3'],
    ['INFO', '✅ Processed: 2'],
    ['INFO', '⏭️  Skipped: 0'],
    ['INFO', '❌ Failed: 1'],
    ['INFO', 'Time: 2.0 minutes'],
  ],
  [
    ['INFO', 'NBA.com Player Boxscore Scraper Backfill (v2) initialized'],
    ['INFO', 'Loaded 2 dates from /tmp/shard-1.txt'],
    ['INFO', '  ✅ Scraped 2022-01-03'],
    ['WARNING', '  ❌ Timeout 2022-04-17'],
    ['INFO', 'BACKFILL COMPLETE'],
    ['INFO', 'Total dates: 2'],
    ['INFO', '✅ Processed: 1'],
    ['INFO', '⏭️  Skipped: 0'],
    ['INFO', '❌ Failed: 1'],
    ['INFO', 'Time: 3.5 minutes'],
  ],
  [
    ['INFO', 'NBA.com Player Boxscore Scraper Backfill (v2) initialized'],
    ['INFO', 'Loaded 2 dates from /tmp/shard-2.txt'],
    ['INFO', '  ✅ Scraped 2022-01-04'],
    ['INFO', '📊 Progress: 2/2 (100.0%) | ✅ 1 | ⏭️ 1 | ❌ 0 | ETA: 0min'],
    ['INFO', 'BACKFILL COMPLETE'],
    ['INFO', 'Total dates: 2'],
    ['INFO', '✅ Processed: 1'],
    ['INFO', '⏭️  Skipped: 1'],
    ['INFO', '❌ Failed: 0'],
    ['INFO', 'Time: 1.0 minutes'],
  ],
];

/** The tasks' lines as Cloud Logging holds them: interleaved by time (line j of task i at j s + i × 10 ms). */
function entries(upTo = Infinity): OrderedEntry[] {
  const out: OrderedEntry[] = [];
  TASKS.forEach((lines, task) =>
    lines.slice(0, upTo).forEach(([level, text], j) => {
      const at = T0 + j * 1000 + task * 10;
      out.push({ at, id: `${task}-${j}`, text: logLine(at, level, text), task });
    }),
  );
  return out.sort((a, b) => a.at - b.at);
}

const grammar = compileGrammar(undefined, 'UTC');

describe('an execution of several tasks is one run', () => {
  test('totals, outcomes and summaries add up over its tasks; complete once every task wrote its summary', () => {
    const run = foldExecutionLog(entries(), grammar, 3)!;
    // 3 + 2 + 2 keys; ✓ 2 + 1 + 1; ✗ 1 + 1 + 0; ↷ 0 + 0 + 1 (written by hand from TASKS above).
    expect(run).toMatchObject({ total: 7, succeeded: 4, failed: 2, skipped: 1, complete: true, title: 'NBA.com Player Boxscore Scraper Backfill (v2)' });
    expect(run.failures).toEqual({ 'HTTP 500': 1, timeout: 1 });
    // The execution took as long as its slowest task.
    expect(run.summary.durationSec).toBe(210);
    expect(run.startedAt).toBe(T0);
  });

  test('while the tasks run: no total until every task said its share, never done over total, not complete', () => {
    // Each task has written its banner, its Loaded line and its first outcome.
    const early = foldExecutionLog(entries(3), grammar, 3)!;
    expect(early).toMatchObject({ total: 7, succeeded: 3, failed: 0, complete: false });
    // Only task 0 has said how many keys it has: the execution's total is not known yet.
    const first = foldExecutionLog(entries(2).filter((e) => e.task === 0 || !e.text.includes('Loaded')), grammar, 3)!;
    expect(first.total).toBeNull();
    // Two of three summaries in: still running.
    const two = foldExecutionLog(entries().filter((e) => e.task !== 2 || !/BACKFILL COMPLETE|Total|Processed|Skipped:|Failed: 0|Time/.test(e.text)), grammar, 3)!;
    expect(two).toMatchObject({ complete: false, total: 7, succeeded: 4, failed: 2 });
  });

  // Tester AI11: a two-task execution read `complete` while one task's failure line had not reached Cloud Logging: its
  // summaries said ✗ 34, the lines read 33 (`119/120`, kinds one short), and no `log incomplete` was said.
  test('every summary in but an outcome line they count not read: the lines are awaited (summaryUnseen), until read', () => {
    const late = entries().filter((e) => !e.text.includes('Failed 2022-04-16'));
    const run = foldExecutionLog(late, grammar, 3)!;
    expect(run).toMatchObject({ complete: true, failed: 2, summaryUnseen: 1 });
    expect(run.failures).toEqual({ timeout: 1 });
    expect(foldExecutionLog(entries(), grammar, 3)!.summaryUnseen).toBe(0);
  });

  test('with one task, each banner after activity is a run of its own, as in a local log', () => {
    const one = entries().filter((e) => e.task === 0).concat(entries().filter((e) => e.task === 1).map((e) => ({ ...e, at: e.at + 60_000, task: 0 })));
    const run = foldExecutionLog(one, grammar, 1)!;
    expect(run).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
  });
});

describe('status of a Cloud Run execution of three tasks', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-cr-tasks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('status --json: one run of the execution, its tasks summed, no earlier runs', async () => {
    const server = await startLoopbackServer({
      project: 'nba-props-platform',
      region: 'us-west2',
      jobs: [{ name: 'bdl-boxscore-backfill', timeoutSeconds: 3600 }],
      runTask: async (ctx) => {
        for (const [level, text] of TASKS[ctx.taskIndex]) ctx.log(logLine(T0, level, text));
        return 0;
      },
    });
    try {
      const exec = server.world.run(server.world.opts.jobs[0], { taskCount: 3 });
      await exec.done;
      const file = path.join(dir, 'backfill-tui.config.json');
      writeFileSync(file, JSON.stringify({ job: 'bdl-boxscores', timezone: 'UTC', cloudRun: { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-boxscore-backfill', args: ['--dates={keys}'], apiEndpoint: server.url, loggingEndpoint: server.url, logDeadline: 1 } }));
      const r = await runCliAsync(['status', '--json', '--config', file], { cwd: dir });
      expect(r.stderr).toBe('');
      const s = JSON.parse(r.stdout);
      expect(s.execution.tasks).toMatchObject({ count: 3, succeeded: 3 });
      expect(s.run).toMatchObject({ state: 'complete', total: 7, done: 7, succeeded: 4, failed: 2, skipped: 1, failures: { 'HTTP 500': 1, timeout: 1 } });
      expect(s.runs).toEqual([]);
    } finally {
      await server.close();
    }
  }, 60_000);
});
