import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { waitFor } from './wait-for.js';

/**
 * A real terminal for tests: the program runs in a detached tmux session of its own server (its own
 * socket), keys go in through tmux, and the screen comes back as tmux renders it. `.ci/run` installs
 * tmux where it is missing.
 */
export const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;

export interface Terminal {
  /** Named keys as tmux spells them: 'x', 'y', 'Escape', 'Enter', 'BSpace', 'Down'. One write each. */
  keys(...keys: string[]): void;
  /** Bytes written to the program's terminal in one write: several keys arriving together. */
  chunk(bytes: string): void;
  /** The screen as a person sees it, one string per row (wrapped rows are joined, so a wrap shows as a row too wide). */
  screen(): string[];
  /** Waits until the screen satisfies `check` (returns its value), or fails after `timeoutMs` with the last screen. */
  waitScreen<T>(check: (rows: string[], text: string) => T, what: string, timeoutMs?: number): Promise<T>;
  resize(cols: number, rows: number): void;
  /** Copies every byte the program writes to its terminal into `file` from now on (tmux pipe-pane). */
  pipeTo(file: string): void;
  /** The program's pid (the pane's process). */
  pid(): number;
  /** Whether the pane's program has exited. */
  exited(): boolean;
  /**
   * Closes the terminal (its tmux server: the pane's programs get SIGHUP) and waits, up to CLOSE_DEADLINE_MS, until
   * every process of the pane's session has ended, so that nothing of the dashboard writes into a test's folder
   * after the test (a clean-up racing a dashboard still leaving failed with ENOTEMPTY). A dashboard still there
   * at the deadline is killed and the close throws: closing its terminal must end it. Runs it launched live in
   * sessions of their own and are not waited for.
   */
  close(): void;
  /**
   * Closes the terminal as close() does (the pane's programs get SIGHUP) and resolves once they have ended, without
   * blocking this thread: a test whose own servers answer the program must go on answering while it leaves. Rejects
   * (after killing them) when they are still there after CLOSE_DEADLINE_MS.
   */
  hangUp(): Promise<void>;
}

/** How long a closed terminal's programs get to end (SIGHUP, then leaving's bounded waits), under a loaded machine. */
const CLOSE_DEADLINE_MS = 15_000;

/** The live (not zombie) processes of session `sid`, read from /proc; empty where there is no /proc. */
function sessionMembers(sid: number): number[] {
  if (!existsSync('/proc/self/stat')) return [];
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // After the command's ")": state, ppid, pgrp, session.
      const [state, , , session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(session) === sid && state !== 'Z' && state !== 'X') members.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

function stillThere(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Blocks this thread for `ms` (close is synchronous: test clean-ups call it without awaiting). */
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export function startTerminal(argv: string[], opts: { cols: number; rows: number; cwd: string; env?: Record<string, string> }): Terminal {
  if (!HAS_TMUX) throw new Error('tmux is needed for the terminal tests (apt-get install tmux; .ci/run installs it)');
  const socket = `bt-${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmux = (args: string[], input?: string) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  const env = { TERM: 'xterm-256color', ...(opts.env ?? {}) };
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  tmux(['new-session', '-d', '-s', 't', '-x', String(opts.cols), '-y', String(opts.rows), '-c', opts.cwd, ...envArgs, quoted]);
  tmux(['set-option', '-t', 't', 'remain-on-exit', 'on']);
  // tmux sizes a detached session by its own rules unless told: keep exactly the size asked for.
  tmux(['set-option', '-t', 't', 'window-size', 'manual']);
  tmux(['resize-window', '-t', 't', '-x', String(opts.cols), '-y', String(opts.rows)]);
  const screen = () => tmux(['capture-pane', '-p', '-J', '-t', 't']).replace(/\n+$/, '').split('\n');
  return {
    keys: (...keys) => keys.forEach((k) => tmux(['send-keys', '-t', 't', k])),
    chunk(bytes) {
      tmux(['load-buffer', '-b', 'chunk', '-'], bytes);
      tmux(['paste-buffer', '-d', '-r', '-b', 'chunk', '-t', 't']);
    },
    screen,
    waitScreen: (check, what, timeoutMs = 15_000) => {
      let last: string[] = [];
      return waitFor(() => {
        last = screen();
        return check(last, last.join('\n'));
      }, what, timeoutMs, 50).catch((err: Error) => {
        throw new Error(`${err.message}\n--- screen ---\n${last.join('\n')}\n--------------`);
      });
    },
    resize: (cols, rows) => void tmux(['resize-window', '-t', 't', '-x', String(cols), '-y', String(rows)]),
    pipeTo: (file) => void tmux(['pipe-pane', '-o', '-t', 't', `cat >> '${file.replace(/'/g, `'\\''`)}'`]),
    pid: () => Number(tmux(['display-message', '-p', '-t', 't', '#{pane_pid}']).trim()),
    exited: () => tmux(['display-message', '-p', '-t', 't', '#{pane_dead}']).trim() === '1',
    close: () => {
      const members = killServer();
      const deadline = Date.now() + CLOSE_DEADLINE_MS;
      while (members.some(stillThere) && Date.now() < deadline) pause(20);
      killLeft(members);
    },
    hangUp: async () => {
      const members = killServer();
      await waitFor(() => !members.some(stillThere), 'the programs of the closed terminal to end', CLOSE_DEADLINE_MS, 20).catch(() => undefined);
      killLeft(members);
    },
  };

  /** Kills the terminal's tmux server (its pane's programs get SIGHUP); returns the pane's session's processes. */
  function killServer(): number[] {
    let members: number[] = [];
    try {
      members = sessionMembers(Number(tmux(['display-message', '-p', '-t', 't', '#{pane_pid}']).trim()));
    } catch {
      // no pane left
    }
    try {
      tmux(['kill-server']);
    } catch {
      // already gone
    }
    return members;
  }
}

/** Kills what of `members` is still there, and throws saying so: closing its terminal must end a dashboard. */
function killLeft(members: number[]): void {
  const left = members.filter(stillThere);
  if (left.length === 0) return;
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone at the last moment
    }
  }
  throw new Error(`pid ${left.join(', ')} still running ${CLOSE_DEADLINE_MS / 1000} s after its terminal closed (killed now)`);
}
