import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import stringWidth from 'string-width';
import { afterEach, describe, expect, test } from 'vitest';
import { render, cleanup } from 'ink-testing-library';
import { PlatformApp } from '../components/PlatformApp.js';
import { followBoxes, type Platform } from '../src/app/platform-runtime.js';
import type { Runtime } from '../src/app/runtime.js';
import type { ChainLive } from '../src/chain/chain-live.js';
import type { Intent } from '../src/keymap.js';
import { createPlatformUi, initialPlatformUi, type PlatformUi } from '../src/overview/platform-ui.js';
import { OVERVIEW_KEYMAP } from '../src/overview/overview-keymap.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { createStore, type Store } from '../src/store.js';
import { banner, logOf, T0 } from './support/log-text.js';
import { LONG_QUESTION } from './support/screen-states.js';
import { waitFor } from './support/wait-for.js';

const grammar = compileGrammar();
const NOW = T0 + 3_600_000;
afterEach(() => cleanup());

const dates = Array.from({ length: 853 }, (_, i) => new Date(Date.UTC(2021, 9, 19) + i * 86_400_000).toISOString().slice(0, 10));

type Kind = 'running' | 'stalled' | 'complete' | 'waiting' | 'ended' | 'reading';

/** A job's store as its sources would leave it: a run in the given state and storage coverage of `present` keys. */
function jobStore(job: string, kind: Kind, present: number): Store {
  const store = createStore(initialState({ job, log: `/runs/${job}.log`, now: NOW, targets: [95, 98, 100] }), { frameMs: 0 });
  // A waiting job's follower found no log; the others' read their history to the end (a reading one is half-way).
  if (kind === 'waiting') store.dispatch({ type: 'log/waiting' });
  if (kind === 'reading') store.dispatch({ type: 'log/progress', bytesRead: 0, size: 1, historyDone: false });
  if (kind !== 'waiting' && kind !== 'reading') {
    const records: string[][] = [...banner(6, 180, 244)];
    for (let i = 0; i < 112; i++) records.push(['INFO', `  ✅ Scraped ${dates[i]}`]);
    for (let i = 0; i < 8; i++) records.push(['WARNING', `  ❌ Failed ${dates[840 + i]}: HTTP 500`]);
    if (kind === 'complete') records.push(['INFO', 'BACKFILL COMPLETE']);
    const idle = kind === 'running' ? 2_000 : 20 * 60_000;
    store.dispatch({ type: 'log/batch', batch: parseText(logOf(NOW - idle - records.length * 1000, records), grammar) });
    store.dispatch({ type: 'log/progress', bytesRead: 1, size: 1, historyDone: true });
  }
  if (kind === 'running' || kind === 'stalled') store.dispatch({ type: 'process/update', patch: { pid: 4242, alive: true, attached: true, runId: 'resume-1' } });
  if (kind === 'ended') store.dispatch({ type: 'process/update', patch: { writersChecked: true, writersCheckedAt: NOW } });
  store.dispatch({ type: 'expected/loaded', expected: { keys: dates, format: 'date', blank: 0, duplicates: 0, invalid: [], file: '/x/dates.csv' } });
  store.dispatch({ type: 'coverage/configured', source: 'storage', label: 'gs://b/p/' });
  store.dispatch({ type: 'coverage/result', source: 'storage', result: { keys: new Set(dates.slice(0, present)), bytesBilled: null, method: 'prefixes', requests: 1 }, at: NOW - 30_000 });
  return store;
}

const SEED: [string, Kind, number][] = [
  ['team-boxscores', 'complete', 853],
  ['player-boxscores', 'running', 830],
  ['bdl-standings', 'stalled', 700],
  ['play-by-play', 'waiting', 400],
  ['espn-boxscores', 'ended', 600],
];

