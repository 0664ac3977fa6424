import type { LogLine, SummaryField } from '../log-line.js';
import { errorKind as errorLabel } from '../failures/error-kind.js';

/*
 * The built-in grammar as text rules: the reference family's line shapes (backfill-logs.md and the sibling
 * scripts). The hot shapes are read by fast-path.ts first; their rules here are the fallback for spacing the
 * byte reader declines, and the reference the tests hold the fast path to.
 */

/** A text rule: pushes what it recognises in the message and says whether it did. */
type Rule = (msg: string, at: number, out: LogLine[]) => boolean;

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** In a rule's `first`: any character outside ASCII (the rule allows any emoji before its words). */
const ANY_EMOJI = '\u0080';

// An emoji, with or without its variation selector, then optional spaces.
const E = '\\uFE0F? *';
const re = (source: string): RegExp => new RegExp(source, 'u');

const QUEUED = re('^\\[(\\d+)/(\\d+)\\] +(Queued|Processing) +(\\S+)');
const SCRAPED = re(`^✅${E}Scraped +(\\S+)`);
const FAILED_AFTER = re(`^❌${E}Failed +after \\d[^:]*(?:: *(.*))?$`);
const FAILED = re(`^❌${E}Failed +(\\S+?):?(?: +(.*))?$`);
const ERROR = re(`^❌${E}Error +(?:scraping +)?(\\S+?):?(?: +(.*))?$`);
const TIMEOUT = re(`^(?:❌|⏱)${E}Timeout +(?:scraping +)?(\\S+?):?(?: .*)?$`);
const EXCEPTION = re('^(?:Exception|Unexpected error) processing +(\\S+?):?(?: +(.*))?$');
const SKIPPED = re(`^⏭${E}Skipped +(\\S+)`);
const PROGRESS = re(`^(?:📊${E})?Progress: *(\\d+)/(\\d+)(.*)$`);
const PROGRESS_PERCENT = re(`^(?:📊${E})?Progress: *[\\d.]+% *\\((\\d+)/(\\d+)`);
const COUNT_OK = re(`✅${E}(\\d+)`);
const COUNT_SKIPPED = re(`⏭${E}(\\d+)`);
const COUNT_FAILED = re(`❌${E}(\\d+)`);
// "BACKFILL COMPLETE", "🏁 BACKFILL COMPLETE", "AGGRESSIVE RETRY COMPLETE"; never "DRY RUN complete."
const COMPLETE = re('^(?:[^\\x00-\\x7F]+ +)?[A-Z]+(?: [A-Z]+)* COMPLETE$');
// The reference script's --dry-run: `DRY RUN MODE - no scraping will be performed`, `DRY RUN complete. Use without …`.
const DRY_RUN = re('^DRY RUN(?: MODE\\b| (complete)\\b)');
// A banner title or the init line: three or more words ending in Backfill/Retry, nothing like a field.
/** Every banner holds one of these words: a reader looking only for banners may skip lines without them. */
export const START_WORDS = ['Backfill', 'Retry'] as const;
const START = re(`^([A-Z0-9][^:|]*\\S \\S+ (?:${START_WORDS.join('|')})(?: \\(v\\d+\\))?)(?: initiali[sz]ed)?$`);
const SETTING = re('^(Workers|Timeout|Scraper service|Service URL|GCS bucket): +(\\S.*)$');
const SETTING_NAMES = {
  Workers: 'workers',
  Timeout: 'timeout',
  'Scraper service': 'service',
  'Service URL': 'service',
  'GCS bucket': 'bucket',
} as const;
const LOADED = re('^(?:Loaded (\\d+) (?:[a-z]+ )?(?:dates|games)\\b|Total (?:dates|games) to process: *(\\d+)$)');
const FAILED_SAVED = re('^(?:[^\\x00-\\x7F]+ +)?Failed (?:dates|games) saved to: *(.+)$');

/**
 * Summary lines: each pattern's first group is the number, `toValue` turns the match into the field's unit;
 * `first` as for RULES below.
 */
