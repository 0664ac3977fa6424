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
export interface FateOptions {
  failMonths: number[];
  failRate: number;
  playoffFailRate: number;
  timeoutRate: number;
  exceptionRate: number;
  meanSeconds: number;
  timeout: number;
  crashes: boolean;
}

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
  const [u0, u1, u2, u3, u4] = [rng(), rng(), rng(), rng(), rng()];
  const checkMs = Math.round(60 + u0 * 240);
  const month = /^\d{4}-\d{2}/.test(key) ? Number(key.slice(5, 7)) : NaN;
  const http500 = o.failMonths.includes(month) ? o.playoffFailRate : o.failRate;
  const crash = o.crashes ? o.exceptionRate / 4 : 0;
  const limits: Array<[number, Fate['outcome']]> = [
    [crash, 'exception'],
    [o.exceptionRate, 'error'],
    [o.timeoutRate, 'timeout'],
    [http500, 'failed'],
  ];
  let outcome: Fate['outcome'] = 'success';
  let edge = 0;
  for (const [p, name] of limits) {
    edge += p;
    if (u1 < edge) {
      outcome = name;
      break;
    }
  }
  const timeoutMs = o.timeout * 1000;
  // Erlang-2 around the mean: few instant answers, a long tail, never past the timeout.
  const scrapeMs = (-o.meanSeconds * 1000 * (Math.log(1 - u2) + Math.log(1 - u3))) / 2;
  const workMs =
    outcome === 'timeout'
      ? timeoutMs
      : outcome === 'error'
        ? 50 + u2 * 2000
        : outcome === 'exception'
          ? 5 + u2 * 50
          : Math.min(Math.max(scrapeMs, 300), timeoutMs - 1);
  const error =
    outcome === 'error'
      ? requestErrors[Math.floor(u4 * requestErrors.length)]
      : outcome === 'exception'
        ? workerCrashes[Math.floor(u4 * workerCrashes.length)]
        : null;
  return { checkMs, outcome, workMs: Math.round(workMs), error, players: 18 + Math.floor(u4 * 12) };
}
