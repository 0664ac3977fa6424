import { basename } from 'node:path';
import { keyForMessage, unsafeKeyProblem } from '../key-safety.js';
import { inZone, isoWall, nameWall } from './file-times.js';
import { FAILED_MAX_BYTES, readUserText, type UserFileError } from '../user-file.js';
import { parsePythonJson, pythonNumbersNote, type PythonNumber } from './python-json.js';

export { inZone, runStartFromName } from './file-times.js';

/** One key a run gave up on, as its failed-keys file lists it. */
export interface FailedEntry {
  key: string;
  /** failed | timeout | error | exception | other */
  status: string;
  error: string;
  /** The entry's game_date when the key itself is not a date (failed_games): lets ids be grouped by month. */
  date?: string;
  /**
   * An entry of an earlier log run made from the log's trail: how many runs of the log before this one failed the key,
   * and tried it (log-trail.ts failedRuns, triedRuns). The fold counts at least as many (see verdicts.ts foldRuns).
   */
  runsBefore?: { failed: number; tried: number };
}

/** A failed-keys file (`failed_dates_YYYYMMDD_HHMMSS.json`) as far as it could be read. */
export interface FailedFile {
  path: string;
  name: string;
  /** The run's start: the name's YYYYMMDD_HHMMSS read in the log's zone (see inZone). */
  runStartedAt: number | null;
  /** The file's own `timestamp` field: when the run wrote it, as written (local time, no zone). */
  writtenAt: string | null;
  /** `writtenAt` read in the log's zone (see inZone); null when the file has none. Absent: read `writtenAt` here. */
  writtenAtMs?: number | null;
  /**
   * The name's and the `timestamp` field's wall-clock times as written (ms since 1970 as if in UTC), or null: the
   * script writes both with `datetime.now()`, its own local time with no zone, so they are read in the zone its log
   * is read in (inZone), never this machine's (tester AE1: a file of a log in UTC-05:00 read in UTC sat 5 h from its
   * run, counted as a run of its own, and every key of one run was `2 of 2 persistent`). Absent: not from a file.
   */
  walls?: { name: number | null; written: number | null };
  mtimeMs: number;
  totalFailed: number | null;
  entries: FailedEntry[];
  /** Entries it could not read and fields it did not know, e.g. "entry 17: game_date is not a string" (the first few). */
  problems: string[];
  /** Entries of the list that were not used (bad or repeated keys); 0 when every one was. */
  notRead?: number;
  /**
   * Not a file: an earlier Cloud Run execution's failures from its log (its id). It is never the log run's own
   * list, and sits among the runs by its start (`runStartedAt`), since its end may be the next one's start.
   */
  execution?: string;
}

/**
 * What a failed-keys file left out, in one line: "NAME: 5 entries not read (entry 1: ...)", or its first other
 * problem; null when it has none. The count is of entries, never of problem lines (tester T13).
 */
export function failedFileProblemLine(f: Pick<FailedFile, 'name' | 'problems' | 'notRead'>): string | null {
  if (f.problems.length === 0) return null;
  const n = f.notRead ?? 0;
  if (n === 0) return `${f.name}: ${f.problems[0]}${f.problems.length > 1 ? ` (and ${f.problems.length - 1} more)` : ''}`;
  const first = f.problems.find((p) => p.startsWith('entry ')) ?? f.problems[0];
  return `${f.name}: ${n} entr${n === 1 ? 'y' : 'ies'} not read (${first})`;
}

/** Files shown one by one in `problems` before the rest are counted. */
const FILES_NAMED = 5;

/**
 * What status and the dashboard say about failed-keys files not read whole: a file that is not one (its note; not one
 * still being written, which is read again next time), and per file the entries it left out (a key with a line
 * break, a control character, a leading -), as the failures view says them, so the operator learns that failures
 * were dropped.
 */
export function failedFileProblems(files: Pick<FailedFile, 'name' | 'problems' | 'notRead'>[], notes: string[]): string[] {
  const lines = [
    // A file caught mid-write (empty, or JSON that ends early) is read again next time: not a problem yet. (A one-shot
    // read says why it is not read, the watcher that it is being written.)
    ...notes.filter((n) => !n.includes('(still being written?)') && !/ is being written; /.test(n)).map((n) => (n.startsWith('folder ') ? `failed-keys ${n}` : `failed-keys file ${n}`)),
    ...files
      .map(failedFileProblemLine)
      .filter((line): line is string => line !== null)
      .map((line) => `failed-keys file ${line}`),
  ];
  return lines.length <= FILES_NAMED ? lines : [...lines.slice(0, FILES_NAMED), `failed-keys files: ${lines.length - FILES_NAMED} more with entries not read`];
}

