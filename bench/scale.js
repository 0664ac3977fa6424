import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { oneRunLog } from './one-run.js';
import { runTimed } from './spawn-timed.js';

const MAIN_THREAD_CPU = fileURLToPath(new URL('./main-thread-cpu.cjs', import.meta.url));
// The least any Node program pays for the same file: Node's start, the read, each byte looked at once (floor.cjs).
const FLOOR = fileURLToPath(new URL('./floor.cjs', import.meta.url));
/**
 * Up to this size each round also runs status with the parse worker forced the other way from the timed run (on when
 * it read in its own thread, off when it used the worker): the sizes where the worker's threshold (64 MiB,
 * src/app/parse-worker-gate.ts PARSE_WORKER_MIN_BYTES) is decided, measured in the same idle rounds (round 19: on a
 * loaded machine the two were within the noise from 24 to 48 MB).
 */
const OTHER_WAY_MAX_BYTES = 100e6;

/**
 * Issue 14's scaling case: `status --json` on one-run logs of each size (distinct game-id keys, 15 %
 * failures, Progress every 50; see one-run.js) against `grep -c Scraped` with its output written to a
 * file, interleaved, after one warm-up of each. Checks the counts: succeeded = grep -c '✅ Scraped',
 * failed = the writer's failures, no repeated lines. Resolves one entry per size; each status run has
 * `mainCpuMs`, its main thread's CPU time (main-thread-cpu.cjs), beside wall and process CPU. `node` holds
 * `node -e 0` runs of the same rounds, `floor` runs of floor.cjs on the same log (Node's start and the file read
 * with its newlines counted: no parsing; its count is checked against the log's lines); `statusNoCa`/`nodeNoCa` the
 * pair without NODE_EXTRA_CA_CERTS (empty where it is not set); `otherWay` status runs with the parse worker forced the
 * other way (OTHER_WAY_MAX_BYTES), each with `forced` ('on' | 'off') and `auto`, the paired timed run's ms.
 */
