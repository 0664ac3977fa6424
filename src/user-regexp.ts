import { setFlagsFromString } from 'node:v8';

/**
 * Patterns the operator writes (a config's `grammar` patterns, `storage.keyPattern`) run on lines and object names
 * nobody chose: a pattern with nested quantifiers (`^(a+)+b`) backtracks for minutes on one odd line, on the main
 * thread, where `q`, Ctrl-C, SIGTERM and `status --timeout` wait behind it (tester AI5: killed with -9 only).
 *
 * V8 can run a pattern that backtracks too much on its linear-time engine instead, with the same result:
 * `--enable-experimental-regexp-engine-on-excessive-backtracks` (after 50,000 backtracks; in V8 since 8.8). That
 * engine runs every pattern but those with backreferences or lookarounds; a config pattern must then be one it
 * runs, checked with its `l` flag (`--enable-experimental-regexp-engine`). The flags are the process's, its workers'
 * too, set by the first userRegExp of a thread, before that pattern compiles: only a config with patterns of its own
 * pays for them (the fallback's backtrack counting cost the built-in parse ~17 ms of 450 at 80 MB, 11 rounds each).
 * Set after the bundle's code cache was taken, they leave it accepted (V8 takes its flag hash once).
 */
let bounded = false;

/** Sets the two V8 flags above, once. */
export function boundBacktracking(): void {
  if (bounded) return;
  bounded = true;
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  setFlagsFromString('--enable-experimental-regexp-engine');
}

/** A config pattern V8's linear-time engine cannot run: it could backtrack without bound. */
export class UnboundedPatternError extends Error {}

/**
 * Compiles a pattern from the config. Throws a SyntaxError for one that does not compile, and UnboundedPatternError
 * (`uses a backreference or a lookaround …`) for one that could not be matched in bounded time.
 */
export function userRegExp(source: string): RegExp {
  boundBacktracking();
  const re = new RegExp(source);
  try {
    new RegExp(source, 'l');
  } catch {
    throw new UnboundedPatternError('uses a backreference (\\1, \\k<name>) or a lookaround ((?=…), (?!…), (?<=…), (?<!…)), which cannot be matched in bounded time on every line: write it without');
  }
  return re;
}
