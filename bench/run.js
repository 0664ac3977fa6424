/**
 * `npm run bench`: measures and prints; never passes or fails. Run after the build (imports dist/).
 * Flags: --quick (100 MB instead of 1 GB, one-run scaling up to 80 MB, 3 rounds, 5 s of appends, 15 s
 * idle), --keep (keep the generated logs in .bench/ for the next run to reuse), --no-profile,
 * --only read,scale,startup,demo,append,idle,coverage, --rounds N, --scale-mb 20,80 (one-run sizes in MB),
 * --out FILE (default bench/results.md; .bench/results-quick.md with --quick), --dir DIR (where the
 * generated logs go, default $TMPDIR/backfill-tui-bench: never the repo; the 1 GB logs need about 2.5 GB).
 */
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './machine.js';
import { renderReport } from './report.js';
import { fmtSize } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// What `npx backfill-tui` runs: the launcher (one-shot commands from the code-cached bundle, the rest from dist/src/cli.js).
const CLI = join(ROOT, 'dist/src/bin.cjs');
const SEED = 20251126;

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const quick = flag('--quick');
const WORK = value('--dir') ?? join(tmpdir(), 'backfill-tui-bench');
const only = new Set((value('--only') ?? 'read,scale,startup,demo,append,idle,coverage').split(','));
const plan = {
  quick,
  sizes: [quick ? 100e6 : 1e9, 10e6],
  // Issue 14: one run of distinct game-id keys at each size (20 MB ≈ 270 k keys, 80 MB ≈ 1.1 M).
  scaleSizes: value('--scale-mb') ? value('--scale-mb').split(',').map((mb) => Number(mb) * 1e6) : quick ? [20e6, 80e6] : [20e6, 80e6, 200e6, 1e9],
  startupRuns: quick ? 5 : 11,
  demoRuns: quick ? 3 : 7,
  // The append bench again while the run already holds about a million keys (the 80 MB one-run log).
  appendHeld: 80e6,
  rounds: Number(value('--rounds') ?? (quick ? 3 : 5)),
  appendRate: 1000,
  appendSeconds: quick ? 5 : 10,
  idleSettleMs: 3000,
  idleMs: quick ? 15_000 : 60_000,
  mathRuns: 7,
  gcs: [
    { n: 853, runs: 7 },
    { n: 100_000, runs: quick ? 3 : 5 },
  ],
};
const out = value('--out') ?? (quick ? join(ROOT, '.bench', 'results-quick.md') : join(ROOT, 'bench/results.md'));

const started = performance.now();
const say = (msg) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);

/** Runs one section; a failure is reported in its place and the other sections still run. */
async function section(name, fn) {
  try {
    return await fn();
  } catch (err) {
    say(`${name} FAILED: ${err?.stack ?? err}`);
    return { error: String(err?.message ?? err) };
  }
}

if (!existsSync(CLI)) {
  process.stderr.write('bench: dist/src/bin.cjs is missing; run `npm run build` (or `npm run bench`, which builds first)\n');
  process.exit(1);
}
const machine = machineInfo();
mkdirSync(WORK, { recursive: true });
const made = [];
const results = { plan, machine };