const SUMMARY: ReadonlyArray<{ field: SummaryField; first: string; pattern: RegExp; toValue?: (m: RegExpExecArray) => number }> = [
  { field: 'total', first: 'T', pattern: re('^Total (?:dates|games): *(\\d+)$') },
  { field: 'processed', first: '✅PS', pattern: re(`^(?:✅${E})?(?:Processed|Succeeded): *(\\d+)$`) },
  { field: 'skipped', first: '⏭S', pattern: re(`^(?:⏭${E})?Skipped: *(\\d+)$`) },
  { field: 'failed', first: '❌F', pattern: re(`^(?:❌${E})?Failed: *(\\d+)$`) },
  { field: 'ratePerMin', first: 'R', pattern: re('^Rate: *(\\d+(?:\\.\\d+)?) [a-z ]*/min$') },
  {
    field: 'durationSec',
    first: 'T',
    pattern: re('^Time: *(\\d+(?:\\.\\d+)?) *(seconds?|s|minutes?|min|hours?|h)$'),
    toValue: (m) => Math.round(Number(m[1]) * (m[2].startsWith('h') ? 3600 : m[2].startsWith('m') ? 60 : 1)),
  },
  {
    field: 'durationSec',
    first: '⏱D',
    pattern: re(`^(?:⏱${E})?Duration: *(?=\\d)(?:(\\d+)h *)?(?:(\\d+)m *)?(?:(\\d+(?:\\.\\d+)?)s)?$`),
    toValue: (m) => Math.round(Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)),
  },
];

function emit(out: LogLine[], line: LogLine): true {
  out.push(line);
  return true;
}

/** The failure kind of an outcome line (see errorLabel): `HTTP nnn` in any wording, 'timeout', else `status`. */
export function failureOf(error: string, status = 'failed'): string {
  return errorLabel({ status, error });
}

function count(pattern: RegExp, text: string): number | null {
  const m = pattern.exec(text);
  return m ? Number(m[1]) : null;
}

