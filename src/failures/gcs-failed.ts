import type { Bucket } from '@google-cloud/storage';
import { explainError, type ErrorContext } from '../coverage/explain-error.js';
import { createStorageClient } from '../coverage/storage-client.js';
import { createPageGuard } from '../coverage/page-guard.js';
import { compareNewestFirst, parseFailedFile, type FailedFile } from './failed-file.js';
import { createRequestBudget, type RequestBudget } from '../coverage/request-budget.js';
import { splitGsGlob } from './gs-glob.js';

/** The newest matching objects read at most (a backfill writes one per run). */
export const MAX_FAILED_OBJECTS = 50;
/** An object bigger than this is not a failed-keys file of this family: named in a note, not downloaded. */
export const MAX_FAILED_OBJECT_BYTES = 20 * 1024 * 1024;

/** Where the objects are: the storage settings of the job (endpoint, project) apply. */
export interface GcsFailedOptions {
  glob: string;
  apiEndpoint?: string;
  projectId?: string;
  /** Deadline of one request, ms (default 10 s). */
  timeoutMs?: number;
  /** The cap on requests (list pages and downloads, retries included); default its own, REQUESTS_PER_MINUTE. */
  budget?: RequestBudget;
}

/** One look's result, as the local reader gives it. */
export interface FailedLook {
  files: FailedFile[];
  current: FailedFile | null;
  notes: string[];
}

interface Listed {
  name: string;
  size: number;
  updated: number;
  generation: string;
}

/**
 * Reads the failed-keys files a Cloud Run job's script wrote to Cloud Storage (its container's own files are
 * lost), for the same failures view as local files: lists the matching objects (paged, with the storage
 * listing's loop guard), downloads the newest {@link MAX_FAILED_OBJECTS} (an object is downloaded again only
 * when its generation changes) and parses each as a local file. Read-only. Throws a SourceError-like error
 * (message and hint) when the listing fails; an object that cannot be read or parsed becomes a note.
 */
