import { ageForms, CODE_POINTS, countPairForms, cutWhole, fitForms, padCell, shortCount, formatCount, formatEta, formatPercent, oneLine, rateForms, type TextMeasure } from '../format.js';
import { isLive } from '../state/run-view.js';
import { overviewColumns, type OverviewColumns } from './layout.js';
import { cutApart } from './name-cut.js';
import type { OverviewRow, OverviewSource } from './overview-rows.js';
import { problemShort } from './row-problem.js';

/**
 * `76.3 % · 95 %: 12 more`, `all targets met`, `checking…` (its first look), `unknown`, or `–` when the job has no such source; a failing
 * source says how (`no access (403)`), before the figures of its last good look (`no access (403) · 76.3 %`).
 */
export function coverageCell(s: OverviewSource | null): string {
  return coverageForms(s)[0];
}

/** The coverage cell's forms, longest first: a narrow cell drops the keys needed, then the target, never a figure's digits. */
function coverageForms(s: OverviewSource | null): string[] {
  if (!s) return ['–'];
  // No figures: why, in the cell's few words. `unknown` only when nothing says more (a look answered, the expected
  // keys not read yet); a slow first look said `unknown` for as long as it took.
  if (s.percent === null || s.present === null || s.expected === null) return [s.errorKind ?? (s.noExpected ? 'no expected keys' : s.firstLook ? 'checking…' : s.waits ? 'waits for expected keys' : 'unknown')];
  // Nothing expected (a header alone): no percentage or target to say (tester AI13's nit: `– % · 95 %: 0 more`). Said
  // with its 0, apart from `no expected keys`, a list that could not be read.
  if (s.expected === 0 && !s.errorKind) return ['0 keys expected', '0 expected'];
  const pct = formatPercent(s.present, s.expected);
  if (s.errorKind) return [`${s.errorKind} · ${pct}`, s.errorKind, s.errorKind.replace(/ \(\d+\)$/, '')];
  // Short of room the target keeps its count (`95 %: +525`): a bare `95 %` read as if it were met (tester Z10).
  const n = s.next?.needed ?? 0;
  return s.next ? [`${pct} · ${s.next.percent} %: ${formatCount(n)} more`, `${pct} · ${s.next.percent} %: +${formatCount(n)}`, `${pct} · ${s.next.percent} %: +${shortCount(n)}`, pct] : [`${pct} · all met`, pct];
}

/** The ETA for the overview's narrow column: the one ETA wording (format.ts formatEta), which always fits it. */
export function etaCell(eta: [number, number] | null): string {
  return formatEta(eta, false);
}

export type OverviewCells = Record<'job' | 'state' | 'run' | 'rate' | 'eta' | 'failed' | 'storage' | 'warehouse' | 'age', string>;

/**
 * Characters a cell may take, per cell (what the renderer shows of it: one short of its column). A figure cell then
 * takes the longest of its forms that fits (`1,107/min`, `1107/min`, `1.1k/min`), never one cut mid-number (tester
 * Z10: `1,107/m…`). Without it every cell has its longest form (the filter matches those).
 */
export type CellRoom = (cell: keyof OverviewCells) => number;

/** The cells of one overview row, as plain text (the text status; the screen adds bars and spinner). */
export function overviewCells(r: OverviewRow, room?: CellRoom): OverviewCells {
  const pick = (cell: keyof OverviewCells, forms: string[]) => (room ? fitForms(forms, room(cell)) : forms[0]);
  const age = r.ageAwaited ? '' : pick('age', ageForms(r.ageMs));
  const storage = pick('storage', coverageForms(r.storage));
  const warehouse = pick('warehouse', coverageForms(r.warehouse));
  const runProblem = r.problem?.run ? r.problem : null;
  // A half-read log says nothing about its run yet (a finished run read half-way looks ended at 3,171/5,299).
  if (r.reading && !runProblem) return { job: r.job, state: 'reading…', run: '–', rate: '–', eta: '–', failed: '–', storage, warehouse, age };
  const live = isLive(r.status) && !runProblem;
  const figures = r.runCountsUnknown ? ['not known', '–'] : r.total === null && r.done === 0 ? ['–'] : countPairForms(r.done, r.total);
  // The run's source failing: what failed stands where the run's figures would (they are stale or unknown); short of
  // room, the problem stays and the figures go.
  const problem = runProblem ? problemShort(runProblem) : '';
  const run = !runProblem ? figures : figures[0] === '–' ? [problem] : [...figures.map((f) => `${f} · ${problem}`), problem];
  // "2 · HTTP 500 1": the count, then the biggest kind with its own count (never read as 2 HTTP 500s). Short of room the
  // kind is cut before its figure (`8 · HTTP…`), or, when little of it would be left, the count stands alone.
  const failedCell = (): string => {
    const count = [formatCount(r.failed), String(r.failed)];
    if (!r.worstError) return pick('failed', count);
    const full = `${count[0]} · ${r.worstError} ${formatCount(r.worstCount)}`;
    if (!room || [...full].length <= room('failed')) return full;
    const cut = cutWhole(full, room('failed'));
    return [...cut].length > count[0].length + 4 ? cut : pick('failed', count);
  };
  return {
    job: r.job,
    state: stateWord(r),
    run: pick('run', run),
    rate: live && r.ratePerMin !== null ? pick('rate', rateForms(r.ratePerMin, r.ratePerMin >= 100 ? 0 : 1)) : '–',
    eta: live && r.ratePerMin !== null ? etaCell(r.etaSeconds) : '–',
    // Not known in a word, as the run cell's `not known` (AJ5's note: `–` here, a blank on the screen, where 0 is blank too).
    failed: r.failedUnknown ? 'not known' : r.failed ? failedCell() : r.runCountsAwaited ? 'waiting' : '0',
    storage,
    warehouse,
    age,
  };
}

