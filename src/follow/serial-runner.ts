/** A task that runs on demand but never twice at once. */
export interface SerialRunner {
  /** Asks for a run; while one is going, any number of asks fold into one more run after it. */
  trigger(): void;
  /** Resolves when no run is going (at once if none is). */
  idle(): Promise<void>;
}

/**
 * Wraps `task` so watcher events, poll ticks and "check now" can all ask for a
 * run without two reads of the same fd racing each other.
 */
export function serialRunner(task: () => Promise<void>, onError: (err: unknown) => void): SerialRunner {
  let running: Promise<void> | null = null;
  let again = false;

  const loop = async (): Promise<void> => {
    do {
      again = false;
      try {
        await task();
      } catch (err) {
        onError(err);
      }
    } while (again);
  };

  return {
    trigger() {
      if (running) {
        again = true;
        return;
      }
      // finally() always runs later than this assignment, even if task is synchronous.
      running = loop().finally(() => {
        running = null;
      });
    },
    idle: () => running ?? Promise.resolve(),
  };
}
