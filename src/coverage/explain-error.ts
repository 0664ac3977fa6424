import { networkFailure } from '../network-words.js';
import { SourceError } from './source.js';

/** What a failing call was about, so the explanation can name it in the operator's words. */
export interface ErrorContext {
  /** 'Cloud Storage', 'BigQuery'. */
  service: string;
  /** What was asked for: 'bucket nba-scraped-data', 'table p.d.t'. */
  resource: string;
  /** The IAM permission the call needs, used when the server's message does not name one. */
  permission: string;
  /** A role that grants it, e.g. roles/storage.objectViewer. */
  role?: string;
  /** The config setting that names the resource, e.g. storage.url. */
  setting?: string;
  /** Time limit of one request, for the timeout message. */
  timeoutMs?: number;
  /** Replaces the 404 hint when the source knows better (e.g. an emulator URL without /storage/v1). */
  notFoundHint?: string;
  /** Where the requests go (the configured endpoint or Google's), for a network failure's host and port. */
  endpoint?: string;
  /** The setting that names the endpoint, e.g. `storage.apiEndpoint (or STORAGE_EMULATOR_HOST)`. */
  endpointSetting?: string;
  /** What was being read, said after the service on a network failure: `gs://bkt/p/`. */
  label?: string;
}

/** Thrown by a source when a 2xx answer is not what the API sends (HTML from a proxy, not JSON...). */
export class UnexpectedAnswerError extends Error {
  constructor(readonly body: string) {
    super(`answer is not JSON from the API: ${JSON.stringify(body.slice(0, 60))}`);
    this.name = 'UnexpectedAnswerError';
  }
}

const ADC = 'run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS)';
const CREDENTIALS = /Could not load the default credentials|invalid_grant|invalid_rapt|reauth|Could not refresh access token|GOOGLE_APPLICATION_CREDENTIALS/i;
// BigQuery answers 403 for quota and rate limits too; those are not permission problems.
const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded']);
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** Turns anything a Google client (or a source) threw into one line saying what went wrong and how to fix it. */
export function explainError(err: unknown, ctx: ErrorContext): SourceError {
  if (err instanceof SourceError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const message = oneLine(e.message ?? String(err));
  const status = httpStatus(e);
  const say = (what: string, hint: string | null, code: number | null = status) => new SourceError(`${ctx.service}: ${what}`, hint, code);

  if (e.name === 'AbortError') return say('cancelled', null, null);
  if (CREDENTIALS.test(message)) {
    const what = /default credentials/i.test(message) ? 'no Google credentials found' : `credentials rejected (${message})`;
    return say(what, ADC, status === 401 ? 401 : null);
  }
  if (e instanceof UnexpectedAnswerError || e.name === 'SyntaxError') {
    return say(`the answer was not JSON (${message})`, 'check that the endpoint is the Google API: a proxy or a login page may be answering', status);
  }
  if (status !== null) return explainStatus(status, message, e, ctx, say);
  if (isTimeout(e, message)) {
    const limit = ctx.timeoutMs === undefined ? '' : ` within ${ctx.timeoutMs / 1000} s`;
    return say(`no answer${limit}, after retries`, 'check the network or the endpoint; the next poll tries again', null);
  }
  // Host and port in the operator's words, never the request URL (tester X5).
  const net = networkFailure(err, ctx.endpoint);
  if (net) {
    const setting = ctx.endpointSetting ?? 'the endpoint setting (apiEndpoint, *_EMULATOR_HOST)';
    return new SourceError(`${ctx.service}${ctx.label ? ` ${ctx.label}` : ''}: ${net.what}`, `check ${setting}; ${net.check}`, null);
  }
  if (typeof e.code === 'string' && NETWORK.has(e.code)) {
    return say(`cannot reach the server (${e.code})`, 'check the network, the proxy, or the endpoint setting (apiEndpoint, *_EMULATOR_HOST)', null);
  }
  return say(message, null);
}

interface ErrorLike {
  name?: string;
  message?: string;
  code?: unknown;
  type?: string;
  errors?: { reason?: string; message?: string }[];
  response?: { status?: number; statusCode?: number };
}

type Say = (what: string, hint: string | null, code?: number | null) => SourceError;

function explainStatus(status: number, message: string, e: ErrorLike, ctx: ErrorContext, say: Say): SourceError {
  const reason = e.errors?.[0]?.reason;
  if (status === 429 || (status === 403 && reason !== undefined && RATE_REASONS.has(reason))) {
    return say(`rate limited (${status}) after retries: ${message}`, 'the next poll backs off; raise pollSeconds if this persists');
  }
  if (status === 401) return say(`not authenticated (401): ${message}`, ADC);
  if (status === 403) {
    // The server's message usually names the exact permission; trust it over our guess.
    const permission = /\b(?:storage|bigquery|resourcemanager|serviceusage)\.[A-Za-z]+\.[A-Za-z]+\b/.exec(message)?.[0] ?? ctx.permission;
    const grant = ctx.role === undefined ? `a role with ${permission}` : `${ctx.role} (it has ${permission})`;
    return say(`permission denied (403): ${permission} on ${ctx.resource}`, `grant ${grant} to the account in use (see \`gcloud auth list\`)`);
  }
  if (status === 404) {
    return say(`${ctx.resource} not found (404)`, ctx.notFoundHint ?? `check ${ctx.setting ?? 'the config'} and the project`);
  }
  if (status >= 500) return say(`server error ${status} after retries: ${message}`, 'the next poll tries again; see https://status.cloud.google.com');
  return say(`HTTP ${status}: ${message}`, null);
}

function httpStatus(e: ErrorLike): number | null {
  for (const v of [e.code, e.response?.status, e.response?.statusCode]) {
    const n = typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : v;
    if (typeof n === 'number' && n >= 100 && n <= 599) return n;
  }
  return null;
}

function isTimeout(e: ErrorLike, message: string): boolean {
  return e.type === 'request-timeout' || e.name === 'TimeoutError' || e.code === 'ETIMEDOUT' || e.code === 'ESOCKETTIMEDOUT' || /timed? ?out/i.test(message);
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
