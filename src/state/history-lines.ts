import { formatCount, formatDuration, formatElapsed, formatPercent } from '../format.js';
import { keyLabel, keysLabel } from '../keymap.js';
import type { AppState, RecordedRun } from './app-state.js';
import { fileFailures, followedFailures } from './failures-view.js';
import { bodyHeightOf } from './body-height.js';
import { currentFigures } from './current-figures.js';
import { isLive } from './run-view.js';
import { readingLog } from './log-reading.js';
import { HISTORY_LIMIT } from './apply-lines.js';
import { launchOfCurrentRun, launchOfRun } from './run-notes.js';
import { allRuns } from './log-runs.js';

/** One line of the history view: a section heading, a row, or a quiet note. */
export interface HistoryLine {
  kind: 'heading' | 'row' | 'note';
  text: string;
}

// Month-day and time are enough in a list of recent runs, and keep a row within 80 columns. This machine's local
// time, as the wall clock and every other clock time on the screen (tester AE10: UTC, unlabelled, read `12-02 07:00`
// for tonight's 2 a.m. run in New York, and a launch and its own run in the log five hours apart).
// One of another year says its year, in the same width (tester AI10 i: the reference run's files of November 2025
// read `11-27 00:59` under a run of 12-01 2026, as last week's).
const pad = (n: number) => String(n).padStart(2, '0');
const when = (ms: number | null, year: number) => {
  if (ms === null) return '–';
  const d = new Date(ms);
  if (d.getFullYear() !== year) return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} `;
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** "60.0" — the percentage without its unit, for "60.0 → 81.0 %". */
function percentOf(part: number, whole: number): string {
  return formatPercent(part, whole).replace(' %', '');
}

/** A listing of storage taken this long after a run's end is not its end's figure: `h` says when it was taken. */
export const AFTER_AT_END_MS = 10 * 60_000;

/**
 * ` storage 33.3 → 100.0 %`: expected keys in storage at the launch and after the run (its end record's), or '' when
 * not recorded; and when that "after" needs saying, a line of its own under the row (rows are cut at the width). A
 * dashboard that found the run ended while none watched lists storage when it finds it (tester AJ9: hours later, after
 * other runs wrote, shown as if taken at the end), so a listing taken more than AFTER_AT_END_MS after the end says
 * when (`after: listed 13:42, 3 h 00 min after its end`), and one taken once the next launch had begun holds that run's
 * keys too: not this run's figure (` storage 33.3 % → not known`, `after: not known, listed once the next run had
 * begun`). `next`: when the next launch from here began, or null.
 */
export function storageMovedWords(r: RecordedRun, expected: number, next: number | null, year: number): { inline: string; note: string | null } {
  if (r.storageBefore == null || r.storageAfter == null || !expected) return { inline: '', note: null };
  const at = r.storageAfterAt ?? null;
  if (at !== null && next !== null && at >= next) return { inline: ` storage ${formatPercent(r.storageBefore, expected)} → not known`, note: `after: not known, listed ${when(at, year).trim()}, once the next run had begun` };
  const inline = ` storage ${percentOf(r.storageBefore, expected)} → ${formatPercent(r.storageAfter, expected)}`;
  const late = at !== null && r.endedAt !== null && at - r.endedAt > AFTER_AT_END_MS;
  return { inline, note: late ? `after: listed ${when(at, year).trim()}, ${formatDuration((at - r.endedAt!) / 1000)} after its end` : null };
}

/** "Runs in the log: 40, newest first"; `cut`: only the newest are listed ("Runs in the log: the newest 201, …"). */
function heading(title: string, n: number, cut = false): HistoryLine {
  // One is a count too (tester V4: `Failed keys by run (failed-keys files)` with one file read as no count).
  return { kind: 'heading', text: n > 1 ? `${title}: ${cut ? 'the newest ' : ''}${formatCount(n)}, newest first` : n === 1 ? `${title}: 1` : title };
}

let last: { key: unknown[]; lines: HistoryLine[] } | null = null;

/**
 * Every line of the history view, each section newest first: alerts (this session's and alerts.jsonl's),
 * runs launched from here (runs.jsonl), runs found in the log, and each failed-keys file by phase and kind.
 * Nothing is left out: the view scrolls over these lines (see `historyWindow`).
 */
export function historyLines(state: AppState): HistoryLine[] {
  // The log's current run still going reads `running` (or `stalled`), not `no summary` (tester V4), as the header says.
  // Not while the log is half read: no state word is known then (log-reading.ts).
  const figures = state.log.current !== null && !readingLog(state) ? currentFigures(state) : null;
  const status = figures?.status ?? null;
  const going = status !== null && isLive(status) ? status : null;
  // The current run's time is the header's (tester AC3: `stopped · 0:36` on the header, `0:26` here, the span of its
  // lines; `ended · 12:17` beside `2:40` once its writer was seen to go): one figure per run on every screen.
  const currentTook = figures && state.log.current ? formatElapsed(figures.startedAt, figures.elapsedMs) : null;
  const currentLaunch = currentTook !== null ? launchOfCurrentRun(state) : null;
  const year = new Date(state.now).getFullYear();
  // The log's times (its runs, its failed-keys files) put on this machine's clock, as the alerts and launches above them
  // are: a writer's clock off by minutes listed its runs that far from their launches, with no word of which clock (AJ5 j).
  const behind = state.log.clockBehindMs ?? 0;
  const ours = (t: number | null) => (t === null ? null : t + behind);
  const key = [year, state.alerts.past, state.alerts.recent, state.process.history, state.log.history, state.log.unlisted, state.log.current, state.log.beside, state.place?.execution?.id, state.log.exists, state.failed.files, state.coverage.expected, state.phases, going, currentTook, behind];
  if (last && last.key.every((x, i) => x === key[i])) return last.lines;
  const lines: HistoryLine[] = [];
  const alerts = [...state.alerts.past, ...state.alerts.recent].reverse();
  if (alerts.length === 0) lines.push({ kind: 'note', text: 'Alerts: none yet' });
  else lines.push(heading('Alerts', alerts.length));
  for (const a of alerts) lines.push({ kind: 'row', text: `${when(a.at, year)} ${a.text}` });

  const launched = [...state.process.history].reverse();
  // A launch row's time: the log's current run's launch says the header's; an ended one, from its launch to the end its
  // records say (its exit, or the stop that ended it), as the header said while it ran.
  const tookOf = (r: RecordedRun) => (r.endedAt ? (r === currentLaunch && currentTook !== null ? currentTook : formatElapsed(r.startedAt, r.endedAt - r.startedAt)) : r.unlisted || r.neverExecuted ? '–' : 'running');
  // A Cloud Run job lists its executions, ours (resume, retry) and those started elsewhere (external).
  lines.push(heading(state.place ? 'Executions (launched here, or external)' : 'Runs launched from here', launched.length));
  if (launched.length === 0) lines.push({ kind: 'note', text: 'none yet (s resumes, r retries)' });
  const expected = state.coverage.expected?.keys.length ?? 0;
  // One column for the key counts whatever the labels (tester AF8 c: `external` rows sat 2 columns right of `resume`'s).
  const labelWidth = Math.max(6, ...launched.map((r) => r.label.length));
  // When the launch after each began (history is oldest first): a later listing holds that run's keys too.
  const nextLaunch = new Map(state.process.history.map((r, i, all) => [r, all.slice(i + 1).find((n) => n.startedAt > r.startedAt && !n.neverExecuted)?.startedAt ?? null]));
  for (const r of launched) {
    // Skipped keys said when there are any (tester V4: an execution of 3 skipped keys read `✓ 0 ✗ 0 succeeded`).
    const counts = r.counts ? ` ✓ ${r.counts.succeeded} ✗ ${r.counts.failed}${r.counts.skipped ? ` ↷ ${r.counts.skipped}` : ''}` : '';
    const exit = r.exitCode !== null && r.exitCode !== 0 ? ` (exit ${r.exitCode})` : '';
    const end = r.reason ? ` ${r.reason === 'exited' && r.exitCode !== null ? `exit ${r.exitCode}` : r.reason === 'complete' ? `complete${exit}${r.stopIgnored ? ', stop ignored' : ''}` : r.reason}` : '';
    const { inline: moved, note: movedNote } = storageMovedWords(r, expected, nextLaunch.get(r) ?? null, year);
    // One the region no longer lists (tester Z3): from its records; its end unknown when none was recorded.
    // The launch of the log's current run says the run's own figure, the header's (AC3: the launch's span from its
    // record to its exit read 0:04 beside the header's 0:03, the script's start-up and exit in it).
    const took = tookOf(r);
    const unlisted = r.unlisted ? ` · ${r.unlisted}` : r.neverExecuted ? ' never became an execution' : '';
    lines.push({ kind: 'row', text: `${when(r.startedAt, year)} ${r.label.padEnd(labelWidth)} ${(r.keysUnknown ? '–' : formatCount(r.keyCount)).padStart(6)} ${r.keyCount === 1 && !r.keysUnknown ? 'key ' : 'keys'} ${took}${counts}${end}${unlisted}${moved}` });
    // Under its row, in line with its label (rows are cut at the width).
    if (movedNote) lines.push({ kind: 'note', text: `            ${movedNote}` });
  }

  // Each run once, a second writer's run beside the current one too (tester AA18), newest first.
  const logged = allRuns(state.log).reverse();
  // A Cloud Run job has no log file: its runs are read from its executions' entries in Cloud Logging (tester Y8).
  // A full history: older runs may be in the log, never read (history-start.ts); the count is the newest, as `status`
  // says (tester AC5: `Runs in the log: 201` of a log of 230 runs read as the log's whole).
  const cut = state.log.history.length >= HISTORY_LIMIT;
  lines.push(heading(state.place ? 'Runs in the executions\' logs' : 'Runs in the log', logged.length, cut));
  if (behind !== 0 && logged.length) lines.push({ kind: 'note', text: clockNote(behind) });
  if (logged.length === 0) lines.push({ kind: 'note', text: `none yet: ${state.place ? 'no execution\'s log read yet' : state.log.exists ? 'no run start found in the log' : 'the log does not exist yet'}` });
  const starts = logged.map((r) => r.startedAt).filter((t): t is number => t !== null);
  for (const r of logged) {
    const end = r.finishedAt ?? r.lastActivityAt;
    // A run whose log states no total (no `Loaded N`) has `–` keys, as a launch row whose keys are not known: never `0`.
    // One run, one time on every screen (tester AC3 residue: an older run read `0:20` on its launch row and `0:04` here,
    // the span of its lines, its silent wind-down after a stop left out): a run launched from here says its launch
    // row's figure; one started elsewhere, the span of its lines (all that is known of it).
    const launch = r === state.log.current ? currentLaunch : launchOfRun(r, state.process.history, starts.filter((t) => t !== r.startedAt), state.log.clockBehindMs ?? null);
    const took = r === state.log.current && currentTook !== null ? currentTook : launch?.endedAt ? tookOf(launch) : formatElapsed(r.startedAt, r.startedAt !== null && end !== null ? end - r.startedAt : null);
    lines.push({ kind: 'row', text: `${when(ours(r.startedAt), year)} ${(r.total === null ? '–' : formatCount(r.total)).padStart(6)} ${r.total === 1 ? 'key ' : 'keys'} · ${took} · ✓ ${formatCount(r.succeeded)} ✗ ${formatCount(r.failed)} ↷ ${formatCount(r.skipped)}${r.dryRun ? ' · dry run' : ''}${r.complete ? '' : going && r === state.log.current ? ` · ${going}` : r === state.log.beside && !r.exitTrace && state.process.external ? ' · going on (another writer)' : r.deadStart ? ' · ended before its first record' : launch?.reason === 'stopped' ? ' · stopped' : ' · no summary'}` });
  }
  // Runs read that left the list still count in the failures below (tester AF3: a key of the 202nd newest run in f).
  const unlisted = state.log.unlisted ?? 0;
  if (cut) lines.push({ kind: 'note', text: unlisted ? `older runs are not listed; failures count the ${formatCount(unlisted)} read before these` : 'older runs of this log are not read' });

  // Newest first; a Cloud Run job's followed execution among them, from its log (tester AC2).
  const files = [...fileFailures(state), ...followedFailures(state)].sort((a, b) => (a.runStartedAt ?? 0) - (b.runStartedAt ?? 0)).reverse();
  // An execution's failures come from its log, not a file (tester Y8), unless a gs:// glob names the script's files.
  const fromFiles = files.some((f) => !f.fromExecution);
  if (files.length) lines.push(heading(state.place && !fromFiles ? 'Failed keys by execution (from its log)' : 'Failed keys by run (failed-keys files)', files.length));
  // Phases first: at 80 columns the error kinds are what gets cut.
  // A run or execution that failed no key says so in words, as the other sections' empty lists do (tester AE13's nit:
  // `12-01 16:05 ✗ 0` with nothing after the count; AC2: no colon left dangling).
  for (const f of files) {
    const groups = [f.byPhase, f.byError].filter(Boolean).join(' · ');
    lines.push({ kind: 'row', text: `${when(ours(f.runStartedAt), year)} ${f.failed === 0 ? 'no failures' : `✗ ${formatCount(f.failed)}${groups ? `: ${groups}` : ''}`}` });
  }
  last = { key, lines };
  return lines;
}

/** Which clock the log's times are listed on, when the log's writer's is off: `times on this machine's clock (the log's is 10 min behind)`. */
export function clockNote(behindMs: number): string {
  return `times on this machine's clock (the log's is ${formatDuration(Math.round(Math.abs(behindMs) / 60_000) * 60)} ${behindMs > 0 ? 'behind' : 'ahead'})`;
}

/** What the history view shows at this size: the lines from `top`, and how many fit. */
export interface HistoryWindow {
  lines: HistoryLine[];
  top: number;
  /** Rows for lines; one more row says where the window is when they do not all fit. */
  rows: number;
  total: number;
}

/** The window of `historyLines` at the scroll position, kept within the lines (the body's last row says where). */
export function historyWindow(state: AppState, height = bodyHeightOf(state)): HistoryWindow {
  const all = historyLines(state);
  const rows = all.length <= height ? height : Math.max(1, height - 1);
  const top = Math.max(0, Math.min(state.ui.historyTop, all.length - rows));
  return { lines: all.slice(top, top + rows), top, rows, total: all.length };
}

/** "lines 1–18 of 63 · ↑↓ PgUp PgDn" */
export function historyPosition(w: HistoryWindow): string | null {
  if (w.total <= w.rows) return null;
  const below = w.total - w.top - w.lines.length;
  return `lines ${w.top + 1}–${w.top + w.lines.length} of ${w.total}${below ? ` · ${below} more below` : ''} · ${['up', 'down'].map(keyLabel).join('')} ${keysLabel(['pageup', 'pagedown'], ' ')}`;
}
