import { formatCount } from '../format.js';
import { SourceError, type KeySource, type ListTrace } from '../coverage/source.js';
import type { AppEvent } from '../state/events.js';
import { hostPort } from '../network-words.js';

/** Any failure of a source as a SourceError; sources explain their own, this only wraps the unexpected. */
export function asSourceError(err: unknown): SourceError {
  if (err instanceof SourceError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SourceError(message, null, null);
}

/**
 * Lists a source once (no poller) and reports it as events; the keys found, or null when it failed. When the
 * signal ends the look (`limitMs` passed), the error names the service and what happened: no request sent yet
 * (the client library still loading), a refused connection at a configured endpoint, or no answer; never only
 * "aborted".
 */
export async function lookOnce(source: KeySource, dispatch: (e: AppEvent) => void, now: () => number, signal: AbortSignal, limitMs?: number, trace: ListTrace = { asked: 0 }): Promise<Set<string> | null> {
  dispatch({ type: 'coverage/checking', source: source.name, at: now() });
  try {
    const result = await source.list(signal, { trace });
    dispatch({ type: 'coverage/result', source: source.name, result, at: now() });
    return result.keys;
  } catch (err) {
    const error = signal.aborted ? await timeoutError(source, limitMs, trace) : asSourceError(err);
    dispatch({ type: 'coverage/error', source: source.name, error, at: now() });
    return null;
  }
}

/** How long a look at a refused endpoint waits for the answer of a second connection attempt. */
const PROBE_MS = 300;

/**
 * Why a look ran out of time, named with the service: "BigQuery p.d.t: no answer within 20 s" with what to check;
 * "no request sent within 1 s" when it never got to ask; "connection refused at HOST:PORT" when the configured
 * endpoint refuses a connection now (the client retries a refused connection for seconds before it says so).
 */
export async function timeoutError(source: KeySource, limitMs?: number, trace?: ListTrace): Promise<SourceError> {
  const name = `${source.service ?? source.name} ${source.label}`;
  const within = limitMs === undefined ? 'in time' : `within ${Math.round(limitMs / 100) / 10} s`;
  const hint = source.timeoutHint ?? 'check the network and the endpoint in the config';
  // A local folder sends no request and loads no client library (tester AG6 m: a folder of 620 keys read `no request
  // sent … (the client library was still loading …)`): not counted in time, with how far it got.
  if (source.service === undefined) {
    const far = trace?.progress;
    const got = far && far.done > 0 ? ` (${formatCount(far.done)} of ${far.of === null ? '?' : formatCount(far.of)} ${far.unit} counted)` : '';
    return new SourceError(`${name}: folders not counted ${within}${got}: a busy machine or a slow file system`, 'give it longer with --timeout', null);
  }
  if (trace && trace.asked === 0) {
    return new SourceError(`${name}: no request sent ${within} (the client library was still loading, or the look waited its turn)`, 'give it longer with --timeout', null);
  }
  if (trace?.waiting) return new SourceError(`${name}: ${trace.waiting} ${within}`, 'a slow query can be given longer with --timeout (up to the source\'s own limit of a look, 60 s for BigQuery)', null);
  // It answered, page after page, and was not done in time: said so, with how far it got, never "no answer" (tester
  // Z10: a bucket answering a page every 3 s read `no answer within 10 s` after 6 pages).
  const far = trace?.progress;
  if (far && (far.objects ?? far.done) > 0) {
    const got = far.of !== null ? `${formatCount(far.done)} of ${formatCount(far.of)} ${far.unit}` : far.objects !== undefined ? `${formatCount(far.objects)} objects listed in ${formatCount(trace!.asked)} ${trace!.asked === 1 ? 'page' : 'pages'}` : `${formatCount(far.done)} ${far.unit} so far`;
    return new SourceError(`${name}: listing not finished ${within} (it answered: ${got})`, 'a large listing can be given longer with --timeout', null);
  }
  if (source.endpoint !== undefined && (await connectionRefused(source.endpoint))) {
    return new SourceError(`${name}: connection refused at ${hostPort(source.endpoint) ?? source.endpoint}: nothing listens there`, hint, null);
  }
  return new SourceError(`${name}: no answer ${within}`, hint, null);
}

/** True when a TCP connection to the endpoint's host and port is refused now (false: accepted, or no word in time). */
async function connectionRefused(endpoint: string): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`);
  } catch {
    return false;
  }
  // node:net loads only for this probe: `status` imports this module on every run.
  const { connect } = await import('node:net');
  const port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port });
    const done = (refused: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(refused);
    };
    const timer = setTimeout(() => done(false), PROBE_MS);
    socket.once('connect', () => done(false));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED'));
  });
}
