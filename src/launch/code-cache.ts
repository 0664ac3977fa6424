import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { type CachePlan, writeUserCache } from './cache-place.js';
import { LAUNCH_INFO, type LaunchInfo } from './launch-info.js';

/**
 * Runs a CommonJS bundle, written as one function expression taking CommonJS's module arguments, compiled with
 * V8's code cache: the bytecode of every function a run used, saved by
 * an earlier run (`writeCacheTo`), so this run neither parses nor compiles them (about a fifth of a short
 * `status`; Node 20 has no compile cache of its own for ES modules, module.enableCompileCache is 22.1+).
 *
 * A cache V8 cannot use is ignored and the bundle compiled from source, with the same result: V8 rejects
 * data from another V8 version, other flags or a source of another length, and with
 * `--verify-snapshot-checksum` (set here for the compile that reads a cache and for the one that makes it, and
 * cleared in between) also data whose bytes were damaged. Without that flag a release build of V8 trusts the bytes and can crash on a damaged
 * file. A missing or unreadable cache file is the same as none. Which cache is read: cache-place.ts.
 */
/** Marks only for `npm run bench` (BACKFILL_TUI_TIMING): the global `performance` loads Node's perf_hooks. */
const timing = Boolean(process.env.BACKFILL_TUI_TIMING);

function mark(info: LaunchInfo, stage: string): void {
  if (!timing) return;
  const cpu = process.cpuUsage();
  info.marks.push([stage, Math.round(performance.now() * 10) / 10, Math.round((cpu.user + cpu.system) / 100) / 10]);
}

const CHECKSUM = '--verify-snapshot-checksum';
const NO_CHECKSUM = '--no-verify-snapshot-checksum';

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Compiles `file` (the one-shot bundle) with the code cache `plan.read` when V8 accepts it, then runs it.
 * With `learn`, when that cache is refused or missing the user's cache (`plan.write`, see cache-place.ts) is
 * written as the process exits, from what this run compiled. With `writeCacheTo` (the build, once, on a small
 * job) no cache is read and the cache of the run is written there instead. `beforeRun` is called between the compile
 * and the run.
 */
export function runWithCodeCache(file: string, plan: CachePlan, opts: { bundleId: string; learn: boolean; writeCacheTo?: string; beforeRun?: () => void }): LaunchInfo {
  const place = opts.writeCacheTo ? null : plan.read;
  const info: LaunchInfo = { codeCache: 'absent', cacheKind: place?.kind ?? 'none', marks: [] };
  (globalThis as Record<symbol, unknown>)[LAUNCH_INFO] = info;
  mark(info, 'launcher');
  setFlagsFromString(CHECKSUM);
  // The build makes the bundle pure ASCII (scripts/build.mjs checks): Latin-1 reads it as it is, in a third of
  // the time UTF-8 decoding takes.
  const source = readFileSync(file, 'latin1');
  const cachedData = place ? readOrUndefined(place.file) : undefined;
  // The bundle is one function expression, `(function (exports, require, module, __filename, __dirname) {…})`
  // (scripts/build.mjs): compiled as it is read, with no wrapped copy.
  const script = new Script(source, { filename: file, cachedData });
  // Back to V8's default at once: Node's own modules loaded from here on (vm, fs/promises, …) come with code
  // caches made under the default flags, which V8 refuses under any other flag: each would be compiled from
  // its source instead (a sixth of what `status --json` costs beyond `node -e 0`).
  setFlagsFromString(NO_CHECKSUM);
  if (cachedData) info.codeCache = script.cachedDataRejected ? 'rejected' : 'accepted';
  mark(info, 'bundle compiled');
  const out = opts.writeCacheTo ?? (opts.learn && info.codeCache !== 'accepted' ? plan.write : null);
  if (out) {
    const forBuild = opts.writeCacheTo !== undefined;
    process.once('exit', () => {
      // Made under the flag it is read under (V8 stores the flags' hash and, with this one, a checksum).
      setFlagsFromString(CHECKSUM);
      const data = script.createCachedData();
      if (forBuild) writeAtomic(out, data);
      else writeUserCache(out, data, opts.bundleId);
    });
  }
  // Once V8's flags are back to their default and before the bundle runs: what starts here (the parse worker) loads
  // beside the CLI's own load.
  opts.beforeRun?.();
  const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  const module = { exports: {} };
  // The launcher's own require: the bundle sits beside it, so both resolve the same packages.
  run(module.exports, require, module, file, dirname(file));
  return info;
}

/** The build's cache: written atomically, and a failure fails the build. */
function writeAtomic(file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
