import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CRC32C } from '@google-cloud/storage';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What the fake server does instead of answering: an HTTP status with a GCS-style JSON error
 * (for `times` requests, then it answers normally; forever when omitted), `hang` (never answers)
 * `garbage` (200 with a body that is not JSON), `loop-token` (every page holds one folder and the same
 * nextPageToken, forever) or `endless-pages` (every page is empty with a new nextPageToken, forever).
 */
export type FakeGcsFault = { status: 401 | 403 | 404 | 412 | 429 | 500 | 503; times?: number } | 'hang' | 'garbage' | 'loop-token' | 'endless-pages' | 'endless-keys' | null;

/** Options for {@link startFakeGcs}. */
export interface FakeGcsOptions {
  bucket: string;
  /**
   * Objects: a name (1 byte, or 0 bytes when it ends in `/`, as a folder placeholder), or a name with its
   * size. A function is called on every request, so a test can grow the bucket between polls.
   */
  objects: FakeObject[] | (() => FakeObject[]);
  /** The most results the server puts on one page whatever `maxResults` asks (GCS: 1000). */
  pageSize?: number;
  fault?: FakeGcsFault;
  /** Called as each request arrives (1-based count), before it is answered: lets a test act mid-listing. */
  onRequest?: (n: number) => void;
  /** Called as each request arrives (1-based count): a promise it returns holds the answer until it settles. */
  hold?: (n: number) => Promise<void> | void;
}

/** One object of the fake bucket: a name, a name with its size, or a name with its content (downloadable). */
export type FakeObject = string | { name: string; size: number } | { name: string; content: string; updated?: string };

/** An object written through the upload route, as the server received it. */
export interface FakeUpload {
  name: string;
  /** The upload's query (uploadType, name, ifGenerationMatch...). */
  query: URLSearchParams;
  content: string;
  /** The HTTP status the server answered (200, or 412 when ifGenerationMatch=0 met an existing object). */
  status: number;
}

/** A running fake: point the storage client's `apiEndpoint` at `url`. */
export interface FakeGcs {
  /** When each request arrived (ms since the epoch), retries included: for request budgets. */
  readonly times: number[];
  /** http://127.0.0.1:PORT, without /storage/v1. */
  readonly url: string;
  /** HTTP requests received so far, retries included. */
  readonly requests: number;
  /** Query strings of the list requests received, in order. */
  readonly queries: URLSearchParams[];
  /** Uploads received (simple/multipart `POST /upload/storage/v1/b/BUCKET/o`), in order, refused ones too. */
  readonly uploads: FakeUpload[];
  /** Names of the objects downloaded (`alt=media`), in order. */
  readonly downloads: string[];
  /** The content of an object (given with content, or uploaded), or null. */
  content(name: string): string | null;
  setFault(fault: FakeGcsFault): void;
  close(): Promise<void>;
}

const ERRORS: Record<number, { reason: string; message: (bucket: string) => string }> = {
  401: { reason: 'required', message: () => 'Anonymous caller does not have storage.objects.list access to the Google Cloud Storage bucket.' },
  403: {
    reason: 'forbidden',
    message: () =>
      "someone@example.iam.gserviceaccount.com does not have storage.objects.list access to the Google Cloud Storage bucket. Permission 'storage.objects.list' denied on resource (or it may not exist).",
  },
  404: { reason: 'notFound', message: () => 'The specified bucket does not exist.' },
  412: { reason: 'conditionNotMet', message: () => 'At least one of the pre-conditions you specified did not hold.' },
  429: { reason: 'rateLimitExceeded', message: () => 'The project exceeded the rate limit for listing objects.' },
  500: { reason: 'backendError', message: () => 'Backend Error' },
  503: { reason: 'backendError', message: () => 'Service Unavailable' },
};

/**
 * Starts a loopback server speaking the part of the GCS JSON API the dashboard uses: `GET /storage/v1/b/BUCKET/o`
 * with prefix, delimiter, maxResults and pageToken; `GET .../o/NAME?alt=media` (download); and
 * `POST /upload/storage/v1/b/BUCKET/o` (multipart upload, with `ifGenerationMatch=0` answered 412 when the
 * object exists, as Cloud Storage does).
 */