/** The rules, each with the characters its message can start with (`first`), which pick the rules to try. */
const RULES: ReadonlyArray<{ first: string; rule: Rule }> = [
  {
    first: '[',
    rule: (msg, at, out) => {
      const m = QUEUED.exec(msg);
      if (!m) return false;
      const kind = m[3] === 'Queued' ? 'queued' : 'processing';
      return emit(out, { kind, at, key: m[4], index: Number(m[1]), total: Number(m[2]) });
    },
  },
  {
    first: '✅',
    rule: (msg, at, out) => {
      const m = SCRAPED.exec(msg);
      return m !== null && emit(out, { kind: 'succeeded', at, key: m[1] === 'successfully' ? null : m[1] });
    },
  },
  {
    first: '❌',
    rule: (msg, at, out) => {
      const m = FAILED_AFTER.exec(msg) ?? FAILED.exec(msg);
      if (!m) return false;
      const [key, error] = m.length === 2 ? [null, m[1] ?? ''] : [m[1], m[2] ?? ''];
      return emit(out, { kind: 'failed', at, key, failure: failureOf(error), error });
    },
  },
  {
    first: '❌EU',
    rule: (msg, at, out) => {
      const m = ERROR.exec(msg) ?? EXCEPTION.exec(msg);
      if (!m) return false;
      const error = m[2] ?? '';
      return emit(out, { kind: 'failed', at, key: m[1], failure: failureOf(error, msg.startsWith('❌') ? 'error' : 'exception'), error });
    },
  },
  {
    first: '❌⏱',
    rule: (msg, at, out) => {
      const m = TIMEOUT.exec(msg);
      return m !== null && emit(out, { kind: 'failed', at, key: m[1], failure: 'timeout', error: 'timeout' });
    },
  },
  {
    first: '⏭',
    rule: (msg, at, out) => {
      const m = SKIPPED.exec(msg);
      return m !== null && emit(out, { kind: 'skipped', at, key: m[1].startsWith('(') ? null : m[1] });
    },
  },
  {
    first: '📊P',
    rule: (msg, at, out) => {
      const m = PROGRESS.exec(msg);
      if (m) {
        const rest = m[3];
        const [succeeded, skipped, failed] = [count(COUNT_OK, rest), count(COUNT_SKIPPED, rest), count(COUNT_FAILED, rest)];
        return emit(out, { kind: 'progress', at, done: Number(m[1]), total: Number(m[2]), succeeded, skipped, failed });
      }
      const p = PROGRESS_PERCENT.exec(msg);
      if (!p) return false;
      const [done, total] = [Number(p[1]), Number(p[2])];
      return emit(out, { kind: 'progress', at, done, total, succeeded: null, skipped: null, failed: null });
    },
  },
  {
    first: 'D',
    rule: (msg, at, out) => {
      const m = DRY_RUN.exec(msg);
      return m !== null && emit(out, { kind: 'dryRun', at, done: m[1] !== undefined });
    },
  },
  {
    first: UPPER + ANY_EMOJI,
    rule: (msg, at, out) => COMPLETE.test(msg) && emit(out, { kind: 'complete', at }),
  },
  ...SUMMARY.map(({ field, first, pattern, toValue }): { first: string; rule: Rule } => ({
    first,
    rule: (msg, at, out) => {
      const m = pattern.exec(msg);
      return m !== null && emit(out, { kind: 'summary', at, field, value: toValue ? toValue(m) : Number(m[1]) });
    },
  })),
  {
    first: 'LT',
    rule: (msg, at, out) => {
      const m = LOADED.exec(msg);
      return m !== null && emit(out, { kind: 'loaded', at, total: Number(m[1] ?? m[2]) });
    },
  },
  {
    first: 'F' + ANY_EMOJI,
    rule: (msg, at, out) => {
      const m = FAILED_SAVED.exec(msg);
      return m !== null && emit(out, { kind: 'failedSaved', at, path: m[1] });
    },
  },
  { first: 'WTSG', rule: settings },
  // Last: the loosest pattern (any title-like line), and settings lines, having a ':', are never titles.
  {
    first: `${UPPER}0123456789`,
    rule: (msg, at, out) => {
      const m = START.exec(msg);
      return m !== null && emit(out, { kind: 'start', at, title: m[1] });
    },
  },
];

/** `  Workers: 6`, or several on one line: `Workers: 6 | Timeout: 180s`. */
function settings(msg: string, at: number, out: LogLine[]): boolean {
  const found: LogLine[] = [];
  for (const part of msg.split(' | ')) {
    const m = SETTING.exec(part.trim());
    if (!m) return false;
    found.push({ kind: 'setting', at, name: SETTING_NAMES[m[1] as keyof typeof SETTING_NAMES], value: m[2] });
  }
  out.push(...found);
  return true;
}

/** Rules by the first UTF-16 unit of a message (for an emoji, its first unit), filled in as they are met. */
const BY_FIRST = new Map<number, Rule[]>();

function rulesFor(code: number): Rule[] {
  let rules = BY_FIRST.get(code);
  if (rules === undefined) {
    const starts = ({ first }: { first: string }) =>
      [...first].some((ch) => ch.charCodeAt(0) === code) || (code >= 0x80 && first.includes(ANY_EMOJI));
    rules = RULES.filter(starts).map(({ rule }) => rule);
    BY_FIRST.set(code, rules);
  }
  return rules;
}

/** Whether a message starting with this byte could match a text rule (so is worth decoding). */
export function mayMatch(firstByte: number): boolean {
  return firstByte >= 128 || rulesFor(firstByte).length > 0;
}

/** Runs the text rules on a message with no leading or trailing spaces. */
export function parseText(msg: string, at: number, out: LogLine[]): boolean {
  for (const rule of rulesFor(msg.charCodeAt(0))) if (rule(msg, at, out)) return true;
  return false;
}
