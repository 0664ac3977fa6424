import type { LogEntry } from './api.js';

/**
 * The official clients hand back protobuf objects (gax's `toObject`: enums as names, 64-bit integers as strings,
 * Timestamp and Duration as `{seconds, nanos}`, a JSON payload as a `google.protobuf.Struct`); the rest of the
 * dashboard reads the REST JSON the APIs document (RFC 3339 times, `"900s"`, plain objects). These turn the one
 * into the other, for the fields the dashboard reads.
 */

/** `{seconds, nanos}` as the clients give a Timestamp or a Duration (seconds as a string, a number or a Long). */
interface SecondsNanos {
  seconds?: unknown;
  nanos?: unknown;
}

const isSecondsNanos = (v: unknown): v is SecondsNanos => v !== null && typeof v === 'object' && ('seconds' in v || 'nanos' in v);

function secondsOf(v: SecondsNanos): { s: number; n: number } {
  return { s: Number(String(v.seconds ?? 0)) || 0, n: Number(v.nanos ?? 0) || 0 };
}

/** A Timestamp as RFC 3339 with the digits proto3 JSON gives (0, 3, 6 or 9), or undefined when unset. */
export function timestampText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (!isSecondsNanos(v)) return undefined;
  const { s, n } = secondsOf(v);
  const whole = new Date(s * 1000).toISOString().slice(0, 19);
  if (n === 0) return `${whole}Z`;
  const digits = String(n).padStart(9, '0');
  const cut = n % 1_000_000 === 0 ? 3 : n % 1000 === 0 ? 6 : 9;
  return `${whole}.${digits.slice(0, cut)}Z`;
}

/** A Duration as proto3 JSON writes it (`"900s"`, `"1.5s"`), or undefined when unset. */
export function durationText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (!isSecondsNanos(v)) return undefined;
  const { s, n } = secondsOf(v);
  return `${s + n / 1e9}s`;
}

interface StructValue {
  kind?: string;
  nullValue?: unknown;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: { fields?: Record<string, StructValue> };
  listValue?: { values?: StructValue[] };
}

function plainValue(v: StructValue): unknown {
  if (v.structValue !== undefined && v.structValue !== null) return plainStruct(v.structValue);
  if (v.listValue !== undefined && v.listValue !== null) return (v.listValue.values ?? []).map(plainValue);
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.numberValue !== undefined) return v.numberValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return null;
}

/** A `google.protobuf.Struct` as the plain JSON object it stands for (as the REST API writes a `jsonPayload`). */
export function plainStruct(s: { fields?: Record<string, StructValue> | null }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.fields ?? {})) out[k] = plainValue(v);
  return out;
}

/** A protobuf message instance (an operation's metadata) or the plain object gax made of one. */
function plain(x: unknown): Record<string, unknown> {
  const m = x as { toJSON?: () => unknown } | null;
  return (m && typeof m.toJSON === 'function' ? m.toJSON() : m ?? {}) as Record<string, unknown>;
}

/**
 * An Execution from the Run client (a list's item, a get, or a jobs.run / cancel operation's metadata) as the REST
 * JSON decodeExecution reads: times in RFC 3339, the task timeout as `"900s"`, enums by name.
 */
export function executionRest(x: unknown): Record<string, unknown> {
  const e = plain(x);
  const template = e.template as Record<string, unknown> | null | undefined;
  return {
    ...e,
    createTime: timestampText(e.createTime),
    startTime: timestampText(e.startTime),
    completionTime: timestampText(e.completionTime),
    template: template ? { ...template, timeout: durationText(template.timeout) } : undefined,
  };
}

/** A LogEntry from the Logging client as entries:list's REST JSON gives it (the fields the dashboard reads). */
export function entryRest(x: Record<string, unknown>): LogEntry {
  const text = x.textPayload;
  const json = x.jsonPayload as { fields?: Record<string, StructValue> } | null | undefined;
  const labels = x.labels as Record<string, string> | null | undefined;
  return {
    insertId: String(x.insertId ?? ''),
    timestamp: timestampText(x.timestamp) ?? '',
    ...(typeof text === 'string' && x.payload !== 'jsonPayload' ? { textPayload: text } : {}),
    ...(json ? { jsonPayload: plainStruct(json) } : {}),
    ...(labels && Object.keys(labels).length > 0 ? { labels } : {}),
    ...(typeof x.severity === 'string' ? { severity: x.severity } : {}),
  };
}
