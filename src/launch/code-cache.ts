import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { LAUNCH_INFO, type LaunchInfo } from './launch-info.js';

/**
 * Runs a CommonJS bundle compiled with V8's code cache: the bytecode of every function a run used, saved by
 * an earlier run (`writeCacheTo`), so this run neither parses nor compiles them (about a fifth of a short
 * `status`; Node 20 has no compile cache of its own for ES modules, module.enableCompileCache is 22.1+).
 *
 * A cache V8 cannot use is ignored and the bundle compiled from source, with the same result: V8 rejects
 * data from another V8 version, other flags or a source of another length, and with
 * `--verify-snapshot-checksum` (set here before every compile that makes or reads a cache) also data whose
 * bytes were damaged. Without that flag a release build of V8 trusts the bytes and can crash on a damaged
 * file. A missing or unreadable cache file is the same as none.
 */
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) {';
const WRAP_TAIL = '\n})';

/** Marks only for `npm run bench` (BACKFILL_TUI_TIMING): the global `performance` loads Node's perf_hooks. */
const timing = Boolean(process.env.BACKFILL_TUI_TIMING);

function mark(info: LaunchInfo, stage: string): void {
  if (!timing) return;
  const cpu = process.cpuUsage();
  info.marks.push([stage, Math.round(performance.now() * 10) / 10, Math.round((cpu.user + cpu.system) / 100) / 10]);
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Compiles `file` (a CommonJS bundle) with the code cache in `cacheFile` when V8 accepts it, then runs it.
 * With `writeCacheTo`, the code cache of everything the run compiled is written there (atomically) when the
 * process exits: the build does that once on a small log.
 */
export function runWithCodeCache(file: string, cacheFile: string, opts: { writeCacheTo?: string } = {}): LaunchInfo {
  const info: LaunchInfo = { codeCache: 'absent', marks: [] };
  (globalThis as Record<symbol, unknown>)[LAUNCH_INFO] = info;
  mark(info, 'launcher');
  setFlagsFromString('--verify-snapshot-checksum');
  // The build makes the bundle pure ASCII (scripts/build.mjs checks): Latin-1 reads it as it is, in a third of
  // the time UTF-8 decoding takes.
  const source = readFileSync(file, 'latin1');
  const cachedData = opts.writeCacheTo ? undefined : readOrUndefined(cacheFile);
  const script = new Script(WRAP_HEAD + source + WRAP_TAIL, { filename: file, cachedData });
  if (cachedData) info.codeCache = script.cachedDataRejected ? 'rejected' : 'accepted';
  mark(info, 'bundle compiled');
  if (opts.writeCacheTo) {
    const out = opts.writeCacheTo;
    process.once('exit', () => {
      const tmp = `${out}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, out);
      } catch (err) {
        rmSync(tmp, { force: true });
        throw err;
      }
    });
  }
  const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  const module = { exports: {} };
  // The launcher's own require: the bundle sits beside it, so both resolve the same packages.
  run(module.exports, require, module, file, dirname(file));
  return info;
}
