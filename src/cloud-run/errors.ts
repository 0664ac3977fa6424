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

/** Turns what the HTTP client threw into a CloudRunError naming permission, resource, job or region. */
export function explainCallError(err: unknown, ctx: CallContext): CloudRunError {
  if (err instanceof CloudRunError) return err;
  const e = (err ?? {}) as { name?: string; message?: string; code?: unknown; status?: number; response?: { status?: number; data?: unknown }; cause?: { code?: string; name?: string } };
  const status = e.response?.status ?? (typeof e.status === 'number' ? e.status : null);
  const body = (e.response?.data as { error?: GoogleStatus } | undefined)?.error;
  const said = oneLine(body?.message ?? e.message ?? String(err));
  const what = `${ctx.service}:`;
  if (status === null) {
    if (CREDENTIALS.test(said)) return new CloudRunError(`${what} no usable Google credentials (${said})`, 'credentials', ADC, null);
    const code = typeof e.code === 'string' ? e.code : e.cause?.code;
    if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError' || code === 'ETIMEDOUT' || /timed? ?out|aborted/i.test(said)) {
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
