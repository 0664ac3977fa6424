import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { keysInKeysFile } from '../src/runner/keys-file.js';
import { runCliAsync } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

/** A job of `expected` (the file's text) with an empty storage folder: every expected key is missing. */
function job(expected: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-missing-csv-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'keys.txt'), expected);
  mkdirSync(path.join(dir, 'st'));
  writeFileSync(path.join(dir, 'bf.log'), '');
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'j', log: 'bf.log', expected: 'keys.txt', storage: { url: 'st' } }));
  return dir;
}

// Tester AJ7: `missing` printed game ids with no header line, and a reference script reading it with --csv took the first
// for a header: `Loaded 99` of 100, the first key never retried, silently. It prints what a launch's keys file holds.
test('missing prints keys as a launch\'s keys file holds them: a script\'s --csv reads every one', async () => {
  const ids = ['0022100001', '0022100002', '0022100003'];
  const bare = await runCliAsync(['missing', '--from', 'storage'], { cwd: job(`${ids.join('\n')}\n`) });
  expect(bare.code).toBe(0);
  expect(bare.stdout).toBe(`key\n${ids.join('\n')}\n`);
  expect(keysInKeysFile(bare.stdout)).toEqual(ids);
  // The expected file's own header and rows, as `s` writes them (a script reading by column finds `game_id`).
  const csv = await runCliAsync(['missing', '--from', 'storage'], { cwd: job(`game_id,game_date\n${ids.map((k, i) => `${k},2021-10-${19 + i}`).join('\n')}\n`) });
  expect(csv.stdout).toBe('game_id,game_date\n0022100001,2021-10-19\n0022100002,2021-10-20\n0022100003,2021-10-21\n');
  expect(keysInKeysFile(csv.stdout)).toEqual(ids);
  // Dates with no header stay one a line (a first line starting with 20 is a key to the scripts).
  const dates = await runCliAsync(['missing', '--from', 'storage'], { cwd: job('2021-10-19\n2021-10-20\n') });
  expect(dates.stdout).toBe('2021-10-19\n2021-10-20\n');
});
