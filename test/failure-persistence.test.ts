import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { readFailedFilesOnce } from '../src/app/failed-once.js';
import { createLocalSource } from '../src/coverage/local-source.js';
import { resolvePhases } from '../src/phases/calendar.js';
import { generateGameDates } from '../src/sim/index.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { failuresView, retryGroups } from '../src/state/failures-view.js';
import { persistentKeys } from '../src/failures/analysis.js';
import { reduce } from '../src/state/reducer.js';
import { runCliAsync } from './support/cli.js';
import { simulate } from './support/simulate.js';

// Three runs of the simulated backfill on one storage directory, as in the real history: a big run, a
// 10-key test run of other dates, then a big run of what is missing. Runs of the sim are in-process on
// an instant clock; the files and storage are what it wrote.
const H = 3_600_000;
const T1 = Date.UTC(2025, 10, 26, 16, 27, 19);
const dir = mkdtempSync(join(tmpdir(), 'persist-'));
const season = generateGameDates({ seasons: [2022], seed: 3 });
const springOf = (k: string) => ['04', '05', '06'].includes(k.slice(5, 7));
// Ten regular-season dates the first big run leaves out: the test run tries them.
const testKeys = season.filter((k) => !springOf(k)).slice(20, 30);
const csv = (name: string, keys: string[]) => (writeFileSync(join(dir, name), `${keys.join('\n')}\n`), name);
const failedIn = (file: string): Map<string, string> =>
  new Map((JSON.parse(readFileSync(join(dir, file), 'utf8')).failed_dates as { game_date: string; error: string }[]).map((e) => [e.game_date, e.error]));

async function sim(start: number, args: string[]): Promise<void> {
  const { code } = await simulate(['--storage', 'storage', '--failed-dir', '.', '--workers=3', '--fail-rate=0', '--exception-rate=0', ...args], { start, cwd: dir });
  expect(code).toBe(0);
}

let files: string[];
/** Every key any of the three runs failed. */
const everFailed = () => new Set(files.flatMap((f) => [...failedIn(f).keys()]));
beforeAll(async () => {
  // Run 1: every spring date fails (a third of them by timeout), the rest succeeds.
  await sim(T1, ['--csv', csv('run1.csv', season.filter((k) => !testKeys.includes(k))), '--playoff-fail-rate=1', '--timeout-rate=0.3', '--seed=1']);
  // Run 2: the 10-key test run, every key times out (the real 162529 and 230657 runs).
  await sim(T1 + 3 * H, ['--csv', csv('run2.csv', testKeys), '--timeout-rate=1', '--seed=2']);
  // Run 3: what storage misses; the test keys succeed now, 70 % of the spring dates fail again (HTTP 500 only).
  await sim(T1 + 6 * H, ['--csv', csv('run3.csv', season), '--playoff-fail-rate=0.7', '--timeout-rate=0', '--seed=3']);
  files = readdirSync(dir).filter((n) => n.startsWith('failed_dates_')).sort();
});

async function stateOf(phases = resolvePhases([{ label: 'Spring', from: '2023-04-01', to: '2023-06-30' }])): Promise<AppState> {
  let s = initialState({ job: 'j', log: join(dir, 'none.log'), now: T1 + 9 * H, targets: [95], phases });
  const read = await readFailedFilesOnce(join(dir, 'failed_dates_*.json'));
  s = reduce(s, { type: 'failed/update', ...read });
  s = reduce(s, { type: 'coverage/configured', source: 'storage', label: 'storage' });
  const result = await createLocalSource({ dir: join(dir, 'storage'), name: 'storage' }).list(new AbortController().signal);
  return reduce(s, { type: 'coverage/result', source: 'storage', result, at: T1 + 9 * H });
}