/** A parse never throws: a half-written file is normal, since the script writes it with a plain json.dump. */
export type FailedFileParse = { ok: true; file: Omit<FailedFile, 'mtimeMs'> } | { ok: false; reason: string };

/** A read from disk: the parse plus the stat it was read under (null when the file could not be opened). */
export type FailedFileRead = ({ ok: true; file: FailedFile } | { ok: false; reason: string }) & {
  mtimeMs: number | null;
  size: number | null;
};

const STATUSES = new Set(['failed', 'timeout', 'error', 'exception']);
const KNOWN_TOP = new Set(['timestamp', 'total_failed']);
const KEY_FIELDS: Record<string, string[]> = { failed_dates: ['game_date', 'key'], failed_games: ['game_id', 'key'] };
const KNOWN_ENTRY = new Set(['key', 'game_date', 'game_id', 'status', 'error']);
/** More problems than this say nothing new to the operator; the rest are counted. */
const MAX_PROBLEMS = 20;

/** Newest first: by the run start in the name, then mtime, then name. A name without a timestamp sorts by mtime. */
export function compareNewestFirst(a: FailedFile, b: FailedFile): number {
  const byStart = (b.runStartedAt ?? b.mtimeMs) - (a.runStartedAt ?? a.mtimeMs);
  return byStart || b.mtimeMs - a.mtimeMs || b.name.localeCompare(a.name);
}

/**
 * Whether JSON.parse failed because the text ended (a file caught mid-write) rather than on a wrong character.
 * V8 says so with 'Unexpected end of JSON input' or an error position at the very end of the text.
 */
function endedEarly(text: string, err: unknown): boolean {
  const message = err instanceof Error ? err.message : '';
  const at = /at position (\d+)/.exec(message);
  return /end of JSON input/i.test(message) || (at !== null && Number(at[1]) >= text.length);
}

/** The list of entries: failed_dates, failed_games, any other failed_* array, or a bare array. */
function findList(doc: unknown): { field: string | null; list: unknown[] } | null {
  if (Array.isArray(doc)) return { field: null, list: doc };
  if (typeof doc !== 'object' || doc === null) return null;
  const arrays = Object.entries(doc).filter(([, v]) => Array.isArray(v)) as [string, unknown[]][];
  const pick = arrays.find(([k]) => k.startsWith('failed')) ?? (arrays.length === 1 ? arrays[0] : undefined);
  return pick ? { field: pick[0], list: pick[1] } : null;
}

/** Parse one failed-keys file. Entries it can read are used; the rest are reported in `problems`. */
export function parseFailedFile(path: string, text: string): FailedFileParse {
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') return { ok: false, reason: 'empty file (still being written?)' };
  let doc: unknown;
  let words: PythonNumber[];
  try {
    // The scripts write it with Python's json.dump, which writes NaN, Infinity and -Infinity (python-json.ts).
    ({ value: doc, words } = parsePythonJson(text));
  } catch (err) {
    if (endedEarly(text, err)) return { ok: false, reason: 'incomplete JSON (still being written?)' };
    return { ok: false, reason: `not valid JSON: ${(err as Error).message}` };
  }
  const found = findList(doc);
  if (!found) return { ok: false, reason: 'no list of failed keys (expected failed_dates or failed_games)' };
  // Said once for the file, first: where the first such word stood and how many more (the keys are all read).
  const note = pythonNumbersNote(words);
  const problems: string[] = note === null ? [] : [note];
  const top = Array.isArray(doc) ? {} : (doc as Record<string, unknown>);
  for (const k of Object.keys(top)) if (k !== found.field && !KNOWN_TOP.has(k)) problems.push(`unknown field ${k}`);
  const writtenAt = field(top, 'timestamp', 'string', problems);
  const totalFailed = field(top, 'total_failed', 'number', problems);

  // Which field holds the key: the list's name says so; a bare or generic list uses `key`.
  const keyFields = KEY_FIELDS[found.field ?? ''] ?? ['key', 'game_id', 'game_date'];
  const entries: FailedEntry[] = [];
  const seen = new Set<string>();
  const unknownFields = new Map<string, number>();
  found.list.forEach((raw, i) => {
    const read = readEntry(raw, keyFields);
    if (typeof read === 'string') return void problems.push(`entry ${i + 1}: ${read}`);
    const { entry, fieldProblems, fields } = read;
    if (seen.has(entry.key)) return void problems.push(`entry ${i + 1}: ${entry.key} listed twice`);
    seen.add(entry.key);
    entries.push(entry);
    problems.push(...fieldProblems.map((p) => `entry ${i + 1}: ${p}`));
    for (const k of fields) if (!KNOWN_ENTRY.has(k)) unknownFields.set(k, (unknownFields.get(k) ?? 0) + 1);
  });
  for (const [k, count] of unknownFields) problems.push(`unknown entry field ${k} (${count} ${count === 1 ? 'entry' : 'entries'})`);
  if (typeof totalFailed === 'number' && totalFailed !== found.list.length)
    problems.push(`total_failed is ${totalFailed} but the list has ${found.list.length} ${found.list.length === 1 ? 'entry' : 'entries'}`);
  const extra = problems.length - MAX_PROBLEMS;
  const shown = extra > 0 ? [...problems.slice(0, MAX_PROBLEMS), `… and ${extra} more`] : problems;
  const name = basename(path);
  // In this machine's zone until the reducer knows the log's (inZone).
  const walls = { name: nameWall(name), written: isoWall(writtenAt) };
  const file = { path, name, runStartedAt: null, writtenAt, writtenAtMs: null, walls, totalFailed, entries, problems: shown, notRead: found.list.length - entries.length };
  return { ok: true, file: inZone(file, undefined) };
}

