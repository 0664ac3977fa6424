import { machineLine } from './machine.js';
import { rssMethod } from './spawn-timed.js';
import { fmtMB, fmtMs, fmtRatio, markdownTable, median } from './stats.js';

const HEADER = ['measure', 'backfill-tui', 'peer', 'ratio'];
const err = (what, r) => [what, `error: ${r.error}`, '', ''];

/** The printed table (with the machine line) and the full results.md text, from the bench's results. */
export function renderReport(res) {
  const rows = [...readRows(res), ...scaleRows(res), ...stageRows(res), ...demoRows(res), ...appendRows(res), ...appendRows({ ...res, append: res.appendHeld }, ' while the run holds its keys'), ...idleRows(res), ...coverageRows(res)];
  const table = `${markdownTable(HEADER, rows)}\n\n${machineLine(res.machine)}`;
  const markdown = [
    `# backfill-tui benchmark${res.plan.quick ? ' (--quick)' : ''}`,
    '',
    `Run ${res.machine.date} with \`npm run bench${res.plan.quick ? ' -- --quick' : ''}\`. Wall times are medians; the page cache is warm for every command (one warm-up each first).`,
    '',
    table,
    '',
    '## Machine',
    '',
    `- date: ${res.machine.date}`,
    `- node --version: ${res.machine.node}`,
    `- nproc: ${res.machine.nproc}`,
    `- CPU: ${res.machine.cpu} (/proc/cpuinfo model name)`,
    `- RAM: ${res.machine.memGB} GiB; kernel ${res.machine.kernel}`,
    `- load average at start: ${res.machine.load} (a shared, noisy machine: other work ran meanwhile)`,
    '',
    ...details(res),
  ].join('\n');
  return { table, markdown: `${markdown}\n` };
}

function readRows(res) {
  const rows = [];
  const st = res.startup;
  if (st?.error) rows.push(err('startup: `status --json` on an empty log', st));
  else if (st) {
    const s = median(st.status.map((x) => x.ms));
    const n = median(st.node.map((x) => x.ms));
    rows.push([`startup: \`status --json\` on an empty log vs \`node -e 0\`, median of ${st.status.length}`, `${fmtMs(s)} (RSS ${fmtMB(Math.max(...st.status.map((x) => x.rssKB)))})`, fmtMs(n), fmtRatio(s, n)]);
  }
  for (const r of res.read ?? []) {
    if (r.error) {
      rows.push(err(`${sizeName(r)}: status --json`, r));
      continue;
    }
    const s = median(r.status.map((x) => x.ms));
    const g = median(r.grep.map((x) => x.ms));
    const w = median(r.wc.map((x) => x.ms));
    const n = r.status.length;
    const targeted = r.bytes >= 1e9 && !r.oneRun;
    const target = targeted ? ' (target ≤ 3×)' : '';
    const rssTarget = r.bytes >= 1e9 ? ' (target < 120 MB)' : '';
    const name = sizeName(r);
    rows.push([`${name}: \`status --json\` vs \`grep -c Scraped\`, median of ${n}${target}`, fmtMs(s), fmtMs(g), fmtRatio(s, g)]);
    rows.push([`${name}: \`status --json\` vs \`wc -l\`, median of ${n}`, fmtMs(s), fmtMs(w), fmtRatio(s, w)]);
    const rss = Math.max(...r.status.map((x) => x.rssKB));
    rows.push([`${name}: peak RSS, status vs grep${rssTarget}`, fmtMB(rss), fmtMB(Math.max(...r.grep.map((x) => x.rssKB))), fmtRatio(rss, Math.max(...r.grep.map((x) => x.rssKB)))]);
    rows.push([`${name}: status counts vs grep`, r.check.ok ? 'OK' : 'MISMATCH', r.check.text.replace(/^(OK|MISMATCH): /, ''), '']);
  }
  return rows;
}

/** "1 GB" for the appended-runs log, "1 GB as one run" for its worst-case variant (every line read). */
function sizeName(r) {
  return r.oneRun ? `${r.size} as one run` : r.size;
}

