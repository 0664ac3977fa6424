import { controlByte, SUSPEND } from '../keymap.js';

/** The bytes of the keymap's suspend keys (`ctrl+z` → 0x1a). */
const SUSPEND_BYTES = SUSPEND.keys.map(controlByte);

/**
 * Ctrl-Z suspends the dashboard as it suspends less or vim (tester V10: raw mode swallowed it, and what was
 * typed at the shell afterwards reached the dashboard as keys). Only the dashboard stops: the backfill is a
 * process group of its own and goes on. On `fg` the terminal is taken back and the whole screen drawn again.
 *
 * Ink reads the key as input in raw mode, so it never reaches the terminal driver; we stop our whole process
 * group with SIGTSTP, as the driver would (and as vim and less do): under `npx backfill-tui` or `npm run demo`
 * the shell's job is npm and `sh -c` too, and they wait for us in the foreground, so stopping only this process
 * left the shell without its terminal (tester AA6). Node installs no handler for SIGTSTP: the default action
 * stops the process before kill() returns. When nothing can resume us (an orphaned process group, e.g. started
 * without a shell's job control), the kernel discards the signal and kill() returns at once: the terminal is
 * restored the same way either way.
 */
export function suspendOnCtrlZ(stdin: NodeJS.ReadStream, stdout: NodeJS.WriteStream): () => void {
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function' || process.platform === 'win32') return () => {};
  const onData = (data: Buffer | string) => {
    const text = typeof data === 'string' ? data : data.toString('latin1');
    if (!SUSPEND_BYTES.some((b) => text.includes(b))) return;
    stdin.setRawMode(false);
    // The cursor back, on a fresh line below the frame, for the shell's prompt.
    stdout.write('\x1b[?25h\n');
    // pid 0: every process of our group (a backfill we launched runs in a session of its own and goes on).
    process.kill(0, 'SIGTSTP');
    // Resumed (or never stopped): raw mode again, and a whole new frame (the screen was the shell's meanwhile).
    stdin.setRawMode(true);
    refreshSize(stdout);
    stdout.emit('resize');
  };
  stdin.prependListener('data', onData);
  return () => stdin.off('data', onData);
}

/**
 * Takes the terminal's size afresh: one resized while we were stopped sent its SIGWINCH to the shell, the terminal's
 * foreground then, and Node's `columns` and `rows` (which `getWindowSize()` only returns) kept the old size, so the
 * frame at `fg` was laid out for it (tester AI9: 80 columns into a 60-column terminal, every long row wrapped in two).
 * The signal to ourselves runs Node's own handler, which asks the terminal (TIOCGWINSZ) and says 'resize' on a change.
 */
export function refreshSize(stdout: NodeJS.WriteStream): void {
  if (!stdout.isTTY) return;
  try {
    process.kill(process.pid, 'SIGWINCH');
  } catch {
    // no such signal here: the old size stands until the next resize
  }
}
