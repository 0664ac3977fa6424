import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { render, cleanup } from 'ink-testing-library';
import { App } from '../components/App.js';
import { CONFIRM_ANSWERS, helpRows, KEYMAP, type Intent } from '../src/keymap.js';
import stringWidth from 'string-width';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { createStore, type Store } from '../src/store.js';
import { banner, logOf, T0 } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';
import { gameDates, LONG_QUESTION } from './support/screen-states.js';

const grammar = compileGrammar();
afterEach(() => cleanup());

/** A store holding a live run of 244 keys (42 scraped, 8 failed) and coverage 651/853. */
function liveStore(now = T0 + 60_000): Store {
  const store = createStore(initialState({ job: 'player-boxscores', log: '/runs/backfill.log', now, targets: [95, 98, 100] }), { frameMs: 0 });
  const records: string[][] = [...banner(6, 180, 244)];
  // 42 distinct keys: a run counts each key once.
  for (let i = 0; i < 42; i++) records.push(['INFO', `  ✅ Scraped ${new Date(Date.UTC(2021, 10, 1) + i * 86_400_000).toISOString().slice(0, 10)}`]);
  for (let i = 0; i < 6; i++) records.push(['WARNING', `  ❌ Failed 2022-04-${String(i + 10)}: HTTP 500`]);
  records.push(['WARNING', '  ❌ Timeout 2022-02-01'], ['WARNING', '  ❌ Timeout 2022-02-02']);
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(now - records.length * 1000, records), grammar) });
  const expected = gameDates(853);
  store.dispatch({ type: 'expected/loaded', expected: { keys: expected, format: 'date', blank: 0, duplicates: 0, invalid: [], file: '/x/expected.csv' } });
  store.dispatch({ type: 'coverage/configured', source: 'storage', label: 'gs://b/p/' });
  store.dispatch({ type: 'coverage/result', source: 'storage', result: { keys: new Set([...expected.slice(0, 651), 'not-expected-1']), bytesBilled: null, method: 'prefixes', requests: 1 }, at: now });
  store.dispatch({ type: 'log/progress', bytesRead: 100, size: 100, historyDone: true });
  return store;
}

function mount(store: Store, color = false, onIntent: (i: Intent) => void = () => undefined) {
  const app = render(<App store={store} onIntent={onIntent} color={color} />);
  const setSize = (columns: number, rows: number) => {
    Object.defineProperty(app.stdout, 'columns', { value: columns, configurable: true });
    Object.defineProperty(app.stdout, 'rows', { value: rows, configurable: true });
    app.stdout.emit('resize');
  };
  setSize(80, 24);
  return { ...app, setSize };
}

/** What a person reads: the frame without escape codes. */
const frameOf = (app: { lastFrame(): string | undefined }) => stripVTControlCharacters(app.lastFrame() ?? '');
const rawFrameOf = (app: { lastFrame(): string | undefined }) => app.lastFrame() ?? '';

