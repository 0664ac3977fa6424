/**
 * Resolves true as soon as `done()` holds, false once `timeoutMs` passed without it. Checks every `pollMs`,
 * each after the last; an abort rejects with the signal's reason so a quitting dashboard is not held up.
 */
export function waitUntil(
  done: () => boolean,
  { timeoutMs, pollMs = 50, signal }: { timeoutMs: number; pollMs?: number; signal?: AbortSignal },
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      if (timer) clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const check = () => {
      const ok = done();
      if (ok || Date.now() >= deadline) {
        signal?.removeEventListener('abort', onAbort);
        resolve(ok);
      } else {
        timer = setTimeout(check, Math.min(pollMs, Math.max(1, deadline - Date.now())));
      }
    };
    check();
  });
}
