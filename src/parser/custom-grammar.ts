import type { GrammarConfig } from '../config-schema.js';
import type { LogLine } from '../log-line.js';
import { failureOf } from './text-rules.js';
import { UnboundedPatternError, userRegExp } from '../user-regexp.js';

/** A grammar pattern from the config that cannot work; `field` is its config path, e.g. `grammar.progress`. */
export class GrammarError extends Error {
  readonly field: string;
  constructor(field: string, detail: string) {
    super(`${field}: ${detail}`);
    this.name = 'GrammarError';
    this.field = field;
  }
}

/** The line kinds a config pattern can define (GrammarConfig's fields). */
export type GrammarKind = keyof GrammarConfig;

type Groups = Record<string, string | undefined>;

/** One config pattern, compiled. */
export interface CustomRule {
  readonly kind: GrammarKind;
  readonly pattern: RegExp;
  /** The LogLine for a match, or null when a group does not hold what it must (e.g. `done` not a number). */
  readonly build: (groups: Groups, message: string, at: number) => LogLine | null;
}

/** Tried in this order, so a message both patterns match gets the more specific kind (complete before start). */
const ORDER: readonly GrammarKind[] = [
  'complete',
  'start',
  'failedSaved',
  'loaded',
  'queued',
  'processing',
  'succeeded',
  'failed',
  'skipped',
  'progress',
];

/**
 * Named groups each kind must have; the others are optional. A succeeded or failed line without its key would
 * count in the totals but never reach the failures table, `r`, or the keys a run covered (a skip needs none).
 */
const REQUIRED: Partial<Record<GrammarKind, readonly string[]>> = {
  loaded: ['total'],
  queued: ['key'],
  processing: ['key'],
  succeeded: ['key'],
  failed: ['key'],
  progress: ['done'],
};

/** Queued and processing lines: a key, and where it stands in the list when the pattern says so (else 0). */
function listed(kind: 'queued' | 'processing'): CustomRule['build'] {
  return (g, _msg, at) => (g.key ? ifNumbers({ kind, at, key: g.key, index: num(g.index, 0), total: num(g.total, 0) }) : null);
}

const BUILD: Record<GrammarKind, CustomRule['build']> = {
  start: (g, msg, at) => ({ kind: 'start', at, title: g.title ?? msg.trim() }),
  complete: (_g, _msg, at) => ({ kind: 'complete', at }),
  loaded: (g, _msg, at) => ifNumbers({ kind: 'loaded', at, total: num(g.total) }),
  queued: listed('queued'),
  processing: listed('processing'),
  succeeded: (g, _msg, at) => ({ kind: 'succeeded', at, key: g.key || null }),
  skipped: (g, _msg, at) => ({ kind: 'skipped', at, key: g.key || null }),
  failed: (g, _msg, at) => {
    const error = g.error ?? '';
    const failure = g.failure || failureOf(error);
    return { kind: 'failed', at, key: g.key || null, failure, error };
  },
  progress: (g, _msg, at) => {
    const [succeeded, skipped, failed] = [orNull(g.succeeded), orNull(g.skipped), orNull(g.failed)];
    return ifNumbers({ kind: 'progress', at, done: num(g.done), total: num(g.total, 0), succeeded, skipped, failed });
  },
  failedSaved: (g, msg, at) => ({ kind: 'failedSaved', at, path: g.path ?? msg.trim() }),
};

/** A group's number; NaN when it is missing or not a number and there is no fallback. */
function num(text: string | undefined, fallback = NaN): number {
  return text === undefined || text === '' ? fallback : Number(text);
}

function orNull(text: string | undefined): number | null {
  return text === undefined || text === '' ? null : Number(text);
}

/** The line, unless one of its numbers is NaN (a group that caught something else). */
function ifNumbers(line: LogLine): LogLine | null {
  for (const value of Object.values(line)) if (typeof value === 'number' && Number.isNaN(value)) return null;
  return line;
}

/** Compiles the configured patterns; throws GrammarError naming `grammar.<field>` for the first bad one. */
export function compileCustom(cfg: GrammarConfig): CustomRule[] {
  const rules: CustomRule[] = [];
  for (const kind of ORDER) {
    const source = cfg[kind];
    if (source === undefined) continue;
    const field = `grammar.${kind}`;
    if (source === '') throw new GrammarError(field, 'empty pattern (it would match every line)');
    let pattern: RegExp;
    try {
      pattern = userRegExp(source);
    } catch (err) {
      if (err instanceof UnboundedPatternError) throw new GrammarError(field, err.message);
      const detail = (err as Error).message.replace(/^Invalid regular expression: /, '');
      throw new GrammarError(field, `invalid regular expression: ${detail}`);
    }
    // An alternative that matches the empty string makes every named group show up in `groups`.
    const names = Object.keys(new RegExp(`${source}|`).exec('')?.groups ?? {});
    for (const group of REQUIRED[kind] ?? []) {
      if (!names.includes(group)) throw new GrammarError(field, `needs a named group (?<${group}>...)`);
    }
    rules.push({ kind, pattern, build: BUILD[kind] });
  }
  return rules;
}

/** Pushes the LogLine of the first rule that matches the message; returns whether one did. */
export function parseCustom(rules: readonly CustomRule[], message: string, at: number, out: LogLine[]): boolean {
  for (const rule of rules) {
    const m = rule.pattern.exec(message);
    if (!m) continue;
    const line = rule.build(m.groups ?? {}, message, at);
    if (line) {
      out.push(line);
      return true;
    }
  }
  return false;
}
