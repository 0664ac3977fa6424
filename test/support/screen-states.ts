import { compileGrammar, parseText } from '../../src/parser/index.js';
import { initialState, type AppState } from '../../src/state/app-state.js';
import type { AppEvent } from '../../src/state/events.js';
import { reduce } from '../../src/state/reducer.js';
import { SourceError } from '../../src/coverage/source.js';
import { banner, logOf, T0 } from './log-text.js';

// Every state the dashboard can be in, built by events through the real reducer, for layout tests.
const grammar = compileGrammar();

/** Game dates from 2021-10-19, skipping July to September: a season-shaped list of keys. */
/** Tester AG8's question: long enough to need more rows than a short terminal has. */
export const LONG_QUESTION =
  'All 234 missing keys are persistent (Regular season 41 · Play-In 12 · Playoffs 181; failed in every run that tried them: a retry will not help). Nothing to launch by default; a asks to launch them anyway on Cloud Run job bf-job in us-west2 (project proj-h76), 6 workers, timeout 60 s.';

export function gameDates(n: number): string[] {
  const out: string[] = [];
  for (let d = Date.UTC(2021, 9, 19); out.length < n; d += 86_400_000) {
    const m = new Date(d).getUTCMonth() + 1;
    if (m >= 7 && m <= 9) continue;
    out.push(new Date(d).toISOString().slice(0, 10));
  }
  return out;
}

const EXPECTED = gameDates(853);
const LONG_ERROR = 'HTTP 403: nba-props-platform-sa@nba-props-platform.iam.gserviceaccount.com does not have storage.objects.list access to the Google Cloud Storage bucket nba-scraped-data. Permission denied on resource (or it may not exist).';

function runRecords(opts: { complete?: boolean } = {}): string[][] {
  const records: string[][] = [...banner(6, 180, 244)];
  for (let i = 0; i < 42; i++) records.push(['INFO', `  ✅ Scraped ${EXPECTED[i]}`]);
  for (let i = 0; i < 6; i++) records.push(['WARNING', `  ❌ Failed ${EXPECTED[600 + i]}: HTTP 500 Internal Server Error from https://nba-scrapers-abcdefgh-wl.a.run.app/scrape?date=${EXPECTED[600 + i]}`]);
  records.push(['WARNING', `  ❌ Timeout ${EXPECTED[700]}`], ['WARNING', `  ❌ Timeout ${EXPECTED[701]}`]);
  if (opts.complete) records.push(['INFO', '='.repeat(70)], ['INFO', 'BACKFILL COMPLETE'], ['INFO', 'Total dates: 244'], ['INFO', '✅ Processed: 42'], ['INFO', '⏭️  Skipped: 0'], ['INFO', '❌ Failed: 8'], ['INFO', 'Time: 32.6 minutes'], ['INFO', 'Rate: 7.5 dates/min']);
  return records;
}

type Source = 'fresh' | 'checking' | 'stale' | 'never';

function apply(state: AppState, events: AppEvent[]): AppState {
  return events.reduce(reduce, state);
}

function sourceEvents(source: 'storage' | 'warehouse', how: Source, present: number, at: number): AppEvent[] {
  const label = source === 'storage' ? 'gs://nba-scraped-data/nba-com/player-boxscores/' : 'nba-props-platform.nba_raw.nbac_player_boxscores';
  const events: AppEvent[] = [{ type: 'coverage/configured', source, label }];
  const result: AppEvent = { type: 'coverage/result', source, result: { keys: new Set([...EXPECTED.slice(0, present), 'not-expected-1']), bytesBilled: source === 'warehouse' ? 10_485_760 : null, method: source === 'warehouse' ? 'partitions' : 'prefixes', requests: 1 }, at: at - 90_000 };
  if (how === 'fresh') events.push(result);
  if (how === 'checking') events.push(result, { type: 'coverage/checking', source });
  if (how === 'stale') events.push(result, { type: 'coverage/error', source, error: new SourceError(LONG_ERROR, 'grant roles/storage.objectViewer on gs://nba-scraped-data to nba-props-platform-sa@nba-props-platform.iam.gserviceaccount.com, or run gcloud auth application-default login', 403), at });
  if (how === 'never') events.push({ type: 'coverage/checking', source });
  return events;
}

export interface ScreenState {
  name: string;
  state: AppState;
}

