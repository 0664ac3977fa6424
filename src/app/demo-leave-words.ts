import { wrap } from '../text-width.js';

/**
 * The demo's words left in the shell, within `width` columns (tester AD1: the terminal cut a long line's `kill 9609`
 * as `kill 960` / `9`, and an operator copies what is on one line). A command to copy, after the last `with: `, goes
 * on a line of its own, whole; the rest is wrapped hanging under its text, as the dashboard's leave words are.
 */
export function demoLeaveLines(lines: string[], width: number): string[] {
  return lines.flatMap((l) => {
    const at = l.lastIndexOf(' with: ');
    if (at < 0) return wrap(l, width, 2);
    return [...wrap(l.slice(0, at + 6), width, 2), `  ${l.slice(at + 7)}`];
  });
}
