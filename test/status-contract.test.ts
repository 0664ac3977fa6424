import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { floorPercent, formatPercent } from '../src/format.js';
import { runCli, runCliAsync } from './support/cli.js';

// The `status` contract from the built CLI: exit codes, target pairing, unknown figures, rounding.
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { METADATA_SERVER_DETECTION: 'none' };

/** A job directory: expected keys, a local storage directory holding `present` of them, and a config. */
function job(name: string, opts: { expected: string[]; present: string[]; targets?: number[]; extra?: object }): string {
  const d = path.join(dir, name);
  mkdirSync(path.join(d, 'store'), { recursive: true });
  writeFileSync(path.join(d, 'dates.csv'), opts.expected.join('\n') + (opts.expected.length ? '\n' : ''));
  for (const k of opts.present) {
    mkdirSync(path.join(d, 'store', k), { recursive: true });
    writeFileSync(path.join(d, 'store', k, 'x.json'), '{}');
  }
  const cfg = { log: 'b.log', expected: 'dates.csv', storage: { url: path.join(d, 'store') }, ...(opts.targets && { targets: opts.targets }), ...opts.extra };
  writeFileSync(path.join(d, 'backfill-tui.config.json'), JSON.stringify(cfg));
  return d;
}

const days = (n: number) => Array.from({ length: n }, (_, i) => new Date(Date.UTC(2021, 9, 19) + i * 86_400_000).toISOString().slice(0, 10));

describe('status --json pairs each target with its own figures', () => {
  test('targets given in any order ([100, 75])', () => {
    const d = job('order', { expected: days(4), present: days(3), targets: [100, 75] });
    const r = runCli(['status', '--json'], { cwd: d, env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).coverage.targets).toEqual([
      { percent: 100, keys: 4, storage: { met: false, needed: 1 }, warehouse: null },
      { percent: 75, keys: 3, storage: { met: true, needed: 0 }, warehouse: null },
    ]);
  });
});

describe('exit codes: 0 met, 1 not met, 2 usage', () => {
  test('--require with no keys expected exits 1, as the JSON says met: false', () => {
    const d = job('none-expected', { expected: [], present: days(2) });
    const json = JSON.parse(runCli(['status', '--json'], { cwd: d, env }).stdout);
    expect(json.coverage.targets[0].storage.met).toBe(false);
    const r = runCli(['status', '--require', '95'], { cwd: d, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no keys are expected');
  });

  test('--require 0 is accepted (met by any coverage); --require 100 is not met by 3 of 4', () => {
    const d = job('zero', { expected: days(4), present: days(3) });
    expect(runCli(['status', '--require', '0'], { cwd: d, env }).code).toBe(0);
    expect(runCli(['status', '--require', '75'], { cwd: d, env }).code).toBe(0);
    expect(runCli(['status', '--require', '100'], { cwd: d, env }).code).toBe(1);
  });

  test.each([
    [['status', '--source', 'foo'], /Allowed choices are storage, warehouse/],
    [['status', '--require', '95', '--source', 'foo'], /Allowed choices are storage, warehouse/],
    [['missing', '--from', 'foo'], /storage, warehouse, lag/],
    [['status', '--require', 'abc'], /percentage from 0 to 100/],
    [['status', '--require', '101'], /percentage from 0 to 100/],
    [['status', '--require', '-5'], /percentage from 0 to 100/],
    [['status', '--no-such-flag'], /unknown option/],
  ])('%j is a usage error: exit 2 and the valid choices, nothing printed on stdout', (args, message) => {
    const d = job('usage', { expected: days(4), present: days(3) });
    const r = runCli(args, { cwd: d, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  test('help and version still exit 0', () => {
    expect(runCli(['status', '--help'], { cwd: dir, env }).code).toBe(0);
    expect(runCli(['--version'], { cwd: dir, env }).code).toBe(0);
  });
});

describe('unknown is not zero, and text and JSON agree', () => {
  test('a source that never answered reports present, extra and percent null', () => {
    // (A folder whose parent is missing too: one whose parent is there is a folder not made yet, 0 keys: X9.)
    const d = job('never', { expected: days(4), present: [], extra: { storage: { url: path.join(dir, 'no-such-parent', 'no-such-dir') } } });
    const s = JSON.parse(runCli(['status', '--json'], { cwd: d, env }).stdout).coverage.storage;
    expect(s).toMatchObject({ present: null, extra: null, percent: null, checkedAt: null });
    expect(s.error).not.toBeNull();
    expect(runCli(['status'], { cwd: d, env }).stdout).toMatch(/storage +unknown/);
  });

  test('text and JSON show the same percentage, rounded down: 2 of 3 is 66.66 / 66.6, never 66.67 / 66.7', () => {
    const d = job('round', { expected: days(3), present: days(2) });
    expect(JSON.parse(runCli(['status', '--json'], { cwd: d, env }).stdout).coverage.storage.percent).toBe(66.66);
    expect(runCli(['status'], { cwd: d, env }).stdout).toContain('66.6 %');
  });

  test('rounding is exact at the edges and never claims a target that is not met', () => {
    expect(floorPercent(810, 853, 2)).toBe(94.95);
    expect(floorPercent(811, 853, 2)).toBe(95.07);
    expect(floorPercent(852, 853, 1)).toBe(99.8);
    expect(floorPercent(99_999, 100_000, 2)).toBe(99.99);
    expect(floorPercent(9_999_999, 10_000_000, 2)).toBe(99.99);
    expect(floorPercent(7, 7, 2)).toBe(100);
    expect(floorPercent(29, 100, 2)).toBe(29); // 29 / 100 × 100 is 28.999… in floating point
    expect(formatPercent(19, 20)).toBe('95.0 %');
    expect(formatPercent(0, 0)).toBe('– %');
  });
});

describe('library warnings never reach the terminal', () => {
  let metadata: Server;
  let metadataRequests = 0;
  beforeAll(async () => {
    // A metadata server that answers 500: gcp-metadata then raises MetadataLookupWarning while the
    // client looks for credentials.
    metadata = createServer((_req, res) => {
      metadataRequests++;
      res.writeHead(500, { 'Metadata-Flavor': 'Google' });
      res.end('boom');
    });
    await new Promise<void>((r) => metadata.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await new Promise((r) => metadata.close(r));
  });

  test('status with Cloud Storage and no credentials: stderr stays empty, the source explains its error', async () => {
    const d = job('warn', { expected: days(4), present: [], extra: { storage: { url: 'gs://bkt/prefix/' } } });
    const port = (metadata.address() as AddressInfo).port;
    // Google's API goes to a proxy that refuses (nothing leaves the machine); the metadata probe is direct.
    const r = await runCliAsync(['status', '--json'], {
      cwd: d,
      env: { HOME: d, GCE_METADATA_HOST: `127.0.0.1:${port}`, METADATA_SERVER_DETECTION: '', GOOGLE_APPLICATION_CREDENTIALS: '', HTTPS_PROXY: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' },
    });
    expect(metadataRequests).toBeGreaterThan(0);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const storage = JSON.parse(r.stdout).coverage.storage;
    expect(storage.present).toBeNull();
    expect(storage.error).toMatch(/Cloud Storage/);
  });
});
