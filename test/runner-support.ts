/**
 * Shared helpers for the runner tests: temp dirs, tiny node scripts used as the child, waiting on conditions
 * with deadlines (never fixed sleeps), the runner bundled for separate processes, and cleanup of every child.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { isAlive, procStartOf } from '../src/runner/proc.js';

const dirs: string[] = [];
const procs: Array<{ pid: number; procStart: number | null }> = [];

/** A fresh temp dir, removed by cleanup(). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'runner-test-'));
  chmodSync(dir, 0o755); // readable by the unprivileged child of the read-only test
  dirs.push(dir);
  return dir;
}

/** Remembers a process so cleanup() kills it (and its group) if it is still alive. */
export function track(pid: number | null | undefined): void {
  if (pid) procs.push({ pid, procStart: procStartOf(pid) });
}

/** Kills every tracked process still alive (checked by start time, so never a reused pid) and removes temp dirs. */
export function cleanup(): void {
  for (const { pid, procStart } of procs.splice(0)) {
    if (!isAlive(pid, procStart)) continue;
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // not a group leader, or already gone
      }
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Resolves once `cond()` is truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(cond: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** File text, '' when missing. */
export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * A child that prints `ready`, waits for GATE (if given) to exist, then prints `line i/N` every 20 ms and exits 0.
 * Writes go straight to fd 1, the log.
 */
export const LINES_SCRIPT = `
import { existsSync, writeSync } from 'node:fs';
const [n, every, gate] = [Number(process.argv[2] ?? 10), Number(process.argv[3] ?? 20), process.argv[4]];
writeSync(1, 'ready\\n');
let i = 0;
const tick = () => { i++; writeSync(1, 'line ' + i + '/' + n + '\\n'); if (i < n) setTimeout(tick, every); };
const wait = () => (gate && !existsSync(gate) ? setTimeout(wait, 10) : tick());
wait();
`;

/**
 * A child that ignores the signals named in argv[2] (comma list, may be empty), prints `ready pid`, and lives
 * until killed. With argv[3] = 'fork' it first starts a grandchild doing the same, sharing its stdout and group.
 */
export const STUBBORN_SCRIPT = `
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';
const ignore = (process.argv[2] ?? '').split(',').filter(Boolean);
for (const sig of ignore) process.on(sig, () => writeSync(1, 'got ' + sig + ' ' + process.pid + '\\n'));
if (process.argv[3] === 'fork') spawn(process.execPath, [process.argv[1], process.argv[2]], { stdio: ['ignore', 'inherit', 'inherit'] });
setInterval(() => {}, 1000);
writeSync(1, 'ready ' + process.pid + '\\n');
`;

/** Writes a script into `dir` and returns its path. */
export function writeScript(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Bundles a TypeScript entry (importing src/runner) into one .mjs a plain `node` can run. */
export function bundle(dir: string, name: string, source: string): string {
  const entry = writeScript(dir, `${name}.ts`, source);
  const outfile = join(dir, `${name}.mjs`);
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'error' });
  return outfile;
}

/** Absolute path of a runner module, for bundled sources to import. */
export function runnerModule(name: string): string {
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '../src/runner', `${name}.ts`);
}

/** Spawns `node script args` as a plain, tracked child with piped stdio. */
export function node(script: string, args: string[] = [], opts: Parameters<typeof spawn>[2] = {}): ChildProcess {
  const child = spawn(process.execPath, [script, ...args], { stdio: 'pipe', ...opts });
  track(child.pid);
  return child;
}

/** The pid of a process that has already exited (it may be reused later; tests only need it dead now). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const pid = child.pid!;
  await new Promise((r) => child.once('exit', r));
  return pid;
}

/** Collects a child's stdout as text. */
export function stdoutOf(child: ChildProcess): () => string {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  return () => out;
}
