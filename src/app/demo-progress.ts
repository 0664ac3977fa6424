/** Where the set-up's progress goes: the terminal the dashboard is about to take over. */
export interface ProgressOut {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** The demo's set-up as the operator sees it before the first frame. */
export interface DemoProgress {
  /** A step without a count (e.g. simulating the finished run), said at once. */
  step(text: string): void;
  /** A counted step: `label` with a bar of `done` of `total`, redrawn at most every `everyMs`. */
  count(label: string, done: number, total: number): void;
  /** Clears the line: the dashboard draws next. */
  done(): void;
}

const BAR = 24;

/**
 * One line on a terminal, rewritten in place, while the demo lays out its directory (seconds on a loaded
 * machine: a screen left blank that long reads as a hang). Nothing at all where `out` is not a terminal.
 * `now` is injectable for tests.
 */
export function demoProgress(out: ProgressOut, opts: { everyMs?: number; now?: () => number } = {}): DemoProgress {
  let shown = false;
  return progressLines(
    (line) => {
      if (!out.isTTY) return;
      if (line === null) {
        if (shown) out.write('\r\x1b[2K');
        shown = false;
        return;
      }
      // A terminal that does not say its width (0, as script(1) before stty) is taken as 80 columns.
      const width = Math.max(20, (out.columns || 80) - 1);
      out.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
      shown = true;
    },
    opts,
  );
}

/**
 * The same lines handed to `say` (null once done): the five-job demo shows them on its first frame, under the
 * title, while it lays out its directory behind it.
 */
export function progressLines(say: (line: string | null) => void, opts: { everyMs?: number; now?: () => number } = {}): DemoProgress {
  const now = opts.now ?? Date.now;
  const everyMs = opts.everyMs ?? 100;
  let lastAt = -Infinity;
  return {
    step(text) {
      say(`preparing the demo: ${text}`);
      lastAt = now();
    },
    count(label, done, total) {
      const t = now();
      if (done < total && done > 0 && t - lastAt < everyMs) return;
      lastAt = t;
      const filled = total > 0 ? Math.round((done / total) * BAR) : BAR;
      const n = (x: number) => x.toLocaleString('en-US');
      say(`preparing the demo: ${'█'.repeat(filled)}${'░'.repeat(BAR - filled)} ${n(done)} of ${n(total)} ${label}`);
    },
    done() {
      say(null);
    },
  };
}