/** One entry, or why it cannot be used. A wrong status or error keeps the entry (the key is what matters). */
function readEntry(raw: unknown, keyFields: string[]) {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not an object';
  const e = raw as Record<string, unknown>;
  const keyField = keyFields.find((f) => e[f] !== undefined);
  if (!keyField) return `no ${keyFields.join(' or ')}`;
  const key = e[keyField];
  if (typeof key !== 'string' || key.trim() === '') return `${keyField} is not a string`;
  // A key from another program's file is validated like an expected key: it will be written into a keys file.
  const unsafe = unsafeKeyProblem(key);
  if (unsafe !== null) return `${keyField} ${keyForMessage(key)} ${unsafe}: not used`;
  const fieldProblems: string[] = [];
  const status = typeof e.status === 'string' ? e.status.toLowerCase() : null;
  if (e.status !== undefined && status === null) fieldProblems.push('status is not a string');
  if (e.error !== undefined && typeof e.error !== 'string') fieldProblems.push('error is not a string');
  const error = typeof e.error === 'string' ? e.error : '';
  const entry: FailedEntry = { key, status: status && STATUSES.has(status) ? status : 'other', error };
  if (keyField !== 'game_date' && typeof e.game_date === 'string') entry.date = e.game_date;
  return { entry, fieldProblems, fields: Object.keys(e) };
}

/** A top-level field of the expected type, or null (with a problem when present but of the wrong type). */
function field<T extends 'string' | 'number'>(top: Record<string, unknown>, name: string, type: T, problems: string[]) {
  const v = top[name];
  if (v === undefined || v === null) return null;
  if (typeof v === type) return v as T extends 'string' ? string : number;
  problems.push(`${name} is not a ${type}`);
  return null;
}

/** Read and parse one file. Never throws: a missing or unreadable file is `ok: false` with the reason. */
export async function readFailedFile(path: string): Promise<FailedFileRead> {
  let text: string;
  let mtimeMs: number;
  let size: number;
  try {
    // Stat and read through one handle, so the stat describes (near enough) the bytes that were read. A FIFO (or a
    // device) with a failed-keys file's name is never opened, a file past FAILED_MAX_BYTES never read (user-file.ts).
    const read = await readUserText(path, { label: 'failed-keys file', maxBytes: FAILED_MAX_BYTES, why: 'room for 200,000 failures' });
    text = read.text;
    mtimeMs = read.stat.mtimeMs;
    size = read.stat.size;
  } catch (err) {
    const e = err as UserFileError;
    const reason = e.problem === 'missing' ? 'missing' : e.problem === 'not-a-file' ? e.reason.replace(/^is (.*), not a regular file: never opened$/, 'not a file: $1; never opened').replace('a directory; never opened', 'a directory') : e.problem === 'too-big' ? e.reason.replace(/^is /, '') : `cannot read: ${e.reason}`;
    return { ok: false, reason, mtimeMs: null, size: null };
  }
  const parsed = parseFailedFile(path, text);
  if (!parsed.ok) return { ...parsed, mtimeMs, size };
  return { ok: true, file: { ...parsed.file, mtimeMs }, mtimeMs, size };
}

/** A failed-keys file that ends early and has not changed for this long is cut off, not being written (ms). */
const CUT_OFF_MS = 60_000;

/**
 * Why a file could not be read, as said now: a file caught mid-write (empty, or JSON that ends early) is read again,
 * but one left like that for over CUT_OFF_MS (the writer killed, a full disk) is not being written any more. It is
 * a problem then, not "being written" forever (tester V6). `mtimeMs`: the file's; `now`: epoch ms.
 */
export function unreadReason(reason: string, mtimeMs: number | null, now: number): string {
  if (!reason.includes('(still being written?)') || mtimeMs === null || now - mtimeMs <= CUT_OFF_MS) return reason;
  return `${reason.replace(' (still being written?)', '')}, unchanged for over a minute (cut off?): its keys are not counted`;
}