describe('persistence on the simulator\'s own files', () => {
  test('the runs look as built: three files, the test run in between tried only its own 10 keys', () => {
    expect(files).toHaveLength(3);
    const [one, two, three] = files.map(failedIn);
    expect([...two.keys()].sort()).toEqual([...testKeys].sort());
    // Run 1: every spring date it tried, plus regular-season timeouts (those succeed in run 3: recovered).
    expect(season.filter((k) => springOf(k) && !testKeys.includes(k)).every((k) => one.has(k))).toBe(true);
    expect([...one].filter(([k]) => !springOf(k)).every(([, e]) => e.startsWith('Timeout'))).toBe(true);
    expect([...one.keys()].filter((k) => !springOf(k)).length).toBeGreaterThan(3);
    expect([...three.keys()].every((k) => springOf(k) && one.has(k))).toBe(true);
    expect(three.size).toBeGreaterThan(10);
    expect(three.size).toBeLessThan([...one.keys()].filter(springOf).length); // some spring dates recovered
  });

  test('over every key of every file: only the keys still failing in every run that tried them are persistent', async () => {
    const [, , three] = files.map(failedIn);
    const state = await stateOf();
    const all = persistentKeys(state.failed.files, null, state.coverage.storage!.keys);
    expect([...all].sort()).toEqual([...three.keys()].sort());
  });

  test('a small test run between two big ones does not break a streak; recovered keys and the test keys are not persistent', async () => {
    const [one, , three] = files.map(failedIn);
    const view = failuresView(await stateOf());
    const stillFailing = view.rows.filter((r) => !r.recovered).map((r) => r.key);
    // Every key the last run failed failed in run 1 too, and the test run never tried it: 2 of 2.
    expect(stillFailing.sort()).toEqual([...three.keys()].sort());
    expect(view.rows.filter((r) => r.persistent).map((r) => r.key).sort()).toEqual([...three.keys()].sort());
    for (const r of view.rows.filter((x) => !x.recovered)) expect([r.failedIn, r.triedIn]).toEqual([2, 2]);
    // Every other key a run failed is in storage now: recovered, listed for the record.
    expect(view.summary).toMatchObject({ failing: three.size, persistent: three.size, recovered: everFailed().size - three.size });
    expect(view.rows.filter((r) => r.recovered).every((r) => !three.has(r.key))).toBe(true);
    // Keys failing with a timeout in run 1 and HTTP 500 in run 3: different errors, still failed every time.
    const changed = [...three.keys()].filter((k) => one.get(k) !== three.get(k));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((k) => view.rows.find((r) => r.key === k)?.persistent)).toBe(true);
  });

  test('grouped by phase and by every month, and R offers kinds, phases and months', async () => {
    const [, , three] = files.map(failedIn);
    const state = await stateOf();
    const { summary } = failuresView(state);
    expect(summary.byPhase).toEqual([{ label: 'Spring', count: three.size }]);
    expect(summary.persistentByPhase).toEqual([{ label: 'Spring', count: three.size }]);
    const months = ['2023-04', '2023-05', '2023-06'].map((m) => ({ label: m, count: [...three.keys()].filter((k) => k.startsWith(m)).length })).filter((m) => m.count > 0);
    expect(summary.byMonth).toEqual(months);
    expect(summary.byError).toEqual([{ label: 'HTTP 500', count: three.size }]);
    expect(retryGroups(state).map((g) => `${g.label}: ${g.keys.length}`)).toEqual([
      `error HTTP 500: ${three.size}`,
      `phase Spring: ${three.size}`,
      ...months.map((m) => `month ${m.label}: ${m.count}`),
    ]);
  });

  test('status --json failures and missing --from failures, from the built CLI', async () => {
    const [, , three] = files.map(failedIn);
    writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({
      log: 'none.log', failed: 'failed_dates_*.json', expected: 'run3.csv', storage: { url: 'storage' },
      phases: [{ label: 'Spring', from: '2023-04-01', to: '2023-06-30' }],
    }));
    const status = await runCliAsync(['status', '--json'], { cwd: dir });
    expect(status.code).toBe(0);
    const byMonth: Record<string, number> = {};
    for (const k of three.keys()) byMonth[k.slice(0, 7)] = (byMonth[k.slice(0, 7)] ?? 0) + 1;
    expect(JSON.parse(status.stdout).failures).toEqual({
      file: join(dir, files[2]),
      failing: three.size,
      recovered: everFailed().size - three.size,
      persistent: three.size,
      persistentUnknown: null,
      byError: { 'HTTP 500': three.size },
      byPhase: { Spring: three.size },
      byMonth,
      persistentByPhase: { Spring: three.size },
      unlistedRuns: 0,
    });
    const sorted = `${[...three.keys()].sort().join('\n')}\n`;
    expect((await runCliAsync(['missing', '--from', 'failures', '--persistent'], { cwd: dir })).stdout).toBe(sorted);
    expect((await runCliAsync(['missing', '--from', 'failures', '--phase', 'Spring'], { cwd: dir })).stdout).toBe(sorted);
    // Any case, as typed at 2 a.m. (tester U16: `--phase play-in` was exit 2 beside `Play-In`).
    expect((await runCliAsync(['missing', '--from', 'failures', '--phase', 'sPRING'], { cwd: dir })).stdout).toBe(sorted);
    expect((await runCliAsync(['missing', '--from', 'failures', '--not-persistent'], { cwd: dir })).stdout).toBe('');
    expect((await runCliAsync(['missing', '--from', 'failures', '--phase', 'Other'], { cwd: dir })).stdout).toBe('');
    const bad = await runCliAsync(['missing', '--from', 'failures', '--phase', 'Winter'], { cwd: dir });
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--phase: no phase "Winter"')]);
  });

  test('"phases": null: --phase names no phase, not even the default label every key falls under (tester AC11: `--phase Other` printed every failing key)', async () => {
    writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({
      job: 'nophase', log: 'none.log', failed: 'failed_dates_*.json', expected: 'run3.csv', storage: { url: 'storage' }, phases: null,
    }));
    for (const label of ['Other', 'Playoffs']) {
      const r = await runCliAsync(['missing', '--from', 'failures', '--phase', label], { cwd: dir });
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', expect.stringContaining('--phase: job nophase has no phases ("phases": null in its config)')]);
    }
    // Without --phase the list is whole.
    expect((await runCliAsync(['missing', '--from', 'failures'], { cwd: dir })).stdout).toBe(`${[...failedIn(files[2]).keys()].sort().join('\n')}\n`);
  });
});