export function createGcsFailedReader(opts: GcsFailedOptions) {
  const { bucket: bucketName, listPrefix, match } = splitGsGlob(opts.glob);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  // The endpoint as the storage source takes it: with or without /storage/v1, or STORAGE_EMULATOR_HOST.
  // Requests within the same per-minute cap as every cloud source, whatever the server answers.
  const budget = opts.budget ?? createRequestBudget();
  const { storage, origin } = createStorageClient({
    apiEndpoint: opts.apiEndpoint,
    projectId: opts.projectId,
    timeoutMs,
    retry: { maxRetries: 1, maxRetryDelayS: 1, totalTimeoutS: Math.ceil((2 * timeoutMs) / 1000) + 2 },
    budget,
  });
  const bucket = storage.bucket(bucketName);
  const ctx: ErrorContext = {
    service: 'Cloud Storage',
    resource: `bucket ${bucketName}`,
    permission: 'storage.objects.list',
    role: 'roles/storage.objectViewer',
    setting: 'failed',
    timeoutMs,
    notFoundHint: `check the bucket in failed (${opts.glob})`,
    endpoint: origin ?? 'https://storage.googleapis.com',
    endpointSetting: 'storage.apiEndpoint (or STORAGE_EMULATOR_HOST)',
  };
  const cache = new Map<string, { generation: string; file: FailedFile | null; note: string | null }>();

  async function list(signal: AbortSignal): Promise<Listed[]> {
    const guard = createPageGuard('Cloud Storage', `gs://${bucketName}/${listPrefix}`, 'check failed and storage.apiEndpoint: the server there does not page like Cloud Storage', { pageSize: 1000, entries: 'objects' });
    const out: Listed[] = [];
    let pageToken: string | undefined;
    do {
      signal.throwIfAborted();
      await budget.take(signal);
      const page = (await request(bucket, { uri: '/o', qs: { prefix: listPrefix, maxResults: 1000, fields: 'items(name,size,updated,generation),nextPageToken', ...(pageToken ? { pageToken } : {}) } }, signal)) as {
        items?: { name?: string; size?: string; updated?: string; generation?: string }[];
        nextPageToken?: string;
      };
      if (page === null || typeof page !== 'object') throw new Error(`the answer from Cloud Storage is not JSON: ${String(page).slice(0, 80)}`);
      for (const it of page.items ?? []) {
        if (it.name && match.test(it.name)) out.push({ name: it.name, size: Number(it.size ?? 0), updated: Date.parse(it.updated ?? '') || 0, generation: String(it.generation ?? it.updated ?? '') });
      }
      pageToken = page.nextPageToken || undefined;
      guard.page(page.items?.length ?? 0, pageToken ?? null);
    } while (pageToken);
    return out;
  }

  async function readOne(o: Listed, signal: AbortSignal): Promise<{ file: FailedFile | null; note: string | null }> {
    const hit = cache.get(o.name);
    if (hit && hit.generation === o.generation) return hit;
    const uri = `gs://${bucketName}/${o.name}`;
    const base = o.name.slice(o.name.lastIndexOf('/') + 1);
    let result: { file: FailedFile | null; note: string | null };
    if (o.size > MAX_FAILED_OBJECT_BYTES) result = { file: null, note: `${base}: ${Math.round(o.size / 1048576)} MB, too big for a failed-keys file; not read` };
    else {
      try {
        await budget.take(signal);
        const [data] = (await within(bucket.file(o.name, { generation: o.generation }).download({ validation: false }), signal, timeoutMs * 2)) as [Buffer];
        const parsed = parseFailedFile(uri, data.toString('utf8'));
        result = parsed.ok ? { file: { ...parsed.file, mtimeMs: o.updated }, note: null } : { file: null, note: `${base} cannot be read (${parsed.reason}); not shown` };
      } catch (err) {
        if (signal.aborted) throw err;
        result = { file: null, note: `${base}: ${explainError(err, { ...ctx, permission: 'storage.objects.get', resource: uri }).message}` };
      }
    }
    cache.set(o.name, { generation: o.generation, ...result });
    return result;
  }

  return {
    label: opts.glob,
    /** One look: every matching object's parse, newest first, and notes for what could not be used. */
    async read(signal: AbortSignal): Promise<FailedLook> {
      let listed: Listed[];
      try {
        listed = await list(signal);
      } catch (err) {
        if (signal.aborted) throw err;
        throw explainError(err, ctx);
      }
      listed.sort((a, b) => b.updated - a.updated || (a.name < b.name ? 1 : -1));
      const notes: string[] = [];
      if (listed.length > MAX_FAILED_OBJECTS) notes.push(`${listed.length} objects match ${opts.glob}: the newest ${MAX_FAILED_OBJECTS} are read`);
      const files: FailedFile[] = [];
      for (const o of listed.slice(0, MAX_FAILED_OBJECTS)) {
        const r = await readOne(o, signal);
        if (r.file) files.push(r.file);
        if (r.note) notes.push(r.note);
      }
      // Objects gone since are forgotten.
      const names = new Set(listed.map((o) => o.name));
      for (const k of cache.keys()) if (!names.has(k)) cache.delete(k);
      files.sort(compareNewestFirst);
      return { files, current: files[0] ?? null, notes };
    },
  };
}

function request(bucket: Bucket, opts: { uri: string; qs: Record<string, unknown> }, signal: AbortSignal): Promise<unknown> {
  return within(new Promise((resolve, reject) => bucket.request(opts, (err: Error | null, body?: unknown) => (err ? reject(err) : resolve(body)))), signal, 30_000);
}

/** Waits for `work` no longer than `ms` and not past an abort (the client cannot cancel a request). */
function within<T>(work: Promise<T>, signal: AbortSignal, ms: number): Promise<T> {
  work.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, stop]).finally(() => {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort!);
  });
}
