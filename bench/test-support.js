import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, '.bench', 'support');

/**
 * Loads a TypeScript test helper (e.g. the loopback fake GCS server) compiled on the spot with the
 * project's own tsc, so the benchmark drives the very server the tests use instead of a copy.
 */
export async function importTestSupport(name) {
  const src = path.join(ROOT, 'test', 'support', `${name}.ts`);
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), src, '--outDir', OUT, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node'], { stdio: 'inherit' });
  return import(pathToFileURL(path.join(OUT, `${name}.js`)).href);
}
