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

/**
 * The endpoint's origin (scheme, host, port, any path before /storage/v1), from storage.apiEndpoint or else
 * STORAGE_EMULATOR_HOST, each accepted with or without a trailing /storage/v1: the client wants the option
 * without it and the variable with it, and sends /storage/v1/storage/v1/... or /b/... when given the other
 * form. The configured endpoint wins over the variable. Undefined: Google's own endpoint.
 */
export function storageOrigin(apiEndpoint: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = apiEndpoint ?? env.STORAGE_EMULATOR_HOST;
  if (given === undefined || given === '') return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(given) ? given : `https://${given}`;
  return withScheme.replace(/\/+$/, '').replace(/\/storage\/v1$/, '');
}
