import { SourceError } from './source.js';

/**
 * Splits gs://BUCKET/PREFIX/ into the bucket and a prefix that is empty or ends with '/'; a SourceError naming
 * `setting` when it is not one (no bucket, a bucket name Cloud Storage would refuse). Kept apart from the
 * Cloud Storage source so the config can check a URL without loading the client library.
 */
export function parseGsUrl(url: string, setting = 'storage.url'): { bucket: string; prefix: string } {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (m === null) throw new SourceError(`${setting} ${JSON.stringify(url)} is not gs://BUCKET/PREFIX/`, 'write it as gs://bucket-name/path/to/folders/', null);
  const prefix = (m[2] ?? '').replace(/^\/+/, '');
  return { bucket: m[1], prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}
