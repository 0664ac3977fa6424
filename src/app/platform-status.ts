import { collectChain } from '../chain/chain-sources.js';
import { chainJson } from '../chain/chain-json.js';
import { funnel, missingInStage, type FunnelRow } from '../chain/funnel.js';
import { keysForTarget } from '../coverage/math.js';
import { CODE_POINTS, formatCount } from '../format.js';
import { createSourceHub, type SourceHub } from '../coverage/source-hub.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { ChainConfig } from '../jobs/chain-config.js';
import { overviewRows } from '../overview/overview-rows.js';
import { rowProblems } from '../overview/row-problem.js';
import { overviewText } from '../overview/overview-text.js';
import { chainText } from '../chain/funnel-text.js';
import { collectSnapshot, newReport } from './snapshot.js';
import { createWritersScan } from '../runner/log-writers.js';
import { checkRequire, runMissing, runMissingFailures, runNotKnown, runStatus, statusWidth, withProblems, writeKeysOut } from './status-command.js';
import { statusJson } from './status-json.js';
import { fitStatusLines, isPlain, mayExceed, statusText } from './status-text.js';
import { sayErr, writeOut } from '../std-write.js';

type StatusOpts = { json?: boolean; require?: string; source: 'storage' | 'warehouse'; stage?: string; job?: string; timeoutMs?: number };

const fail = async (message: string, code: number) => {
  await sayErr(`backfill-tui: ${message}\n`);
  return code;
};

/** The funnel rows of one look at the chain (sources shared with the jobs through `hub`). */
async function chainRows(chain: ChainConfig, hub: SourceHub): Promise<{ rows: FunnelRow[]; error: string | null }> {
  const state = await collectChain(chain, hub);
  return { rows: funnel(chain.stages, chain.targets, state.expected?.keys ?? [], state.looks), error: state.expectedError };
}

/**
 * `status` over the registry. One job and no chain: exactly today's status. Several jobs:
 * `{"jobs": [today's object per job], "chain": [stage rows]}`, every job and stage read in parallel through
 * one hub, so a prefix or table several of them name is read once.
 */
