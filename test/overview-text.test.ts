import { stripVTControlCharacters } from 'node:util';
import { describe, expect, test } from 'vitest';
import { wrap as wrapText } from '../src/text-width.js';
import { CODE_POINTS, cutPath } from '../src/format.js';
import { chainText, stageNotes } from '../src/chain/funnel-text.js';
import type { FunnelRow } from '../src/chain/funnel.js';

describe('wrapText: text status keeps a long line whole within the width', () => {
  test('broken at spaces, later lines indented, the leading run of spaces kept, a word longer than a line cut', () => {
    const text = `problem   run-refused: Cloud Run: cannot reach http://127.0.0.1:39747 (ECONNREFUSED) ${'x'.repeat(150)} end`;
    const lines = wrapText(text, 80, 10);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^problem {3}run-refused: Cloud Run: cannot reach/);
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {10}\S/);
    // Nothing lost: the words, in order, are the text's.
    expect(lines.map((l, i) => (i ? l.slice(10) : l)).join(' ').replace(/x (?=x)/g, 'x')).toBe(text);
    expect(wrapText('short', 80, 10)).toEqual(['short']);
  });

  // Tester AC11: a Cloud Run job's log path was cut inside a word at the 10-column hang (`…/jobs/bdl-boxs` / `core-backfill`).
  // Tester AG6 a: text status broke a path longer than the width after a `/` (a copy of it was two paths): on a screen
  // and in text status it is cut in the middle at its `/`s; in words left in the shell (stderr, leave words) it stays whole.
  test('a path longer than the width is never broken: cut at its /s, or whole; a word longer than a hung row but not than the width is hung less, whole', () => {
    const path = 'cloud-run:projects/nba-props-platform/locations/us-west2/jobs/bdl-boxscore-backfill';
    expect(wrapText(`bdl-boxscores: waiting  ${path}`, 80, 10, 'cut')).toEqual(['bdl-boxscores: waiting', `${' '.repeat(5)}cloud-run:projects/nba-props-platform/…/us-west2/jobs/bdl-boxscore-backfill`]);
    expect(wrapText(`bdl-boxscores: waiting  ${path} b`, 80, 10)).toEqual(['bdl-boxscores: waiting', `${' '.repeat(10)}${path}`, `${' '.repeat(10)}b`]);
    const file = '/tmp/h76/init/backfill_jobs/scrapers/nbac_player_boxscore/game_dates_to_scrape.csv';
    expect(wrapText(`expected  expected keys file not found: ${file}`, 80, 10, 'cut')).toEqual(['expected  expected keys file not found:', `${' '.repeat(10)}/tmp/h76/init/…/scrapers/nbac_player_boxscore/game_dates_to_scrape.csv`]);
    // A URL keeps its scheme and host; one whose first and last parts alone pass the width is cut in the middle.
    expect(cutPath(`gs://nba-scraped-data/${'a/'.repeat(40)}x.json`, 40, CODE_POINTS)).toBe('gs://nba-scraped-data/a/a/…/a/a/a/x.json');
    expect(cutPath(`/${'x'.repeat(50)}/${'y'.repeat(50)}`, 40, CODE_POINTS)).toBe(`/${'x'.repeat(19)}…${'y'.repeat(19)}`);
    const word = 'gs://nba-scraped-data/nba-com/player-boxscores/2024-01-01/20251126_120000.json';
    expect(word.length).toBeGreaterThan(70);
    expect(wrapText(`problem   ${word} b`, 80, 10)).toEqual(['problem', `${' '.repeat(80 - word.length)}${word}`, `${' '.repeat(10)}b`]);
    // No / to break at: cut where the row ends, as before.
    expect(wrapText(`a ${'x'.repeat(100)}`, 80, 10)).toEqual(['a', ' '.repeat(10) + 'x'.repeat(70), ' '.repeat(10) + 'x'.repeat(30)]);
  });
});

describe('chain notes: the longest form that fits, the keys lost always on the row', () => {
  const row: FunnelRow = {
    stage: 'Phase 3', source: 'nba-props.nba_analytics.player_game_summary', after: 'Phase 2', present: 761, expected: 853, percent: 89.21,
    lostSinceBefore: 39, met: { 95: false, 98: false, 100: false }, next: { percent: 95, keys: 811, met: false, needed: 50 },
    blockedBy: 'Phase 2', blockedUnder: 95, checkedAt: 0, error: null, hint: null, stale: false,
  };
  test.each([200, 80, 53, 40, 30, 20])('in %i columns', (width) => {
    const notes = stageNotes(row, width);
    // The shortest form is 33 columns: narrower, the caller cuts it (after the number).
    if (width >= 33) expect([...notes].length).toBeLessThanOrEqual(width);
    expect(notes).toMatch(/^(blocked by Phase 2 \(under 95 %\) · )?39 /);
    // Blocked always says by what, where it fits (U16).
    if (width >= 46) expect(notes).toContain('blocked by Phase 2');
    if (width >= 100) expect(notes).toBe('blocked by Phase 2 (under 95 %) · 39 in Phase 2 not yet in Phase 3 · 95 %: 50 more');
  });
  test('text status of a chain within 80 columns, the source on its own line', () => {
    const lines = chainText([{ ...row, stage: 'Phase 2', after: 'Phase 1', lostSinceBefore: 30, blockedBy: null, blockedUnder: null, present: 800, next: { percent: 95, keys: 811, met: false, needed: 11 } }, row], 80);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/^Phase 2 +800\/853 · 93\.7 % +30 in Phase 1 not yet in Phase 2 · 95 %: 11 more$/);
    expect(lines[3]).toMatch(/^Phase 3 +761\/853 · 89\.2 % +39 lost · blocked by Phase 2 · 95 %: 50 more$/);
    expect(lines[4].trim()).toBe('source nba-props.nba_analytics.player_game_summary');
  });
});

