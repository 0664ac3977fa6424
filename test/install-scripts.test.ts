import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';

// Tester AJ5 k: README named protobufjs's install script as npm 11's one warning on `npm ci`, but esbuild's appeared too
// (`2 packages have install scripts not yet covered by allowScripts`). Each package with an install script is decided
// in package.json's allowScripts, so `npm ci` warns of none, and a new one fails here before it warns there.
const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8'));

test('every package of the lockfile with an install script is decided in allowScripts', () => {
  const lock = read('package-lock.json') as { packages: Record<string, { hasInstallScript?: boolean }> };
  const withScripts = Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript).map(([where]) => where.replace(/^.*node_modules\//, '')).sort();
  expect(withScripts.length).toBeGreaterThan(0);
  const allowed = (read('package.json') as { allowScripts?: Record<string, boolean> }).allowScripts ?? {};
  expect(withScripts.filter((name) => typeof allowed[name] !== 'boolean')).toEqual([]);
  // esbuild's checks its platform binary; protobufjs's only prints a note on its version scheme.
  expect(allowed).toEqual({ esbuild: true, protobufjs: false });
});
