import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTimed } from './spawn-timed.js';

/**
 * Times `status --json --log FILE` against `grep -c Scraped FILE` and `wc -l FILE`: one warm-up of each
 * (so the page cache is warm for all three), then `runs` rounds interleaved status, grep, wc.
 * Runs from an empty temporary working directory so no config file is picked up.
 */
export async function readVsGrep({ file, runs, cli, counts, historyLimit, progress }) {
  const cwd = mkdtempSync(join(tmpdir(), 'backfill-bench-cwd-'));
  const cmds = {
    status: [process.execPath, [cli, 'status', '--json', '--log', file]],
    grep: ['grep', ['-c', 'Scraped', file]],
    wc: ['wc', ['-l', file]],
  };
  const res = { status: [], grep: [], wc: [] };
  let lastStatus = null;
  try {
    for (let round = 0; round <= runs; round++) {
      progress(round === 0 ? 'warm-up' : `round ${round}/${runs}`);
      for (const [name, [cmd, args]] of Object.entries(cmds)) {
        const r = await runTimed(cmd, args, { cwd });
        if (name === 'status') {
          if (r.code !== 0) throw new Error(`status exited ${r.code}: ${r.stderr.slice(0, 500)}`);
          lastStatus = r.stdout;
        }
        if (round > 0) res[name].push(r);
      }
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  const grepCount = Number(res.grep[0].stdout.trim());
  const check = verifyCounts(JSON.parse(lastStatus), file, counts, historyLimit);
  return { ...res, grepCount, check };
}

/**
 * Do the status counts equal what grep counts? Succeeded summed over `run` and `runs` against
 * `grep -c '✅ Scraped'`. When the history is full (the JSON keeps the newest `historyLimit` earlier
 * runs), grep counts only from the banner of the oldest kept run, and that banner's time must be the
 * oldest kept run's `startedAt`. Failed and run counts are held to the synthetic writer's own tally.
 */
function verifyCounts(json, file, counts, historyLimit) {
  const all = [...json.runs, json.run];
  const succeeded = all.reduce((a, r) => a + r.succeeded, 0);
  const failed = all.reduce((a, r) => a + r.failed, 0);
  const grepAll = grepCount('✅ Scraped', file);
  if (json.runs.length < historyLimit) {
    const problems = [];
    if (succeeded !== grepAll) problems.push(`succeeded ${succeeded} ≠ grep ${grepAll}`);
    if (failed !== counts.failed) problems.push(`failed ${failed} ≠ written ${counts.failed}`);
    if (all.length !== counts.runs) problems.push(`runs ${all.length} ≠ written ${counts.runs}`);
    return problems.length
      ? { ok: false, text: `MISMATCH: ${problems.join('; ')}` }
      : { ok: true, text: `OK: succeeded ${succeeded} = grep -c '✅ Scraped'; failed ${failed} and ${all.length} runs = as written` };
  }
  // History is capped: count only the kept runs' part of the file.
  const banners = execFileSync('grep', ['-b', '-E', ' - INFO - .* initiali[sz]ed$', file], { encoding: 'utf8', maxBuffer: 1 << 28 }).trimEnd().split('\n');
  const first = banners[banners.length - all.length];
  const offset = Number(first.slice(0, first.indexOf(':')));
  const bannerAt = localAsctime(first.slice(first.indexOf(':') + 1, first.indexOf(':') + 24));
  const grepKept = Number(execFileSync('sh', ['-c', 'tail -c +"$1" "$2" | grep -c "✅ Scraped"', 'sh', String(offset + 1), file], { encoding: 'utf8' }).trim());
  const problems = [];
  if (succeeded !== grepKept) problems.push(`succeeded ${succeeded} ≠ grep ${grepKept} (kept runs)`);
  if (bannerAt !== json.runs[0].startedAt) problems.push(`oldest kept run starts ${json.runs[0].startedAt}, its banner says ${bannerAt}`);
  if (banners.length !== counts.runs) problems.push(`${banners.length} banners ≠ ${counts.runs} runs written`);
  const scope = `the newest ${all.length} of ${banners.length} runs (history keeps ${historyLimit}; all runs: grep ${grepAll})`;
  return problems.length
    ? { ok: false, text: `MISMATCH: ${problems.join('; ')}` }
    : { ok: true, text: `OK: succeeded ${succeeded} = grep -c '✅ Scraped' over ${scope}` };
}

function grepCount(pattern, file) {
  try {
    return Number(execFileSync('grep', ['-c', '-F', pattern, file], { encoding: 'utf8' }).trim());
  } catch (e) {
    // grep exits 1 when nothing matched; its output is still the count.
    return Number(String(e.stdout ?? '').trim());
  }
}

/** `2025-11-26 16:27:19,412` (local time, as Python writes it) to ISO. */
function localAsctime(s) {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3})/.exec(s);
  return m ? new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]).toISOString() : `unreadable "${s}"`;
}

/**
 * The fixed cost under every status figure: `status --json` on an empty log against a bare
 * `node -e 0`, interleaved, `runs` rounds after one warm-up each. Resolves medians-ready lists.
 */
export async function startupCost({ cli, runs }) {
  const cwd = mkdtempSync(join(tmpdir(), 'backfill-bench-cwd-'));
  const empty = join(cwd, 'empty.log');
  execFileSync('touch', [empty]);
  const res = { status: [], node: [] };
  try {
    for (let round = 0; round <= runs; round++) {
      const s = await runTimed(process.execPath, [cli, 'status', '--json', '--log', empty], { cwd });
      const n = await runTimed(process.execPath, ['-e', '0'], { cwd });
      if (round > 0) {
        res.status.push(s);
        res.node.push(n);
      }
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return res;
}
