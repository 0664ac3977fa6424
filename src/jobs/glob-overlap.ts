import { nameAlternatives } from '../failures/name-glob.js';

/**
 * Whether two `failed` globs (absolute paths or gs:// URLs; only the file name holds `*` or `?`) can name the
 * same file: the same folder, and some file name both patterns match. `failed_*.json` and
 * `failed_dates_*.json` in one folder meet (failed_dates_1.json matches both); `failed_games_*.json` and
 * `failed_dates_*.json` do not; `{failed_dates,failed_games}_*.json` meets both.
 */
export function globsMeet(a: string, b: string): boolean {
  const [folderA, nameA] = split(a);
  const [folderB, nameB] = split(b);
  if (folderA !== folderB) return false;
  // A `{a,b}` group is one of its words: the globs meet when any word of one meets any of the other's.
  return nameAlternatives(nameA).some((p) => nameAlternatives(nameB).some((q) => namesMeet(p, q)));
}

function split(glob: string): [string, string] {
  const cut = glob.lastIndexOf('/');
  return [glob.slice(0, cut + 1), glob.slice(cut + 1)];
}

/**
 * True when one string matches both wildcard patterns (`*` any run of characters, `?` one, else literal): a
 * walk over pairs of positions, each pair visited once, so its cost is the product of the lengths.
 */
export function namesMeet(p: string, q: string): boolean {
  const seen = new Set<number>();
  const width = q.length + 1;
  const todo: number[] = [0];
  while (todo.length > 0) {
    const at = todo.pop()!;
    if (seen.has(at)) continue;
    seen.add(at);
    const i = Math.floor(at / width);
    const j = at % width;
    if (i === p.length && j === q.length) return true;
    // A star may match nothing: step past it.
    if (p[i] === '*') todo.push((i + 1) * width + j);
    if (q[j] === '*') todo.push(i * width + j + 1);
    if (i === p.length || j === q.length) continue;
    // One character both accept: equal literals, or a wildcard on either side.
    const a = p[i];
    const b = q[j];
    if (a !== '*' && a !== '?' && b !== '*' && b !== '?' && a !== b) continue;
    // A star stays where it is after taking the character; anything else steps on.
    todo.push((a === '*' ? i : i + 1) * width + (b === '*' ? j : j + 1));
  }
  return false;
}
