import { networkFailure } from '../network-words.js';

/** What went wrong talking to Cloud Run or Cloud Logging, in the operator's words. */
export type CloudRunErrorKind = 'permission' | 'not-found' | 'quota' | 'credentials' | 'deadline' | 'network' | 'server' | 'refused' | 'answer';

/**
 * One failed call, explained: `message` says what failed on which resource, `hint` what to do. `status` is
 * the HTTP status when there was an answer. `permission` is the IAM permission a 403 names.
 */
export class CloudRunError extends Error {
  constructor(
    message: string,
    readonly kind: CloudRunErrorKind,
    readonly hint: string | null,
    readonly status: number | null,
    readonly permission: string | null = null,
  ) {
    super(message);
    this.name = 'CloudRunError';
  }
}

/** The call that failed: what it needed and what it was about. */
export interface CallContext {
  /** 'Cloud Run' or 'Cloud Logging'. */
  service: string;
  /** The IAM permission this call needs (used when the answer names none). */
  permission: string;
  /** A role that grants it. */
  role: string;
  /** The resource the call was about, as the API names it (projects/P/locations/R/jobs/J). */
  resource: string;
  /** For a 404: what was not found (the execution, or the job). */
  notFound: string;
  /** For a 404 whose answer says the job itself (or its region) does not exist. */
  jobNotFound?: string;
  /** The request deadline, for the timeout message. */
  timeoutMs: number;
  endpoint: string;
}

const ADC = 'run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS)';
const CREDENTIALS = /Could not load the default credentials|invalid_grant|invalid_rapt|reauth|Could not refresh access token/i;
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET']);

interface GoogleStatus {
  code?: number;
  message?: string;
  status?: string;
  details?: { '@type'?: string; reason?: string; metadata?: Record<string, string> }[];
}

/**
 * gRPC status codes (google.rpc.Code) as the HTTP status the REST API answers with them: gax's errors carry the
 * code (429 is 8 RESOURCE_EXHAUSTED, 403 is 7, 404 is 5), an answer met by the HTTP client the status itself.
 * DEADLINE_EXCEEDED (4) and CANCELLED (1) are no answer, not a status.
 */
const HTTP_OF_GRPC: Record<number, number> = { 2: 500, 3: 400, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401 };

/** The answer's status and google.rpc.Status body, whichever shape the client's error has; status null: no answer. */
function answerOf(err: unknown): { status: number | null; body: GoogleStatus | undefined } {
  const e = (err ?? {}) as { message?: string; code?: unknown; status?: number; response?: { status?: number; data?: unknown }; reason?: string; errorInfoMetadata?: Record<string, string> };
  const status = e.response?.status ?? (typeof e.status === 'number' ? e.status : null);
  if (status !== null) {
    // The HTTP client's error (gaxios): the body is in `data`, or, when the clients read it as a stream, the message.
    const data = e.response?.data;
    return { status, body: ((data && typeof data === 'object' ? data : parseJson(e.message)) as { error?: GoogleStatus } | undefined)?.error };
  }
  if (typeof e.code === 'number' && HTTP_OF_GRPC[e.code] !== undefined) {
    // gax's GoogleError: the status's message (a gRPC-style "8 RESOURCE_EXHAUSTED: " taken off) and its ErrorInfo.
    const details = e.errorInfoMetadata ? [{ reason: e.reason, metadata: e.errorInfoMetadata }] : [];
    return { status: HTTP_OF_GRPC[e.code], body: { message: (e.message ?? '').replace(/^\d+ [A-Z_]+: /, ''), details } };
  }
  return { status: null, body: undefined };
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || !/^\s*\{/.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What the clients throw when an answer is not the API's JSON (gax's decoding of it). */
const NOT_JSON = /^Received null response|is not valid JSON|Unexpected (token|end of JSON)/;
const NOT_ITS_JSON = /Received null or malformed response|FromProto3JSON|fromProto3JSON/;

/** Turns what the client threw into a CloudRunError naming permission, resource, job or region. */
export function explainCallError(err: unknown, ctx: CallContext): CloudRunError {
  if (err instanceof CloudRunError) return err;
  const e = (err ?? {}) as { name?: string; message?: string; code?: unknown; cause?: { code?: string; name?: string } };
  const { status, body } = answerOf(err);
  const said = oneLine(body?.message ?? e.message ?? String(err));
  const what = `${ctx.service}:`;
  if (status === null) {
    if (CREDENTIALS.test(said)) return new CloudRunError(`${what} no usable Google credentials (${said})`, 'credentials', ADC, null);
    if (e.name === 'SyntaxError' || NOT_JSON.test(said)) return new CloudRunError(`${what} the answer from ${ctx.endpoint} is not JSON`, 'answer', 'check the endpoint setting', null);
    if (NOT_ITS_JSON.test(said)) return new CloudRunError(`${what} the answer from ${ctx.endpoint} is not the API's JSON (${said})`, 'answer', 'check the endpoint setting', null);
    const code = typeof e.code === 'string' ? e.code : e.cause?.code;
    if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError' || code === 'ETIMEDOUT' || e.code === 4 || e.code === 1 || /timed? ?out|aborted/i.test(said)) {
      return new CloudRunError(`${what} no answer from ${ctx.endpoint} within ${ctx.timeoutMs / 1000} s`, 'deadline', 'the next poll tries again; check the network or the endpoint setting', null);
    }
    // Host and port in the operator's words, as every source says them (src/network-words.ts, tester X5).
    const net = networkFailure(err, ctx.endpoint);
    const setting = ctx.service === 'Cloud Logging' ? 'cloudRun.loggingEndpoint' : 'cloudRun.apiEndpoint';
    if (net) return new CloudRunError(`${what} ${net.what}`, 'network', `check ${setting}; ${net.check}`, null);
    if (code && NETWORK.has(code)) return new CloudRunError(`${what} cannot reach ${ctx.endpoint} (${code})`, 'network', `check the network, or ${setting}`, null);
    return new CloudRunError(`${what} ${said}`, 'network', null, null);
  }
  if (status === 403) {
    const info = body?.details?.find((d) => d.reason === 'IAM_PERMISSION_DENIED' || d.metadata?.permission);
    const permission = info?.metadata?.permission ?? /Permission '([a-z]+\.[A-Za-z]+\.[A-Za-z]+)'/.exec(said)?.[1] ?? ctx.permission;
    const resource = info?.metadata?.resource || ctx.resource;
    return new CloudRunError(`${what} permission ${permission} missing on ${resource} (403)`, 'permission', `grant ${ctx.role} (it has ${permission}) to the account in use (see \`gcloud auth list\`)`, 403, permission);
  }
  if (status === 401) return new CloudRunError(`${what} not authenticated (401): ${said}`, 'credentials', ADC, 401);
  if (status === 404) return new CloudRunError(`${what} ${(/kind 'JOB'/.test(said) && ctx.jobNotFound) || ctx.notFound} (404)`, 'not-found', 'check cloudRun.project, cloudRun.region and cloudRun.job (`gcloud run jobs list --region=REGION`)', 404);
  if (status === 429) return new CloudRunError(`${what} quota reached (429): ${said}`, 'quota', 'backing off; the dashboard reads less often until it passes', 429);
  if (status === 400 || status === 409 || status === 412) return new CloudRunError(`${what} refused (${status}): ${said}`, 'refused', null, status);
  if (status >= 500) return new CloudRunError(`${what} server error ${status}: ${said}`, 'server', 'the next poll tries again; see https://status.cloud.google.com', status);
  return new CloudRunError(`${what} HTTP ${status}: ${said}`, 'server', null, status);
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