export async function startFakeGcs(opts: FakeGcsOptions): Promise<FakeGcs> {
  let fault: FakeGcsFault = opts.fault ?? null;
  let faultLeft = faultTimes(fault);
  let requests = 0;
  const queries: URLSearchParams[] = [];
  const sockets = new Set<Socket>();
  const uploads: FakeUpload[] = [];
  const downloads: string[] = [];
  /** Objects with content: given with content, or uploaded. Generation counts writes. */
  const stored = new Map<string, { content: Buffer; generation: number; updated: string }>();
  const given = Array.isArray(opts.objects) ? opts.objects : [];
  for (const o of given) if (typeof o === 'object' && 'content' in o) stored.set(o.name, { content: Buffer.from(o.content), generation: 1, updated: o.updated ?? new Date(0).toISOString() });
  const withStored = (objects: FakeObject[]) => [...objects.filter((o) => typeof o === 'string' || !stored.has(o.name)), ...[...stored].map(([name, v]) => ({ name, size: v.content.length }))];

  // A fixed list is sorted once (tests list 100,000 names), again only after an upload.
  let fixed: Sorted | null = null;
  const current = (): Sorted => {
    if (!Array.isArray(opts.objects)) return sortedCopy(withStored(opts.objects()), stored);
    return (fixed ??= sortedCopy(withStored(opts.objects), stored));
  };
  const names = () => current().names;
  const times: number[] = [];
  const server = createServer((req, res) => {
    requests += 1;
    times.push(Date.now());
    opts.onRequest?.(requests);
    const held = opts.hold?.(requests);
    if (held) return void held.then(() => answer(req, res));
    answer(req, res);
  });
  function answer(req: IncomingMessage, res: ServerResponse): void {
    if (fault !== null && faultLeft > 0) {
      faultLeft -= 1;
      if (fault === 'hang') return; // the socket stays open until the client gives up or close()
      if (fault === 'garbage') return send(res, 200, '<html>Sign in to continue</html>', 'text/html');
      if (fault === 'loop-token') return sendJson(res, 200, { kind: 'storage#objects', items: [{ name: `${new URL(req.url ?? '/', 'http://x').searchParams.get('prefix') ?? ''}loop/x.json`, size: '0' }], nextPageToken: 'c2FtZQ' });
      // Each page one new folder with data and a new token: no repeat, no empty page, only a count can stop it.
      if (fault === 'endless-keys') {
        const prefix = new URL(req.url ?? '/', 'http://x').searchParams.get('prefix') ?? '';
        return sendJson(res, 200, { kind: 'storage#objects', items: [{ name: `${prefix}k${requests}/x.json`, size: '1' }], nextPageToken: Buffer.from(`page-${requests}`).toString('base64url') });
      }
      if (fault === 'endless-pages') return sendJson(res, 200, { kind: 'storage#objects', nextPageToken: Buffer.from(`page-${requests}`).toString('base64url') });
      const e = ERRORS[fault.status];
      return sendJson(res, fault.status, { error: { code: fault.status, message: e.message(opts.bucket), errors: [{ message: e.message(opts.bucket), domain: 'global', reason: e.reason }] } });
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const media = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname);
    if (req.method === 'GET' && media && url.searchParams.get('alt') === 'media') {
      const name = decodeURIComponent(media[2]);
      downloads.push(name);
      const o = decodeURIComponent(media[1]) === opts.bucket ? stored.get(name) : undefined;
      if (!o) return sendJson(res, 404, gcsError(404, `No such object: ${opts.bucket}/${name}`, 'notFound'));
      return send(res, 200, o.content.toString('utf8'), 'application/octet-stream');
    }
    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (req.method === 'POST' && upload) return void receiveUpload(req, url.searchParams).then((content) => {
      const name = url.searchParams.get('name') ?? '';
      const exists = stored.has(name) || names().includes(name);
      const refused = url.searchParams.get('ifGenerationMatch') === '0' && exists;
      uploads.push({ name, query: url.searchParams, content, status: refused ? 412 : 200 });
      if (refused) return sendJson(res, 412, gcsError(412, 'At least one of the pre-conditions you specified did not hold.', 'conditionNotMet'));
      const generation = (stored.get(name)?.generation ?? 0) + 1;
      const updated = new Date().toISOString();
      stored.set(name, { content: Buffer.from(content), generation, updated });
      fixed = null;
      // The hashes Cloud Storage answers with: the client checks the upload against them.
      const crc32c = new CRC32C();
      crc32c.update(Buffer.from(content));
      const md5Hash = createHash('md5').update(content).digest('base64');
      sendJson(res, 200, { kind: 'storage#object', name, bucket: opts.bucket, generation: String(generation), size: String(Buffer.byteLength(content)), updated, crc32c: crc32c.toString(), md5Hash });
    });
    handleList(req, res, opts.bucket, current(), opts.pageSize ?? 1000, queries);
  }
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    queries,
    uploads,
    downloads,
    content: (name) => stored.get(name)?.content.toString('utf8') ?? null,
    times,
    setFault(f) {
      fault = f;
      faultLeft = faultTimes(f);
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging requests would keep close() waiting forever: cut them.
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function faultTimes(f: FakeGcsFault): number {
  return f !== null && typeof f === 'object' && f.times !== undefined ? f.times : Infinity;
}

interface Sorted {
  names: string[];
  sizes: Map<string, number>;
  /** Generation and update time of objects with content. */
  meta: Map<string, { generation: number; updated: string }>;
}

function sortedCopy(objects: FakeObject[], meta: Map<string, { generation: number; updated: string }> = new Map()): Sorted {
  const sizes = new Map<string, number>();
  for (const o of objects) {
    if (typeof o === 'string') sizes.set(o, o.endsWith('/') ? 0 : 1);
    else sizes.set(o.name, 'content' in o ? Buffer.byteLength(o.content) : o.size);
  }
  // GCS lists in lexicographic byte order; for the ASCII names used here that is code-unit order.
  return { names: [...sizes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), sizes, meta };
}

/** The media part of a multipart/related upload body (the last part), or the whole body of a simple upload. */
function receiveUpload(req: IncomingMessage, query: URLSearchParams): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      const boundary = /boundary="?([^";]+)"?/.exec(req.headers['content-type'] ?? '')?.[1];
      if (query.get('uploadType') !== 'multipart' || !boundary) return resolve(body);
      const sections = body.split(`--${boundary}`).slice(1, -1);
      const media = sections.at(-1) ?? '';
      const start = media.indexOf('\r\n\r\n');
      resolve(media.slice(start + 4).replace(/\r\n$/, ''));
    });
  });
}