try {
  const { writeSyntheticLog } = await import('../dist/src/sim/synthetic-log.js');
  const { syntheticLog, completeLogFrom, oneRunLogFrom } = await import('./logs.js');
  const logs = [];
  if (only.has('read') || only.has('idle')) {
    for (const bytes of plan.sizes) {
      say(`log of ${fmtSize(bytes)} (seed ${SEED})…`);
      const log = await syntheticLog(WORK, `log-${fmtSize(bytes).replace(' ', '')}`, bytes, SEED, writeSyntheticLog);
      made.push(log.file, log.metaFile);
      say(`  ${log.reused ? 'reused' : `written in ${(log.ms / 1000).toFixed(1)} s`}: ${log.counts.lines} lines, ${log.counts.runs} runs`);
      logs.push(log);
    }
  }

  if (only.has('read')) {
    const { readVsGrep, startupCost } = await import('./read-vs-grep.js');
    say('startup: status on an empty log vs node -e 0…');
    results.startup = await section('startup', () => startupCost({ cli: CLI, runs: plan.rounds }));
    const { HISTORY_LIMIT } = await import('../dist/src/state/apply-lines.js');
    results.read = [];
    for (const log of logs) {
      const size = fmtSize(log.bytes);
      const r = await section(`read ${size}`, () =>
        readVsGrep({ file: log.file, runs: plan.rounds, cli: CLI, counts: log.counts, historyLimit: HISTORY_LIMIT, progress: (s) => say(`${size} status/grep/wc: ${s}`) }),
      );
      results.read.push({ size, bytes: log.bytes, ...r });
    }
    // The worst case: the same lines as one run that never ends, so the whole file must be read.
    const bigLog = logs[0];
    const size = fmtSize(bigLog.bytes);
    const oneRunFile = join(WORK, `one-run-${size.replace(' ', '')}.log`);
    made.push(oneRunFile);
    say(`${size} as one run (banners, COMPLETE and summaries dropped with grep -v)…`);
    const oneRun = await section(`read ${size} one run`, async () => {
      await oneRunLogFrom(bigLog.file, oneRunFile);
      const counts = { failed: bigLog.counts.failed, runs: 1 };
      return readVsGrep({ file: oneRunFile, runs: plan.rounds, cli: CLI, counts, historyLimit: HISTORY_LIMIT, progress: (s) => say(`${size} one run status/grep/wc: ${s}`) });
    });
    results.read.splice(1, 0, { size, bytes: bigLog.bytes, oneRun: true, ...oneRun });
    if (!flag('--no-profile') && oneRun?.status) {
      say(`profiling status on the ${size} one-run log…`);
      const { profileStatus } = await import('./cpu-profile.js');
      results.profile = await section('profile', async () => ({ size: `${size}, one run`, ...(await profileStatus({ cli: CLI, file: oneRunFile })) }));
    }
  }

  if (only.has('scale')) {
    const { scaleRead } = await import('./scale.js');
    results.scale = await section('scale', () => scaleRead({ dir: WORK, cli: CLI, sizes: plan.scaleSizes, rounds: plan.rounds, seed: SEED, progress: say, made }));
  }

  if (only.has('startup')) {
    say('start-up stages on a 150 KB one-run log: status --json, node -e 0, dashboard first frame…');
    const { startupStages } = await import('./startup.js');
    results.stages = await section('startup', () => startupStages({ cli: CLI, dir: WORK, runs: plan.startupRuns, made }));
  }

  if (only.has('demo')) {
    say('npm run demo: spawn to the overview and to its first figures, vs node -e 0…');
    const { demoStart } = await import('./demo-start.js');
    results.demo = await section('demo', () => demoStart({ root: ROOT, runs: plan.demoRuns }));
  }

  if (only.has('append')) {
    say(`append-to-state: ${plan.appendRate} lines/s for ${plan.appendSeconds} s…`);
    const { appendLatency } = await import('./append-latency.js');
    const file = join(WORK, 'append.log');
    made.push(file);
    results.append = await section('append', () => appendLatency({ file, rate: plan.appendRate, seconds: plan.appendSeconds }));
    const { oneRunLog } = await import('./one-run.js');
    const held = oneRunLog(WORK, plan.appendHeld, SEED);
    made.push(held.file, held.metaFile);
    say(`append-to-state again, the run already holding ${held.counts.keys.toLocaleString('en-US')} keys…`);
    results.appendHeld = await section('append held', () => appendLatency({ file, rate: plan.appendRate, seconds: plan.appendSeconds, prefill: held.file }));
  }

  if (only.has('idle')) {
    const file = completeLogFrom(logs[logs.length - 1].file, join(WORK, 'complete.log'));
    made.push(file);
    say(`idle dashboard: settle ${plan.idleSettleMs / 1000} s, then ${plan.idleMs / 1000} s of CPU…`);
    const { idleCpu } = await import('./idle-cpu.js');
    results.idle = await section('idle', () => idleCpu({ cli: CLI, log: file, settleMs: plan.idleSettleMs, measureMs: plan.idleMs }));
  }

  if (only.has('coverage')) {
    process.env.METADATA_SERVER_DETECTION ??= 'none';
    const { coverageMath, gcsListing } = await import('./coverage.js');
    say('coverage math and GCS listings…');
    results.math = await section('coverage math', () => coverageMath({ n: 100_000, runs: plan.mathRuns }));
    results.gcs = [];
    for (const g of plan.gcs) results.gcs.push({ n: g.n, ...(await section(`gcs ${g.n}`, () => gcsListing(g))) });
  }
} finally {
  if (!flag('--keep')) {
    const { removeFiles } = await import('./logs.js');
    removeFiles(made);
    try {
      rmdirSync(WORK);
    } catch {
      // not empty (kept files, others' files): leave it.
    }
  }
}

const { table, markdown } = renderReport(results);
process.stdout.write(`\n${table}\n`);
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, markdown);
say(`done; figures written to ${out}`);
// The storage client may keep sockets in its agent's pool for a while; nothing else is left running.
process.exit(0);
