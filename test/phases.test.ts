import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config.js';
import { phaseOf, resolvePhases, PhasesError } from '../src/phases/calendar.js';
import { runCli } from './support/cli.js';

describe('the nba preset', () => {
  const nba = resolvePhases('nba');
  // Both ends of every range in ../shared/reference/nba-season-calendar.md, and the days just outside.
  test.each([
    ['2022-02-17', 'Regular season'], ['2022-02-18', 'All-Star'], ['2022-02-20', 'All-Star'], ['2022-02-21', 'Regular season'],
    ['2022-04-11', 'Regular season'], ['2022-04-12', 'Play-In'], ['2022-04-15', 'Play-In'], ['2022-04-16', 'Playoffs'], ['2022-06-16', 'Playoffs'], ['2022-06-17', 'Regular season'],
    ['2023-02-19', 'All-Star'], ['2023-04-14', 'Play-In'], ['2023-04-15', 'Playoffs'], ['2023-06-12', 'Playoffs'],
    ['2024-02-16', 'All-Star'], ['2024-04-19', 'Play-In'], ['2024-04-20', 'Playoffs'], ['2024-06-17', 'Playoffs'],
    ['2025-02-14', 'All-Star'], ['2025-04-18', 'Play-In'], ['2025-04-19', 'Playoffs'], ['2025-06-22', 'Playoffs'], ['2025-06-23', 'Regular season'],
    ['2021-10-19', 'Regular season'], ['2030-01-01', 'Regular season'],
  ])('%s is %s', (date, label) => expect(phaseOf(nba, date)).toBe(label));

  test('keys with no date are in no phase, never dropped: `no date` (tester W8: they read Regular season); with no phases, the one group', () => {
    expect(phaseOf(nba, null)).toBe('no date');
    expect(phaseOf(resolvePhases(null), null)).toBe('Other');
  });

  test('labels in season order; an absent setting is the preset', () => {
    expect(nba.labels).toEqual(['Regular season', 'All-Star', 'Play-In', 'Playoffs']);
    expect(resolvePhases(undefined)).toEqual(nba);
  });
});

describe('config forms', () => {
  test('a list of ranges, with its own default label', () => {
    const c = resolvePhases({ ranges: [{ label: 'Cup', from: '2023-12-05', to: '2023-12-09' }], default: 'Rest' });
    expect([phaseOf(c, '2023-12-04'), phaseOf(c, '2023-12-05'), phaseOf(c, '2023-12-09'), phaseOf(c, '2023-12-10')]).toEqual(['Rest', 'Cup', 'Cup', 'Rest']);
  });

  test('a preset extended by ranges: a later season is data', () => {
    const c = resolvePhases({ preset: 'nba', ranges: [{ label: 'Playoffs', from: '2026-04-18', to: '2026-06-20' }] });
    expect([phaseOf(c, '2026-05-01'), phaseOf(c, '2022-05-01'), phaseOf(c, '2026-07-01')]).toEqual(['Playoffs', 'Playoffs', 'Regular season']);
  });

  test('overlapping ranges with the same label merge', () => {
    const c = resolvePhases([{ label: 'A', from: '2022-01-01', to: '2022-01-10' }, { label: 'A', from: '2022-01-05', to: '2022-01-20' }]);
    expect(c.ranges).toEqual([{ label: 'A', from: '2022-01-01', to: '2022-01-20' }]);
  });

  test.each([
    [{ preset: 'nfl' }, 'phases.preset', /unknown preset "nfl"/],
    ['nfl', 'phases', /unknown preset "nfl"/],
    [[{ label: 'A', from: '2022-02-10', to: '2022-02-01' }], 'phases[0].from', /after/],
    [[{ label: 'A', from: '2022-02-30', to: '2022-03-01' }], 'phases[0].from', /not a date/],
    [[{ label: 'A', from: '2022-01-01', to: '2022-01-10' }, { label: 'B', from: '2022-01-10', to: '2022-01-12' }], 'phases[1]', /overlaps/],
    [{ preset: 'nba', ranges: [{ label: 'Finals', from: '2022-06-01', to: '2022-06-16' }] }, 'phases.ranges[0]', /overlaps .*Playoffs/],
  ])('%j is refused at %s', (setting, field, message) => {
    let err: unknown;
    try {
      resolvePhases(setting as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PhasesError);
    expect((err as PhasesError).field).toBe(field);
    expect((err as Error).message).toMatch(message);
  });
});

describe('bad phases in a config file exit 2 naming the file and the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phases-'));
  const write = (phases: unknown) => writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ log: 'b.log', phases }));

  test('loadConfig names the field', () => {
    write([{ label: 'X', from: '2022-03-02', to: '2022-03-01' }]);
    expect(() => loadConfig({ cwd: dir })).toThrow(/backfill-tui\.config\.json: invalid config\n {2}phases\[0\]\.from: 2022-03-02 is after to 2022-03-01/);
    write('nba');
    expect(loadConfig({ cwd: dir }).phases.labels).toContain('Play-In');
  });

  test.each([
    [[{ label: 'A', from: '2022-01-01', to: '2022-01-10' }, { label: 'B', from: '2022-01-09', to: '2022-01-12' }], 'phases[1]'],
    [{ preset: 'mlb' }, 'phases.preset'],
    [[{ label: 'A', from: '2022-01-01' }], 'phases'],
  ])('status with %j', (phases, field) => {
    write(phases);
    const r = runCli(['status'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('backfill-tui.config.json');
    expect(r.stderr).toContain(field);
  });
});
