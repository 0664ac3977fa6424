import { Storage } from '@google-cloud/storage';
import { storageOrigin } from './gs-url.js';
import { createRequestBudget, retryWithin, type RequestBudget } from './request-budget.js';

/** How one Cloud Storage client is built: the storage listing, the gs:// failed-keys reader, the keys-object writer. */
export interface StorageClientOptions {
  /** `storage.apiEndpoint` as configured: with or without /storage/v1; else STORAGE_EMULATOR_HOST, else Google. */
  apiEndpoint?: string;
  projectId?: string;
  /** Send credentials to a custom endpoint too (a proxy in front of Google); never to a loopback test server. */
  authenticate?: boolean;
  /** Deadline of one request, ms; the library's default when not given. */
  timeoutMs?: number;
  /** The library's own retries of one request (429, 5xx): how many, the longest pause between, all of them (s). */
  retry?: { maxRetries: number; maxRetryDelayS: number; totalTimeoutS: number };
  /**
   * The per-minute request cap the client's own retries count against (default: a budget of its own); null for
   * a client that makes one deliberate request (the keys-object write) and leaves retries to the library.
   */
  budget?: RequestBudget | null;
}

/**
 * One Cloud Storage client as every part of the dashboard needs it: the endpoint's origin with the `/storage/v1`
 * base URL the JSON API lives under (the library takes the origin and adds no path for a custom endpoint), and
 * the library's retries held to the request budget. Returns the client, the origin (undefined: Google's) and
 * the budget (the caller's own requests, such as list pages, take from it too).
 */
export function createStorageClient(o: StorageClientOptions): { storage: Storage; origin: string | undefined; budget: RequestBudget | null } {
  const origin = storageOrigin(o.apiEndpoint);
  const storage = new Storage({
    projectId: o.projectId ?? 'backfill-tui',
    ...(origin !== undefined && { apiEndpoint: origin }),
    ...(o.authenticate === true && { useAuthWithCustomEndpoint: true }),
    ...(o.timeoutMs !== undefined && { timeout: o.timeoutMs }),
    ...(o.retry && { retryOptions: { maxRetries: o.retry.maxRetries, maxRetryDelay: o.retry.maxRetryDelayS, totalTimeout: o.retry.totalTimeoutS } }),
  });
  if (origin !== undefined) storage.baseUrl = `${origin}/storage/v1`;
  const budget = o.budget === undefined ? createRequestBudget() : o.budget;
  if (budget !== null) storage.retryOptions.retryableErrorFn = retryWithin(budget, storage.retryOptions.retryableErrorFn ?? (() => false));
  return { storage, origin, budget };
}