/** Issue 14: one-run logs of distinct keys at each size; time per MB must stay flat and within 5× grep. */
function scaleRows(res) {
  const sc = res.scale;
  if (!sc) return [];
  if (sc.error) return [err('one-run scaling', sc)];
  const rows = [];
  const perMB = [];
  const perMBNoCa = [];
  const perMBFloor = [];
  const cpuPerMB = [];
  for (const r of sc) {
    const mb = r.bytes / 1e6;
    const s = median(r.status.map((x) => x.ms));
    const g = median(r.grep.map((x) => x.ms));
    perMB.push(s / mb);
    const cpu = median(r.status.map((x) => x.cpuMs));
    const main = median(r.status.map((x) => x.mainCpuMs ?? Number.NaN));
    const grepCpu = median(r.grep.map((x) => x.cpuMs));
    if (Number.isFinite(main)) cpuPerMB.push(main / mb);
    const rss = Math.max(...r.status.map((x) => x.rssKB));
    rows.push([
      `one run, ${mb >= 1000 ? `${mb / 1000} GB` : `${mb} MB`}, ${r.keys.toLocaleString('en-US')} keys: \`status --json\` vs \`grep -c Scraped\` (to a file), median of ${r.status.length}; ms per MB; peak RSS (${(((rss * 1024) / r.keys) | 0)} B/key)`,
      `${fmtMs(s)}; ${(s / mb).toFixed(1)} ms/MB; ${fmtMB(rss)}`,
      fmtMs(g),
      `${fmtRatio(s, g)} (target ≤ 5×)`,
    ]);
    if (r.status.some((x) => x.worker !== undefined)) {
      // The worker runs only when a core is free: say how often it did, and how busy the machine was.
      const used = r.status.filter((x) => x.worker).length;
      const load = r.status.map((x) => x.machine?.load ?? Number.NaN);
      const pressure = r.status.map((x) => x.machine?.pressure ?? Number.NaN);
      const range = (xs, digits) => (xs.every(Number.isFinite) ? `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}` : '?');
      rows.push([`  parse worker in ${used} of ${r.status.length} runs; 1-min load ${range(load, 1)}, CPU pressure (some avg10) ${range(pressure, 0)} %`, '', '', '']);
    }
    if (Number.isFinite(cpu)) {
      // Wall time on a busy machine is mostly waiting for a core: CPU time says what the run itself cost.
      const mainText = Number.isFinite(main) ? `; main thread ${fmtMs(main)} (${(main / mb).toFixed(1)} ms/MB)` : '';
      rows.push([`  CPU time (user + system, GNU time)${Number.isFinite(main) ? '; of it the main thread' : ''}`, `${fmtMs(cpu)}${mainText}`, fmtMs(grepCpu), fmtRatio(cpu, grepCpu)]);
    }
    if (r.node?.length) {
      // Node's own start is part of every status run: said here so the small sizes' ratios can be read.
      const n = median(r.node.map((x) => x.ms));
      rows.push([`  \`node -e 0\` in the same rounds (Node's start, paid by every run)`, `${fmtMs(n)} (${Math.round((100 * n) / s)} % of status)`, fmtMs(g), fmtRatio(n, g)]);
    }
    if (r.floor?.length) {
      // The least a Node program pays for this file (bench/floor.cjs): what status adds beyond it is its own.
      const f = median(r.floor.map((x) => x.ms));
      perMBFloor.push(f / mb);
      rows.push([`  the floor in the same rounds: Node's start and the file read, newlines counted, nothing parsed (bench/floor.cjs); ms per MB`, `${fmtMs(f)} (${Math.round((100 * f) / s)} % of status; status − floor ${fmtMs(s - f)}); ${(f / mb).toFixed(1)} ms/MB`, fmtMs(g), fmtRatio(f, g)]);
    }
    if (r.otherWay?.length) {
      // The worker's threshold, checked in the same rounds: the other way of reading, paired with each timed run.
      const o = median(r.otherWay.map((x) => x.ms));
      const on = r.otherWay.filter((x) => x.forced === 'on').length;
      const diffs = r.otherWay.map((x) => x.ms - x.auto);
      const faster = diffs.filter((d) => d < 0).length;
      const ways = [on ? `on in ${on}` : '', on < r.otherWay.length ? `off in ${r.otherWay.length - on}` : ''].filter(Boolean).join(', ');
      rows.push([`  the same with the parse worker forced the other way (${ways} of ${r.otherWay.length} rounds); forced − timed per round, median`, `${fmtMs(o)}; ${diffs.length ? `${median(diffs) >= 0 ? '+' : '−'}${fmtMs(Math.abs(median(diffs)))}` : 'n/a'} (forced faster in ${faster} of ${diffs.length})`, fmtMs(g), fmtRatio(o, g)]);
    }
    if (r.statusNoCa?.length) {
      const sn = median(r.statusNoCa.map((x) => x.ms));
      const nn = median(r.nodeNoCa.map((x) => x.ms));
      perMBNoCa.push(sn / mb);
      rows.push([`  the same status without NODE_EXTRA_CA_CERTS (\`node -e 0\` without it: ${fmtMs(nn)}); ms per MB`, `${fmtMs(sn)}; ${(sn / mb).toFixed(1)} ms/MB`, fmtMs(g), fmtRatio(sn, g)]);
    }
    if (!r.ok) rows.push([`  counts at ${mb} MB`, r.check, '', '']);
  }
  const spread = Math.max(...perMB) / Math.min(...perMB);
  rows.push(['one run: spread of ms per MB across the sizes (max / min)', `${spread.toFixed(2)}×`, 'target ≤ 1.5×', '']);
  if (perMBNoCa.length === sc.length) {
    rows.push(['  the same without NODE_EXTRA_CA_CERTS', `${(Math.max(...perMBNoCa) / Math.min(...perMBNoCa)).toFixed(2)}×`, '', '']);
  }
  if (perMBFloor.length === sc.length) {
    rows.push(['  the same for the floor (bench/floor.cjs: Node\'s start and the read alone)', `${(Math.max(...perMBFloor) / Math.min(...perMBFloor)).toFixed(2)}×`, '', '']);
  }
  if (cpuPerMB.length === sc.length) {
    rows.push(['  the same by main-thread CPU per MB (max / min)', `${(Math.max(...cpuPerMB) / Math.min(...cpuPerMB)).toFixed(2)}×`, '', '']);
  }
  return rows;
}

