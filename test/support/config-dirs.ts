import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A writer of config folders under `root`: each call makes the next folder (`c0`, `c1`, …) holding
 * `backfill-tui.config.json` with `config` as JSON, and returns the folder's path.
 */
export function configDirs(root: string): (config: unknown) => string {
  let n = 0;
  return (config) => {
    const dir = path.join(root, `c${n++}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify(config));
    return dir;
  };
}
