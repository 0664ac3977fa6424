import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compileKeyPattern, createLocalSource } from '../src/coverage/local-source.js';
import { SourceError } from '../src/coverage/source.js';

const roots: string[] = [];
afterAll(() => Promise.all(roots.map((r) => rm(r, { recursive: true, force: true }))));

async function tree(files: string[], dirs: string[] = []): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'local-source-'));
  roots.push(root);
  for (const d of dirs) await mkdir(join(root, d), { recursive: true });
  for (const f of files) {
    await mkdir(dirname(join(root, f)), { recursive: true });
    await writeFile(join(root, f), '{}');
  }
  return root;
}

const list = (src: ReturnType<typeof createLocalSource>) => src.list(new AbortController().signal);

describe('createLocalSource', () => {
  test('a key is present when DIR/KEY/ holds a file, at any depth', async () => {
    const dir = await tree(
      ['2021-10-19/boxscores.json', '2021-10-20/part/0001.json', 'README.txt'],
      ['2021-10-21', '2021-10-22/empty-subfolder'], // empty folders: the key is not there yet
    );
    const r = await list(createLocalSource({ dir, name: 'storage' }));
    expect([...r.keys].sort()).toEqual(['2021-10-19', '2021-10-20']);
    expect(r).toMatchObject({ method: 'directory', bytesBilled: null, requests: 5 });
  });

  test('empty files are not data: a folder of only empty files, at any depth, is not present; one real file is enough', async () => {
    const dir = await tree(['2022-04-13/a.json', '2022-04-15/deep/er/b.json'], ['2022-04-12/sub']);
    await writeFile(join(dir, '2022-04-12/sub/_SUCCESS'), '');
    await mkdir(join(dir, '2022-04-14'));
    await writeFile(join(dir, '2022-04-14/placeholder'), '');
    await writeFile(join(dir, '2022-04-13/empty.json'), '');
    await writeFile(join(dir, '2022-04-15/_empty'), '');
    const r = await list(createLocalSource({ dir, name: 'storage' }));
    expect([...r.keys].sort()).toEqual(['2022-04-13', '2022-04-15']);
    const byPattern = await list(createLocalSource({ dir, name: 'storage', keyPattern: '^(?<key>\\d{4}-\\d{2}-\\d{2})/' }));
    expect([...byPattern.keys].sort()).toEqual(['2022-04-13', '2022-04-15']);
  });

  test('many folders (more than one batch of reads)', async () => {
    const keys = Array.from({ length: 100 }, (_, i) => `k${String(i).padStart(3, '0')}`);
    const dir = await tree(keys.filter((_, i) => i % 4 !== 0).map((k) => `${k}/x.json`), keys.filter((_, i) => i % 4 === 0));
    const r = await list(createLocalSource({ dir, name: 'warehouse' }));
    expect(r.keys.size).toBe(75);
    expect(r.keys.has('k000')).toBe(false);
    expect(r.keys.has('k001')).toBe(true);
  });

  test('with keyPattern, keys come from file paths below the directory', async () => {
    const dir = await tree(['2024-25/0022400001/box.json', '2024-25/0022400002/a/b.json', '2024-25/notes.txt', '2023-24/0022300009/x.json']);
    const r = await list(createLocalSource({ dir, name: 'storage', keyPattern: '^\\d{4}-\\d{2}/(?<key>\\d{10})/' }));
    expect([...r.keys].sort()).toEqual(['0022300009', '0022400001', '0022400002']);
    expect(r.method).toBe('files');
  });

  test('a directory not made yet (its parent is there) holds nothing yet, and says so (tester X9)', async () => {
    const root = await tree(['other/x.json']);
    const r = await list(createLocalSource({ dir: join(root, 'st'), name: 'storage' }));
    expect(r.keys.size).toBe(0);
    expect(r.note).toBe(`${join(root, 'st')} does not exist yet (the backfill makes it): nothing in it`);
  });

  // Tester AF9: a folder listed with 28 keys, then moved away under the dashboard, read `not made yet`, 0/40, and `s`
  // offered all 40 keys. Once listed, its absence is a failing source (the last figures stay, stale), until it is back.
  test('a directory listed before and gone now is a SourceError saying what it held; back again, it lists', async () => {
    const root = await tree(['st/2024-01-01/a.json', 'st/2024-01-02/a.json']);
    const source = createLocalSource({ dir: join(root, 'st'), name: 'storage' });
    expect((await list(source)).keys.size).toBe(2);
    await rename(join(root, 'st'), join(root, 'st.away'));
    const err = await list(source).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ message: `storage: directory ${join(root, 'st')} is gone (it held 2 keys when last listed)`, hint: 'moved or unmounted? put it back, or set the config to where it is now' });
    await rename(join(root, 'st.away'), join(root, 'st'));
    expect([...(await list(source)).keys].sort()).toEqual(['2024-01-01', '2024-01-02']);
    // A new source (a new dashboard, `status`) has never seen it: a missing folder under its parent is not made yet.
    await rename(join(root, 'st'), join(root, 'st.away'));
    expect((await list(createLocalSource({ dir: join(root, 'st'), name: 'storage' }))).note).toMatch(/does not exist yet/);
  });

  test('a missing directory whose parent is missing too is a SourceError with a hint (a typo, more likely)', async () => {
    const dir = join(tmpdir(), 'no-such-backfill-parent-xyz', 'out');
    const err = await list(createLocalSource({ dir, name: 'storage' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ message: `storage: directory ${dir} not found`, hint: expect.stringContaining('storage.url') });
  });

  test('a file where the directory should be is a SourceError', async () => {
    const root = await tree(['plain.txt']);
    const err = await list(createLocalSource({ dir: join(root, 'plain.txt'), name: 'warehouse' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SourceError', message: expect.stringContaining('is not a directory') });
  });

  test('an aborted signal stops the listing', async () => {
    const dir = await tree(['a/x.json']);
    const ac = new AbortController();
    ac.abort();
    await expect(createLocalSource({ dir, name: 'storage' }).list(ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('compileKeyPattern', () => {
  test.each([
    ['(?<key>\\d+)', null],
    ['\\d+', 'has no named group "key"'],
    ['(?<key>[', 'is not a regular expression'],
  ])('%s', (pattern, problem) => {
    if (problem === null) expect(compileKeyPattern(pattern).exec('ab12')?.groups?.key).toBe('12');
    else expect(() => compileKeyPattern(pattern)).toThrow(problem);
  });
});