/** The states the issue lists, each at `width`×`height`. */
export function screenStates(width: number, height: number): ScreenState[] {
  const now = T0 + 3_600_000;
  const base = initialState({ job: 'nbac-player-boxscores-retry-after-rate-limit', log: '/home/operator/nba-stats-scraper/player_boxscore_retry_backfill.log', now, targets: [95, 98, 100], width, height });
  const withRun = (records: string[][], start: number) => apply(base, [
    { type: 'log/batch', batch: parseText(logOf(start, records), grammar) },
    { type: 'log/progress', bytesRead: 100, size: 100, historyDone: true },
    { type: 'expected/loaded', expected: { keys: EXPECTED, format: 'date', blank: 0, duplicates: 0, invalid: [], file: '/x/expected.csv' } },
  ]);
  const recent = now - 60 * 1000;
  const running = withRun(runRecords(), recent);
  const old = withRun(runRecords(), now - 40 * 60_000);
  const sources = (s: AppState, storage: Source, warehouse: Source) => apply(s, [...sourceEvents('storage', storage, 651, now), ...sourceEvents('warehouse', warehouse, 640, now)]);
  const fresh = (s: AppState) => sources(s, 'fresh', 'fresh');
  const proc = (s: AppState, patch: Partial<AppState['process']>) => apply(s, [{ type: 'process/update', patch }]);
  const ui = (s: AppState, events: AppEvent[]) => apply(s, events);
  const notices = (s: AppState) => ui(s, [
    { type: 'ui/notice', text: 'launched run retry-20261128-160014-8aa9e0: pid 8617, 66 keys, machine kept awake (systemd-inhibit)', tone: 'info' },
    { type: 'ui/notice', text: 'storage listing failed: HTTP 403 nba-props-platform-sa@nba-props-platform.iam.gserviceaccount.com does not have storage.objects.list access', tone: 'fail' },
  ]);
  const failures = (s: AppState) => ui(s, [{ type: 'ui/view', view: 'failures' }]);
  const confirm = (s: AppState, kind: 'resume' | 'stop' | 'kill', message: string, keys: string[]) => ui(s, [{ type: 'ui/confirm', confirm: { kind, message, keys, workers: 6, timeout: 180 } }]);
  const list: ScreenState[] = [
    { name: 'waiting', state: apply(base, [{ type: 'log/waiting' }]) },
    { name: 'reading history', state: apply(base, [{ type: 'log/progress', bytesRead: 430_000_000, size: 1_000_000_000, historyDone: false }]) },
    { name: 'running, sources fresh', state: fresh(running) },
    { name: 'running, sources checking', state: sources(running, 'checking', 'checking') },
    { name: 'running, sources stale with a long error', state: sources(running, 'stale', 'stale') },
    { name: 'running, sources never answered', state: sources(running, 'never', 'never') },
    { name: 'running, stale sources and two notices', state: notices(sources(running, 'stale', 'stale')) },
    { name: 'stalled', state: fresh(old) },
    { name: 'stalled (external)', state: proc(fresh(old), { external: true, externalPids: [123456, 123457], writersChecked: true, writersCheckedAt: now }) },
    { name: 'ended', state: proc(fresh(old), { writersChecked: true, writersCheckedAt: now }) },
    { name: 'complete', state: fresh(withRun(runRecords({ complete: true }), now - 40 * 60_000)) },
    { name: 'stopped', state: proc(fresh(old), { stopped: true, runId: 'resume-20261128-160014-8aa9e0', pid: 8617, alive: false }) },
    { name: 'stopping', state: proc(fresh(running), { runId: 'resume-20261128-160014-8aa9e0', pid: 8617, alive: true, attached: true, keepAwake: 'systemd-inhibit', stopping: 'sigterm', stopSignals: [{ signal: 'SIGINT', at: now - 12_000 }, { signal: 'SIGTERM', at: now - 2000 }] }) },
    { name: 'resume box', state: confirm(fresh(running), 'resume', 'Launch 202 keys, 6 workers, timeout 180 s?', EXPECTED.slice(651)) },
    { name: 'stop box', state: confirm(proc(fresh(running), { runId: 'resume-20261128-160014-8aa9e0', pid: 8617, alive: true, attached: true }), 'stop', 'Stop run resume-20261128-160014-8aa9e0 (pid 8617)? SIGINT to its process group, SIGTERM after 10 s.', []) },
    { name: 'help', state: ui(fresh(running), [{ type: 'ui/help' }]) },
    { name: 'failures', state: failures(fresh(running)) },
    { name: 'failures, filter with matches', state: ui(failures(fresh(running)), [{ type: 'ui/filter-start' }, { type: 'ui/filter-input', text: 'time' }]) },
    { name: 'failures, filter without a match', state: ui(failures(fresh(running)), [{ type: 'ui/filter-start' }, { type: 'ui/filter-input', text: 'zzz' }, { type: 'ui/filter-end', keep: true }]) },
    { name: 'history', state: ui(fresh(running), [{ type: 'ui/view', view: 'history' }]) },
  ];
  return list;
}
