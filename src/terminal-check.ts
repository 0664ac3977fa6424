/**
 * Whether this process can show a dashboard: keys come from stdin in raw mode, frames go to stdout with cursor
 * moves. Checked before anything is loaded or laid out, so that a pipe, a closed stdin or a dumb terminal gets one
 * plain line and exit 2 (a usage error), never Ink's "Raw mode is not supported" stack trace (tester X14).
 *
 * Returns the line to print after `backfill-tui: ` (no newline), or null when the terminal will do. `what` names
 * the thing that needs the terminal ("the dashboard", "the demo").
 */
export function terminalProblem(
  io: { stdin: { isTTY?: boolean }; stdout: { isTTY?: boolean } },
  env: Record<string, string | undefined>,
  what = 'the dashboard',
): string | null {
  const instead = 'use `backfill-tui status` (or `status --json`)';
  if (!io.stdout.isTTY) return `stdout is not a terminal: ${what} draws on one; in scripts ${instead}.`;
  if (!io.stdin.isTTY) return `stdin is not a terminal: ${what} reads its keys from it; run it in a terminal, or ${instead}.`;
  // A dumb terminal (Emacs' shell, some CI consoles) cannot move the cursor: every frame would pile up below the last.
  if ((env.TERM ?? '').trim().toLowerCase() === 'dumb') return `TERM=dumb: this terminal cannot move the cursor, which ${what} needs; run it in a full terminal, or ${instead}.`;
  return null;
}
