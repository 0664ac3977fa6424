import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
// @ts-expect-error -- plain ES module without types
import { inputsHash as inputsHashJs, staleReason as staleReasonJs } from '../scripts/build.mjs';
import { ROOT } from './support/dist.js';

const inputsHash = inputsHashJs as (root: string) => string;
const staleReason = staleReasonJs as (root: string) => string | null;
const work = mkdtempSync(path.join(os.tmpdir(), 'bt-stamp-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A tiny project tree with a stamp that matches it. */
function project(): string {
  const root = mkdtempSync(path.join(work, 'p-'));
  for (const d of ['src/state', 'components', 'scripts', 'dist']) mkdirSync(path.join(root, d), { recursive: true });
  writeFileSync(path.join(root, 'src/state/run.ts'), 'export const a = 1;\n');
  writeFileSync(path.join(root, 'components/App.tsx'), 'export const B = 2;\n');
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json']) writeFileSync(path.join(root, f), '{}\n');
  cpSync(path.join(ROOT, 'scripts/build.mjs'), path.join(root, 'scripts/build.mjs'));
  writeFileSync(path.join(root, 'dist/build-stamp.json'), JSON.stringify({ inputs: inputsHash(root) }));
  return root;
}

test('dist/ is stale when a source changes, a file is added or removed, or the lock file moves', () => {
  const root = project();
  expect(staleReason(root)).toBeNull();
  const edits: [string, () => void, () => void][] = [
    ['edit', () => writeFileSync(path.join(root, 'src/state/run.ts'), 'export const a = 2;\n'), () => writeFileSync(path.join(root, 'src/state/run.ts'), 'export const a = 1;\n')],
    ['add', () => writeFileSync(path.join(root, 'components/New.tsx'), ''), () => rmSync(path.join(root, 'components/New.tsx'))],
    ['remove', () => rmSync(path.join(root, 'components/App.tsx')), () => writeFileSync(path.join(root, 'components/App.tsx'), 'export const B = 2;\n')],
    ['lock', () => writeFileSync(path.join(root, 'package-lock.json'), '{"v":2}\n'), () => writeFileSync(path.join(root, 'package-lock.json'), '{}\n')],
  ];
  for (const [name, change, undo] of edits) {
    change();
    expect(staleReason(root), name).toMatch(/changed/);
    undo();
    expect(staleReason(root), `${name} undone`).toBeNull();
  }
  rmSync(path.join(root, 'dist'), { recursive: true });
  expect(staleReason(root)).toMatch(/not been built/);
});

test('`build.mjs --check` fails loudly on a stale tree and passes on a fresh one', () => {
  const root = project();
  const check = () => spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
  expect(check().status).toBe(0);
  writeFileSync(path.join(root, 'src/state/run.ts'), 'export const a = 3;\n');
  const r = check();
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/sources changed since dist\/ was built; run `npm run build`/);
});

test('the dist/ these tests run was built from the sources as they are now', () => {
  expect(staleReason(ROOT)).toBeNull();
});
