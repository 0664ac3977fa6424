import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from './cli.js';

/**
 * What V8 prints with `--print-bytecode` for the functions `filter` names while the built CLI runs `status --json` on
 * `log` (the parse worker `worker`: on or off), and the run's exit code. Into a file: V8 prints through C's stdio,
 * which drops what a full non-blocking pipe refuses (Node's child pipes are). Another V8 flag: the shipped code cache is
 * refused and a user cache made, here in `dir` and not in the user's folder.
 */
export async function printedBytecode(dir: string, log: string, filter: string, worker: 'on' | 'off'): Promise<{ code: number; text: string }> {
  const env = { ...process.env, BACKFILL_TUI_PARSE_WORKER: worker, XDG_CACHE_HOME: join(dir, 'cache') };
  const args = ['--print-bytecode', `--print-bytecode-filter=${filter}`, CLI, 'status', '--json', '--log', log];
  const out = join(dir, 'bytecode.txt');
  const fd = openSync(out, 'w');
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', fd, 'ignore'] });
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? -1));
  });
  closeSync(fd);
  return { code, text: readFileSync(out, 'utf8') };
}
