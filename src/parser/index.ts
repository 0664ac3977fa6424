/**
 * The log parser: bytes of a backfill log in, state-changing LogLines and the log pane's tail out.
 * The built-in grammar reads the reference family (backfill-logs.md) at byte level; a config grammar
 * replaces single kinds with regular expressions.
 */
import type { GrammarConfig } from '../config-schema.js';
import type { ParsedBatch } from '../log-line.js';
import { type Grammar, parseChunk } from './chunk.js';
import { compileCustom } from './custom-grammar.js';
import type { LogClock } from './log-clock.js';

export { type Grammar, linesOf, parseChunk } from './chunk.js';
export { KeyedLines } from './keyed-lines.js';
export { GrammarError } from './custom-grammar.js';
export { LogClock, fixedZone, isValidZone, systemZone, zoneOffset } from './log-clock.js';

/**
 * The built-in grammar when `cfg` is undefined or empty; each configured pattern replaces the built-in
 * rule of its kind; log times are read in `zone` (undefined: the system's). Throws GrammarError naming `grammar.<field>` for a bad pattern.
 */
export function compileGrammar(cfg?: GrammarConfig, zone?: string): Grammar {
  const custom = cfg ? compileCustom(cfg) : [];
  return { custom, replaced: new Set(custom.map((rule) => rule.kind)), zone };
}

/** `parseChunk` for text (tests, demos): a missing final newline is added. */
export function parseText(text: string, grammar: Grammar, tailLimit?: number, clock?: LogClock): ParsedBatch {
  return parseChunk(Buffer.from(text.endsWith('\n') ? text : `${text}\n`), grammar, tailLimit, clock);
}