describe('formatCount groups as en-US does, without ICU', () => {
  test('whole numbers, negatives, and fractions (these still go to toLocaleString)', async () => {
    const { formatCount } = await import('../src/format.js');
    for (const n of [0, 7, 999, 1000, 5299, 12345, 100000, 1234567, -1, -1234, -1234567, 9007199254740991, 1234.5678, 0.5]) {
      expect(formatCount(n), String(n)).toBe(n.toLocaleString('en-US'));
    }
  });
});

describe('the overview ETA fits its column (T23: `41 s – 1 …` ran into the failures at 80 columns)', () => {
  test.each([
    [[41, 75], '41s–1m'],
    [[360, 420], '6–7 min'],
    [[7_500, 9_000], '2h05–2h30'],
    [[30_000, 40_000], '8h20–11h'],
    [[200_000, 280_000], '2d7h–3d5h'],
    [[200_000, 900_000], '≤ 10d10h'],
    [[45, 45], '~45 s'],
  ] as [[number, number], string][])('%j → %s', async (eta, want) => {
    const { etaCell } = await import('../src/overview/overview-text.js');
    expect(etaCell(eta)).toBe(want);
    expect([...etaCell(eta)].length).toBeLessThanOrEqual(9);
  });
});

describe('problemKind: the words of every explainer in a few', () => {
  test.each([
    ['Cloud Run: permission run.executions.list missing on projects/p/locations/r/jobs/j (403)', 'no access (403)'],
    ['Cloud Run: job j not found in region us-east1 of project p (404)', 'not found (404)'],
    ['Cloud Run: cannot reach http://127.0.0.1:9 (ECONNREFUSED)', 'unreachable'],
    ['Cloud Run: no answer from http://x within 20 s', 'no answer'],
    ['Cloud Logging: quota reached (429): Quota exceeded; next read in 8 s', 'quota (429)'],
    ['Cloud Run: not authenticated (401): Request had invalid authentication credentials', 'no credentials (401)'],
    ['Cloud Run: server error 503: backend unavailable', 'server error (503)'],
    ['Cloud Storage: permission denied (403): storage.objects.list on bucket b', 'no access (403)'],
    ['Cloud Storage: rate limited (429) after retries: slow down', 'quota (429)'],
    ['Cloud Storage: no Google credentials found', 'no credentials'],
    ['Cloud Storage gs://b/x/: connection refused at 127.0.0.1:9: nothing listens there', 'unreachable'],
    ['BigQuery p.d.t: no answer within 20 s', 'no answer'],
    ['BigQuery p.d.t: no request sent within 1 s (the client library was still loading, or the look waited its turn)', 'no answer'],
    ['BigQuery: table p.d.t not found (404)', 'not found (404)'],
    ['BigQuery: the answer was not JSON (Unexpected token <)', 'bad answer'],
    ['log: /x.log is a directory, not a regular file; waiting for a regular file there', 'not a file'],
    ['log: EACCES: permission denied, open \'/x.log\' (retrying)', 'no access'],
    ['cannot read /k.csv: ENOENT: no such file or directory', 'not found'],
    ['something else entirely', 'error'],
  ])('%s → %s', async (message, kind) => {
    const { problemKind } = await import('../src/overview/row-problem.js');
    expect(problemKind(message)).toBe(kind);
  });
});

// Tester V4: the same run at the same moment read `52s–1m` on the overview and `ETA 48 s – 1 min` on its job screen.
describe('one ETA wording on every screen', () => {
  test.each([
    [[48, 65], '48s–1m'],
    [[360, 420], '6–7 min'],
    [[7_500, 9_000], '2h05–2h30'],
  ] as [[number, number], string][])('%j: the job screen\'s run panel and the overview cell both say %s', async (eta, want) => {
    const [{ etaCell }, { RunPanel }, React, { renderToString }, { emptyRun }] = await Promise.all([import('../src/overview/overview-text.js'), import('../components/RunPanel.js'), import('react'), import('ink'), import('../src/state/run.js')]);
    const figures = { status: 'running', done: 5, total: 10, remaining: 5, percent: 50, inFlight: 1, ratePerMin: 10, etaSeconds: eta, elapsedMs: 30_000, idleMs: 0, stallAfterMs: 300_000 } as const;
    const panel = renderToString(React.createElement(RunPanel, { run: { ...emptyRun(), total: 10, succeeded: 5, startedAt: 0, hasActivity: true }, figures, width: 80 }), { columns: 80 });
    expect(panel).toContain(`ETA ${want}`);
    expect(etaCell(eta)).toBe(want);
  });
});

