import { BigQuery, type BigQueryOptions } from '@google-cloud/bigquery';
import { retryWithin, type RequestBudget } from './request-budget.js';

/** How to reach BigQuery. */
export interface BigQueryClientSettings {
  /** The project jobs run and bill in; always passed, so the client never asks the environment for one. */
  projectId: string;
  location?: string;
  /** An emulator or fake (http://127.0.0.1:9050); wins over BIGQUERY_EMULATOR_HOST. */
  apiEndpoint?: string;
  /** Send Google credentials to a custom endpoint too (a private endpoint rather than an emulator). */
  authenticate?: boolean;
  /** The client's own retries go out only while this budget has room (each is counted in it). */
  retryBudget?: RequestBudget | null;
  /** Longest wait between the client's retries, in seconds (default RETRY.maxRetryDelaySeconds). */
  retryDelaySeconds?: number;
}

/** Retries of one request inside the client: 2, each after at most 1 s (429, 5xx, dropped connections). */
export const RETRY = { maxRetries: 2, maxRetryDelaySeconds: 1 } as const;

/**
 * An auth client that adds no headers. With a custom endpoint we skip Application Default
 * Credentials the way @google-cloud/storage does (`customEndpoint`), which the BigQuery client
 * does not: it would look for ADC on every request, refresh a token at oauth2.googleapis.com
 * when it finds one, and send that token to the emulator, over plain http.
 * The client only calls `getRequestHeaders` on it because `projectId` is always given.
 */
const noCredentials = { getRequestHeaders: async () => new Headers() } as unknown as BigQueryOptions['authClient'];

/**
 * Options for the BigQuery constructor. What the client does with them (8.3.0, measured against
 * test/support/fake-bigquery-server.ts):
 * - `retryOptions.maxRetries: 0` reads as "default (3)", so retries are bounded by count and delay
 *   (`maxRetryDelay` is in seconds): the default, 3 retries at 2, 4, 8 s, is the ~15 s a 503 takes;
 * - `totalTimeout` is left alone: when it runs out between retries, retry-request never calls back;
 * - the `timeout` option reaches node-fetch 3, which ignores it: no request times out by itself,
 *   so the source keeps its own deadline;
 * - without any credentials it still sends the request, and reports a 401 as
 *   "Could not load the default credentials".
 */
export function bigQueryClientOptions(settings: BigQueryClientSettings, env: NodeJS.ProcessEnv = process.env): BigQueryOptions {
  const budget = settings.retryBudget;
  const custom = settings.apiEndpoint !== undefined || env.BIGQUERY_EMULATOR_HOST !== undefined;
  return {
    projectId: settings.projectId,
    ...(settings.location !== undefined && { location: settings.location }),
    ...(settings.apiEndpoint !== undefined && { apiEndpoint: settings.apiEndpoint }),
    ...(custom && settings.authenticate !== true && { authClient: noCredentials }),
    retryOptions: {
      autoRetry: true,
      maxRetries: RETRY.maxRetries,
      maxRetryDelay: settings.retryDelaySeconds ?? RETRY.maxRetryDelaySeconds,
      ...(budget && { retryableErrorFn: retryWithin(budget, (err: RetryableError) => shouldRetry(err)) }),
    },
  };
}

/** What the client hands a retry decision: the HTTP status as `code`, Google's error reasons. */
interface RetryableError {
  code?: number | string;
  errors?: { reason?: string }[];
}

/**
 * The client's own rule for which errors it retries (@google-cloud/common `util.shouldRetryRequest`, which it
 * uses when no `retryableErrorFn` is given): giving one to count retries in the budget replaces it, so it is kept
 * here as it is there.
 */
function shouldRetry(err: RetryableError | undefined): boolean {
  if (!err) return false;
  if ([408, 429, 500, 502, 503, 504].includes(err.code as number)) return true;
  return (err.errors ?? []).some((e) => e.reason === 'rateLimitExceeded' || e.reason === 'userRateLimitExceeded' || (e.reason ?? '').includes('EAI_AGAIN'));
}

/** A client plus a count of the API requests it was asked to make (retries not counted). */
export interface CountingClient {
  client: BigQuery;
  requests(): number;
}

/** Builds the client, making the configured endpoint win over BIGQUERY_EMULATOR_HOST. */
export function createBigQueryClient(settings: BigQueryClientSettings, env: NodeJS.ProcessEnv = process.env): CountingClient {
  const client = new BigQuery(bigQueryClientOptions(settings, env));
  // The client builds its URLs from BIGQUERY_EMULATOR_HOST whenever it is set, even with apiEndpoint.
  if (settings.apiEndpoint !== undefined && env.BIGQUERY_EMULATOR_HOST !== undefined) {
    client.baseUrl = `${client.apiEndpoint}/bigquery/v2`;
  }
  let count = 0;
  client.interceptors.push({
    request: (reqOpts) => {
      count += 1;
      return reqOpts as typeof reqOpts & { uri: string }; // the client always sets uri
    },
  });
  return { client, requests: () => count };
}

/**
 * POST through the client (auth, retries, project in the path) and hand back the body as is.
 * Not `bigquery.query()`/`createQueryJob()`: given a 200 whose body is not JSON they throw inside
 * a callback, so their promise never settles and the process gets an unhandled rejection.
 */
export function postJson(client: BigQuery, uri: string, json: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    client.request({ method: 'POST', uri, json }, (err, body) => (err ? reject(err) : resolve(body)));
  });
}
