import { afterEach, describe, expect, test } from 'vitest';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describeWriteError, writeFileAtomic } from '../src/runner/atomic-write.js';
import { fileStamp, isScriptHeader, keysFileText, keysInKeysFile, writeKeysFile } from '../src/runner/keys-file.js';
import { expectedLayout, splitCsv } from '../src/coverage/expected-keys.js';
import { parseKeyList } from '../src/sim/keys.js';
import { launchBackfill } from '../src/app/launcher.js';
import { loadConfig } from '../src/config.js';
import { spawnSync } from 'node:child_process';
import { CLI } from './support/cli.js';
import { bundle, cleanup, node, runnerModule, stdoutOf, tempDir, track, waitFor } from './runner-support.js';

afterEach(cleanup);

const at = Date.UTC(2025, 10, 26, 23, 17, 10);

describe('writeKeysFile', () => {
  test('writes every key, one a line, under STATEDIR/keys, and leaves no temp file', async () => {
    const state = join(tempDir(), 'state');
    const keys = Array.from({ length: 244 }, (_, i) => `2022-01-${String((i % 28) + 1).padStart(2, '0')}#${i}`);
    const path = await writeKeysFile(state, keys, 'resume', () => at);
    expect(path).toBe(join(state, 'keys', 'resume-20251126-231710.txt'));
    expect(readFileSync(path, 'utf8')).toBe(`${keys.join('\n')}\n`);
    expect(readdirSync(join(state, 'keys'))).toEqual(['resume-20251126-231710.txt']);
  });

  test('keys that do not start with 20 (game ids) get a header line, or the script would take the first key for one (tester U9); dates get none', async () => {
    const state = tempDir();
    const ids = await writeKeysFile(state, ['0022100001', '0022100002', '0022100003'], 'resume', () => at);
    expect(readFileSync(ids, 'utf8')).toBe('key\n0022100001\n0022100002\n0022100003\n');
    const dates = await writeKeysFile(state, ['2021-10-19', '2021-10-20'], 'resume', () => at);
    expect(readFileSync(dates, 'utf8')).toBe('2021-10-19\n2021-10-20\n');
    // What the dashboard reads back as tried is what the script read: the header is no key.
    expect(keysInKeysFile(readFileSync(ids, 'utf8'))).toEqual(['0022100001', '0022100002', '0022100003']);
    expect(keysInKeysFile(readFileSync(dates, 'utf8'))).toEqual(['2021-10-19', '2021-10-20']);
    // The script itself (the simulator reads --csv as the real one does) queues and scrapes the first id too.
    const st = join(state, 'st');
    mkdirSync(st);
    const sim = spawnSync(process.execPath, [CLI, 'sim', `--csv=${ids}`, '--workers=2', '--timeout=30', `--storage=${st}`, `--failed-dir=${state}`, '--speed=1000', '--fail-rate=0', '--playoff-fail-rate=0', '--timeout-rate=0', '--exception-rate=0'], { encoding: 'utf8' });
    expect(sim.status).toBe(0);
    const log = sim.stdout + sim.stderr;
    expect(log).toContain('Loaded 3 dates');
    expect(log).toContain('[1/3] Queued 0022100001');
    expect(readdirSync(st).sort()).toEqual(['0022100001', '0022100002', '0022100003']);
  });

  test('the path is absolute even for a relative state directory: the child may run elsewhere', async () => {
    const state = join(tempDir(), '.backfill-tui');
    const path = await writeKeysFile(relative(process.cwd(), state), ['k'], 'resume', () => at);
    expect(path).toBe(join(state, 'keys', 'resume-20251126-231710.txt'));
  });

  test('a second file in the same second gets its own name; the first is not touched', async () => {
    const state = tempDir();
    const first = await writeKeysFile(state, ['a'], 'retry', () => at);
    const second = await writeKeysFile(state, ['b'], 'retry', () => at);
    expect(second).toBe(join(state, 'keys', 'retry-20251126-231710-2.txt'));
    expect(readFileSync(first, 'utf8')).toBe('key\na\n');
    expect(readFileSync(second, 'utf8')).toBe('key\nb\n');
  });

  test('never writes over a file that is already there', async () => {
    const state = tempDir();
    mkdirSync(join(state, 'keys'));
    const users = join(state, 'keys', 'launch-20251126-231710.txt');
    writeFileSync(users, 'the user\'s own\n');
    const path = await writeKeysFile(state, ['k'], 'launch', () => at);
    expect(path).not.toBe(users);
    expect(readFileSync(users, 'utf8')).toBe('the user\'s own\n');
  });

  test('a read-only state directory is a clear error and leaves nothing behind', async () => {
    const state = tempDir();
    mkdirSync(join(state, 'keys'));
    chmodSync(join(state, 'keys'), 0o555);
    // Root ignores file modes, so when the tests run as root the write is tried by an unprivileged child.
    const script = bundle(state, 'write-keys', `
      import { writeKeysFile } from ${JSON.stringify(runnerModule('keys-file'))};
      writeKeysFile(process.argv[2], ['k1', 'k2'], 'resume').then(
        (p) => console.log(JSON.stringify({ ok: p })),
        (e) => console.log(JSON.stringify({ error: e.message, code: e.code })),
      );
    `);
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const child = node(script, [state], asNobody);
    const out = stdoutOf(child);
    const result = JSON.parse(await waitFor(() => out().trim(), 'the writer to answer'));
    expect(result.error).toMatch(/^Cannot write the keys file .*\/keys\/resume-\d{8}-\d{6}\.txt: permission denied \(EACCES\)$/);
    expect(readdirSync(join(state, 'keys'))).toEqual([]);
  });

  test('a state directory that cannot be created is a clear error', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'state'), 'a file, not a directory');
    await expect(writeKeysFile(join(dir, 'state'), ['k'], 'resume')).rejects.toThrow(
      /^Cannot write the keys file directory .*\/state\/keys: .*\/state is a file, not a directory \(ENOTDIR\)$/,
    );
  });
});

