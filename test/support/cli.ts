import { spawn, spawnSync } from 'node:child_process';
import stringWidth from 'string-width';
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

/**
 * Runs the built CLI asynchronously (for commands that take a while, without blocking the test's event loop).
 * `deadlineMs`: killed (SIGKILL) if still running then, its code -1: for a run that would otherwise hang.
 */
export function runCliAsync(args: string[], opts: { cwd: string; env?: Record<string, string>; deadlineMs?: number }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    const deadline = opts.deadlineMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), opts.deadlineMs);
    child.on('close', () => deadline && clearTimeout(deadline));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Text `status` output with its wrapped lines joined again, for a test that looks for a long line's words, not where
 * its breaks fell. Text status wraps a line longer than `width` at a space (eating the spaces there) with a hanging
 * indent of 10 or more, cuts a word longer than a line where the line is full (a cut word's pieces each fill a line
 * alone), and puts a path longer than a hung row on a row of its own hung less: a line that continues another is one
 * whose first word would not have fitted after it, or one after a line ending in ` ·` (an item moved down whole), or
 * such a path, joined with one space, or with none after a full line that is one piece of a word.
 */
export function unwrapped(text: string, width = 80): string {
  const out: string[] = [];
  // The physical line each joined line ends with: the one a wrap would have filled.
  let last = '';
  for (const line of text.split('\n')) {
    // A word longer than a hung row (a path, a URL, cut to the width) on a row of its own, hung less, its end at the
    // width (format.ts wrapMeasured): it continues the line before, and is taken to end its line (it ends the lines
    // status writes with one: `waiting  LOG`, `… not found: PATH`).
    const hungLess = (l: string) => stringWidth(l) === width && /^ {1,9}\S+$/.test(l);
    const m = /^( {10,})(\S+)/.exec(line);
    // A word cut where the row ended (format.ts wrapMeasured): joined with no space.
    const piece = stringWidth(last) === width && /^\s*\S+$/.test(last);
    // Or after a line ending in ` ·`: an item joined by ` · ` goes down whole where it fits (wrapMeasured).
    if (out.length && hungLess(line)) out[out.length - 1] += ` ${line.trimStart()}`;
    else if (out.length && m && !hungLess(last) && (stringWidth(last) + 1 + stringWidth(m[2]) > width || / ·$/.test(last))) out[out.length - 1] += `${piece ? '' : ' '}${line.slice(m[1].length)}`;
    else out.push(line);
    last = line;
  }
  return out.join('\n');
}
