/** A bound on work in flight: `run` waits for a free slot (or the signal), runs, and frees the slot. */
export interface Limiter {
  run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Slots taken now (for tests and the bench). */
  readonly active: number;
  /** Most slots ever taken at once. */
  readonly peak: number;
}

/** At most `slots` calls of `run` at once; the rest wait in order of arrival. */
export function createLimiter(slots: number): Limiter {
  let active = 0;
  let peak = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    active -= 1;
    waiting.shift()?.();
  };
  return {
    get active() {
      return active;
    },
    get peak() {
      return peak;
    },
    async run(work, signal) {
      if (active >= slots) {
        await new Promise<void>((resolve, reject) => {
          const go = () => {
            signal?.removeEventListener('abort', abort);
            resolve();
          };
          const abort = () => {
            const i = waiting.indexOf(go);
            if (i >= 0) waiting.splice(i, 1);
            reject(signal!.reason);
          };
          if (signal?.aborted) return reject(signal.reason);
          signal?.addEventListener('abort', abort, { once: true });
          waiting.push(go);
        });
      }
      active += 1;
      peak = Math.max(peak, active);
      try {
        return await work();
      } finally {
        release();
      }
    },
  };
}