/** Start-up stages (medians, ms since process start) and the first frame seen from outside. */
function stageRows(res) {
  const st = res.stages;
  if (!st) return [];
  if (st.error) return [err('start-up stages', st)];
  const s = median(st.status.map((x) => x.ms));
  const n = median(st.node.map((x) => x.ms));
  const f = median(st.frame.map((x) => x.ms));
  const kb = Math.round(st.logBytes / 1000);
  const stages = (list) => list.map(([name, ms, cpu]) => `${name} ${ms.toFixed(0)}${Number.isFinite(cpu) ? ` (CPU ${cpu.toFixed(0)})` : ''}`).join(' → ');
  const sc = median(st.status.map((x) => x.cpuMs));
  const nc = median(st.node.map((x) => x.cpuMs));
  return [
    [`\`status --json\` on a ${kb} KB log (${st.keys.toLocaleString('en-US')} keys) vs \`node -e 0\`, median of ${st.status.length}`, fmtMs(s), fmtMs(n), `${fmtRatio(s, n)} (target ≤ 1.5×)`],
    ...(Number.isFinite(sc) && Number.isFinite(nc) ? [['  CPU time (user + system, GNU time)', fmtMs(sc), fmtMs(nc), fmtRatio(sc, nc)]] : []),
    ...(st.statusNoCa?.length
      ? [[`  the same pair without NODE_EXTRA_CA_CERTS (set here: ${st.caCerts}; Node parses those certificates at every start), median of ${st.statusNoCa.length}; CPU`, `${fmtMs(median(st.statusNoCa.map((x) => x.ms)))}; CPU ${fmtMs(median(st.statusNoCa.map((x) => x.cpuMs)))}`, `${fmtMs(median(st.nodeNoCa.map((x) => x.ms)))}; CPU ${fmtMs(median(st.nodeNoCa.map((x) => x.cpuMs)))}`, `${fmtRatio(median(st.statusNoCa.map((x) => x.ms)), median(st.nodeNoCa.map((x) => x.ms)))}; CPU ${fmtRatio(median(st.statusNoCa.map((x) => x.cpuMs)), median(st.nodeNoCa.map((x) => x.cpuMs)))}`]]
      : []),
    [`  its stages, ms since process start (CPU ms used by then); V8 code cache: ${st.codeCache ?? '?'}`, stages(st.stages.status), '', ''],
    ...(st.esm?.length
      ? [[`  the same through the ES-module CLI (dist/src/cli.js, no code cache: how status started before), median of ${st.esm.length}; CPU`, `${fmtMs(median(st.esm.map((x) => x.ms)))}; CPU ${fmtMs(median(st.esm.map((x) => x.cpuMs)))}`, fmtMs(n), fmtRatio(median(st.esm.map((x) => x.ms)), n)]]
      : []),
    [`dashboard first frame on the same log, 80×24 pty (spawn → key bar on screen), median of ${st.frame.length}`, fmtMs(f), 'target ≤ 400 ms', ''],
    ['  its stages, ms since process start (CPU ms used by then)', stages(st.stages.dashboard), '', ''],
  ];
}

