import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCliAsync } from './support/cli.js';
import { damagedLogs, type TestLog } from './support/damaged-logs.js';

// The installed program's `status --json` with the parse worker (started by the launcher for --log, its read ahead
// kept while it loads: src/app/parse-worker-launch.ts, log-events.ts, parse-worker-client.ts) prints the same bytes as without it, on logs
// damaged every way we know: several runs, NULs, CRLF and \r progress text, bytes that are not UTF-8, doubled lines,
// the night clocks fall back, retries, and the bench's one-run shape. And the same again with the run reader of the
// usual lines (src/parser/hot-run.ts) turned off in both threads: what it reads, hotLine and the general path read alike.
const dir = mkdtempSync(join(tmpdir(), 'status-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const logs: TestLog[] = [];
beforeAll(async () => {
  logs.push(...(await damagedLogs(dir)));
}, 120_000);

test('status --json reads every damaged log to the same bytes with the parse worker as without it, and without the run reader', async () => {
  for (const { name, file } of logs) {
    const timing = join(dir, `${name}-timing.jsonl`);
    const off = await runCliAsync(['status', '--json', '--log', file], { cwd: dir, env: { BACKFILL_TUI_PARSE_WORKER: 'off' } });
    const on = await runCliAsync(['status', '--json', '--log', file], { cwd: dir, env: { BACKFILL_TUI_PARSE_WORKER: 'on', BACKFILL_TUI_TIMING: timing } });
    expect(off.stderr, name).toBe('');
    expect(on.stderr, name).toBe('');
    expect(on.code, name).toBe(off.code);
    expect(on.stdout, name).toBe(off.stdout);
    const plain = await runCliAsync(['status', '--json', '--log', file], { cwd: dir, env: { BACKFILL_TUI_PARSE_WORKER: 'on', BACKFILL_TUI_HOT_RUN: 'off' } });
    expect(plain.stderr, name).toBe('');
    expect(plain.code, name).toBe(off.code);
    expect(plain.stdout, name).toBe(off.stdout);
    // The worker read it, and was started by the launcher (src/app/parse-worker-launch.ts) once the CLI's bundle was
    // compiled, before the bundle ran (src/bin.ts): it loads while the CLI does.
    const marks = (JSON.parse(readFileSync(timing, 'utf8').trim().split('\n').at(-1)!) as { marks: [string, number][] }).marks;
    const at = (stage: string) => marks.find((m) => m[0] === stage)?.[1] ?? Number.NaN;
    expect(marks.map((m) => m[0]), name).toContain('parse worker done');
    expect(at('parse worker starting'), name).toBeGreaterThanOrEqual(at('bundle compiled'));
    expect(at('parse worker starting'), name).toBeLessThan(at('cli loaded'));
    expect(at('parse worker starting'), name).toBeLessThan(at('config read'));
  }
}, 180_000);