function handleList(req: IncomingMessage, res: ServerResponse, bucket: string, objects: Sorted, pageSize: number, queries: URLSearchParams[]): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const m = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
  if (req.method !== 'GET' || m === null) return sendJson(res, 404, gcsError(404, 'Not Found', 'notFound'));
  if (decodeURIComponent(m[1]) !== bucket) return sendJson(res, 404, gcsError(404, ERRORS[404].message(bucket), 'notFound'));
  const q = url.searchParams;
  queries.push(q);
  sendJson(res, 200, listPage(objects, {
    prefix: q.get('prefix') ?? '',
    startOffset: q.get('startOffset') ?? '',
    delimiter: q.get('delimiter') ?? '',
    max: Math.min(Number(q.get('maxResults') ?? pageSize) || pageSize, pageSize),
    cursor: q.get('pageToken') === null ? null : Buffer.from(q.get('pageToken')!, 'base64url').toString(),
  }));
}

interface PageQuery {
  prefix: string;
  /** Only names >= this (GCS `startOffset`). */
  startOffset: string;
  delimiter: string;
  max: number;
  /** Last item name or prefix the previous page returned. */
  cursor: string | null;
}

/** One page of `objects.list`: items and prefixes both count toward `max`, as in GCS. */
function listPage({ names, sizes, meta }: Sorted, q: PageQuery): { kind: string; items?: object[]; prefixes?: string[]; nextPageToken?: string } {
  const items: object[] = [];
  const prefixes: string[] = [];
  const from = [q.prefix, q.startOffset, q.cursor ?? ''].reduce((a, b) => (b > a ? b : a));
  let i = lowerBound(names, from);
  const isFolder = (s: string) => q.delimiter !== '' && s.endsWith(q.delimiter);
  // A page that ended on a folder resumes after everything inside it.
  if (q.cursor !== null) while (i < names.length && (names[i] === q.cursor || (isFolder(q.cursor) && names[i].startsWith(q.cursor)))) i++;
  let last: string | null = null;
  for (; i < names.length && items.length + prefixes.length < q.max; i++) {
    const name = names[i];
    if (!name.startsWith(q.prefix)) break;
    const cut = q.delimiter === '' ? -1 : name.indexOf(q.delimiter, q.prefix.length);
    if (cut === -1) {
      const m = meta.get(name);
      items.push({ kind: 'storage#object', name, bucket: 'b', size: String(sizes.get(name) ?? 1), ...(m && { generation: String(m.generation), updated: m.updated }) });
      last = name;
    } else {
      const p = name.slice(0, cut + q.delimiter.length);
      if (p !== last) prefixes.push(p);
      last = p;
    }
  }
  // Skip the rest of the folder the page ended in, so the next page does not repeat it.
  while (i < names.length && last !== null && isFolder(last) && names[i].startsWith(last)) i++;
  const more = i < names.length && names[i].startsWith(q.prefix);
  return {
    kind: 'storage#objects',
    ...(items.length > 0 && { items }),
    ...(prefixes.length > 0 && { prefixes }),
    ...(more && last !== null && { nextPageToken: Buffer.from(last).toString('base64url') }),
  };
}

function lowerBound(sorted: string[], x: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function gcsError(code: number, message: string, reason: string): object {
  return { error: { code, message, errors: [{ message, domain: 'global', reason }] } };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), 'application/json; charset=UTF-8');
}

function send(res: ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
