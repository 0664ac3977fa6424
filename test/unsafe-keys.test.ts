import { afterEach, describe, expect, test } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { parseFailedFile } from '../src/failures/failed-file.js';
import { writeKeysFile } from '../src/runner/keys-file.js';
import { cleanup, tempDir, waitFor } from './runner-support.js';

const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
  cleanup();
});

const LONG = `2022-01-0${'9'.repeat(300)}`;
/** Entries 2 to 7 are unsafe: each must be a bad entry, never a line of a keys file. */
const ENTRIES = [
  { game_date: '2022-01-03', status: 'failed', error: 'HTTP 500' },
  { game_date: '2022-01-04\n2022-01-05', status: 'failed', error: 'HTTP 500' },
  { game_date: '\r2022-01-06', status: 'failed', error: 'HTTP 500' },
  { game_date: '\u001b[31m2022-01-07', status: 'failed', error: 'HTTP 500' },
  { game_date: '--service-url=http://evil', status: 'failed', error: 'HTTP 500' },
  { game_date: LONG, status: 'failed', error: 'HTTP 500' },
  { game_date: '2022-01-08\u2028x', status: 'failed', error: 'HTTP 500' },
  { game_date: '2022-01-10', status: 'timeout', error: 'Timeout after 180s' },
];
const FILE = JSON.stringify({ timestamp: '2025-11-26T23:49:49', total_failed: ENTRIES.length, failed_dates: ENTRIES }, null, 2);

describe('keys from a failed-keys file are validated like expected keys', () => {
  test('a newline, a carriage return, an escape, a leading "-", an overlong key, a line separator: bad entries with their index', () => {
    const r = parseFailedFile('/runs/failed_dates_20251126_231710.json', FILE);
    if (!r.ok) throw new Error(r.reason);
    expect(r.file.entries.map((e) => e.key)).toEqual(['2022-01-03', '2022-01-10']);
    expect(r.file.problems).toEqual([
      'entry 2: game_date "2022-01-04\\n2022-01-05" holds a control character (newline, carriage return, escape...): not used',
      'entry 3: game_date "\\r2022-01-06" holds a control character (newline, carriage return, escape...): not used',
      'entry 4: game_date "\\u001b[31m2022-01-07" holds a control character (newline, carriage return, escape...): not used',
      'entry 5: game_date "--service-url=http://evil" starts with "-" (a script would read it as an option): not used',
      `entry 6: game_date "${LONG.slice(0, 40)}…" longer than 200 characters (309): not used`,
      'entry 7: game_date "2022-01-08\\u2028x" holds a control character (newline, carriage return, escape...): not used',
    ]);
  });

  test('writeKeysFile refuses an unsafe key outright, so no path can put one in a keys file', async () => {
    const state = tempDir();
    await expect(writeKeysFile(state, ['2022-01-03', 'a\nb'], 'retry')).rejects.toThrow('Refusing to write the keys file: key 2 "a\\nb" holds a control character');
    await expect(writeKeysFile(state, ['-x'], 'retry')).rejects.toThrow('key 1 "-x" starts with "-"');
    expect(readdirSync(state)).toEqual([]);
  });

  test('r then y launches only the safe failed keys: the keys file the script reads holds exactly them', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'failed_dates_20251126_231710.json'), FILE);
    writeFileSync(join(dir, 'backfill.log'), '');
    writeFileSync(join(dir, 'cfg.json'), JSON.stringify({
      job: 'unsafe', log: 'backfill.log', failed: 'failed_dates_*.json', keepAwake: false,
      command: [process.execPath, '-e', 'process.stdout.write(require("fs").readFileSync(process.argv[1], "utf8"))', '{keysFile}'],
    }));
    const r = startRuntime(loadConfig({ file: join(dir, 'cfg.json'), cwd: dir }), { exit: () => undefined });
    runtimes.push(r);
    await waitFor(() => r.store.getState().failed.current, 'the failed-keys file');
    r.controller.onIntent('retry');
    const confirm = await waitFor(() => r.store.getState().ui.confirm, 'the retry confirm box');
    expect(confirm.keys).toEqual(['2022-01-03', '2022-01-10']);
    r.controller.onIntent('confirm-yes');
    const keysDir = join(dir, '.backfill-tui', 'keys');
    // The writer's temp file (.NAME.PID.RAND.tmp) sits in the same directory until it is linked: wait for the
    // keys file itself, under its final name.
    const keysFiles = () => { try { return readdirSync(keysDir).filter((n) => !n.startsWith('.')); } catch { return []; } };
    const [name] = await waitFor(() => (keysFiles().length ? keysFiles() : null), 'the keys file under its final name');
    expect(keysFiles()).toEqual([name]);
    expect(readFileSync(join(keysDir, name), 'utf8')).toBe('2022-01-03\n2022-01-10\n');
    await waitFor(() => readFileSync(join(dir, 'backfill.log'), 'utf8') === '2022-01-03\n2022-01-10\n', 'the script to read its keys');
  });
});

