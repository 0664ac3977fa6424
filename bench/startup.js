import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { oneRunLog } from './one-run.js';
import { runTimed } from './spawn-timed.js';
import { sleep, stagesOf } from './stats.js';

/**
 * Start-up on a real-size log (one run of about 2,000 game ids, 150 KB): `status --json` against
 * `node -e 0`, interleaved, and the dashboard's first frame in a pseudo-terminal (`script`), measured
 * from spawn to the first screen that shows its key bar. The stages (see src/startup-timing.ts: Node ready,
 * bundle loaded, command loaded, config read, then output written (status) or first frame and log read
 * (dashboard)) come from runs with BACKFILL_TUI_TIMING set: for status, runs of their own in the same rounds,
 * so the timed row is the command alone (the marks' clock loads Node's perf_hooks, ~1 % of its instructions).
 */
export async function startupStages({ cli, dir, runs, made }) {
  const log = oneRunLog(dir, 150e3, 11);
  made.push(log.file, log.metaFile);
  const cwd = mkdtempSync(join(tmpdir(), 'backfill-bench-start-'));
  const timing = join(cwd, 'timing.jsonl');
  const env = { ...process.env, BACKFILL_TUI_TIMING: timing };
  const { BACKFILL_TUI_TIMING: _timing, ...plain } = process.env;
  // The same command through the ES-module CLI (dist/src/cli.js, no code cache): the way status started before
  // the launcher, measured beside it in the same rounds.
  const esmCli = join(dirname(cli), 'cli.js');
  // NODE_EXTRA_CA_CERTS (set on some machines, this one included) makes every Node process parse those certificates
  // at start: tens of ms that `node -e 0` and status both pay. Without it, the same pair shows the ratio a machine
  // without that variable sees.
  const caCerts = process.env.NODE_EXTRA_CA_CERTS;
  // (No BACKFILL_TUI_TIMING either: the stages are the first pair's.)
  const { NODE_EXTRA_CA_CERTS: _, ...envNoCa } = process.env;
  const res = { logBytes: log.bytes, keys: log.counts.keys, status: [], esm: [], node: [], frame: [], caCerts: caCerts ?? null, statusNoCa: [], nodeNoCa: [] };
  try {
    for (let round = 0; round <= runs; round++) {
      const s = await runTimed(process.execPath, [cli, 'status', '--json', '--log', log.file], { cwd, env: plain });
      if (s.code !== 0) throw new Error(`status exited ${s.code}: ${s.stderr.slice(0, 300)}`);
      // Its stages, from a run of its own (not in the timed row).
      await runTimed(process.execPath, [cli, 'status', '--json', '--log', log.file], { cwd, env });
      const n = await runTimed(process.execPath, ['-e', '0'], { cwd });
      const e = await runTimed(process.execPath, [esmCli, 'status', '--json', '--log', log.file], { cwd });
      const f = await firstFrame(cli, log.file, cwd, env);
      const sNoCa = caCerts ? await runTimed(process.execPath, [cli, 'status', '--json', '--log', log.file], { cwd, env: envNoCa }) : null;
      const nNoCa = caCerts ? await runTimed(process.execPath, ['-e', '0'], { cwd, env: envNoCa }) : null;
      if (round > 0) {
        res.status.push(s);
        res.esm.push(e);
        res.node.push(n);
        res.frame.push(f);
        if (sNoCa && nNoCa) {
          res.statusNoCa.push(sNoCa);
          res.nodeNoCa.push(nNoCa);
        }
      }
    }
    const records = readFileSync(timing, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // Every process wrote one line; the warm-up round's two are dropped.
    const statusRecords = records.filter((r) => r.marks.some(([m]) => m === 'output written')).slice(1);
    res.stages = { status: stagesOf(statusRecords, { bootstrap: true }), dashboard: stagesOf(records.filter((r) => r.marks.some(([m]) => m === 'first frame')).slice(1), { bootstrap: true }) };
    // Whether V8 took the code cache in each status run ('accepted'; 'rejected' or 'absent' would explain a slow row).
    res.codeCache = [...new Set(statusRecords.map((r) => r.codeCache ?? 'none (not through the launcher)'))].join(', ');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return res;
}

/** Spawn to the first frame (a screen showing `q quit`) of the dashboard in an 80×24 pty; then `q`. */
export async function firstFrame(cli, log, cwd, env) {
  const linesBefore = (file) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('first frame')).length : 0);
  const before0 = linesBefore(env.BACKFILL_TUI_TIMING);
  const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
  const started = performance.now();
  const child = spawn('script', ['-qfc', `stty cols 80 rows 24; exec ${quote(process.execPath)} ${quote(cli)} --log ${quote(log)}`, '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'ignore'] });
  let text = '';
  let at = null;
  const shown = new Promise((resolve) => {
    child.stdout.on('data', (d) => {
      text += d.toString('utf8');
      if (at === null && text.includes('quit')) {
        at = performance.now() - started;
        resolve();
      }
    });
    child.on('close', resolve);
  });
  const deadline = sleep(30_000);
  await Promise.race([shown, deadline]);
  // Let the history read finish so its timing line is written (bounded), then leave with `q`.
  const lines = () => (existsSync(env.BACKFILL_TUI_TIMING) ? readFileSync(env.BACKFILL_TUI_TIMING, 'utf8').split('\n').filter((l) => l.includes('first frame')).length : 0);
  const before = before0;
  for (let i = 0; i < 200 && lines() <= before; i++) await sleep(25);
  child.stdin.write('q');
  const closed = new Promise((resolve) => child.on('close', resolve));
  await Promise.race([closed, sleep(5_000)]);
  if (existsSync(`/proc/${child.pid}`)) child.kill('SIGTERM');
  if (at === null) throw new Error(`no first frame within 30 s: ${JSON.stringify(text.slice(-300))}`);
  return { ms: at };
}
