import { createServer } from 'node:http';

/**
 * A loopback server speaking the part of the GCS JSON API the storage source uses, in plain JS for the
 * bench (test/support/fake-gcs-server.ts is TypeScript and not built): `GET /storage/v1/b/BUCKET/o`
 * with prefix, delimiter, maxResults and pageToken, answering `{kind, items?, prefixes?, nextPageToken?}`.
 * At most `pageSize` (GCS: 1000) items and prefixes together per page, as GCS does.
 * Resolves { url, requests, close() } with `url` = http://127.0.0.1:PORT (no /storage/v1).
 */
export async function startFakeGcs({ bucket, objects, pageSize = 1000 }) {
  const names = [...objects].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let requests = 0;
  const sockets = new Set();
  const server = createServer((req, res) => {
    requests += 1;
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (req.method !== 'GET' || m === null || decodeURIComponent(m[1]) !== bucket) return sendJson(res, 404, notFound());
    const q = url.searchParams;
    const token = q.get('pageToken');
    sendJson(res, 200, listPage(names, {
      prefix: q.get('prefix') ?? '',
      delimiter: q.get('delimiter') ?? '',
      max: Math.min(Number(q.get('maxResults') ?? pageSize) || pageSize, pageSize),
      cursor: token === null ? null : Buffer.from(token, 'base64url').toString(),
    }));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One page of objects.list; `cursor` is the last item name or folder prefix the previous page returned. */
function listPage(names, q) {
  const items = [];
  const prefixes = [];
  const isFolder = (s) => q.delimiter !== '' && s.endsWith(q.delimiter);
  let i = lowerBound(names, q.cursor !== null && q.cursor > q.prefix ? q.cursor : q.prefix);
  // A page that ended on a folder resumes after everything inside it.
  if (q.cursor !== null) while (i < names.length && (names[i] === q.cursor || (isFolder(q.cursor) && names[i].startsWith(q.cursor)))) i++;
  let last = null;
  for (; i < names.length && items.length + prefixes.length < q.max; i++) {
    const name = names[i];
    if (!name.startsWith(q.prefix)) break;
    const cut = q.delimiter === '' ? -1 : name.indexOf(q.delimiter, q.prefix.length);
    if (cut === -1) {
      items.push({ kind: 'storage#object', name, bucket: 'b', size: '1' });
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

function lowerBound(sorted, x) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function notFound() {
  const message = 'The specified bucket does not exist.';
  return { error: { code: 404, message, errors: [{ message, domain: 'global', reason: 'notFound' }] } };
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
