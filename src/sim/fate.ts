import type { SimOptions } from './options.js';
import type { Random } from './random.js';

/** What happens to one key: how it ends and how long each step takes (simulated ms). */
export interface Fate {
  /** The storage look-up before scraping (the script's `list_blobs`). */
  checkMs: number;
  outcome: 'success' | 'failed' | 'timeout' | 'error' | 'exception';
  /** The scrape request, after the look-up; a timeout takes the whole --timeout. */
  workMs: number;
  /** Exception text for 'error' and 'exception'. */
  error: string | null;
  /** Rows in the stored JSON: makes success bodies differ a little. */
  players: number;
}

/** The knobs that shape fates; `crashes` only where the script survives them (the thread pool). */
export type FateOptions = Pick<SimOptions, 'failMonths' | 'failRate' | 'playoffFailRate' | 'timeoutRate' | 'exceptionRate' | 'meanSeconds' | 'timeout'> & {
  crashes: boolean;
};

/** `str(e)` of what requests raises when the service connection goes wrong. */
const requestErrors = [
  "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))",
  "('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))",
  "HTTPSConnectionPool(host='scrapers.sim.invalid', port=443): Max retries exceeded with url: /scrape (Caused by SSLError(SSLEOFError(8, '[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol (_ssl.c:1006)')))",
];

/** `str(e)` of what can escape a worker thread and reach `as_completed`. */
const workerCrashes = ["can't start new thread", '[Errno 24] Too many open files'];

/**
 * Draws a key's fate. Always takes five draws, so one key's outcome never shifts the next key's.
 * HTTP 500 is likely in the fail months (the real scraper asked for "Regular Season" data on playoff dates).
 */
export function drawFate(rng: Random, key: string, o: FateOptions): Fate {
  const u0 = rng();
  const u1 = rng();
  const u2 = rng();
  const u3 = rng();
  const u4 = rng();
  const month = key.charCodeAt(4) === 45 /* '-' */ ? Number(key.slice(5, 7)) : NaN;
  const http500 = o.failMonths.includes(month) ? o.playoffFailRate : o.failRate;
  // Cumulative edges on one draw: worker crash, request error, timeout, HTTP 500; the rest succeed.
  const crash = o.crashes ? o.exceptionRate / 4 : 0;
  const outcome: Fate['outcome'] =
    u1 < crash
      ? 'exception'
      : u1 < crash + o.exceptionRate
        ? 'error'
        : u1 < crash + o.exceptionRate + o.timeoutRate
          ? 'timeout'
          : u1 < crash + o.exceptionRate + o.timeoutRate + http500
            ? 'failed'
            : 'success';
  const timeoutMs = o.timeout * 1000;
  // Erlang-2 around the mean: few instant answers, a long tail, never past the timeout.
  const scrapeMs = (-o.meanSeconds * 1000 * (Math.log(1 - u2) + Math.log(1 - u3))) / 2;
  let workMs = Math.min(Math.max(scrapeMs, 300), timeoutMs - 1);
  let error: string | null = null;
  if (outcome === 'timeout') workMs = timeoutMs;
  else if (outcome === 'error') {
    workMs = 50 + u2 * 2000;
    error = requestErrors[Math.floor(u4 * requestErrors.length)];
  } else if (outcome === 'exception') {
    workMs = 5 + u2 * 50;
    error = workerCrashes[Math.floor(u4 * workerCrashes.length)];
  }
  return { checkMs: Math.round(60 + u0 * 240), outcome, workMs: Math.round(workMs), error, players: 18 + Math.floor(u4 * 12) };
}
