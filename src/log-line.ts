import type { KeyedLines } from './parser/keyed-lines.js';

/**
 * What the log parser makes of one log record: the facts a backfill log states, in the operator's words.
 * Only lines that change the run's state become a LogLine; everything else is kept only for the log pane.
 * `at` is the record's own timestamp (epoch ms, read as local time, as Python's asctime writes it).
 */
export type LogLine =
  | { kind: 'start'; at: number; title: string }
  | { kind: 'setting'; at: number; name: 'workers' | 'timeout' | 'service' | 'bucket'; value: string }
  | { kind: 'loaded'; at: number; total: number }
  | { kind: 'queued'; at: number; key: string; index: number; total: number }
  | { kind: 'processing'; at: number; key: string; index: number; total: number }
  /** key null: the retry script's key-less outcome line; it belongs to the last `processing` key. */
  | { kind: 'succeeded'; at: number; key: string | null }
  | { kind: 'failed'; at: number; key: string | null; failure: FailureKind; error: string }
  | { kind: 'skipped'; at: number; key: string | null }
  | {
      kind: 'progress';
      at: number;
      done: number;
      total: number;
      succeeded: number | null;
      skipped: number | null;
      failed: number | null;
    }
  | { kind: 'complete'; at: number }
  | { kind: 'summary'; at: number; field: SummaryField; value: number }
  | { kind: 'failedSaved'; at: number; path: string }
  /**
   * The reference script's `--dry-run`: `DRY RUN MODE - no scraping will be performed` in its banner (done false),
   * `DRY RUN complete. Use without --dry-run to execute.` at its end (done true): it lists keys and scrapes none.
   */
  | { kind: 'dryRun'; at: number; done: boolean }
  /**
   * A Python traceback outside any record (the script died): `Traceback (most recent call last):` (error
   * null) or its last line, `FileNotFoundError: [Errno 2] ...` (the error). `at` is 0: a traceback has no time.
   * `bare`: a line shaped like an exception line whose name does not say it is one (`StopIteration`,
   * `google.api_core.exceptions.NotFound: 404 …`): the exception line only right after a traceback's header.
   * `ignored`: Python's `Exception ignored in: <…>` (or `… while …`), which opens a traceback it ignored and went on
   * from (a pool's threads interrupted at shutdown): its exception is never the run's error.
   */
  | { kind: 'trace'; at: number; error: string | null; bare?: true; ignored?: true }
  /** A line that looks like an outcome (an outcome word and a key) but that no rule read. */
  | { kind: 'unrecognized'; at: number };

/** 'HTTP 500' (any `HTTP nnn`), 'timeout', 'error' (exception text), 'exception' (worker crash). */
export type FailureKind = string;

export type SummaryField = 'total' | 'processed' | 'skipped' | 'failed' | 'durationSec' | 'ratePerMin';

/** How a line shows in the log pane. */
export type Tone = 'ok' | 'fail' | 'warn' | 'progress' | 'info' | 'dim';

/** One physical line kept for the log pane (the newest few only). */
export interface TailLine {
  text: string;
  tone: Tone;
}

/** The parse of one chunk of complete lines. */
export interface ParsedBatch {
  /** State-changing records, in file order. */
  lines: LogLine[];
  /** Physical lines in the chunk (continuations and unknown lines included). */
  lineCount: number;
  /** Newest timestamp seen in the chunk, or null when no line carried one. */
  lastAt: number | null;
  /** The last `tailLimit` physical lines, decoded, for the log pane. */
  tail: TailLine[];
  /** Records whose key was longer than MAX_KEY_CHARS: cut (see parseChunk) and counted as suspicious. */
  suspiciousKeys?: number;
  /** Records whose key holds bytes that are not UTF-8 and that no key after it replaced (see parseChunk repairKey): suspicious too. */
  damagedKeys?: number;
  /**
   * Keyed outcome lines kept in columns, and the order of all records (parseChunk's `keyed`): `lines`
   * then holds only the other records. `linesOf` (parser) gives them all as LogLines.
   */
  keyed?: KeyedLines;
}
