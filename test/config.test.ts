import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'bt-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function withConfig(name: string, config: unknown): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}

describe('loadConfig', () => {
  test('paths in the file are relative to the file; flags are relative to where they were typed', () => {
    const dir = withConfig('paths', { log: 'logs/b.log', expected: 'keys.csv', storage: { url: 'st' }, failed: 'failed_dates_*.json' });
    const c = loadConfig({ file: path.join(dir, 'backfill-tui.config.json'), cwd: '/elsewhere' });
    expect(c.log).toBe(path.join(dir, 'logs/b.log'));
    expect(c.expected).toEqual({ file: path.join(dir, 'keys.csv') });
    expect(c.storage!.url).toBe(path.join(dir, 'st'));
    expect(c.failed).toBe(path.join(dir, 'failed_dates_*.json'));
    expect(c.stateDir).toBe(path.join(dir, '.backfill-tui'));
    const flagged = loadConfig({ file: path.join(dir, 'backfill-tui.config.json'), cwd: '/work/x', flags: { log: 'other.log', storage: 'gs://bkt/p/' } });
    expect(flagged.log).toBe('/work/x/other.log');
    expect(flagged.storage!.url).toBe('gs://bkt/p/');
  });

  test('defaults: targets, settings, retry settings, PYTHONUNBUFFERED kept beside the env given', () => {
    const dir = withConfig('defaults', { log: 'b.log', env: { TZ: 'UTC' } });
    const c = loadConfig({ cwd: dir });
    expect(c.targets).toEqual([95, 98, 100]);
    expect(c).toMatchObject({ workers: 6, timeout: 180, retry: { workers: 3, timeout: 300 }, keepAwake: true, job: 'backfill' });
    expect(c.env).toEqual({ PYTHONUNBUFFERED: '1', TZ: 'UTC' });
    expect(c.storage).toBeUndefined();
    expect(loadConfig({ cwd: withConfig('poll', { log: 'b.log', storage: { url: 'gs://bkt/p/' } }) }).storage!.pollSeconds).toBe(60);
  });

  test.each([
    ['{', /not valid JSON/],
    ['[1]', /expected a JSON object/],
    [JSON.stringify({ log: 'b.log', storage: { url: 'gs://b/', pollSecond: 5 } }), /storage: .*pollSecond|pollSecond/],
    [JSON.stringify({ log: 'b.log', targets: [95, 120] }), /targets\.1/],
    [JSON.stringify({ log: 'b.log', warehouse: { table: 'onlytwo.parts', column: 'game_date' } }), /warehouse\.table/],
    [JSON.stringify({ log: 'b.log', command: ['python', 3] }), /command\.1/],
  ])('%s is a ConfigError naming the file and field', (text, pattern) => {
    const dir = withConfig(`bad-${Math.random().toString(36).slice(2)}`, text);
    let err: unknown;
    try {
      loadConfig({ cwd: dir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(path.join(dir, 'backfill-tui.config.json'));
    expect((err as Error).message).toMatch(pattern);
    expect((err as ConfigError).exitCode).toBe(2);
  });

  test('no config and no --log: how to start', () => {
    const dir = path.join(root, 'none');
    mkdirSync(dir, { recursive: true });
    expect(() => loadConfig({ cwd: dir })).toThrow(/backfill-tui init/);
  });
});
