import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCloudRunApi } from '../src/cloud-run/api.js';
import { compileFilter } from '../src/cloud-run/loopback/filter.js';
import { startLoopbackServer, type LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { simTaskRunner } from '../src/cloud-run/loopback/sim-task.js';
import { executionLogFilter } from '../src/cloud-run/log-filter.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { fakeClock } from './support/loopback-clock.js';

let server: LoopbackServer | null = null;
let dir = '';
afterEach(async () => {
  await server?.close();
  server = null;
  if (dir) await rm(dir, { recursive: true, force: true });
});

const entry = (over: Partial<{ timestamp: string; job: string; exec: string; text: string }> = {}) => ({
  timestamp: over.timestamp ?? '2026-03-01T12:00:00.000Z',
  resource: { type: 'cloud_run_job', labels: { job_name: over.job ?? 'j' } },
  labels: { 'run.googleapis.com/execution_name': over.exec ?? 'j-1' },
  textPayload: over.text ?? 'x',
});

describe('loopback Cloud Run region', () => {
  it('filters entries the way the dashboard asks, and rejects what it cannot read', () => {
    const f = compileFilter(executionLogFilter('j', 'j-1', Date.parse('2026-03-01T12:00:00Z')));
    expect(f(entry())).toBe(true);
    expect(f(entry({ timestamp: '2026-03-01T11:59:59.999Z' }))).toBe(false);
    expect(f(entry({ job: 'k' }))).toBe(false);
    expect(f(entry({ exec: 'j-2' }))).toBe(false);
    expect(compileFilter('textPayload:"Downloaded"')(entry({ text: '✅ Downloaded 2024-01-01' }))).toBe(true);
    expect(() => compileFilter('severity>=ERROR OR x')).toThrow(/Unparseable filter/);
  });

  it('runs the simulator as the execution and serves its lines as log entries after the delay', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cr-loop-'));
    const clock = fakeClock();
    server = await startLoopbackServer({
      project: 'p',
      region: 'r',
      jobs: [{ name: 'j' }],
      now: clock.now,
      logDelayMs: 30_000,
      runTask: simTaskRunner({ scratchDir: path.join(dir, 'containers'), now: clock.now, sleep: clock.sleep }),
    });
    const api = createCloudRunApi({ apiEndpoint: server.url, loggingEndpoint: server.url });
    const keys = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'];
    const e = await api.runJob({ project: 'p', region: 'r', job: 'j' }, { args: [`--keys=${keys.join(',')}`, `--storage=${path.join(dir, 'storage')}`, '--workers=1', '--fail-rate=0'] });
    await server.world.executions[0].done;
    const query = { resourceNames: ['projects/p'], filter: executionLogFilter('j', e.id, e.createTime), orderBy: 'timestamp asc' as const, pageSize: 1000 };
    expect((await api.listEntries(query)).entries).toEqual([]);
    clock.t += 30_000;
    const { entries } = await api.listEntries(query);
    const text = entries.map((x) => x.textPayload).join('\n');
    const batch = parseText(text, compileGrammar());
    expect(batch.lines.filter((l) => l.kind === 'succeeded').map((l) => (l as { key: string }).key).sort()).toEqual(keys);
    expect((await readdir(path.join(dir, 'storage'))).sort()).toEqual(keys);
    expect((await api.getExecution({ project: 'p', region: 'r', job: 'j' }, e.id)).state).toBe('succeeded');
  });

  // Tester AE6: `loopback-cloud-run --scratch S` (relative, as its --help shows DIR) failed every execution with
  // FileNotFoundError 'S/<execution>-task0/keys.csv': the keys file was named relative to the region's folder and then
  // read from the task's own.
  it('a relative scratch folder runs the keys it was given', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cr-loop-'));
    const clock = fakeClock();
    const scratch = path.relative(process.cwd(), path.join(dir, 'containers'));
    expect(path.isAbsolute(scratch)).toBe(false);
    server = await startLoopbackServer({ project: 'p', region: 'r', jobs: [{ name: 'j' }], now: clock.now, logDelayMs: 0, runTask: simTaskRunner({ scratchDir: scratch, now: clock.now, sleep: clock.sleep }) });
    const api = createCloudRunApi({ apiEndpoint: server.url, loggingEndpoint: server.url });
    const keys = ['2024-01-02', '2024-01-03'];
    const e = await api.runJob({ project: 'p', region: 'r', job: 'j' }, { args: [`--keys=${keys.join(',')}`, `--storage=${path.join(dir, 'storage')}`, '--workers=1', '--fail-rate=0'] });
    await server.world.executions[0].done;
    expect((await api.getExecution({ project: 'p', region: 'r', job: 'j' }, e.id)).state).toBe('succeeded');
    expect((await readdir(path.join(dir, 'storage'))).sort()).toEqual(keys);
  });
});

// Tester AG6 (j): a port another region holds gave a Node stack trace (an unhandled 'error' event), and `--idle-exit abc`
// was taken without a word.
describe('loopback-cloud-run (the command)', () => {
  it('says a port in use in one line, exit 1, and a number that is not one as a usage error, exit 2', async () => {
    const { loopbackMain } = await import('../src/cloud-run/loopback/main.js');
    dir = await mkdtemp(path.join(os.tmpdir(), 'cr-loop-main-'));
    server = await startLoopbackServer({ project: 'p', region: 'r', jobs: [{ name: 'j' }], runTask: async () => 0 });
    const port = new URL(server.url).port;
    let said = '';
    const base = ['--project', 'p', '--region', 'r', '--jobs', 'j', '--scratch', dir];
    expect(await loopbackMain([...base, '--port', port], (s) => void (said += s))).toBe(1);
    expect(said).toBe(`loopback-cloud-run: port ${port} is in use (another region?): give another --port, or 0 for any free one\n`);
    for (const [flag, value, words] of [['--idle-exit', 'abc', 'minutes, more than 0'], ['--port', '70000', 'a port number (0: any free one)'], ['--log-delay', 'x', 'seconds, 0 or more']]) {
      said = '';
      expect(await loopbackMain([...base, flag, value], (s) => void (said += s))).toBe(2);
      expect(said).toMatch(new RegExp(`^usage: backfill-tui loopback-cloud-run[\\s\\S]*\\n${flag} ${value}: not ${words.replace(/[()]/g, '\\$&')}\\n$`));
    }
  });
});
