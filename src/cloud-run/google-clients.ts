import type { ExecutionsClient, JobsClient } from '@google-cloud/run';
import { markStartup } from '../startup-timing.js';

/** The Run Admin v2 clients the dashboard calls. */
export interface RunClients {
  jobs: JobsClient;
  executions: ExecutionsClient;
}

/** The clients' constructor options (google-gax's ClientOptions). */
type ClientOptions = NonNullable<ConstructorParameters<typeof JobsClient>[0]>;

/**
 * The Logging v2 client's `entries:list` (`@google-cloud/logging` types its `v2` export as `any`): with
 * `autoPaginate: false`, one page's entries, the next page's request and the raw answer.
 */
export interface LoggingClient {
  listLogEntries(
    request: { resourceNames: string[]; filter: string; orderBy: string; pageSize: number; pageToken?: string },
    options: Record<string, unknown>,
  ): Promise<[Record<string, unknown>[], unknown, { nextPageToken?: string | null } | null | undefined]>;
}

/** Where one API is: `http://HOST:PORT` (loopback, emulator: no credentials), an https URL, or Google's own. */
export interface Endpoint {
  /** As configured (for messages), or Google's. */
  url: string;
  /** The clients' options for it (REST, host and port apart, an auth client that adds nothing for http://). */
  options(): Promise<ClientOptions>;
}

/**
 * The clients' options for `configured` (default: Google's endpoint with Application Default Credentials). The
 * clients take host and port apart (`apiEndpoint: 'HOST:PORT'` goes to port 443) and need `protocol: 'http'` for a
 * plain-HTTP server; `transportMs` bounds the HTTP request itself, so one the caller stopped waiting for (its
 * deadline passed, or it was aborted: the clients' promises cannot be cancelled) does not hold a socket for ever.
 */
export function endpoint(configured: string | undefined, google: string, transportMs: number): Endpoint {
  const url = (configured ?? google).replace(/\/+$/, '');
  return {
    url,
    async options(): Promise<ClientOptions> {
      const transporterOptions = { timeout: transportMs };
      const rest = { fallback: true };
      if (configured === undefined) return { ...rest, clientOptions: { transporterOptions } };
      const u = new URL(url);
      const http = u.protocol === 'http:';
      const where = { ...rest, apiEndpoint: u.hostname, port: Number(u.port || (http ? 80 : 443)), protocol: http ? 'http' : 'https' };
      if (!http) return { ...where, clientOptions: { transporterOptions } };
      const { PassThroughClient } = await import('google-auth-library');
      // Our google-auth-library, not the copy inside the clients' tree: the same class to gax, another to TypeScript.
      return { ...where, authClient: new PassThroughClient({ transporterOptions }) as unknown as ClientOptions['authClient'] };
    },
  };
}

/** Loads `@google-cloud/run` (about a second of CPU: only for a job with `cloudRun`) and makes its two clients. */
export async function loadRunClients(at: Endpoint): Promise<RunClients> {
  const run = await import('@google-cloud/run');
  markStartup('Cloud Run client loaded');
  const o = await at.options();
  // Each client sets its protos up when made (tens of ms): `status` and the pollers only ever need the executions one.
  let jobs: JobsClient | undefined;
  let executions: ExecutionsClient | undefined;
  return {
    get jobs() {
      return (jobs ??= new run.JobsClient(o));
    },
    get executions() {
      return (executions ??= new run.ExecutionsClient(o));
    },
  };
}

/** Loads `@google-cloud/logging` and makes its v2 client (the `Logging` class's getEntries adds a 24 h filter). */
export async function loadLoggingClient(at: Endpoint): Promise<LoggingClient> {
  const logging = await import('@google-cloud/logging');
  markStartup('Cloud Logging client loaded');
  return new (logging.v2 as { LoggingServiceV2Client: new (o: ClientOptions) => LoggingClient }).LoggingServiceV2Client(await at.options());
}