/**
 * The state cell: the run's state, `stopping` while a stop is under way, and `external` for a run going on that was not
 * started here, which the job screen calls `running (external)` (tester AH5 c: the overview said `running`, and an
 * operator could not tell which runs were theirs to stop; `running (external)` is wider than the column). A run not
 * started here that stalls or is stuck says that, the word that needs the operator.
 */
function stateWord(r: OverviewRow): string {
  if (r.runUnknown) return 'error';
  if (r.stopping && isLive(r.status)) return 'stopping';
  if (r.external && r.status === 'running') return 'external';
  return r.dryRun && r.status === 'complete' ? 'dry run' : r.status;
}

/** Columns padded to their widest cell. */
export function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i] - [...c].length))).join('  ').trimEnd());
}

/**
 * The overview as text lines for `width` columns (text `status`): two lines per job as on the screen (name, state,
 * run, rate, ETA, failed; then storage, warehouse and the age of the figures), the same columns giving way on a
 * narrow terminal, every line within `width` as `m` measures (code points, or terminal columns: text-width.ts
 * TERMINAL_COLUMNS, for names with wide or zero-width characters). A cut cell ends in `…`; `status --json` has
 * everything whole.
 */
export function overviewText(rows: OverviewRow[], width = 80, m: TextMeasure = CODE_POINTS): string[] {
  // A name as one line (a tab in a config's name is a space, a control character none), as the screens show it.
  const shown = rows.map((r) => oneLine(r.job));
  const cols = overviewColumns(width, Math.max(0, ...shown.map((n) => m.width(n))), { bar: false });
  const lines = textRow(cols, { job: 'job', state: 'state', run: 'run', rate: 'rate', eta: 'ETA', failed: 'failing', storage: 'storage', warehouse: 'warehouse', age: 'figures' }, false, '  ', m);
  // Cut in the middle, apart from each other (name-cut.ts): jobs named alike up to their end stay told apart.
  const names = cutApart(shown, cols.name, m);
  rows.forEach((r, i) => lines.push(...textRow(cols, { ...overviewCells(r, cellRoom(cols, r.problem?.run === true, false)), job: names.get(shown[i])! }, r.problem?.run === true, '  ', m)));
  return lines;
}

/**
 * What each cell of a row shows at these columns: one short of its column (a cut cell never runs into the next).
 * `span`: the run's cell takes the rate and ETA columns too; `bar`: the screen's run bar is beside the count.
 */
export function cellRoom(cols: OverviewColumns, span: boolean, bar: boolean): CellRoom {
  const widths: Record<keyof OverviewCells, number> = {
    job: cols.name,
    state: cols.state,
    run: (span ? (bar && cols.bar ? cols.bar + 1 : 0) + cols.count + cols.rate + cols.eta : cols.count),
    rate: cols.rate,
    eta: cols.eta,
    failed: cols.failed,
    storage: cols.coverage,
    warehouse: cols.coverage,
    age: cols.age,
  };
  return (cell) => Math.max(0, widths[cell] - 1);
}

/** One job's two lines; `span`: the run's cell takes the rate and ETA columns too (a failing run source says what failed). */
function textRow(cols: OverviewColumns, c: OverviewCells, span: boolean, marker: string, m: TextMeasure): string[] {
  const cell = (text: string, width: number) => padCell(text, width, m);
  const runWidth = cols.count + (span ? cols.rate + cols.eta : 0);
  const first = [marker.padEnd(cols.marker), cell(c.job, cols.name), ' ', cell(c.state, cols.state - 1), ' ', cell(c.run, runWidth - 1), ' '];
  if (!span) {
    if (cols.rate) first.push(cell(c.rate, cols.rate - 1), ' ');
    if (cols.eta) first.push(cell(c.eta, cols.eta - 1), ' ');
  }
  first.push(cell(c.failed, cols.failed - 1));
  const second = [' '.repeat(cols.indent), cell(c.storage, cols.coverage - 1), ' ', cell(c.warehouse, cols.coverage - 1), ' ', cols.age ? cell(c.age, cols.age - 1) : ''];
  return [first.join('').trimEnd(), second.join('').trimEnd()];
}
