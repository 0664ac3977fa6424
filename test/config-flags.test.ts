import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { FLAGS_ONLY_DEFAULTS, flagsOnlyConfig, STORAGE_POLL_DEFAULT } from '../src/config-base.js';
import { resolveConfig } from '../src/config.js';
import { configSchema } from '../src/config-schema.js';

/*
 * `status --log FILE` with flags alone resolves its config without zod (config-base.ts): its defaults are
 * plain constants, and these tests keep them what the schema says, so the two paths cannot drift.
 */
const cwd = mkdtempSync(join(tmpdir(), 'config-flags-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('a config of flags alone, without the schema', () => {
  test('the defaults are the schema defaults', () => {
    const parsed = configSchema.parse({ log: 'x.log' });
    const { log, ...rest } = parsed;
    expect(log).toBe('x.log');
    expect(rest).toEqual(FLAGS_ONLY_DEFAULTS);
    expect(configSchema.parse({ log: 'x.log', storage: { url: 'gs://b/p/' } }).storage?.pollSeconds).toBe(STORAGE_POLL_DEFAULT);
  });

  test.each([
    { log: 'backfill.log' },
    { log: '/abs/run.log', failed: 'logs/failed_*.json' },
    { log: 'a.log', expected: 'keys.csv', job: 'player-boxscores', stateDir: 'state' },
    { log: 'a.log', storage: 'gs://bucket/prefix/' },
    { log: 'a.log', storage: 'out/dir' },
    { log: 'a.log', failed: 'gs://bucket/failed/failed_*.json', storage: '/data/x', job: 'j', stateDir: '/tmp/s', expected: '/e.txt' },
  ])('%o resolves as the schema resolves it', (flags) => {
    const fast = flagsOnlyConfig(cwd, flags);
    expect(fast).not.toBeNull();
    expect(fast).toEqual(resolveConfig({}, { file: null, cwd, flags }));
  });

  test('flags the schema must judge go to the schema', () => {
    expect(flagsOnlyConfig(cwd, { log: 'a.log', job: '.' })).toBeNull();
    expect(flagsOnlyConfig(cwd, { log: 'a.log', job: '..' })).toBeNull();
    expect(flagsOnlyConfig(cwd, {})).toBeNull();
    expect(() => resolveConfig({}, { file: null, cwd, flags: { log: 'a.log', job: '..' } })).toThrow(/not \. or \.\./);
  });

  test('a failed pattern with * in its folder is refused on both paths alike', () => {
    const flags = { log: 'a.log', failed: 'lo*gs/failed.json' };
    expect(() => flagsOnlyConfig(cwd, flags)).toThrow(/only the file name may hold/);
    expect(() => resolveConfig({}, { file: null, cwd, flags })).toThrow(/only the file name may hold/);
  });
});
