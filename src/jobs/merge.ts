/** A JSON object (not an array, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * `over` laid on `base`, as a job's settings over the shared `defaults`: objects merge key by key at every
 * depth (a job's `storage.url` beside the shared `storage.apiEndpoint`, its own `vars` beside shared ones);
 * anything else, arrays and null included, replaces.
 */
export function mergeSettings(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeSettings(base[k], v);
  return out;
}