function demoRows(res) {
  const d = res.demo;
  if (!d) return [];
  if (d.error) return [err('`npm run demo`, dist/ built', d)];
  const f = median(d.frame);
  const n = median(d.node.map((x) => x.ms));
  const stages = d.stages.map(([name, ms, cpu]) => `${name} ${ms.toFixed(0)}${Number.isFinite(cpu) ? ` (CPU ${cpu.toFixed(0)})` : ''}`).join(' → ');
  return [
    [`\`npm run demo\`, dist/ built: spawn → the five-job overview on screen, 80×24 pty, median of ${d.frame.length}`, fmtMs(f), `\`node -e 0\` ${fmtMs(n)}`, `${fmtRatio(f, n)} (target ≤ 2 s)`],
    ['  … → its first storage figures (set-up laid out under the first frame, sources read)', fmtMs(median(d.figures)), '', ''],
    ['  the demo process\'s stages, ms since it started (CPU ms used by then)', stages, '', ''],
  ];
}

function appendRows(res, held = '') {
  const a = res.append;
  if (!a) return [];
  const what = `append→state delay, ${res.plan.appendRate} lines/s for ${res.plan.appendSeconds} s${held && a.heldKeys !== undefined ? `${held} (${a.heldKeys.toLocaleString('en-US')})` : ''} (p50 / p95 / max)`;
  if (a.error) return [err(what, a)];
  const lost = a.received === a.written && a.stateSucceeded === a.written ? '' : ` (${a.written - a.received} lines never reached the state)`;
  return [
    [what, `${a.p50.toFixed(1)} / ${a.p95.toFixed(1)} / ${a.max.toFixed(0)} ms${lost}`, 'target p95 < 100 ms', `${(a.p95 / 100).toFixed(2)}× target`],
    [`  lines of the burst's last ${a.tailMs} ms / all earlier lines (max)`, `${a.lastBatchMs.toFixed(0)} / ${a.maxBeforeLast.toFixed(0)} ms`, `${a.over100} of ${a.written} lines over 100 ms`, ''],
    ...(a.summary
      ? [[`  then the failures summary line per batch, ${a.summary.failedKeys.toLocaleString('en-US')} failed keys listed (p50 / p95 / max of ${a.summary.batches})`, `${a.summary.p50.toFixed(1)} / ${a.summary.p95.toFixed(1)} / ${a.summary.max.toFixed(0)} ms`, '', '']]
      : []),
  ];
}

function idleRows(res) {
  const i = res.idle;
  if (!i) return [];
  const what = `idle dashboard CPU, finished log, ${res.plan.idleMs / 1000} s after the first ${(i?.warmMs ?? 0) / 1000} s`;
  if (i.error) return [err(what, i)];
  const drawn = i.drawnBytes === null ? 'n/a' : `${(i.drawnBytes / 1024).toFixed(1)} KiB drawn${i.clears === null ? '' : `, ${i.clears} full-screen clears`}`;
  return [
    [`${what} (${i.via})`, `${i.percent.toFixed(2)} % of a core`, 'target < 0.5 %', `${(i.percent / 0.5).toFixed(1)}× target`],
    [`  the first ${i.warmMs / 1000} s after the history read (V8 shrinks its heap)`, `${i.warmPercent.toFixed(2)} % of a core`, '', ''],
    ['  terminal output while idle; dashboard RSS', `${drawn}; ${fmtMB(i.rssKB)}`, '', ''],
  ];
}

