import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { CLI } from './support/cli.js';
import { startFakeBigQuery, type FakeBigQuery } from './support/fake-bigquery-server.js';
import { startFakeGcs, type FakeGcs } from './support/fake-gcs-server.js';
import { waitFor } from './support/wait-for.js';

// The real dashboard in a real terminal (a pty from script(1)), its sources stuck on servers that never answer.
let dir: string;
let gcs: FakeGcs;
let bq: FakeBigQuery;
let child: ChildProcess | null = null;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-quit-'));
  gcs = await startFakeGcs({ bucket: 'bkt', objects: [], fault: 'hang' });
  bq = await startFakeBigQuery({ project: 'pr', dataset: 'd', table: 't', rows: [] });
  bq.setFault('hang');
  writeFileSync(path.join(dir, 'dates.csv'), '2022-01-03\n2022-01-04\n');
  writeFileSync(path.join(dir, 'b.log'), '2025-11-26 23:17:10,000 - INFO -   ✅ Scraped 2022-01-03\n');
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({
    job: 'quitjob', log: 'b.log', expected: 'dates.csv',
    storage: { url: 'gs://bkt/p/', apiEndpoint: gcs.url },
    warehouse: { table: 'pr.d.t', column: 'game_date', apiEndpoint: bq.url },
  }));
});
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await gcs.close();
  await bq.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The dashboard under script(1): stdin and stdout are a terminal; what we write to script's stdin is typed. */
function dashboard(): { out: () => string; exited: Promise<number | null> } {
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)}`;
  child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: dir, env: { ...process.env, METADATA_SERVER_DETECTION: 'none', COLUMNS: '80', LINES: '24' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
  return { out: () => out, exited };
}

for (const [key, name] of [['q', 'q'], ['\u0003', 'Ctrl-C']] as const) {
  test(`${name} ends the dashboard within 2 s while GCS and BigQuery requests hang`, async () => {
    const d = dashboard();
    await waitFor(() => d.out().includes('quitjob'), 'the first frame', 20_000);
    await waitFor(() => gcs.requests > 0 && bq.calls.length > 0, 'both sources to be waiting on their servers', 20_000);
    const t0 = Date.now();
    child!.stdin!.write(key);
    const code = await Promise.race([d.exited, new Promise<'late'>((r) => setTimeout(() => r('late'), 2000))]);
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
}

test('SIGTERM ends the dashboard within 2 s while requests hang', async () => {
  const d = dashboard();
  await waitFor(() => d.out().includes('quitjob'), 'the first frame', 20_000);
  await waitFor(() => gcs.requests > 0 && bq.calls.length > 0, 'both sources to be waiting on their servers', 20_000);
  // script(1) runs the dashboard as its child: signal the dashboard itself.
  const pid = Number(execFileSync('pgrep', ['-P', String(child!.pid), '-f', path.basename(CLI)]).toString().trim().split('\n')[0]);
  const t0 = Date.now();
  process.kill(pid, 'SIGTERM');
  const code = await Promise.race([d.exited, new Promise<'late'>((r) => setTimeout(() => r('late'), 2000))]);
  expect(code).not.toBe('late');
  expect(Date.now() - t0).toBeLessThan(2000);
});