// Tester Y10: one 300-character id (id characters only) in the expected file was offered by `s`, then `y` launched
// nothing (`Refusing to write the keys file`), and every later `s` did the same: one bad line blocked every resume.
describe('an over-long key in the expected file never blocks a resume', () => {
  const LONG_ID = 'G'.repeat(300);
  const LINES = ['key', 'abc', '--help', '-rf', 'has space', LONG_ID, 'ok2'];

  test('the expected-file reader reports it as a bad line with its line number, as it does --help', async () => {
    const { parseExpectedKeys } = await import('../src/coverage/expected-keys.js');
    const r = parseExpectedKeys(`${LINES.join('\n')}\n`, { file: 'e.csv', format: 'id' });
    expect(r.keys).toEqual(['abc', 'key', 'ok2']);
    expect(r.invalid.map((i) => [i.line, i.reason])).toEqual([
      [3, 'not an id (letters, digits, _ . : -)'],
      [4, 'not an id (letters, digits, _ . : -)'],
      [5, 'not an id (letters, digits, _ . : -)'],
      [6, 'longer than 200 characters (300)'],
    ]);
    // First in the file, with no format given: a bad line too, never a header skipped unsaid.
    const first = parseExpectedKeys(`${LONG_ID}\nabc\n`, { file: 'e.csv' });
    expect(first.keys).toEqual(['abc']);
    expect(first.invalid.map((i) => i.line)).toEqual([1]);
  });

  test('s then y launches the good keys: the keys file the script reads holds exactly them', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'e.csv'), `${LINES.join('\n')}\n`);
    writeFileSync(join(dir, 'backfill.log'), '');
    writeFileSync(join(dir, 'cfg.json'), JSON.stringify({
      job: 'susp', log: 'backfill.log', expected: { file: 'e.csv', format: 'id' }, keepAwake: false,
      command: [process.execPath, '-e', 'process.stdout.write(require("fs").readFileSync(process.argv[1], "utf8"))', '{keysFile}'],
    }));
    const r = startRuntime(loadConfig({ file: join(dir, 'cfg.json'), cwd: dir }), { exit: () => undefined });
    runtimes.push(r);
    await waitFor(() => r.store.getState().coverage.expected && r.store.getState().process.writersChecked, 'the expected keys read');
    r.controller.onIntent('resume');
    const confirm = await waitFor(() => r.store.getState().ui.confirm, 'the resume box');
    expect(confirm.keys).toEqual(['abc', 'key', 'ok2']);
    r.controller.onIntent('confirm-yes');
    // Ids: the header line the scripts skip (keys-file.ts), then the three good keys.
    await waitFor(() => readFileSync(join(dir, 'backfill.log'), 'utf8') === 'key\nabc\nkey\nok2\n', 'the script to read its keys');
  });
});
