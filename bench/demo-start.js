import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runTimed } from './spawn-timed.js';
import { sleep, stagesOf } from './stats.js';

/**
 * `npm run demo` as typed by an operator whose dist/ is built (issue 14 item 3: every later run reaches the first
 * frame within 2 s): in an 80×24 pty (`script`), from spawn to the overview's title (`· 6 jobs`) on screen, and on
 * to the first storage figures (`NN.N % · 95 %`: the set-up laid out, the sources read). `node -e 0` is the peer,
 * interleaved. Each demo's stages (BACKFILL_TUI_TIMING: demo loaded, planned, views loaded, first frame, set-up
 * done, logs read) are kept; each demo directory (about 13,000 key folders) is removed after its round.
 */
export async function demoStart({ root, runs }) {
  const cwd = mkdtempSync(join(tmpdir(), 'backfill-bench-demo-'));
  const timing = join(cwd, 'timing.jsonl');
  const res = { frame: [], figures: [], node: [] };
  try {
    for (let round = 0; round <= runs; round++) {
      const n = await runTimed(process.execPath, ['-e', '0'], { cwd });
      const d = await oneDemo(root, { ...process.env, BACKFILL_TUI_TIMING: timing });
      if (round > 0) {
        res.node.push(n);
        res.frame.push(d.frameMs);
        res.figures.push(d.figuresMs);
      }
    }
    const records = existsSync(timing) ? readFileSync(timing, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.marks.some(([m]) => m === 'demo loaded')) : [];
    res.stages = stagesOf(records.slice(1));
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return res;
}

/** One `npm run demo` in a pty: ms to the overview, ms to the first figures; then `q`, and its directory removed. */
async function oneDemo(root, env) {
  const started = performance.now();
  const child = spawn('script', ['-qfc', `stty cols 80 rows 24; exec npm run demo --silent`, '/dev/null'], { cwd: root, env, stdio: ['pipe', 'pipe', 'ignore'] });
  let text = '';
  let frameMs = null;
  let figuresMs = null;
  const seen = new Promise((resolve) => {
    child.stdout.on('data', (d) => {
      text += d.toString('utf8');
      if (frameMs === null && text.includes('6 jobs')) frameMs = performance.now() - started;
      if (figuresMs === null && /\d+\.\d % · 95 %/.test(text)) {
        figuresMs = performance.now() - started;
        resolve();
      }
    });
    child.on('close', resolve);
  });
  await Promise.race([seen, sleep(60_000)]);
  // Its timing line is written once every log is read (bounded), then `q`.
  const lines = () => (existsSync(env.BACKFILL_TUI_TIMING) ? readFileSync(env.BACKFILL_TUI_TIMING, 'utf8').split('\n').length : 0);
  const before = lines();
  for (let i = 0; i < 200 && lines() === before; i++) await sleep(25);
  child.stdin.write('q');
  const closed = new Promise((resolve) => child.on('close', resolve));
  await Promise.race([closed, sleep(10_000)]);
  if (existsSync(`/proc/${child.pid}`)) child.kill('SIGTERM');
  const dir = /demo directory: (\S+)/.exec(text)?.[1];
  if (dir && dir.startsWith(tmpdir())) rmSync(dir, { recursive: true, force: true });
  if (frameMs === null || figuresMs === null) throw new Error(`npm run demo: no overview with figures within 60 s: ${JSON.stringify(text.slice(-300))}`);
  return { frameMs, figuresMs };
}