describe('dashboard frame', () => {
  test('shows what an operator reads at a glance: state, counts, coverage, target need', async () => {
    const app = mount(liveStore());
    const frame = await waitFor(() => (frameOf(app).includes('651/853') ? frameOf(app) : null), 'coverage in the frame');
    expect(frame).toContain('player-boxscores');
    expect(frame).toContain('running');
    expect(frame).toContain('50/244');
    expect(frame).toContain('42 scraped');
    expect(frame).toContain('8 failed');
    expect(frame).toContain('HTTP 500 6 · timeout 2');
    expect(frame).toContain('76.3 %');
    // 95 % of 853 takes 811 keys: 160 more than 651.
    expect(frame).toContain('95 %: 160 more');
    // Its own clause after how storage was read (tester AG6 h: `storage +141 not expected directory just now`).
    expect(frame).toContain('storage prefixes just now · +1 not expected');
    expect(frame).toContain('6 workers · timeout 180 s');
  });

  // Tester W23: `1 workers` in the header of an execution run with --workers=1.
  test('one worker is `1 worker`', async () => {
    const [{ Header }, { renderToString }, { emptyRun }, { runFigures }] = await Promise.all([import('../components/Header.js'), import('ink'), import('../src/state/run.js'), import('../src/state/run-view.js')]);
    const run = { ...emptyRun(), startedAt: 0, lastActivityAt: 0, workers: 1, timeoutSec: 60 };
    const line = stripVTControlCharacters(renderToString(React.createElement(Header, { job: 'j', run, figures: runFigures(run, 1000, { alive: true }), external: false, keepAwake: null, stopping: null, width: 80 }), { columns: 80 }));
    expect(line).toContain('1 worker · timeout 60 s');
  });

  test('a script that read fewer keys than were launched from here says so on the job screen (tester U14)', async () => {
    const store = liveStore();
    // The live run's banner (Loaded 244) is a second after a launch of 255 keys recorded in runs.jsonl.
    const startedAt = store.getState().log.current!.startedAt!;
    store.dispatch({ type: 'process/history', runs: [{ id: 'resume-1', label: 'resume', keyCount: 255, keysFile: null, pid: 5058, startedAt: startedAt - 1000, endedAt: null, exitCode: null, reason: null }] });
    const app = mount(store);
    const frame = await waitFor(() => (frameOf(app).includes('651/853') ? frameOf(app) : null), 'the frame');
    expect(frame).toContain('the script read 244 of the 255 keys launched');
  });

  test('fits 80×24: no line wider than 80 columns, no more than 24 lines, help bar last', async () => {
    const app = mount(liveStore());
    const frame = await waitFor(() => (frameOf(app).includes('651/853') ? frameOf(app) : null), 'frame');
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(80);
    expect(lines[lines.length - 1]).toMatch(/q quit/);
  });

  test('re-lays out on resize', async () => {
    const app = mount(liveStore());
    await waitFor(() => frameOf(app).includes('651/853'), 'first frame');
    app.setSize(120, 40);
    await waitFor(() => frameOf(app).split('\n').some((l) => Array.from(l).length > 80), 'a wider layout');
    app.setSize(60, 20);
    const frame = await waitFor(() => (frameOf(app).split('\n').every((l) => Array.from(l).length <= 60) ? frameOf(app) : null), 'a narrow layout');
    expect(frame).toContain('651/853');
  });

  test('NO_COLOR: no color codes (bold and dim may stay); with color, there are', async () => {
    const plain = mount(liveStore(), false);
    const frame = await waitFor(() => (frameOf(plain).includes('651/853') ? rawFrameOf(plain) : null), 'frame');
    // eslint-disable-next-line no-control-regex
    expect(frame).not.toMatch(/\u001b\[(3|9)\dm/);
    cleanup();
    const colored = mount(liveStore(), true);
    const cframe = await waitFor(() => (frameOf(colored).includes('651/853') ? rawFrameOf(colored) : null), 'frame');
    // eslint-disable-next-line no-control-regex
    expect(cframe).toMatch(/\u001b\[3\dm/);
  });

  test('waiting for a log that does not exist yet', async () => {
    const store = createStore(initialState({ job: 'j', log: '/nowhere/backfill.log', now: T0, targets: [95] }), { frameMs: 0 });
    store.dispatch({ type: 'log/waiting' });
    const app = mount(store);
    const frame = await waitFor(() => (frameOf(app).includes('waiting for') ? frameOf(app) : null), 'waiting');
    expect(frame).toContain('/nowhere/backfill.log');
  });

  test('reading a long history shows a progress bar with its percentage', async () => {
    const store = createStore(initialState({ job: 'j', log: '/big.log', now: T0, targets: [95] }), { frameMs: 0 });
    store.dispatch({ type: 'log/progress', bytesRead: 430_000_000, size: 1_000_000_000, historyDone: false });
    const app = mount(store);
    const frame = await waitFor(() => (frameOf(app).includes('reading history') ? frameOf(app) : null), 'history bar');
    expect(frame).toContain('43 % of 1.0 GB');
  });

  test('keys go through the keymap: ? opens help listing every key; q asks to quit', async () => {
    const intents: Intent[] = [];
    const store = liveStore();
    const app = mount(store, false, (i) => {
      intents.push(i);
      if (i === 'help') store.dispatch({ type: 'ui/help' });
    });
    await waitFor(() => frameOf(app).includes('651/853'), 'frame');
    app.stdin.write('?');
    const help = await waitFor(() => (frameOf(app).includes('Keys') ? frameOf(app) : null), 'help overlay');
    expect(help).toContain('leave (in a box: nothing done); the backfill goes on');
    expect(help).toContain('retry one error group only');
    app.stdin.write('q');
    await waitFor(() => intents.includes('quit'), 'quit intent');
  });

  test('? at 80×24 with two notices lists every key of the keymap table whole, Ctrl-Z and the filter\'s Ctrl-U too (tester X9)', async () => {
    const store = liveStore();
    store.dispatch({ type: 'ui/notice', text: 'first notice', tone: 'info' });
    store.dispatch({ type: 'ui/notice', text: 'second notice', tone: 'info' });
    store.dispatch({ type: 'ui/help' });
    const app = mount(store);
    const help = await waitFor(() => (frameOf(app).includes('suspend') ? frameOf(app) : null), 'help overlay');
    const lines = help.split('\n');
    expect(lines.length).toBeLessThan(24);
    for (const l of lines) expect(stringWidth(l), l).toBeLessThanOrEqual(80);
    expect(help).not.toContain('more:');
    for (const row of helpRows([...KEYMAP, ...CONFIRM_ANSWERS])) expect(help, row.description).toContain(row.description);
    expect(help).toMatch(/Ctrl-Z +suspend to the shell \(fg returns\); the backfill goes on/);
    expect(help).toContain('filter failures: Enter keeps, Esc clears, Ctrl-U erases');
  });

  // Tester AG8: at 40×10 a long question lost its first rows off the top (`help). Nothing to launch by default; a asks
  // to launch them anyway`), the header with them.
  test.each([
    [40, 10],
    [50, 12],
    [60, 14],
  ])('a long question at %i×%i: the header and its start on screen, cut at its end, its answers whole, within the rows', async (cols, rows) => {
    const store = liveStore();
    const keys = Array.from({ length: 234 }, (_, i) => `2022-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`);
    store.dispatch({ type: 'ui/confirm', confirm: { kind: 'resume', message: LONG_QUESTION, keys: [], withPersistent: keys, workers: 6, timeout: 60 } });
    const app = mount(store);
    app.setSize(cols, rows);
    const frame = await waitFor(() => {
      const f = frameOf(app);
      return f.includes('All 234 missing keys') && f.split('\n').length < rows ? f : null;
    }, `the question from its start within ${rows - 1} rows`);
    const lines = frame.split('\n');
    // The header (the job's name, cut in the middle where short) and its state.
    expect(lines[0]).toMatch(/^player.*running/);
    expect(lines[1]).toMatch(/^╔/);
    expect(lines[2]).toContain('All 234 missing keys');
    expect(frame).toMatch(/…\s*║/);
    expect(frame).toContain('n/Esc cancel');
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(cols);
  });

  test('a confirm box shows what will happen and to how many keys', async () => {
    const store = liveStore();
    store.dispatch({ type: 'ui/confirm', confirm: { kind: 'resume', message: 'Launch 202 keys, 6 workers, timeout 180 s?', keys: ['2022-04-17'], workers: 6, timeout: 180 } });
    const app = mount(store);
    const frame = await waitFor(() => (frameOf(app).includes('Launch 202 keys') ? frameOf(app) : null), 'confirm');
    expect(frame).toContain('y go');
  });

  test('q in an open box quits without answering it (tester T27)', async () => {
    const intents: Intent[] = [];
    const store = liveStore();
    store.dispatch({ type: 'ui/confirm', confirm: { kind: 'resume', message: 'Launch 202 keys, 6 workers, timeout 180 s?', keys: ['2022-04-17'], workers: 6, timeout: 180 } });
    const app = mount(store, false, (i) => intents.push(i));
    const frame = await waitFor(() => (frameOf(app).includes('Launch 202 keys') ? frameOf(app) : null), 'confirm');
    expect(frame).toContain('y go · n/Esc cancel · q quit, nothing done');
    expect(frame.split('\n').at(-1)).toContain('q quit');
    app.stdin.write('q');
    await waitFor(() => intents.includes('quit'), 'quit intent');
    expect(intents).toEqual(['quit']);
  });

  // Tester AG4: keys in the read after one that asks a question reached the screen under its box.
  test('a key that asks a question ends its read: r/fq in one read asks r only', async () => {
    const intents: Intent[] = [];
    const app = mount(liveStore(), false, (i) => intents.push(i));
    await waitFor(() => (frameOf(app).includes('player-boxscores') ? true : null), 'the dashboard');
    app.stdin.write('r/fq');
    await waitFor(() => intents.length >= 1, 'r asked');
    // A later read is handled: the one with r is over.
    app.stdin.write('?');
    await waitFor(() => intents.includes('help'), 'help asked');
    expect(intents).toEqual(['retry', 'help']);
  });

  test("the key bar under a box says the box's own words for y and n (tester U10)", async () => {
    const store = liveStore();
    store.dispatch({ type: 'ui/confirm', confirm: { kind: 'stop', message: 'Cancel execution bdl-boxscore-backfill-ffb7f? Its tasks get SIGTERM; keys in flight are lost.', keys: [], workers: null, timeout: null } });
    const app = mount(store);
    const frame = await waitFor(() => (frameOf(app).includes('Cancel execution') ? frameOf(app) : null), 'the box');
    expect(frame).toContain('y cancel it · n/Esc keep it running · q quit, nothing done');
    expect(frame.split('\n').at(-1)).toBe('y cancel it · n/Esc keep it running · q quit');
  });
});
