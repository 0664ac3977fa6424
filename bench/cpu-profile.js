import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTimed } from './spawn-timed.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs `status --json --log FILE` under `node --cpu-prof` and sums self time per function and per
 * file from the .cpuprofile (each sample gets the time until the next one, as DevTools counts it).
 */
export async function profileStatus({ cli, file, top = 15 }) {
  const dir = mkdtempSync(join(tmpdir(), 'backfill-bench-prof-'));
  try {
    const r = await runTimed(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, cli, 'status', '--json', '--log', file], { cwd: dir });
    if (r.code !== 0) throw new Error(`profiled status exited ${r.code}: ${r.stderr.slice(0, 300)}`);
    const name = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    return { wallMs: r.ms, ...summarise(JSON.parse(readFileSync(join(dir, name), 'utf8')), top) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function summarise(profile, top) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const us = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + us);
  }
  const fns = new Map();
  const files = new Map();
  let totalUs = 0;
  for (const [id, us] of self) {
    const f = byId.get(id).callFrame;
    const where = place(f.url);
    const fn = `${f.functionName || '(anonymous)'} ${where ? `${where}:${f.lineNumber + 1}` : ''}`.trim();
    fns.set(fn, (fns.get(fn) ?? 0) + us);
    const group = where || f.functionName;
    files.set(group, (files.get(group) ?? 0) + us);
    totalUs += us;
  }
  const rank = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, ms: us / 1000, percent: (us / totalUs) * 100 }));
  return { totalMs: totalUs / 1000, functions: rank(fns), files: rank(files) };
}

/** A frame's URL, short: repo-relative for our files, `node:…` for Node's own. */
function place(url) {
  if (!url) return '';
  if (url.startsWith('file://')) {
    const rel = relative(ROOT, fileURLToPath(url));
    return rel.startsWith('..') ? fileURLToPath(url) : rel;
  }
  return url;
}
