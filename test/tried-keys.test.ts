import { describe, expect, test } from 'vitest';
import { persistentKeys } from '../src/failures/analysis.js';
import type { FailedFile } from '../src/failures/failed-file.js';
import { triedKeysForFiles } from '../src/failures/tried-keys.js';

const H = 3_600_000;
const T0 = Date.UTC(2025, 10, 26, 16, 0, 0);

function file(path: string, at: number, keys: string[]): FailedFile {
  return { path, name: path, runStartedAt: at, writtenAt: null, mtimeMs: at + 60_000, totalFailed: keys.length, entries: keys.map((key) => ({ key, status: 'failed', error: 'HTTP 500' })), problems: [] };
}

// Run 1 and run 3 failed the same playoff dates with HTTP 500; run 2 was a small test of other dates.
const files = [file('/f/1.json', T0, ['2022-04-17', '2022-05-02']), file('/f/2.json', T0 + H, ['2021-11-03']), file('/f/3.json', T0 + 2 * H, ['2022-04-17', '2022-05-02'])];
const keysFiles: Record<string, string> = {
  '/k/1.txt': '2022-04-17\n2022-05-02\n2021-11-01\n',
  '/k/2.txt': '2021-11-03\n2021-11-04\n',
  '/k/3.txt': '2022-04-17\n2022-05-02\n',
};
const read = async (p: string) => {
  if (!(p in keysFiles)) throw new Error('ENOENT');
  return keysFiles[p];
};

test('each failed file is matched to the launch that started within two minutes of its name', async () => {
  const runs = [
    { startedAt: T0 - 400, keysFile: '/k/1.txt' },
    { startedAt: T0 + H - 900, keysFile: '/k/2.txt' },
    { startedAt: T0 + 2 * H - 300, keysFile: '/k/3.txt' },
    { startedAt: T0 + 5 * H, keysFile: '/k/missing.txt' },
  ];
  const tried = await triedKeysForFiles(files, runs, read);
  expect([...tried.keys()]).toEqual(['/f/1.json', '/f/2.json', '/f/3.json']);
  expect([...tried.get('/f/2.json')!]).toEqual(['2021-11-03', '2021-11-04']);
});

test('a file with no launch nearby (a run started elsewhere) stays unknown', async () => {
  const tried = await triedKeysForFiles(files, [{ startedAt: T0 + 10 * 60_000, keysFile: '/k/1.txt' }], read);
  expect(tried.size).toBe(0);
});

test('knowing what each run tried: a run that tried a key and did not fail it breaks its streak; one that never tried it does not', async () => {
  // Without that knowledge run 2 is taken as not having tried the playoff dates (storage listed: not there).
  const none = new Set<string>();
  expect([...persistentKeys(files, null, none)].sort()).toEqual(['2022-04-17', '2022-05-02']);
  // Its keys file says it tried 2022-04-17 and did not fail it: that breaks 2022-04-17 only.
  const triedBoth = await triedKeysForFiles(files, [{ startedAt: T0 + H, keysFile: '/k/2.txt' }], async () => '2021-11-03\n2022-04-17\n');
  expect([...persistentKeys(files, triedBoth, none)]).toEqual(['2022-05-02']);
  const tried = await triedKeysForFiles(files, [
    { startedAt: T0, keysFile: '/k/1.txt' },
    { startedAt: T0 + H, keysFile: '/k/2.txt' },
    { startedAt: T0 + 2 * H, keysFile: '/k/3.txt' },
  ], read);
  expect([...persistentKeys(files, tried, none)].sort()).toEqual(['2022-04-17', '2022-05-02']);
});

test('a launch recorded after the run named in a failed file began is not its launch (one matcher with the keys-read note)', async () => {
  // Run 1 was started by hand at T0; a launch from here came 50 s later (another run, other keys).
  const later = await triedKeysForFiles([files[0]], [{ startedAt: T0 + 50_000, keysFile: '/k/2.txt' }], read);
  expect(later.size).toBe(0);
  // With its own launch 90 s before and the later one 50 s after, its own wins though it is further.
  const both = await triedKeysForFiles([files[0]], [{ startedAt: T0 - 90_000, keysFile: '/k/1.txt' }, { startedAt: T0 + 50_000, keysFile: '/k/2.txt' }], read);
  expect([...both.get('/f/1.json')!]).toEqual(['2022-04-17', '2022-05-02', '2021-11-01']);
});

test('tester V1: the failed file of a run started by hand after a stopped launch does not take that launch\'s keys file as tried', async () => {
  // The launch at T0 was stopped at T0 + 57 s (no failed file: stopped runs write none); a hand run began at T0 + 73 s.
  const hand = file('/f/hand.json', T0 + 73_000, ['2021-11-03']);
  const stopped = { startedAt: T0, endedAt: T0 + 57_000, keysFile: '/k/1.txt' };
  expect((await triedKeysForFiles([hand], [stopped], read)).size).toBe(0);
  // No end recorded (the dashboard was killed): the launch is the first run's after it, so a file of a run
  // begun in between keeps it, and the later hand run's file does not get it.
  const first = file('/f/first.json', T0 + 1_000, ['2022-04-17']);
  const tried = await triedKeysForFiles([first, hand], [{ startedAt: T0, keysFile: '/k/1.txt' }], read);
  expect([...tried.keys()]).toEqual(['/f/first.json']);
});

// Tester AJ3's leftovers: a writer whose clock is 5 s to just under 2 min behind ours (under what the log's clock is read
// as off by: no clockBehindMs) names its failed file at a time "before" its own launch. The launch is on our clock.
describe.each([5_000, 119_000])('a writer %i ms behind ours: its failed file is its launch\'s all the same', (behindMs) => {
  const launchedAt = T0;
  // Its first line (the name's stamp) a moment after the launch by its clock; the file written 3 min later (our clock).
  const own = (keys: string[]) => ({ ...file('/f/skewed.json', launchedAt + 500 - behindMs, keys), mtimeMs: launchedAt + 180_000 });

  test('its keys file is what it tried', async () => {
    const tried = await triedKeysForFiles([own(['2022-04-17'])], [{ startedAt: launchedAt, keysFile: '/k/1.txt' }], read);
    expect([...(tried.get('/f/skewed.json') ?? [])]).toEqual(['2022-04-17', '2022-05-02', '2021-11-01']);
  });

  test('not a launch of other keys, nor one its file was written before', async () => {
    // A key the launch never had: a run by hand whose file came after a launch (tester V1's class).
    expect((await triedKeysForFiles([own(['2021-11-03'])], [{ startedAt: launchedAt, keysFile: '/k/1.txt' }], read)).size).toBe(0);
    const before = { ...own(['2022-04-17']), mtimeMs: launchedAt - 1_000 };
    expect((await triedKeysForFiles([before], [{ startedAt: launchedAt, keysFile: '/k/1.txt' }], read)).size).toBe(0);
  });

  test('a later file begun after the launch is the launch\'s, not this one', async () => {
    const later = file('/f/later.json', launchedAt + 2_000, ['2022-04-17']);
    const tried = await triedKeysForFiles([own(['2022-04-17']), later], [{ startedAt: launchedAt, keysFile: '/k/1.txt' }], read);
    expect([...tried.keys()]).toEqual(['/f/later.json']);
  });
});
