import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, runCliAsync } from './support/cli.js';
import { waitFor } from './support/wait-for.js';

// A log another user's process writes (a root container's run, another account's, `sudo` in a shared folder): /proc
// hides that process's descriptors from us, and a look that found no writer read the run `ended` while it wrote.
// Only where this test can be two users: as root, with runuser to look as `nobody`.
// (And `nobody` must be able to run the built CLI where this checkout is.)
const canSwitch = typeof process.getuid === 'function' && process.getuid() === 0 && existsSync('/usr/sbin/runuser') && spawnSync('/usr/sbin/runuser', ['-u', 'nobody', '--', process.execPath, '-e', `require('node:fs').accessSync(${JSON.stringify(CLI)}, 4)`]).status === 0;

const WRITER = `
const fs = require('node:fs');
const fd = fs.openSync(process.argv[2], 'a', 0o644);
const wall = () => new Date().toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
fs.writeSync(fd, wall() + ' - INFO - NBA.com Player Boxscore Scraper Backfill (v2) initialized\\n' + wall() + ' - INFO - Loaded 500 dates from k.csv\\n');
let i = 0;
setInterval(() => fs.writeSync(fd, wall() + ' - INFO -   ✅ Scraped ' + new Date(Date.UTC(2021, 9, 19) + i++ * 86400000).toISOString().slice(0, 10) + '\\n'), 200);
`;

describe.skipIf(!canSwitch)('a log written by a process this user may not look into', () => {
  let dir = '';
  let writer: ChildProcess | null = null;
  const log = () => path.join(dir, 'bf.log');
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bt-hidden-'));
    chmodSync(dir, 0o755);
    mkdirSync(path.join(dir, 'state'), { mode: 0o777 });
    chmodSync(path.join(dir, 'state'), 0o777);
    writeFileSync(path.join(dir, 'writer.cjs'), WRITER);
    // The writer runs as root (this test's user), its log root's.
    writer = spawn(process.execPath, [path.join(dir, 'writer.cjs'), log()], { stdio: 'ignore' });
    await waitFor(() => existsSync(log()) || null, 'the writer\'s log', 30_000);
  });
  afterAll(() => {
    writer?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const statusAs = (user: string | null, args: string[]) => {
    const cli = ['status', ...args, '--log', log(), '--failed', path.join(dir, 'none_*.json'), '--state-dir', path.join(dir, 'state')];
    if (user === null) return runCliAsync(cli, { cwd: dir });
    return new Promise<{ code: number; stdout: string }>((resolve, reject) => {
      const child = spawn('/usr/sbin/runuser', ['-u', user, '--', process.execPath, CLI, ...cli], { cwd: dir });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
    });
  };

  test('looked at as nobody: not ended, its writer said not visible (as root: running, external)', async () => {
    const json = JSON.parse((await statusAs('nobody', ['--json'])).stdout);
    expect(json.run.state).toBe('running');
    expect(json.process).toMatchObject({ external: false, writersHidden: true });
    const text = (await statusAs('nobody', [])).stdout;
    expect(text).toMatch(/^backfill: running /);
    expect(text).toContain('writer not visible (the log is another user\'s): state by its lines');
    // The same log looked at by its owner: the writer is seen.
    const own = JSON.parse((await statusAs(null, ['--json'])).stdout);
    expect(own.run.state).toBe('running');
    expect(own.process).toMatchObject({ external: true, writersHidden: false });
  }, 60_000);
});
