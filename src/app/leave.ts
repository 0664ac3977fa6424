/** How long the sources get to stop after the screen is gone (ms): leaving never waits on the network. */
export const CLOSE_WAIT_MS = 1000;

/**
 * Waits until the dashboard ends (q, Ctrl-C, SIGHUP or SIGTERM), then gives `close` at most CLOSE_WAIT_MS.
 * Returns the exit code: 0, 129 after SIGHUP, 143 after SIGTERM. The caller exits the process, open
 * sockets or not. The backfill is another process group and never sees these signals.
 */
export async function untilLeft(app: { waitUntilExit(): Promise<unknown> }, unmount: () => void, close: () => Promise<unknown>): Promise<number> {
  let code = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    code = signal === 'SIGHUP' ? 129 : 143;
    unmount();
  };
  process.once('SIGHUP', onSignal);
  process.once('SIGTERM', onSignal);
  await app.waitUntilExit();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([close(), new Promise((r) => (timer = setTimeout(r, CLOSE_WAIT_MS)))]);
  clearTimeout(timer);
  return code;
}
