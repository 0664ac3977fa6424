import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { CLI } from './support/cli.js';

// status and missing write with fs.writeSync and exit at once (src/std-write.ts): no stdout/stderr streams, so
// neither Node's socket module for a pipe nor a wait for streams that hold nothing. What must not be lost:
// output larger than a pipe holds, and a descriptor that is non-blocking (its rest goes through the stream).

const work = mkdtempSync(path.join(os.tmpdir(), 'bt-one-shot-out-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const KEYS = 200_000;
const keys = Array.from({ length: KEYS }, (_, i) => String(22_100_000 + i).padStart(10, '0'));
writeFileSync(path.join(work, 'keys.csv'), `game_id\n${keys.join('\n')}\n`);
mkdirSync(path.join(work, 'storage'));
writeFileSync(path.join(work, 'backfill.log'), '2025-11-26 08:00:00,000 - INFO -   ✅ Scraped 0022100000\n');
const missingArgs = ['missing', '--log', 'backfill.log', '--expected', 'keys.csv', '--storage', 'storage'];

// Records the built-in modules loaded (process.moduleLoadList) to $BUILTINS at exit.
const recorder = path.join(work, 'builtins.cjs');
writeFileSync(recorder, "process.on('exit', () => require('node:fs').writeFileSync(process.env.BUILTINS, process.moduleLoadList.join('\\n')));\n");

/** Runs the bin with stdout and stderr as pipes (as a script or the bench reads them), reading as it goes. */
function throughPipes(args: string[], preload: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...preload.flatMap((p) => ['-r', p]), CLI, ...args], { cwd: work, env: { ...process.env, BUILTINS: path.join(work, 'list') } });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr }));
  });
}

test('status --json into pipes makes no stdout or stderr stream: no socket module, the JSON whole', async () => {
  const r = await throughPipes(['status', '--json', '--log', 'backfill.log'], [recorder]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).run).toMatchObject({ succeeded: 1 });
  const loaded = readFileSync(path.join(work, 'list'), 'utf8').split('\n');
  // A pipe's process.stdout is a net.Socket (and a terminal's a tty.WriteStream): neither was made.
  for (const mod of ['NativeModule net', 'NativeModule tty', 'Internal Binding pipe_wrap']) expect(loaded, mod).not.toContain(mod);
});

test('missing writes 200,000 keys (2.2 MB, far more than a pipe holds) whole and in order before exiting', async () => {
  const r = await throughPipes(missingArgs);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(`game_id\n${keys.join('\n')}\n`);
});

test('a non-blocking stdout that fills up gets the rest through its stream, in order, before the process exits', async () => {
  // A non-blocking pipe is full or not depending on how fast this test reads: the preload answers the way a
  // full one does (part of the bytes taken, then EAGAIN) once 64 KiB have gone out, every time.
  const fullPipe = path.join(work, 'full-pipe.cjs');
  writeFileSync(
    fullPipe,
    `const fs = require('node:fs');
const real = fs.writeSync;
let sent = 0;
let full = false;
fs.writeSync = function (fd, buffer, offset, length, ...rest) {
  if (fd !== 1 || full) return real.call(fs, fd, buffer, offset, length, ...rest);
  if (sent >= 65536) {
    full = true;
    throw Object.assign(new Error('EAGAIN: resource temporarily unavailable, write'), { code: 'EAGAIN', errno: -11, syscall: 'write' });
  }
  const n = real.call(fs, fd, buffer, offset, Math.min(length, 65536 - sent), ...rest);
  sent += n;
  return n;
};
`,
  );
  const r = await throughPipes(missingArgs, [fullPipe]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(`game_id\n${keys.join('\n')}\n`);
});

test('a reader that goes away (missing | head -1) ends the output quietly: exit 0, nothing on stderr', () => {
  // The bin's exit code is said on stderr by the shell, after whatever the bin wrote there.
  const r = spawnSync('sh', ['-c', `{ "$0" "$1" ${missingArgs.join(' ')}; echo "exit $?" >&2; } | head -1`, process.execPath, CLI], { cwd: work, encoding: 'utf8', timeout: 60_000 });
  // The first line is the expected file's header, as a launch's keys file begins (tester AJ7).
  expect(r.stdout).toBe('game_id\n');
  expect(r.stderr).toBe('exit 0\n');
});
