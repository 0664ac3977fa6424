import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { describe, expect, test } from 'vitest';
import { Header } from '../components/Header.js';
import { emptyRun } from '../src/state/run.js';
import type { RunFigures } from '../src/state/run-view.js';

// Tester AK1: at 55 and 50 columns the job screen's header cut the job's name in the middle and then a figure:
// `bdl-st…dings ⠸ running · 0:49 · 6 workers · timeout 18…`. The name stays whole while a setting can give way, and a
// setting gives way whole (the timeout first), never cut.
const run = Object.assign(emptyRun(), { workers: 6, timeoutSec: 180, startedAt: 0 });
const figures = { status: 'running', elapsedMs: 49_000, startedAt: 0, idleMs: null } as unknown as RunFigures;
const header = (width: number, job = 'bdl-standings', keepAwake: string | null = null) =>
  stripVTControlCharacters(renderToString(<Header job={job} run={run} figures={figures} external={false} keepAwake={keepAwake} stopping={null} width={width} now={0} />, { columns: width })).replace(/[⠀-⣿]/g, '*');

describe('the header at narrow widths', () => {
  test.each([
    [80, 'bdl-standings * running · 0:49 · 6 workers · timeout 180 s'],
    [58, 'bdl-standings * running · 0:49 · 6 workers · timeout 180 s'],
    [55, 'bdl-standings * running · 0:49 · 6 workers'],
    [50, 'bdl-standings * running · 0:49 · 6 workers'],
    [40, 'bdl-standings * running · 0:49'],
  ])('%i columns', (width, want) => {
    const shown = header(width);
    expect(shown).toBe(want);
    expect(shown).not.toMatch(/\d…/);
  });

  test('a name too long for the row is cut in the middle only once the settings have given way', () => {
    const shown = header(40, 'a-very-long-job-name-for-the-backfill-of-everything');
    expect(shown).toMatch(/^a-very-l.*thing \* running · 0:49$/);
    expect([...shown].length).toBeLessThanOrEqual(40);
  });

  test('keep-awake words may come back cut; a figure never', () => {
    const shown = header(64, 'bdl-standings', 'machine kept awake (systemd-inhibit)');
    expect(shown).not.toMatch(/\d…/);
    expect([...shown].length).toBeLessThanOrEqual(64);
  });
});