describe('writeFileAtomic', () => {
  test('replaces a file whole by default', async () => {
    const dir = tempDir();
    const path = join(dir, 'f.txt');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, 'new content');
    expect(readFileSync(path, 'utf8')).toBe('new content');
    expect(readdirSync(dir)).toEqual(['f.txt']);
  });

  test('with overwrite false an existing file is an EEXIST error, kept as it was, no temp left', async () => {
    const dir = tempDir();
    const path = join(dir, 'f.txt');
    writeFileSync(path, 'keep me');
    await expect(writeFileAtomic(path, 'x', { overwrite: false })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(path, 'utf8')).toBe('keep me');
    expect(readdirSync(dir)).toEqual(['f.txt']);
  });
});

describe('describeWriteError', () => {
  const errno = (code: string) => Object.assign(new Error(`${code}: raw`), { code });
  test.each([
    ['ENOSPC', 'Cannot write the keys file /s/k.txt: the disk is full (ENOSPC)'],
    ['EROFS', 'Cannot write the keys file /s/k.txt: the file system is read-only (EROFS)'],
    ['EACCES', 'Cannot write the keys file /s/k.txt: permission denied (EACCES)'],
    ['EDQUOT', 'Cannot write the keys file /s/k.txt: the disk quota is used up (EDQUOT)'],
    ['EIO', 'Cannot write the keys file /s/k.txt: EIO: raw (EIO)'],
  ])('%s', (code, message) => {
    const err = describeWriteError(errno(code), 'the keys file /s/k.txt');
    expect(err.message).toBe(message);
    expect((err as NodeJS.ErrnoException).code).toBe(code);
  });
});

