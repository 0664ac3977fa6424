import { removeDir } from './support/remove-dir.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { afterEach, describe, expect, test } from 'vitest';
import { ConfirmBox } from '../components/ConfirmBox.js';
import { reloadOf } from '../src/app/platform-runtime.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadRegistry } from '../src/jobs/registry.js';
import { changedLaunchFields, commandLine, launchSettingsOf } from '../src/launch/launch-settings.js';
import { readRuns } from '../src/runner/runs-file.js';
import { waitFor } from './support/wait-for.js';

// Tester AJ8: with the dashboard open the operator fixed the job's command in the config file; `s` `y` then ran the old
// command (the config was read once, at start), and the launch box never said what it would run.
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const KEYS = ['2022-01-03', '2022-01-04'];
/** A command that exits at once, named by `word` in its argv. */
const commandOf = (word: string) => [process.execPath, '-e', 'setTimeout(() => {}, 100)', word, '--csv={keysFile}'];

function jobDir(config: Record<string, unknown>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-config-now-'));
  cleanups.push(() => removeDir(dir));
  writeFileSync(path.join(dir, 'e.csv'), KEYS.join('\n') + '\n');
  const file = path.join(dir, 'backfill-tui.config.json');
  const write = (over: Record<string, unknown>) => writeFileSync(file, JSON.stringify({ job: 'j', log: 'b.log', expected: 'e.csv', keepAwake: false, timezone: 'UTC', ...config, ...over }));
  write({});
  const registry = loadRegistry({ file, cwd: dir });
  const config0 = registry.jobs[0];
  const r: Runtime = startRuntime(config0, { exit: () => undefined, reload: reloadOf(registry, config0) });
  cleanups.push(() => r.close());
  return { dir, file, write, r, stateDir: config0.stateDir, state: () => r.store.getState() };
}

async function ready(j: ReturnType<typeof jobDir>) {
  await waitFor(() => j.state().coverage.expected && j.state().process.writersChecked, 'ready to launch');
}

describe('a launch takes the config as the file is when the key is pressed and answered', () => {
  test('the command fixed in the file after start is what the box shows and what y runs', async () => {
    const j = jobDir({ command: commandOf('OLD') });
    await ready(j);
    j.write({ command: commandOf('NEW') });
    j.r.controller.onIntent('resume');
    const box = await waitFor(() => j.state().ui.confirm, 'the resume box');
    expect(box.command).toBe(`runs: ${process.execPath} -e 'setTimeout(() => {}, 100)' NEW --csv=.backfill-tui/keys/resume-….txt`);
    expect(j.state().ui.notices.map((n) => n.text)).toContain('config read again: command changed; s launches with the file as it is now');
    j.r.controller.onIntent('confirm-yes');
    const rec = await waitFor(async () => (await readRuns(j.stateDir, null)).at(-1), 'the launch record', 20_000);
    expect(rec.argv.slice(0, 4)).toEqual([process.execPath, '-e', 'setTimeout(() => {}, 100)', 'NEW']);
  }, 30_000);

  test('changed while the box is open: the box stays as it was, and y runs nothing', async () => {
    const j = jobDir({ command: commandOf('FIRST') });
    await ready(j);
    j.r.controller.onIntent('resume');
    const box = await waitFor(() => j.state().ui.confirm, 'the resume box');
    j.write({ command: commandOf('SECOND'), workers: 2 });
    // Nothing reads the file while the box is open: it says what it said.
    expect(j.state().ui.confirm).toBe(box);
    j.r.controller.onIntent('confirm-yes');
    const said = await waitFor(() => j.state().ui.notices.find((n) => n.text.startsWith('Nothing was done')), 'the notice');
    expect(said.text).toBe('Nothing was done: the config\'s command, workers changed while the box was open: s asks again with it');
    expect(j.state().ui.confirm).toBeNull();
    expect(await readRuns(j.stateDir, null)).toEqual([]);
  }, 30_000);

  test('a file that cannot be used now: said with its file and field, no box, nothing launched', async () => {
    const j = jobDir({ command: commandOf('GOOD') });
    await ready(j);
    j.write({ command: commandOf('GOOD'), workers: 'six' });
    j.r.controller.onIntent('resume');
    const said = await waitFor(() => j.state().ui.notices.find((n) => n.text.startsWith('s launched nothing')), 'the notice');
    expect(said.text).toContain(`s launched nothing: the config as it is now cannot be used: ${j.file}: invalid config · workers: `);
    expect(j.state().ui.confirm).toBeNull();
    // Broken after the box opened: y launches nothing either.
    j.write({ command: commandOf('GOOD') });
    j.r.controller.onIntent('resume');
    await waitFor(() => j.state().ui.confirm, 'the resume box');
    writeFileSync(j.file, '{ "job": "j",');
    j.r.controller.onIntent('confirm-yes');
    const again = await waitFor(() => j.state().ui.notices.find((n) => n.text.startsWith('Nothing was done')), 'the notice');
    expect(again.text).toMatch(/^Nothing was done: the config as it is now cannot be used: .*backfill-tui\.config\.json: not valid JSON at line 1/);
    expect(await readRuns(j.stateDir, null)).toEqual([]);
  }, 30_000);
});

describe('the box shows the command, cut to its width', () => {
  const rows = (command: string) => stripVTControlCharacters(renderToString(<ConfirmBox confirm={{ kind: 'resume', keys: KEYS, workers: 6, timeout: 180, message: 'Launch 2 keys?', command }} width={80} />, { columns: 80 })).split('\n');

  test('whole when it fits, under the question', () => {
    expect(rows('runs: python -u backfill.py --csv=k.txt')[2]).toBe('║ runs: python -u backfill.py --csv=k.txt                                    ║');
  });

  test('a longer one ends in … at the box\'s edge (80 columns)', () => {
    const long = `runs: python -u ${'backfill_jobs/scrapers/nbac_player_boxscore/'.repeat(2)}v2.py --csv=k.txt`;
    const row = rows(long)[2];
    expect(row).toHaveLength(78);
    expect(row).toBe(`║ ${long.slice(0, 73)}… ║`);
  });
});

test('the words: a command as a shell runs it, and which launch fields changed', () => {
  expect(commandLine(['python', '-u', 'a b.py', "it's", '--csv=.backfill-tui/keys/resume-….txt', '$HOME'])).toBe(`python -u 'a b.py' 'it'\\''s' --csv=.backfill-tui/keys/resume-….txt '$HOME'`);
  const base = { job: 'j', command: ['a'], cwd: undefined, env: {}, vars: {}, workers: 6, timeout: 180, retry: { workers: 3, timeout: 300 }, keepAwake: true } as never;
  expect(changedLaunchFields(launchSettingsOf(base), launchSettingsOf({ ...(base as object), command: ['b'], retry: { timeout: 300, workers: 2 } } as never))).toEqual(['command', 'retry']);
  expect(changedLaunchFields(launchSettingsOf(base), launchSettingsOf({ ...(base as object), retry: { timeout: 300, workers: 3 } } as never))).toEqual([]);
});