/** A platform of five jobs (config order as the seed lists them) whose controllers record what they are asked. */
function fivePlatform(extraJobs = 0, seed = SEED, ui: PlatformUi = { screen: 'overview', selected: null, help: false }) {
  const asked: [string, Intent][] = [];
  const specs = seed.map((s) => [...s] as [string, Kind, number]);
  for (let i = 0; i < extraJobs; i++) specs.push([`extra-${String(i).padStart(2, '0')}`, 'complete', 853]);
  const jobs = specs.map(([name, kind, present]) => {
    const store = jobStore(name, kind, present);
    const onIntent = (intent: Intent) => {
      asked.push([name, intent]);
      if (intent === 'view-dashboard') store.dispatch({ type: 'ui/view', view: 'dashboard' });
      if (intent === 'view-history') store.dispatch({ type: 'ui/view', view: 'history' });
    };
    return { store, controller: { onIntent }, live: null, close: async () => undefined } as unknown as Runtime;
  });
  const looks = new Map([
    ['Phase 1', { label: 'gs://b/p/', keys: new Set(dates.slice(0, 830)), checkedAt: NOW, error: null, hint: null }],
    ['Phase 2', { label: 'p.raw.t', keys: new Set(dates.slice(0, 800)), checkedAt: NOW, error: null, hint: null }],
    ['Phase 3', { label: 'p.analytics.t', keys: new Set(dates.slice(0, 761)), checkedAt: NOW, error: null, hint: null }],
  ]);
  const chain: ChainLive = { getState: () => ({ expected: { keys: dates, format: 'date', blank: 0, duplicates: 0, invalid: [], file: '' }, expectedError: null, looks }), subscribe: () => () => undefined, refresh: () => undefined };
  const stages = ['Phase 1', 'Phase 2', 'Phase 3'].map((name, i, all) => ({ name, after: i ? all[i - 1] : null, storage: null, warehouse: null }));
  const platform = {
    registry: { file: null, baseDir: '/', multi: true, jobs: specs.map(([job]) => ({ job })), chain: { expected: { file: '' }, targets: [95, 98, 100], stages } },
    jobs,
    chain,
    ui: createPlatformUi(ui),
    hub: null,
    job: (name: string) => jobs[specs.findIndex((s) => s[0] === name)],
    close: async () => undefined,
  } as unknown as Platform;
  return { platform, asked, stores: jobs.map((j) => j.store) };
}

function mount(platform: Platform, columns = 80, rows = 24) {
  let exited = false;
  const app = render(<PlatformApp platform={platform} color={false} exit={() => (exited = true)} />);
  Object.defineProperty(app.stdout, 'columns', { value: columns, configurable: true });
  Object.defineProperty(app.stdout, 'rows', { value: rows, configurable: true });
  app.stdout.emit('resize');
  return { ...app, exited: () => exited };
}

/** Lets the stores' frame timers, the overview's look and React's render run (event-loop order, no clock). */
const settle = () => new Promise<void>((r) => setTimeout(() => setImmediate(() => setImmediate(r)), 0));
const frameOf = (app: { lastFrame(): string | undefined }) => stripVTControlCharacters(app.lastFrame() ?? '');
const lineOf = (frame: string, job: string) => frame.split('\n').find((l) => l.includes(job)) ?? '';
/**
 * The frame drawn at 80 columns that shows `text`, once it stays (a frame Ink redraws by itself on a resize, clipped
 * to the new width before the screen re-renders at it, may show the text for a moment).
 */
async function until(app: { lastFrame(): string | undefined }, text: string): Promise<string> {
  for (;;) {
    const f = await waitFor(() => {
      const f = frameOf(app);
      return f.includes(text) && !f.includes('│') && f.split('\n').every((l) => [...l].length <= 80) ? f : null;
    }, `"${text}" on screen within 80 columns`);
    await settle();
    if (frameOf(app) === f) return f;
  }
}