// Tester W23: during a stop's 10 s grace the overview row said `⠼ running` while the job screen said `stopping`.
describe('a stop under way is `stopping` on the overview row too', () => {
  test('a live run being stopped (or an execution being cancelled) reads stopping; once ended, its own state', async () => {
    const [{ overviewCells }, { overviewRows }, { initialState }, { reduce }, { compileGrammar, parseText }] = await Promise.all([import('../src/overview/overview-text.js'), import('../src/overview/overview-rows.js'), import('../src/state/app-state.js'), import('../src/state/reducer.js'), import('../src/parser/index.js')]);
    const t0 = Date.parse('2026-03-01T10:00:00Z');
    let s = initialState({ job: 'j', log: '/x.log', now: t0 + 5000, targets: [95] });
    s = reduce(s, { type: 'log/batch', batch: parseText('2026-03-01 10:00:00,000 - INFO - NBA.com Player Boxscore Scraper Backfill (v2) initialized\n2026-03-01 10:00:00,000 - INFO - Loaded 40 dates from k.csv', compileGrammar()) });
    s = reduce(s, { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true });
    s = reduce(s, { type: 'process/update', patch: { runId: 'r1', pid: 42, procStart: 1, attached: true, alive: true } });
    expect(overviewCells(overviewRows([s])[0]).state).toBe('running');
    const stopping = reduce(s, { type: 'process/update', patch: { stopping: 'sigint', stopSignals: [{ signal: 'SIGINT', at: t0 + 5000 }] } });
    expect(overviewCells(overviewRows([stopping])[0]).state).toBe('stopping');
    const stopped = reduce(stopping, { type: 'process/update', patch: { alive: false, stopped: true } });
    expect(overviewCells(overviewRows([stopped])[0]).state).toBe('stopped');
  });
});

// Tester AH5 c: the overview said `⠹ running` for a run a shell started, which its job screen calls `running (external)`
// and whose `x` says it was not started here: an operator could not tell from the list which runs are theirs.
describe('a run not started here is `external` on the overview row and in text status', () => {
  test('a live run written by a process not launched here reads external, spinning; ours reads running; stalled stays stalled', async () => {
    const [{ overviewCells, overviewText }, { overviewRows }, { initialState }, { reduce }, { compileGrammar, parseText }, React, { renderToString }, { OverviewJob }, { overviewColumns }] = await Promise.all([
      import('../src/overview/overview-text.js'),
      import('../src/overview/overview-rows.js'),
      import('../src/state/app-state.js'),
      import('../src/state/reducer.js'),
      import('../src/parser/index.js'),
      import('react'),
      import('ink'),
      import('../components/OverviewList.js'),
      import('../src/overview/layout.js'),
    ]);
    const t0 = Date.parse('2026-03-01T10:00:00Z');
    let s = initialState({ job: 'plain-a', log: '/x.log', now: t0 + 5000, targets: [95] });
    s = reduce(s, { type: 'log/batch', batch: parseText('2026-03-01 10:00:00,000 - INFO - NBA.com Player Boxscore Scraper Backfill (v2) initialized\n2026-03-01 10:00:00,000 - INFO - Loaded 40 dates from k.csv', compileGrammar()) });
    s = reduce(s, { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true });
    const external = reduce(s, { type: 'process/update', patch: { external: true, externalPids: [15621], writersChecked: true, writersCheckedAt: t0 + 5000 } });
    const row = overviewRows([external])[0];
    expect(overviewCells(row).state).toBe('external');
    expect(overviewText([row], 80)[2]).toMatch(/^ {2}plain-a\s+external\s/);
    const cols = overviewColumns(80, 7);
    const screen = renderToString(React.createElement(OverviewJob, { row, selected: false, cols, now: t0 + 5000 }), { columns: 80 });
    expect(stripVTControlCharacters(screen).split('\n')[0]).toMatch(/^ {2}plain-a\s+\S external /);
    const ours = reduce(s, { type: 'process/update', patch: { runId: 'r1', pid: 42, procStart: 1, attached: true, alive: true } });
    expect(overviewCells(overviewRows([ours])[0]).state).toBe('running');
    // Silent past its stall time: the word that needs the operator, whoever runs it.
    const stalled = reduce(external, { type: 'clock/tick', now: t0 + 60 * 60_000 });
    expect(overviewCells(overviewRows([stalled])[0]).state).toBe('stalled');
  });
});
