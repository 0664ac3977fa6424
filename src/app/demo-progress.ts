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
  const now = opts.now ?? Date.now;
  const everyMs = opts.everyMs ?? 100;
  let shown = false;
  let lastAt = -Infinity;
  const draw = (line: string) => {
    if (!out.isTTY) return;
    // A terminal that does not say its width (0, as script(1) before stty) is taken as 80 columns.
    const width = Math.max(20, (out.columns || 80) - 1);
    out.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    shown = true;
  };
  return {
    step(text) {
      draw(`preparing the demo: ${text}`);
      lastAt = now();
    },
    count(label, done, total) {
      const t = now();
      if (done < total && done > 0 && t - lastAt < everyMs) return;
      lastAt = t;
      const filled = total > 0 ? Math.round((done / total) * BAR) : BAR;
      const n = (x: number) => x.toLocaleString('en-US');
      draw(`preparing the demo: ${'█'.repeat(filled)}${'░'.repeat(BAR - filled)} ${n(done)} of ${n(total)} ${label}`);
    },
    done() {
      if (shown) out.write('\r\x1b[2K');
      shown = false;
    },
  };
}