describe('overview at 80×24 with five jobs', () => {
  test('one row per job, sorted by what needs the operator, each saying what a person looks for', async () => {
    const app = mount(fivePlatform().platform);
    const frame = await until(app, 'Phase 3');
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    const order = ['bdl-standings', 'espn-boxscores', 'player-boxscores', 'play-by-play', 'team-boxscores'].map((j) => lines.findIndex((l) => l.includes(j)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(frame).toContain('5 jobs · 1 running · 1 stalled · 1 ended');
    const player = lineOf(frame, 'player-boxscores');
    expect(player).toMatch(/running/);
    expect(player).toContain('120/244');
    // Keys still failing (not in storage since), and the biggest kind with its own count.
    expect(player).toContain('8 · HTTP 500 8');
    // The team job's 8 failed keys are all in storage since: nothing is failing there.
    expect(lineOf(frame, 'team-boxscores').trimEnd()).toMatch(/–$/);
    expect(player).toMatch(/\d+\.\d\/min/);
    // The line under a job: storage against the next unmet target, and the age of the figures.
    const playerCoverage = lines[lines.indexOf(player) + 1];
    expect(playerCoverage).toContain('97.3 % · 98 %: 6 more');
    expect(playerCoverage).toContain('just now');
    expect(lineOf(frame, 'bdl-standings')).toMatch(/^❯ bdl-standings +stalled/);
    expect(lineOf(frame, 'espn-boxscores')).toMatch(/ended/);
    expect(lineOf(frame, 'play-by-play')).toMatch(/waiting/);
    expect(lines[lines.indexOf(lineOf(frame, 'team-boxscores')) + 1]).toContain('100.0 % · all met');
    // The chain's funnel under the jobs.
    expect(lineOf(frame, 'Phase 2')).toContain('800/853');
    expect(lineOf(frame, 'Phase 2')).toContain('30 in Phase 1 not yet in Phase 2');
    // At 80 columns the keys lost since the stage before stay on the row, with blocked and the target (T23).
    expect(lineOf(frame, 'Phase 3')).toContain('39 lost · blocked by Phase 2 · 95 %: 50 more');
  });

  test('twenty-five jobs: the list scrolls with the selection and the frame still fits 80×24', async () => {
    const app = mount(fivePlatform(20).platform);
    let frame = await until(app, '↓ 19 more');
    expect(frame.split('\n').length).toBeLessThanOrEqual(23);
    expect(frame).not.toContain('extra-19');
    expect(frame).not.toMatch(/↑ \d+ more/);
    for (let i = 0; i < 24; i++) app.stdin.write('\u001B[B');
    frame = await until(app, '❯ extra-19');
    expect(frame).not.toContain('bdl-standings');
    expect(frame).toContain('↑ 19 more');
    expect(frame).not.toMatch(/↓ \d+ more/);
    expect(frame.split('\n').length).toBeLessThanOrEqual(23);
    for (const l of frame.split('\n')) expect([...l].length).toBeLessThanOrEqual(80);
  });
});

describe('long job names (tester AF8 g)', () => {
  // Two jobs named alike up to their last character: cut at the end, both rows read `a-very-long-job-nam…`.
  const LONG = 'a-very-long-job-name-for-the-player-boxscore-scraper-';
  test('names that differ at the end stay apart at 80×24: cut in the middle, start and end kept', async () => {
    const seed: [string, Kind, number][] = [[`${LONG}0`, 'complete', 853], [`${LONG}4`, 'complete', 853], ['team-boxscores', 'complete', 853]];
    const app = mount(fivePlatform(0, seed).platform);
    const frame = await until(app, 'team-boxscores');
    for (const l of frame.split('\n')) expect([...l].length).toBeLessThanOrEqual(80);
    // The name column is 20 wide: 10 of the start, `…`, 9 of the end.
    expect(frame).toContain('a-very-lon…scraper-0 ');
    expect(frame).toContain('a-very-lon…scraper-4 ');
    expect(frame).not.toContain('a-very-long-job-nam…');
    // The job screen's title keeps both ends too: whole while its settings can give way (tester AK1).
    app.stdin.write('\r');
    const title = await until(app, 'scraper-0 ');
    expect(title.split('\n')[0]).toMatch(new RegExp(`^${LONG}0 complete`));
  });
});

describe('narrow and short terminals (tester F39)', () => {
  test.each([
    [60, 16],
    [60, 14],
    [50, 10],
    [100, 30],
  ])('at %i×%i no row is wider than the terminal, the title is first and the keys last', async (cols, height) => {
    const app = mount(fivePlatform(20).platform, cols, height);
    let frame = '';
    do {
      frame = await waitFor(() => {
        const f = frameOf(app);
        return f.includes('more') && f.split('\n').every((l) => stringWidth(l) <= cols) ? f : null;
      }, `the overview at ${cols}×${height}`);
      await settle();
    } while (frameOf(app) !== frame);
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThan(height);
    expect(lines[0]).toMatch(/^backfill-tui · 25 jobs/);
    expect(lines.at(-1)).toContain('q quit');
    expect(frame).toContain('❯ bdl-standings');
    // What gives way on a narrow terminal is the bar, the ETA and the rate: never the count or the failures.
    expect(lineOf(frame, 'bdl-standings')).toMatch(/120\/244 .*8 ·/);
    // Jobs before the chain: two jobs at least where two fit (the funnel comes after).
    if (height >= 14) expect(lines.filter((l) => /^[❯ ] [a-z]/.test(l)).length).toBeGreaterThanOrEqual(2);
  });

  test.each([
    [80, 24],
    [100, 30],
  ])('? at %i×%i: every key of the overview on a whole row, said once that they act on the selected job (T23: rows were cut)', async (cols, height) => {
    const app = mount(fivePlatform(0, SEED, { screen: 'overview', selected: null, help: true }).platform, cols, height);
    const frame = await waitFor(() => {
      const f = frameOf(app);
      return f.includes('Keys (overview)') && f.split('\n').every((l) => stringWidth(l) <= cols) ? f : null;
    }, 'the help box');
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThan(height);
    expect(frame).toContain('s r R x f h g act on the selected job');
    // No description cut: each of the table's descriptions is on the screen whole.
    for (const b of OVERVIEW_KEYMAP) expect(frame, b.description).toContain(b.description);
    expect(frame).not.toMatch(/…/);
  });

  test('? at 80×24 with a failing source on the selected row: every key whole, the problem waits behind the help (tester W10)', async () => {
    const p = fivePlatform(0, SEED, { screen: 'overview', selected: null, help: true });
    p.stores[0].dispatch({ type: 'coverage/error', source: 'storage', at: NOW, error: { message: 'log: /tmp/many/adir is a directory, not a regular file; waiting for a regular file there, and more words to take a second line', hint: null, code: null } as never });
    const app = mount(p.platform, 80, 24);
    const frame = await waitFor(() => {
      const f = frameOf(app);
      return f.includes('Keys (overview)') && f.split('\n').every((l) => stringWidth(l) <= 80) ? f : null;
    }, 'the help box');
    for (const b of OVERVIEW_KEYMAP) expect(frame, b.description).toContain(b.description);
    expect(frame).not.toContain('more keys');
    expect(frame.split('\n').length).toBeLessThan(24);
  });

  test('at 60×20 the help and the list are cut, never wrapped: every line within 60 columns, one title, the keys last', async () => {
    for (const help of [false, true]) {
      const app = mount(fivePlatform(0, SEED, { screen: 'overview', selected: null, help }).platform, 60, 20);
      const frame = await waitFor(() => {
        const f = frameOf(app);
        return f.includes(help ? 'Keys (overview)' : 'bdl-standings') && f.split('\n').every((l) => stringWidth(l) <= 60) ? f : null;
      }, `the overview at 60×20 (help ${help})`);
      const lines = frame.split('\n');
      expect(lines.length).toBeLessThan(20);
      expect(lines.filter((l) => l.startsWith('backfill-tui ·'))).toHaveLength(1);
      expect(lines.at(-1)).toContain('q quit');
      // Under 80×24 the key bar says so first, as the job screen does (U10); no empty row for a `↑ N more` of none.
      expect(lines.at(-1)).toMatch(/^small terminal 60×20 · /);
      expect(lines.slice(0, -1).every((l) => l.trim() !== '')).toBe(true);
      cleanup();
    }
  });

  test('under 50×10 one line says the terminal is small', async () => {
    const app = mount(fivePlatform().platform, 40, 8);
    const frame = await waitFor(() => (frameOf(app).includes('small terminal') ? frameOf(app) : null), 'the small-terminal line');
    expect(frame.split('\n').every((l) => stringWidth(l) <= 40)).toBe(true);
    expect(frame).toContain('small terminal 40×8: needs 50×10');
  });
});

describe('keys on the overview act on the selected job', () => {
  test('↓ moves the selection by name; s r R x g go to the selected job; Enter opens it, Esc comes back', async () => {
    const { platform, asked, stores } = fivePlatform();
    const app = mount(platform);
    await until(app, '❯ bdl-standings');
    app.stdin.write('\u001B[B');
    app.stdin.write('\u001B[B');
    await until(app, '❯ player-boxscores');
    for (const k of ['s', 'r', 'R', 'x', 'g']) app.stdin.write(k);
    await waitFor(() => asked.length >= 5, 'five intents');
    expect(asked).toEqual([
      ['player-boxscores', 'resume'],
      ['player-boxscores', 'retry'],
      ['player-boxscores', 'retry-group'],
      ['player-boxscores', 'stop'],
      ['player-boxscores', 'refresh'],
    ]);
    // A confirm box of the selected job shows on the overview and takes y/n; the selection cannot move under it.
    stores[1].dispatch({ type: 'ui/confirm', confirm: { kind: 'resume', message: 'Launch 23 keys, 6 workers, timeout 180 s?', keys: ['2024-01-01'], workers: 6, timeout: 180 } });
    await until(app, 'Launch 23 keys');
    app.stdin.write('\u001B[B');
    app.stdin.write('y');
    await waitFor(() => asked.length >= 6, 'the answer');
    expect(asked[5]).toEqual(['player-boxscores', 'confirm-yes']);
    stores[1].dispatch({ type: 'ui/confirm', confirm: null });
    await waitFor(() => !frameOf(app).includes('Launch 23 keys') || null, 'the box closed');
    app.stdin.write('\r');
    await until(app, 'timeout 180 s');
    expect(frameOf(app)).toMatch(/^player-boxscores .*running/);
    app.stdin.write('\u001B');
    await until(app, '5 jobs');
    // (Esc and the next key a moment apart, as a person types them: together they read as Alt+key.)
    app.stdin.write('f');
    await waitFor(() => asked.some(([, i]) => i === 'view-failures'), 'failures asked');
    expect(asked.at(-1)).toEqual(['player-boxscores', 'view-failures']);
    await until(app, 'timeout 180 s');
    app.stdin.write('\u001B');
    await until(app, '5 jobs');
    app.stdin.write('q');
    await waitFor(() => app.exited(), `quit; screen:\n${frameOf(app)}`);
  });

  test('q with a box of the selected job open leaves the overview and answers nothing (tester T27)', async () => {
    const { platform, asked, stores } = fivePlatform();
    const app = mount(platform);
    await until(app, '❯ bdl-standings');
    stores[2].dispatch({ type: 'ui/confirm', confirm: { kind: 'stop', message: 'Stop run resume-1 (pid 4242)? SIGINT, then SIGTERM.', keys: [], workers: 6, timeout: 180 } });
    const box = await until(app, 'Stop run resume-1');
    expect(box).toContain('n/Esc keep it running · q quit, nothing done');
    app.stdin.write('q');
    await waitFor(() => app.exited(), `quit; screen:\n${frameOf(app)}`);
    expect(asked).toEqual([]);
  });
});


describe('every state of the overview at 80×24, 100×30 and 60×20', () => {
  type Setup = (p: ReturnType<typeof fivePlatform>) => void;
  const keys = dates.slice(0, 23);
  const STATES: [string, Setup, string][] = [
    ['the list and the chain', () => undefined, 'bdl-standings'],
    ['the help', (p) => p.platform.ui.set({ help: true }), 'Keys (overview)'],
    ['a launch box of the selected job', (p) => p.stores[2].dispatch({ type: 'ui/confirm', confirm: { kind: 'resume', message: `Launch ${keys.length} keys, 6 workers, timeout 180 s?`, keys, workers: 6, timeout: 180 } }), 'Launch 23 keys'],
    ['a group choice of the selected job', (p) => p.stores[2].dispatch({ type: 'ui/choose-group', choice: { groups: [{ label: 'HTTP 500', keys: keys.slice(0, 8) }, { label: 'timeout', keys: keys.slice(8, 9) }], index: 0 } }), 'HTTP 500'],
    [
      'a failing source on the selected row, said whole under the title',
      (p) => p.stores[2].dispatch({ type: 'coverage/error', source: 'storage', at: NOW, error: { message: 'Cloud Storage: permission denied (403): storage.objects.list on bucket nba-scraped-data', hint: 'grant roles/storage.objectViewer (it has storage.objects.list) to the account in use (see `gcloud auth list`)', code: 403 } as never }),
      // (60 columns cut the cell after the kind: `no access (4…`; the line under the title says it whole.)
      'no access',
    ],
  ];
  test.each(STATES.flatMap(([name, setup, text]) => ([[80, 24], [100, 30], [60, 20]] as const).map(([w, h]) => [name, w, h, setup, text] as const)))('%s at %i×%i: within the terminal, one title, the keys last', async (_name, cols, height, setup, text) => {
    const p = fivePlatform();
    setup(p);
    const app = mount(p.platform, cols, height);
    const frame = await waitFor(() => {
      const f = frameOf(app);
      return f.includes(text) && f.split('\n').every((l) => stringWidth(l) <= cols) ? f : null;
    }, `"${text}" at ${cols}×${height}`).catch(() => {
      throw new Error(`"${text}" never shown within ${cols} columns:\n${frameOf(app)}`);
    });
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThan(height);
    expect(lines[0]).toMatch(/^backfill-tui · 5 jobs/);
    expect(lines.filter((l) => l.startsWith('backfill-tui ·'))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/q quit|n\/Esc|Esc|next group/);
    if (text === 'no access') expect(lines[1]).toMatch(/^bdl-standings: Cloud Storage: permission denied/);
    // Nothing garbled: no row holds a second row's start (a wrapped or overdrawn line).
    for (const l of lines.slice(1)) expect(l).not.toMatch(/.backfill-tui ·|\S {0,1}❯ [a-z]/);
    cleanup();
  });
});

describe('an idle overview draws only what changed', () => {
  test('a tick that moves no age draws nothing; five jobs ticked together draw one frame', async () => {
    const idle: [string, Kind, number][] = SEED.map(([name], i) => [name, i % 2 ? 'waiting' : 'complete', 853 - i * 100]);
    const { platform, stores } = fivePlatform(0, idle);
    const app = mount(platform);
    await until(app, 'Phase 3');
    await settle();
    const before = app.frames.length;
    // 45 s after the figures: every age still reads "just now".
    for (const s of stores) s.dispatch({ type: 'clock/tick', now: NOW + 15_000 });
    await settle();
    expect(app.frames.length).toBe(before);
    for (const s of stores) s.dispatch({ type: 'clock/tick', now: NOW + 45_000 });
    await settle();
    expect(app.frames.length).toBe(before + 1);
    expect(frameOf(app)).toContain('1 min ago');
    expect(frameOf(app)).not.toContain('just now');
  });
});

describe('start-up of the overview (tester F41)', () => {
  test('a half-read log says reading…, never a partial run as ended; the cursor is on the first row until a key pins it to its job (U10)', async () => {
    const reading: [string, Kind, number][] = SEED.map(([name, , present]) => [name, 'reading', present]);
    const { platform, stores } = fivePlatform(0, reading, initialPlatformUi(SEED.map(([name]) => name)));
    // The team job has read part of a finished run: on its own it would look ended at 120/244.
    const records: string[][] = [...banner(6, 180, 244)];
    for (let i = 0; i < 120; i++) records.push(['INFO', `  ✅ Scraped ${dates[i]}`]);
    stores[0].dispatch({ type: 'log/batch', batch: parseText(logOf(NOW - 7_200_000, records), grammar) });
    const app = mount(platform);
    let frame = await until(app, '❯ team-boxscores');
    expect(lineOf(frame, 'team-boxscores')).toMatch(/❯ team-boxscores +reading…/);
    expect(lineOf(frame, 'team-boxscores')).not.toMatch(/ended|120/);
    expect(frame.split('\n')[3]).toContain('team-boxscores');
    // The rest of its log, then every log read to its end: the rows sort by what needs the operator (the
    // complete team job last), and the cursor stays on the team job.
    const rest: string[][] = [];
    for (let i = 120; i < 244; i++) rest.push(['INFO', `  ✅ Scraped ${dates[i]}`]);
    rest.push(['INFO', 'BACKFILL COMPLETE']);
    stores[0].dispatch({ type: 'log/batch', batch: parseText(logOf(NOW - 7_000_000, rest), grammar) });
    for (const s of stores) s.dispatch({ type: 'log/progress', bytesRead: 1, size: 1, historyDone: true });
    frame = await until(app, 'complete');
    // The team job sorted to the bottom (complete); the cursor is on the first row, the job that needs the operator.
    expect(frame.split('\n').findIndex((l) => l.includes('team-boxscores'))).toBeGreaterThan(4);
    expect(frame.split('\n')[3]).toMatch(/^❯ /);
    const first = /^❯ (\S+)/.exec(frame.split('\n')[3])![1];
    // ↓ goes to the second row and pins the cursor there: a job that sorts above it afterwards moves it down with its job.
    app.stdin.write('\u001B[B');
    frame = await waitFor(() => (/^ {2}\S/.test(frameOf(app).split('\n')[3]) && /^❯ /.test(frameOf(app).split('\n')[5]) ? frameOf(app) : null), 'the cursor on the second row');
    const second = /^❯ (\S+)/.exec(frame.split('\n')[5])![1];
    expect(second).not.toBe(first);
    const team = stores[0];
    team.dispatch({ type: 'coverage/error', source: 'storage', at: NOW, error: { message: 'Cloud Storage: permission denied (403): storage.objects.list on bucket b', hint: null, code: 403 } as never });
    frame = await waitFor(() => (frameOf(app).split('\n')[3].includes('team-boxscores') ? frameOf(app) : null), 'the team job first (a failing source)');
    expect(lineOf(frame, '❯')).toContain(second);
  });

  test('h opens the selected job on its history; Esc there comes straight back to the overview', async () => {
    const { platform, asked } = fivePlatform();
    const app = mount(platform);
    await until(app, '❯ bdl-standings');
    app.stdin.write('h');
    await waitFor(() => asked.some(([, i]) => i === 'view-history'), 'history asked');
    await waitFor(() => !frameOf(app).includes('5 jobs') || null, 'the job screen');
    app.stdin.write('\u001B');
    await until(app, '5 jobs');
    expect(lineOf(frameOf(app), '❯')).toContain('bdl-standings');
  });
});

// Tester AG4: `r/box` in one read (a shell line typed into a dashboard left open) opened the retry box and, while
// `r` listed storage, the overview's filter under it; Enter on the filter then hid the box, open still, with its job.
describe('a key that asks a question ends its read; the box it opens is answered next', () => {
  test('r/box in one read asks r and takes nothing after it', async () => {
    const { platform, asked } = fivePlatform();
    const app = mount(platform);
    await until(app, '❯ bdl-standings');
    app.stdin.write('r/box');
    await waitFor(() => asked.length >= 1, 'r asked');
    // The keys after it in the read are dropped: a later key is handled, so the read is over.
    app.stdin.write('?');
    await waitFor(() => frameOf(app).includes('Keys (overview)'), 'the help, opened by a later read');
    expect(asked).toEqual([['bdl-standings', 'retry']]);
    expect(frameOf(app)).not.toContain('/box');
  });

  test('a box that opens while the filter prompt is open closes the prompt, and its job is listed and selected whatever the filter', async () => {
    const { platform, stores } = fivePlatform();
    const off = followBoxes(platform.jobs, platform.ui);
    const app = mount(platform);
    await until(app, '❯ bdl-standings');
    app.stdin.write('/');
    await until(app, '/▏ 5 of 5 jobs');
    app.stdin.write('bdl');
    await until(app, '/bdl▏ 1 of 5 jobs');
    // team-boxscores' `r`, asked before the `/`, has listed storage: its box opens now, its job filtered out.
    stores[0].dispatch({ type: 'ui/confirm', confirm: { kind: 'retry', message: 'Retry 8 failed keys, 6 workers, timeout 180 s?', keys: [], workers: 6, timeout: 180 } });
    const box = await until(app, 'Retry 8 failed keys');
    expect(box).not.toContain('/bdl▏');
    expect(box).toContain('filter "bdl": 1 of 5 jobs');
    // The box names its job above it (as for the selected job with no filter).
    expect(box).toMatch(/^team-boxscores\n╔/m);
    // Keys go to the box now, not to the filter's text: Enter there is no answer, and the box stays.
    app.stdin.write('x\r');
    await settle();
    const after = await until(app, 'Retry 8 failed keys');
    expect(after).not.toContain('/bdlx');
    expect(platform.ui.getState()).toMatchObject({ filtering: false, filter: 'bdl' });
    off();
  });
});

// Tester AG6 d: a job whose run died (its traceback) read `1 with a failing source` in the title while every source
// answered: a run that died is counted as such.
test('a run that died is counted as one whose run died, not as a failing source', async () => {
  const { platform, stores } = fivePlatform();
  stores[4].dispatch({ type: 'log/batch', batch: parseText(['Traceback (most recent call last):', '  File "backfill.py", line 10, in <module>', 'FileNotFoundError: [Errno 2] No such file or directory: failed.json', ''].join('\n'), grammar) });
  const app = mount(platform);
  const frame = await until(app, 'whose run died');
  expect(frame.split('\n')[0]).toBe('backfill-tui · 5 jobs · 1 running · 1 stalled · 1 ended · 1 whose run died');
});

// Tester AG8 on the overview: a long question on a short terminal lost its start off the top.
test.each([
  [50, 12],
  [60, 16],
])('a long question of the selected job at %i×%i: the title, its job and its start on screen, cut at its end, within the rows', async (cols, height) => {
  const { platform, stores } = fivePlatform();
  const app = mount(platform, cols, height);
  await waitFor(() => frameOf(app).includes('bdl-standings') || null, 'the overview');
  stores[2].dispatch({ type: 'ui/confirm', confirm: { kind: 'resume', message: LONG_QUESTION, keys: [], withPersistent: dates.slice(0, 234), workers: 6, timeout: 60 } });
  const frame = await waitFor(() => {
    const f = frameOf(app);
    return f.includes('All 234 missing keys') && f.split('\n').length < height ? f : null;
  }, `the question from its start within ${height - 1} rows`);
  const lines = frame.split('\n');
  expect(lines[0]).toMatch(/^backfill-tui/);
  expect(lines.findIndex((l) => l.includes('All 234 missing keys'))).toBe(lines.findIndex((l) => l.startsWith('╔')) + 1);
  expect(frame).toContain('bdl-standings');
  expect(frame).toMatch(/…\s*║/);
  for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(cols);
});

describe('/ filters the overview (brief: `/` filters)', () => {
  test('/box lists the three boxscore jobs; q is text in the prompt; Enter keeps, keys act on the jobs shown, Esc clears', async () => {
    const { platform, asked } = fivePlatform();
    const app = mount(platform);
    await until(app, '❯ bdl-standings');
    app.stdin.write('/');
    await until(app, '/▏ 5 of 5 jobs · Enter keeps · Esc clears');
    app.stdin.write('boxq');
    // `q` in the prompt is text: nothing matches `boxq`, and the overview is still there.
    const none = await until(app, '/boxq▏ no job matches (5 in all) · Enter keeps · Esc clears');
    expect(app.exited()).toBe(false);
    for (const job of ['team-boxscores', 'player-boxscores', 'bdl-standings', 'play-by-play', 'espn-boxscores']) expect(none).not.toContain(job);
    app.stdin.write('\u007f');
    const typed = await until(app, '/box▏ 3 of 5 jobs · Enter keeps · Esc clears');
    // The title counts every job; the list only the matching ones, in the same order, the cursor on the first.
    expect(typed).toContain('5 jobs · 1 running · 1 stalled · 1 ended');
    expect(typed).not.toContain('bdl-standings');
    expect(typed).not.toContain('play-by-play');
    const lines = typed.split('\n');
    const order = ['espn-boxscores', 'player-boxscores', 'team-boxscores'].map((j) => lines.findIndex((l) => l.includes(j)));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(lineOf(typed, 'espn-boxscores')).toMatch(/^❯ /);
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    app.stdin.write('\r');
    await until(app, 'filter "box": 3 of 5 jobs · / changes · Esc clears');
    app.stdin.write('\u001B[B');
    await until(app, '❯ player-boxscores');
    app.stdin.write('s');
    await waitFor(() => asked.length >= 1, 's asked');
    expect(asked).toEqual([['player-boxscores', 'resume']]);
    app.stdin.write('\u001B');
    const cleared = await until(app, 'bdl-standings');
    expect(cleared).not.toContain('filter "box"');
    // The job acted on stays selected with every job listed again.
    expect(lineOf(cleared, 'player-boxscores')).toMatch(/^❯ /);
  });

  test('a state word or an error kind filters too; a filter matching nothing leaves no job to act on', async () => {
    const { platform, asked } = fivePlatform();
    const app = mount(platform);
    await until(app, '❯ bdl-standings');
    app.stdin.write('/');
    app.stdin.write('STALLED\r');
    const stalled = await until(app, 'filter "STALLED": 1 of 5 jobs');
    expect(lineOf(stalled, 'bdl-standings')).toMatch(/^❯ bdl-standings +stalled/);
    for (const job of ['team-boxscores', 'player-boxscores', 'play-by-play', 'espn-boxscores']) expect(stalled).not.toContain(job);
    // `/` again edits the kept filter.
    app.stdin.write('/');
    for (let i = 0; i < 7; i++) app.stdin.write('\u007f');
    app.stdin.write('http 500');
    const http = await until(app, '/http 500▏ 3 of 5 jobs');
    for (const job of ['player-boxscores', 'bdl-standings', 'espn-boxscores']) expect(http).toContain(job);
    app.stdin.write('x\r');
    await until(app, 'filter "http 500x": no job matches (5 in all)');
    for (const k of ['s', 'r', 'x', 'g']) app.stdin.write(k);
    // `?` after them: once its help is up, the keys before it were handled (and asked nothing of any job).
    app.stdin.write('?');
    await waitFor(() => frameOf(app).includes('Keys (overview)'), 'the help after the keys');
    expect(asked).toEqual([]);
  });
});
