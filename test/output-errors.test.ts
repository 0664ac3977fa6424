import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { CLI } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';

// Tester AI3: a write error on stdout (a full disk under `missing > keys.csv`) was a raw stack trace naming the build
// machine's files, and `init > /dev/full` Node's unhandled 'error' event. One line, exit 1, no stack.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-output-errors-'));
  writeFileSync(path.join(dir, 'k.csv'), '2022-01-03\n2022-01-04\n');
  mkdirSync(path.join(dir, 'st'));
});
afterEach(() => removeDir(dir));

/** Runs the built CLI with its stdout on /dev/full (every write fails with ENOSPC). */
function intoFullDisk(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const full = openSync('/dev/full', 'w');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', full, 'pipe'] });
    closeSync(full);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const ONE_LINE = 'backfill-tui: cannot write to stdout: no space left on device (ENOSPC)\n';

test.skipIf(!existsSync('/dev/full'))('missing into a full disk: one line, exit 1', async () => {
  const r = await intoFullDisk(['--log', 'x.log', '--expected', 'k.csv', '--storage', 'st', 'missing', '--from', 'storage']);
  expect([r.code, r.stderr]).toEqual([1, ONE_LINE]);
});

test.skipIf(!existsSync('/dev/full'))('status --json into a full disk: one line, exit 1', async () => {
  const r = await intoFullDisk(['--log', 'x.log', 'status', '--json']);
  expect([r.code, r.stderr]).toEqual([1, ONE_LINE]);
});

test.skipIf(!existsSync('/dev/full'))('init into a full disk: the config written, one line, exit 1', async () => {
  const r = await intoFullDisk(['init']);
  expect([r.code, r.stderr]).toEqual([1, ONE_LINE]);
  expect(existsSync(path.join(dir, 'backfill-tui.config.json'))).toBe(true);
});