export async function scaleRead({ dir, cli, sizes, rounds, seed, progress, made }) {
  const out = [];
  for (const bytes of sizes) {
    const mb = Math.round(bytes / 1e6);
    progress(`${mb} MB one-run log…`);
    const log = oneRunLog(dir, bytes, seed);
    made.push(log.file, log.metaFile);
    progress(`  ${log.reused ? 'reused' : `written in ${(log.ms / 1000).toFixed(1)} s`}: ${log.counts.keys.toLocaleString('en-US')} keys`);
    const cwd = mkdtempSync(join(tmpdir(), 'backfill-bench-cwd-'));
    // The floor any Node process pays here (`node -e 0`), and the same status run without NODE_EXTRA_CA_CERTS
    // (set on this machine: every Node start parses those certificates), so the table can say how much of
    // each ratio is Node's start-up rather than the read.
    const caCerts = process.env.NODE_EXTRA_CA_CERTS;
    const { NODE_EXTRA_CA_CERTS: _ca, ...envNoCa } = process.env;
    const res = { status: [], grep: [], node: [], floor: [], statusNoCa: [], nodeNoCa: [], otherWay: [] };
    let json = null;
    try {
      const n = bytes >= 1e9 ? Math.min(rounds, 3) : rounds;
      for (let round = 0; round <= n; round++) {
        progress(`  ${mb} MB: ${round === 0 ? 'warm-up' : `round ${round}/${n}`}`);
        // A long read on a loaded machine must not meet the one-shot bound (it would print a partial read).
        // Its stages say whether the parse worker ran (only when a core is free: parse-worker-client.ts coreIsFree).
        const timing = join(cwd, `timing-${round}.jsonl`);
        const machine = { load: loadavg()[0], pressure: cpuPressure() };
        const s = await runTimed(process.execPath, ['-r', MAIN_THREAD_CPU, cli, 'status', '--json', '--timeout', '86400', '--log', log.file], { cwd, env: { ...process.env, BACKFILL_TUI_TIMING: timing } });
        s.mainCpuMs = Number(/main-thread-cpu-ms (\d+)/.exec(s.stderr)?.[1] ?? Number.NaN);
        s.worker = workerRan(timing);
        s.machine = machine;
        if (s.code !== 0) throw new Error(`status exited ${s.code}: ${s.stderr.slice(0, 500)}`);
        const g = await runTimed('grep', ['-c', 'Scraped', log.file], { cwd, stdoutFile: join(cwd, 'grep.out') });
        const bare = await runTimed(process.execPath, ['-e', '0'], { cwd });
        const floor = await runTimed(process.execPath, [FLOOR, log.file], { cwd });
        if (floor.code !== 0) throw new Error(`floor.cjs exited ${floor.code}: ${floor.stderr.slice(0, 500)}`);
        const forced = s.worker ? 'off' : 'on';
        const other = bytes <= OTHER_WAY_MAX_BYTES ? await runTimed(process.execPath, [cli, 'status', '--json', '--timeout', '86400', '--log', log.file], { cwd, env: { ...process.env, BACKFILL_TUI_PARSE_WORKER: forced } }) : null;
        if (other && other.stdout !== s.stdout) throw new Error(`status with the parse worker ${forced} printed other figures at ${mb} MB`);
        const sNoCa = caCerts ? await runTimed(process.execPath, [cli, 'status', '--json', '--timeout', '86400', '--log', log.file], { cwd, env: envNoCa }) : null;
        const nNoCa = caCerts ? await runTimed(process.execPath, ['-e', '0'], { cwd, env: envNoCa }) : null;
        json = JSON.parse(s.stdout);
        if (sNoCa && sNoCa.stdout !== s.stdout) throw new Error(`status without NODE_EXTRA_CA_CERTS printed other figures at ${mb} MB`);
        if (round > 0) {
          res.status.push(s);
          res.grep.push(g);
          res.node.push(bare);
          res.floor.push(floor);
          if (other) res.otherWay.push({ ...other, forced, auto: s.ms });
          if (sNoCa && nNoCa) {
            res.statusNoCa.push(sNoCa);
            res.nodeNoCa.push(nNoCa);
          }
        }
      }
      const grepCount = Number(res.grep[0].stdout.trim());
      const run = json.run;
      const problems = [];
      if (run.succeeded !== grepCount) problems.push(`succeeded ${run.succeeded} ≠ grep ${grepCount}`);
      if (run.failed !== log.counts.failed) problems.push(`failed ${run.failed} ≠ written ${log.counts.failed}`);
      if (run.duplicateLines !== 0) problems.push(`${run.duplicateLines} lines taken as repeats`);
      if (json.runs.length !== 0) problems.push(`${json.runs.length} earlier runs found in a one-run log`);
      // The floor read every byte: its newlines are the lines one-run.js wrote (its four header lines, one per key,
      // one per Progress).
      const lines = Number(res.floor[0].stdout.trim());
      const written = 4 + log.counts.keys + log.counts.progress;
      if (lines !== written) problems.push(`floor.cjs counted ${lines} lines ≠ written ${written}`);
      const check = problems.length ? `MISMATCH: ${problems.join('; ')}` : `OK: succeeded ${run.succeeded} = grep -c Scraped; failed ${run.failed} as written; 0 repeats; floor.cjs ${lines} lines as written`;
      out.push({ bytes, keys: log.counts.keys, ...res, check, ok: problems.length === 0 });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }
  return out;
}

/** Whether the status run whose stages are in `file` read its history in the parse worker. */
function workerRan(file) {
  try {
    return readFileSync(file, 'utf8').includes('"parse worker started"');
  } catch {
    return false;
  }
}

/** `some avg10` of /proc/pressure/cpu (per cent of the last 10 s some thread waited for a CPU), or null. */
function cpuPressure() {
  try {
    return Number(/^some avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'latin1'))?.[1] ?? Number.NaN);
  } catch {
    return null;
  }
}