export async function runPlatformStatus(registry: JobRegistry, opts: StatusOpts): Promise<number> {
  if (opts.stage !== undefined && opts.require === undefined) return fail('--stage goes with --require P (the target to check)', 2);
  // One target of one thing: a job's source or a stage, never both silently.
  if (opts.stage !== undefined && opts.job !== undefined) return fail('--require checks a job (--job NAME) or a stage (--stage NAME), not both', 2);
  // A source the job does not have is a usage error, said before anything is read, as `--require 150` is (tester AF8 b:
  // the whole snapshot came first, then the error).
  const lone = registry.multi ? null : registry.jobs[0];
  if (opts.require !== undefined && opts.stage === undefined && lone && !lone[opts.source]) return fail(`--require ${Number(opts.require)} --source ${opts.source}: ${lone.job} has no ${opts.source} configured`, 2);
  if (!registry.multi && !registry.chain) return runStatus(registry.jobs[0], opts);
  if (opts.require !== undefined && opts.stage === undefined && registry.multi) {
    return fail(`--require checks one job or one stage: add --job NAME (jobs: ${registry.jobs.map((j) => j.job).join(', ')})${registry.chain ? ' or --stage NAME' : ''}`, 2);
  }
  // A stage as the config spells it, whatever the case (`--from "phase 1"` for `Phase 1`), as --phase is (tester W23).
  if (opts.stage !== undefined) opts = { ...opts, stage: stageNamed(registry.chain?.stages ?? [], opts.stage)?.name ?? opts.stage };
  if (opts.stage !== undefined && !registry.chain?.stages.some((s) => s.name === opts.stage)) {
    return fail(registry.chain ? `no stage named "${opts.stage}" (stages: ${registry.chain.stages.map((s) => s.name).join(', ')})` : '--stage needs a `chain` in the config', 2);
  }
  const hub = createSourceHub({ mode: 'snapshot' });
  // Every job's writers from one walk of /proc (the walk is the cost, not the number of logs).
  const writers = createWritersScan();
  // Each job's own report: its object in `jobs` is today's one-job object, `problems` included (tester T18:
  // a Cloud Run 403 or a region that does not answer was said nowhere but on the job's own screen).
  const reports = registry.jobs.map(() => newReport());
  const [states, chain] = await Promise.all([
    Promise.all(registry.jobs.map((job, i) => collectSnapshot(job, { hub, writers, timeoutMs: opts.timeoutMs, report: reports[i] }))),
    registry.chain ? chainRows(registry.chain, hub) : Promise.resolve({ rows: [] as FunnelRow[], error: null }),
  ]);
  if (opts.json) {
    const jobJson = (state: (typeof states)[number], i: number) => ({ ...statusJson(state), problems: reports[i].problems });
    const out = registry.multi ? { jobs: states.map(jobJson), chain: chainJson(chain.rows) } : { ...jobJson(states[0], 0), chain: chainJson(chain.rows) };
    writeOut(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    // Fitted to the terminal (80 columns when piped), as the overview is: two lines per job, never wrapped.
    const width = statusWidth();
    const rows = registry.multi ? overviewRows(states) : [];
    // Tables laid out by code points, or by terminal columns when a name or a cell holds more than plain characters
    // (a CJK name takes two columns a character, a combining accent none: tester AH2); the width library (~30 ms to
    // load) only then.
    let measure = CODE_POINTS;
    const tables = () => ({ jobs: registry.multi ? overviewText(rows, width, measure) : [], chain: registry.chain ? chainText(chain.rows, width, measure) : [] });
    let table = tables();
    if (![...table.jobs, ...table.chain].every(isPlain)) {
      measure = (await import('../text-width.js')).TERMINAL_COLUMNS;
      table = tables();
    }
    const lines = registry.multi ? table.jobs : statusText(states[0], { width }).trimEnd().split('\n');
    // A job's problems under the table, named by job: a calm `waiting` row may hide a refused credential.
    // And each failing source its row shows (a storage or warehouse look says its error in the state, not the report).
    registry.jobs.forEach((job, i) => {
      const said = [...reports[i].problems];
      for (const p of said) lines.push(registry.multi ? `problem   ${job.job}: ${p}` : `problem   ${p}`);
      // A source that answered with an error (its row's cell) is said whole as `failing`, not `problem`: a `problem`
      // is a part of the look that could not be done or read whole, and exits 1 (withProblems); a lone job's text says
      // a failing source on its own row, with the same exit.
      // A run that died (at start, or of an error) is its run's end, not a failing source (tester AG6 d): `run`.
      for (const p of rowProblems(states[i])) if (!said.some((s) => s.includes(p.message))) lines.push(`${p.source === 'run' ? 'run      ' : 'failing  '} ${registry.multi ? `${job.job}: ` : ''}${p.message}${p.hint ? ` → ${p.hint}` : ''}`);
    });
    if (registry.chain) {
      lines.push('', `chain: ${formatCount(chain.rows[0]?.expected ?? 0)} expected keys`, ...table.chain);
      if (chain.error) lines.push(`expected  ${chain.error}`);
    }
    // A line longer than the terminal is wrapped by display width, as the views measure it; the width library (~30 ms
    // to load) only when a line may need it: most runs print none (and --json never loads it).
    const fitted = mayExceed(lines, width) ? fitStatusLines(lines, width, (await import('../text-width.js')).wrap) : lines;
    writeOut(`${fitted.join('\n')}\n`);
  }
  // A job whose run cannot be known is an error, exit 1, as for a lone job: a log that cannot be read (not a file, no
  // permission: tester V14), a Cloud Run region that does not answer or refuses (tester W18).
  // So is a log not read to its end within --timeout (tester Z12).
  const unreadable = states.some((state, i) => runNotKnown(state, reports[i]));
  // And a problem of any job's look (its `problems`), as for a lone job (withProblems).
  const problems = reports.reduce((n, r) => n + r.problems.length, 0);
  if (opts.require === undefined) return unreadable ? 1 : withProblems(0, problems);
  if (opts.stage === undefined) return unreadable ? 1 : withProblems(await checkRequire(states[0], opts.require, opts.source), problems, opts.require);
  return withProblems(await requireStage(chain.rows.find((r) => r.stage === opts.stage)!, opts.require), problems, opts.require);
}

/** `--require P --stage NAME`: 0 when the stage holds the keys P % of the expected takes. */
async function requireStage(row: FunnelRow, require: string): Promise<number> {
  const want = Number(require);
  if (!Number.isFinite(want) || want < 0 || want > 100) return fail(`--require takes a percentage from 0 to 100, got "${require}"`, 2);
  if (row.present === null) return fail(`--require ${want}: ${row.stage} coverage unknown${row.error ? ` (${row.error})` : ''}`, 1);
  const keys = want === 0 ? 0 : keysForTarget(want, row.expected);
  if (row.expected > 0 && row.present >= keys) return 0;
  return fail(`${row.stage} coverage ${formatCount(row.present)}/${formatCount(row.expected)} is below ${want} % (${formatCount(keys)} keys, ${formatCount(keys - row.present)} more needed)`, 1);
}

/**
 * `missing --from S`: a stage of the chain (keys present in `--present-in`, by default the stage feeding it,
 * and missing in S: the list to re-run that phase for), or a job's storage/warehouse/lag as today.
 */
export async function runPlatformMissing(
  registry: JobRegistry,
  opts: { from: string; presentIn?: string; phase?: string; persistent?: boolean; notPersistent?: boolean; timeoutMs?: number },
): Promise<number> {
  const stages = registry.chain?.stages ?? [];
  // The job's own sources keep their words: only a stage spelled exactly takes one of them.
  const stage = ['storage', 'warehouse', 'lag', 'failures'].includes(opts.from) ? stages.find((s) => s.name === opts.from) : stageNamed(stages, opts.from);
  const failureFilter = opts.phase !== undefined || opts.persistent || opts.notPersistent;
  const persistent = opts.persistent ? true : opts.notPersistent ? false : undefined;
  if (!stage && opts.from === 'failures') {
    if (registry.multi) return fail(`--from failures is one job's: add --job NAME (jobs: ${registry.jobs.map((j) => j.job).join(', ')})`, 2);
    return runMissingFailures(registry.jobs[0], { phase: opts.phase, persistent }, opts.timeoutMs);
  }
  // --persistent and --not-persistent also split the keys missing from storage (tester Z7: as `s` does).
  if (opts.phase !== undefined) return fail('--phase goes with --from failures', 2);
  if (failureFilter && opts.from !== 'storage') return fail('--persistent and --not-persistent go with --from failures or --from storage', 2);
  if (!stage) {
    if (opts.presentIn !== undefined) return fail(`--present-in goes with --from STAGE (stages: ${stages.map((s) => s.name).join(', ') || 'none configured'})`, 2);
    if (!['storage', 'warehouse', 'lag'].includes(opts.from)) {
      return fail(`--from "${opts.from}": storage, warehouse, lag, failures${stages.length ? `, or a stage: ${stages.map((s) => s.name).join(', ')}` : ''}`, 2);
    }
    if (registry.multi) return fail(`--from ${opts.from} is one job's: add --job NAME (jobs: ${registry.jobs.map((j) => j.job).join(', ')})`, 2);
    return runMissing(registry.jobs[0], opts.from as 'storage' | 'warehouse' | 'lag', opts.timeoutMs, persistent);
  }
  const upstreamName = opts.presentIn !== undefined ? (stageNamed(stages, opts.presentIn)?.name ?? opts.presentIn) : stage.after;
  if (upstreamName !== null && !stages.some((s) => s.name === upstreamName)) return fail(`--present-in "${upstreamName}": no such stage (stages: ${stages.map((s) => s.name).join(', ')})`, 2);
  const chain = registry.chain!;
  const state = await collectChain({ ...chain, stages: stages.filter((s) => s.name === stage.name || s.name === upstreamName) }, createSourceHub({ mode: 'snapshot' }));
  if (!state.expected) return fail(`cannot list missing keys: ${state.expectedError}`, 1);
  const here = state.looks.get(stage.name)!;
  const upstream = upstreamName === null ? null : state.looks.get(upstreamName)!;
  for (const look of [here, upstream]) {
    if (look && look.keys === null) return fail(`cannot list missing keys: ${look.label}: ${look.error}${look.hint ? ` (${look.hint})` : ''}`, 1);
  }
  const keys = missingInStage(state.expected.keys, here.keys!, upstream ? upstream.keys : null);
  await writeKeysOut(keys, chain.expected);
  return 0;
}

/** The stage named `name`: exactly, else whatever the case and surrounding spaces (as `--phase` matches a phase). */
export function stageNamed<T extends { name: string }>(stages: readonly T[], name: string): T | undefined {
  return stages.find((s) => s.name === name) ?? stages.find((s) => s.name.toLowerCase() === name.trim().toLowerCase());
}