function coverageRows(res) {
  const rows = [];
  const m = res.math;
  if (m) {
    const what = `\`computeCoverage\`, 100,000 expected vs 100,000 found (half overlap), median of ${res.plan.mathRuns}`;
    rows.push(m.error ? err(what, m) : [what, fmtMs(m.median), m.ok ? 'result OK' : 'result WRONG', '']);
  }
  for (const g of res.gcs ?? []) {
    const what = `GCS list ${g.n.toLocaleString('en-US')} keys, loopback fake + real client${g.runs ? `, median of ${g.runs}` : ''}`;
    if (g.error) {
      rows.push(err(what, g));
      continue;
    }
    const expect = Math.ceil(g.n / 1000);
    rows.push([what, `${fmtMs(g.median)}, ${g.requests} request${g.requests === 1 ? '' : 's'}`, `issue: ${expect} request${expect === 1 ? '' : 's'}${g.ok ? '' : '; keys WRONG'}`, '']);
  }
  return rows;
}

function details(res) {
  const out = ['## Details', ''];
  out.push(`Peak RSS via ${rssMethod}. status runs from an empty temporary directory (no config), \`--log FILE\` only.`, '');
  for (const r of res.read ?? []) {
    if (r.error) continue;
    const list = (xs, f) => xs.map((x) => f(x)).join(', ');
    out.push(`- ${sizeName(r)}, per round (status / grep / wc): ${r.status.map((s, i) => `${fmtMs(s.ms)} / ${fmtMs(r.grep[i].ms)} / ${fmtMs(r.wc[i].ms)}`).join('; ')}`);
    out.push(`  - status peak RSS per round: ${list(r.status, (x) => fmtMB(x.rssKB))}; \`grep -c Scraped\` = ${r.grepCount}`);
    out.push(`  - counts: ${r.check.text}`);
  }
  if (res.profile && !res.profile.error) {
    const p = res.profile;
    out.push('', `### Where \`status --json\` spends its time (${p.size}, \`node --cpu-prof\`, ${fmtMs(p.wallMs)} wall, ${fmtMs(p.totalMs)} sampled)`, '');
    out.push(markdownTable(['function (self time)', 'ms', '%'], p.functions.map((f) => [`\`${f.name}\``, f.ms.toFixed(0), f.percent.toFixed(1)])), '');
    out.push(markdownTable(['file (self time)', 'ms', '%'], p.files.map((f) => [`\`${f.name || '(unnamed)'}\``, f.ms.toFixed(0), f.percent.toFixed(1)])));
  }
  const a = res.append;
  if (a && !a.error) {
    out.push('', `### Append-to-state`, '');
    out.push(`followLog (pollMs 1000, chokidar) → parseChunk → reduce, in the bench process; a separate writer process appended ${a.written} lines in ${a.batches} appendFileSync batches over ${(a.writerMs / 1000).toFixed(1)} s. ${a.received} lines reached the state in ${a.chunks} chunks (state succeeded = ${a.stateSucceeded}). Delay: min ${a.min.toFixed(1)}, p50 ${a.p50.toFixed(1)}, p95 ${a.p95.toFixed(1)}, p99 ${a.p99.toFixed(1)}, max ${a.max.toFixed(0)} ms; ${a.over100} lines over 100 ms. Lines written in the burst's last ${a.tailMs} ms waited up to ${a.lastBatchMs.toFixed(0)} ms; every earlier line at most ${a.maxBeforeLast.toFixed(0)} ms.`);
  }
  const i = res.idle;
  if (i && !i.error) {
    out.push('', '### Idle dashboard', '');
    out.push(`${i.via}; ${i.cpuSeconds.toFixed(2)} s of CPU (utime+stime, CLK_TCK ${i.hz}) in ${i.seconds.toFixed(1)} s. The screen after settling:`, '');
    out.push('```', i.screen.trimEnd(), '```');
  }
  return out;
}