test('fileStamp is UTC and sorts as text', () => {
  expect(fileStamp(at)).toBe('20251126-231710');
  expect(fileStamp(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('20260102-030405');
});

describe('a keys file is laid out as the expected keys file when it has a header (scripts that read the CSV by column name)', () => {
  const teamCsv = 'game_id,game_date\n0022100001,2021-10-19\n0022100002,2021-10-19\n0022100003,2021-10-20\n';

  test('its header, then each key\'s own row: a csv.DictReader-style reader finds game_id and game_date; the scripts\' rule reads every key', async () => {
    const state = tempDir();
    const layout = expectedLayout(teamCsv, { file: 'keys.csv', column: 'game_id', format: 'id' });
    const path = await writeKeysFile(state, ['0022100003', '0022100001', '0022100009'], 'retry', () => at, layout);
    const text = readFileSync(path, 'utf8');
    expect(text).toBe('game_id,game_date\n0022100003,2021-10-20\n0022100001,2021-10-19\n0022100009\n');
    // Read by column name, as a script doing csv.DictReader(f) and row['game_date'] would.
    const [head, ...rows] = text.trim().split('\n').map((l) => l.split(','));
    const byName = rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
    expect(byName.slice(0, 2)).toEqual([{ game_id: '0022100003', game_date: '2021-10-20' }, { game_id: '0022100001', game_date: '2021-10-19' }]);
    // Read by the reference scripts' rule (a first line not starting with 20 is a header; a row's key is its first field).
    expect(parseKeyList(text)).toEqual(['0022100003', '0022100001', '0022100009']);
    expect(keysInKeysFile(text)).toEqual(['0022100003', '0022100001', '0022100009']);
  });

  test('date keys under a header keep it; a key column that is not first is moved first, every other column kept', async () => {
    const dates = expectedLayout('game_date\n2021-10-19\n2021-10-20\n', { file: 'd.csv' });
    expect(keysFileText(['2021-10-20'], dates)).toBe('game_date\n2021-10-20\n');
    const second = expectedLayout('game_date,game_id\n2021-10-19,0022100001\n', { file: 'k.csv', column: 'game_id' });
    expect(keysFileText(['0022100001'], second)).toBe('game_id,game_date\n0022100001,2021-10-19\n');
    // No header in the expected file: as before (`key` only above ids).
    expect(expectedLayout('2021-10-19\n2021-10-20\n', { file: 'd.csv' })).toBeNull();
    expect(keysFileText(['0022100001'], null)).toBe('key\n0022100001\n');
    expect(keysFileText(['2021-10-19'], null)).toBe('2021-10-19\n');
  });

  // Tester AC15: `season,game_date,home` kept only `game_date` / `2021-10-19`: the season and home team were dropped,
  // where README promised the expected file's header and each key's own row.
  test('three columns, the key in the middle: its header and each key\'s own row, the key first; by name and by the scripts\' rule alike', async () => {
    const csv = 'season,game_date,home,note\n2021,2021-10-19,BOS,"opener, TNT"\n2021,2021-10-20,LAL,\n2021,2021-10-21,NYK,x\n';
    const layout = expectedLayout(csv, { file: 'e.csv' });
    const path = await writeKeysFile(tempDir(), ['2021-10-20', '2021-10-19'], 'resume', () => at, layout);
    const text = readFileSync(path, 'utf8');
    expect(text).toBe('game_date,season,home,note\n2021-10-20,2021,LAL,\n2021-10-19,2021,BOS,"opener, TNT"\n');
    // By column name (a quoted cell with a comma stays one cell), as csv.DictReader would.
    const [head, ...rows] = text.trim().split('\n').map(splitCsv);
    expect(rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])))).toEqual([
      { season: '2021', game_date: '2021-10-20', home: 'LAL', note: '' },
      { season: '2021', game_date: '2021-10-19', home: 'BOS', note: 'opener, TNT' },
    ]);
    expect(parseKeyList(text)).toEqual(['2021-10-20', '2021-10-19']);
    expect(keysInKeysFile(text)).toEqual(['2021-10-20', '2021-10-19']);
  });

  test('one header rule: a first line that does not start with 20', () => {
    expect(['key', 'game_id', 'game_id,game_date', '0022100001', '2021-10-19', ''].map(isScriptHeader)).toEqual([true, true, true, true, false, false]);
  });
});

test('a launch writes its keys file in the expected file\'s layout, and records workers and timeout for a re-attaching dashboard', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'keys.csv'), 'game_id,game_date\n0022100001,2021-10-19\n0022100002,2021-10-19\n');
  writeFileSync(join(dir, 'cfg.json'), JSON.stringify({
    job: 'team', log: 'job.log', keepAwake: false, expected: { file: 'keys.csv', column: 'game_id', format: 'id' },
    command: [process.execPath, '-e', 'process.stdout.write(require("fs").readFileSync(process.argv[1], "utf8"))', '{keysFile}', '--workers={workers}', '--timeout={timeout}'],
  }));
  const out = await launchBackfill(loadConfig({ file: join(dir, 'cfg.json'), cwd: dir }), { keys: ['0022100002'], workers: 3, timeout: 300, label: 'retry' });
  expect(out.ok).toBe(true);
  if (!out.ok) return;
  track(out.run.pid);
  expect(readFileSync(out.run.keysFile!, 'utf8')).toBe('game_id,game_date\n0022100002,2021-10-19\n');
  expect(out.run).toMatchObject({ workers: 3, timeout: 300, keyCount: 1 });
  await waitFor(() => readFileSync(join(dir, 'job.log'), 'utf8').includes('0022100002,2021-10-19'), 'the script to print its keys file');
});
