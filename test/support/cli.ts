import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { assertFreshDist } from './dist.js';

/**
 * The built CLI as installed: the `bin` launcher, which runs the one-shot commands from the code-cached
 * CommonJS bundle and every other command from the ES-module CLI (src/bin.ts). `npm test` builds first; a
 * stale one fails here, before any test runs it.
 */
export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/src/bin.cjs');
/** The ES-module CLI the launcher hands the other commands to (for tests of that path itself). */
export const ESM_CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/src/cli.js');
assertFreshDist();

/** Runs the built CLI to completion: its exit code and output. */
export function runCli(args: string[], opts: { cwd: string; env?: Record<string, string> }): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the built CLI asynchronously (for commands that take a while, without blocking the test's event loop). */
export function runCliAsync(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Text `status` output with its wrapped lines joined again (each line is wrapped at a space within 80 columns, the
 * rest hanging under its text): for a test that looks for a long line's words, not where the line breaks fell.
 * A line that is its own line but starts indented is joined too: look for words within one fact.
 */
export function unwrapped(text: string): string {
  return text.replace(/\n {10,}/g, ' ');
}
