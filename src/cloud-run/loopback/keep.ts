import { readFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../runner/atomic-write.js';
import type { KeptWorld, LoopbackWorld } from './world.js';

/** The file in a region's keep directory that holds its ended executions and their log entries. */
export const KEPT_FILE = 'executions.json';

/**
 * A region that keeps its executions in `dir` across restarts (tester X10: the demo's region exited idle after
 * 30 min, and a demo opened again had no execution, no failures, `h` empty beside runs.jsonl's launch and end).
 * What an earlier run kept is restored now; each execution's end and the region's exit save the ended ones and
 * their entries, atomically (a reader sees the old file or the new one whole). `save()` resolves when the newest
 * save is written. A file that is not what we wrote is an error naming it: it is never overwritten.
 */
export async function keepWorld(world: LoopbackWorld, dir: string): Promise<{ save(): Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, KEPT_FILE);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (text !== null) {
    let kept: KeptWorld;
    try {
      kept = JSON.parse(text) as KeptWorld;
    } catch (err) {
      throw new Error(`${file}: not the region's kept executions (${(err as Error).message})`);
    }
    if (kept?.version !== 1 || !Array.isArray(kept.executions) || !Array.isArray(kept.entries)) throw new Error(`${file}: not the region's kept executions (version 1)`);
    world.restore(kept);
  }
  // One save at a time, in order: the newest state is the last one written.
  let chain: Promise<void> = Promise.resolve();
  const save = () => (chain = chain.then(() => writeFileAtomic(file, `${JSON.stringify(world.kept())}\n`)));
  return { save };
}
