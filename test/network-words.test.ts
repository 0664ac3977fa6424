import { removeDir } from './support/remove-dir.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { networkFailure } from '../src/network-words.js';
import { runCliAsync, unwrapped } from './support/cli.js';
import { waitFor } from './support/wait-for.js';

// Tester X5: a refused connection to a configured endpoint was said as the client's raw error with the whole
// request URL (`request to http://127.0.0.1:1/storage/v1/b/bkt/o?prefix=f_&maxResults=… failed, reason: connect
// ECONNREFUSED 127.0.0.1:1`), and the failed-keys glob twice. Every source says host:port in the operator's words.
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-net-words-'));
let closed = '';
let plain: Server;
let plainPort = 0;
const runtimes: Runtime[] = [];
beforeAll(async () => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closed = `127.0.0.1:${(s.address() as AddressInfo).port}`;
  await new Promise<void>((r) => s.close(() => r()));
  // A plain HTTP server, for an https:// endpoint pointed at it (TLS to a server that does not speak it).
  plain = createServer((_, res) => res.end('{}'));
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  plainPort = (plain.address() as AddressInfo).port;
  writeFileSync(path.join(dir, 'x.log'), '');
  writeFileSync(path.join(dir, 'dates.csv'), '2022-01-01\n');
});
afterEach(() => runtimes.splice(0).forEach((r) => r.close()));
afterAll(async () => {
  await new Promise<void>((r) => plain.close(() => r()));
  removeDir(dir);
});

function config(name: string, endpoint: string, extra: Record<string, unknown> = {}): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ job: 'j', log: 'x.log', expected: { file: 'dates.csv' }, failed: 'gs://bkt/f_*.json', storage: { url: 'gs://bkt/p/', apiEndpoint: endpoint }, ...extra }));
  return file;
}

const RAW = /request to http|\?prefix=|maxResults|reason: connect/;

describe('status', () => {
  test('a refused storage, warehouse and failed-keys endpoint: host:port and the setting, the glob once, no request URL', async () => {
    const file = config('refused', `http://${closed}`, { warehouse: { table: 'pr.d.t', column: 'game_date', apiEndpoint: `http://${closed}` } });
    const r = await runCliAsync(['-c', file, 'status', '--timeout', '20'], { cwd: dir });
    expect(unwrapped(r.stdout)).toContain(`Cloud Storage gs://bkt/p/: connection refused at ${closed}: nothing listens there`);
    expect(unwrapped(r.stdout)).toContain(`BigQuery pr.d.t: connection refused at ${closed}: nothing listens there`);
    expect(unwrapped(r.stdout)).toContain(`failed-keys files gs://bkt/f_*.json: Cloud Storage: connection refused at ${closed}: nothing listens there (check storage.apiEndpoint`);
    expect(unwrapped(r.stdout).split('gs://bkt/f_*.json').length - 1).toBe(1);
    expect(unwrapped(r.stdout)).not.toMatch(RAW);
  }, 60_000);

  test('https:// at a plain HTTP server: TLS to host:port failed, it does not speak TLS', async () => {
    const r = await runCliAsync(['-c', config('tls', `https://127.0.0.1:${plainPort}`), 'status', '--timeout', '20'], { cwd: dir });
    expect(unwrapped(r.stdout)).toContain(`failed-keys files gs://bkt/f_*.json: Cloud Storage: TLS to 127.0.0.1:${plainPort} failed: it does not speak TLS`);
    expect(unwrapped(r.stdout)).not.toMatch(RAW);
  }, 60_000);

  test('a host DNS does not know: named, with DNS as the cause', async () => {
    const r = await runCliAsync(['-c', config('dns', 'http://nohost.invalid:9050'), 'status', '--timeout', '20'], { cwd: dir });
    // NXDOMAIN where a resolver answers; "did not answer" where none does: either way the host and DNS, once.
    expect(unwrapped(r.stdout)).toMatch(/failed-keys files gs:\/\/bkt\/f_\*\.json: Cloud Storage: host nohost\.invalid (not found \(DNS\)|could not be looked up: DNS did not answer)/);
    expect(unwrapped(r.stdout)).not.toMatch(RAW);
  }, 60_000);

  test('Cloud Run and Cloud Logging at a refused endpoint', async () => {
    const file = path.join(dir, 'cr.json');
    writeFileSync(file, JSON.stringify({ job: 'crjob', expected: { file: 'dates.csv' }, cloudRun: { project: 'proj-x', region: 'us-west2', job: 'j', args: ['--dates={keys}'], apiEndpoint: `http://${closed}`, loggingEndpoint: `http://${closed}` } }));
    const r = await runCliAsync(['-c', file, 'status', '--timeout', '20'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(unwrapped(r.stdout)).toContain(`Cloud Run: connection refused at ${closed}: nothing listens there (check cloudRun.apiEndpoint; is its server (or emulator) running?)`);
  }, 60_000);
});

test('the dashboard says the same words for storage and the failed-keys objects', async () => {
  const r = startRuntime(loadConfig({ file: config('dash', `http://${closed}`), cwd: dir }), { exit: () => undefined });
  runtimes.push(r);
  const s = () => r.store.getState();
  const storage = await waitFor(() => s().coverage.storage?.error, 'the storage error', 45_000);
  expect(storage).toBe(`Cloud Storage gs://bkt/p/: connection refused at ${closed}: nothing listens there`);
  const note = await waitFor(() => s().failed.notes.find((n) => n.includes('refused')), 'the failed-keys note', 45_000);
  expect(note).toContain(`gs://bkt/f_*.json: Cloud Storage: connection refused at ${closed}: nothing listens there`);
  expect(`${storage} ${note}`).not.toMatch(RAW);
}, 60_000);

describe('networkFailure, shape by shape', () => {
  test.each([
    // node-fetch: host and port only in its message.
    [{ code: 'ECONNREFUSED', message: 'request to http://h/x?y failed, reason: connect ECONNREFUSED 10.0.0.5:9050' }, undefined, 'connection refused at 10.0.0.5:9050: nothing listens there'],
    // fetch (undici): the system error in `cause`, with its address and port.
    [Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED', address: '::1', port: 8080 } }), undefined, 'connection refused at ::1:8080: nothing listens there'],
    [{ code: 'ENOTFOUND', hostname: 'storage.example', message: 'getaddrinfo ENOTFOUND storage.example' }, 'https://storage.example', 'host storage.example not found (DNS): no such name'],
    [{ code: 'ECONNRESET', message: 'socket hang up' }, 'https://bigquery.googleapis.com', 'connection to bigquery.googleapis.com:443 closed before the answer'],
    [{ code: 'EHOSTUNREACH', message: 'connect EHOSTUNREACH' }, 'http://10.1.2.3:9050/', '10.1.2.3:9050 unreachable: no route to it'],
    [{ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, 'https://proxy.corp:8443', 'TLS to proxy.corp:8443 failed: certificate not trusted (CERT_HAS_EXPIRED)'],
  ])('%j', (err, endpoint, what) => {
    expect(networkFailure(err, endpoint)?.what).toBe(what);
  });

  test('an HTTP answer or a timeout is no network failure here (their own words name the status or the limit)', () => {
    expect(networkFailure({ code: 403, message: 'denied' })).toBeNull();
    expect(networkFailure({ code: 'ETIMEDOUT', message: 'timed out' })).toBeNull();
  });
});
