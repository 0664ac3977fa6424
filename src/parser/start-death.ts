/**
 * Lines a backfill's start writes when it dies before its first record, never written by a run going on: argparse's
 * `prog: error: …` (after its usage), Python's `python3: can't open file '…': [Errno 2] …`, a shell's `sh: 1: python:
 * not found` / `bash: ./x.py: No such file or directory`, and a traceback raised while the script loads (an import or
 * syntax error: a run that had begun would have logged its banner first). Tester X11: a re-run appended with `>>` that
 * died on a missing argument read as the finished run before it, `complete`.
 */
const ARGPARSE = /^[^:\s][^:]{0,200}: error: \S/;
const CANT_OPEN = /: can't open file .*\[Errno \d+\]/;
const SHELL = /^(?:[\w./-]*sh|nohup|env|setsid|timeout|exec|sudo)(?:: line \d+|: \d+)?: .*(?:command not found|: not found|No such file or directory|Permission denied)$/;
const LOAD_ERROR = /^(?:ModuleNotFoundError|ImportError|SyntaxError|IndentationError|TabError): /;

/** A line with no record prefix that says a start died (not a traceback's exception line: line-start.ts reads those). */
export function isStartDeathLine(text: string): boolean {
  return ARGPARSE.test(text) || CANT_OPEN.test(text) || SHELL.test(text);
}

/** A `trace` record's error that says the attempt died at start (isStartDeathLine, or an import/syntax error). */
export function isStartDeath(error: string): boolean {
  return LOAD_ERROR.test(error) || isStartDeathLine(error);
}
