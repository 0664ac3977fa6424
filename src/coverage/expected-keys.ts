import { MAX_KEY_CHARS } from '../key-safety.js';
import { EXPECTED_MAX_BYTES, readUserText, type UserFileRead } from '../user-file.js';

/** 'date': real calendar dates YYYY-MM-DD; 'id': codes like 0022400001. */
export type KeyFormat = 'date' | 'id';

/** Where the expected keys come from (the config's `expected`). */
export interface ExpectedSpec {
  file: string;
  /** CSV column holding the key; the file then must have a header. */
  column?: string;
  format?: KeyFormat;
  /** CSV column holding each key's date when keys are ids (e.g. game_date); default: a header cell named like `*date*`. */
  dateColumn?: string;
}

/** A line that is not a key: reported with its 1-based line number, never dropped silently. */
export interface InvalidLine {
  line: number;
  text: string;
  reason: string;
}

/** The keys a backfill must produce, and what was wrong with the file. */
export interface ExpectedKeys {
  /** Sorted, unique. */
  keys: string[];
  format: KeyFormat;
  blank: number;
  duplicates: number;
  invalid: InvalidLine[];
  file: string;
  /** Each id key's date (YYYY-MM-DD) from the CSV's date column, when the keys are ids and there is one. */
  dates?: Map<string, string>;
}

/** How the expected keys file is read (user-file.ts): a regular file only, at most EXPECTED_MAX_BYTES. */
export function expectedRead(where?: string): UserFileRead {
  return { label: 'expected keys file', maxBytes: EXPECTED_MAX_BYTES, why: 'room for 3 million keys', where };
}

/** Where a job's expected keys file is named, for the words of a refusal: `job a's "expected"`. */
export function expectedWhere(job: string | undefined): string {
  return job ? `job ${job}'s "expected"` : '"expected"';
}

/**
 * Reads the expected keys file; a missing or unreadable file, one that is not a regular file (a FIFO, a device: never
 * opened) or one over EXPECTED_MAX_BYTES is an Error naming it. `where`: where it was named (`"expected" of job a`).
 */
export async function readExpectedKeys(spec: ExpectedSpec, where?: string): Promise<ExpectedKeys> {
  const { text } = await readUserText(spec.file, expectedRead(where));
  return parseExpectedKeys(text, spec);
}

/**
 * How the expected keys file lays out a key's row, for keys files written for a launch (keys-file.ts): its
 * header line and each key's own line, so a script that reads its CSV by column name (`game_id`,
 * `game_date`) finds every column it reads in the launch's keys file too. When the key is not the first
 * column, it is moved first in the header and in each row (the scripts read a row's first field as its key).
 */
export interface KeysLayout {
  header: string;
  /** Each key's line of the expected file, trimmed, its key's column moved first when it is not. */
  rows: Map<string, string>;
}

/** The layout of an expected keys file, or null when it has no header (then keys files are as before). */
export function expectedLayout(text: string, spec: ExpectedSpec): KeysLayout | null {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first === -1 || !isHeader(lines, first, spec)) return null;
  const cells = splitCsv(lines[first]);
  const col = columnIndex(cells, spec);
  // The key's column first when it is not (tester AC15: only the key column was kept, its row's season and home team
  // dropped): the scripts take a row's first field for its key, and a reader by column name finds every column.
  const rows = new Map<string, string>();
  for (let i = first + 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const key = splitCsv(line)[col];
    if (key !== undefined && key !== '' && !rows.has(key)) rows.set(key, col === 0 ? line : keyFirst(line, col, key));
  }
  return { header: col === 0 ? lines[first].trim() : keyFirst(lines[first].trim(), col, cells[col]), rows };
}

/** A CSV line's cells as written (quotes kept), split at the commas outside quotes. */
function rawCells(line: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ',' && !quoted) {
      out.push(line.slice(start, i));
      start = i + 1;
    }
  }
  out.push(line.slice(start));
  return out;
}

/** The row with its cell `col` first, as `cell` (the key, unquoted), the other cells as written in their order. */
function keyFirst(line: string, col: number, cell: string): string {
  const cells = rawCells(line);
  cells.splice(col, 1);
  return [cell, ...cells].join(',');
}

/** The layout of the expected keys file `spec` names (see expectedLayout); null when none, or it cannot be read. */
export async function readExpectedLayout(spec: ExpectedSpec | null | undefined): Promise<KeysLayout | null> {
  if (!spec) return null;
  try {
    return expectedLayout((await readUserText(spec.file, expectedRead())).text, spec);
  } catch {
    return null; // the launch still goes, with the header the scripts skip
  }
}

/** True for a real calendar date YYYY-MM-DD (2024-02-29 yes, 2023-02-29 and 2023-02-30 no). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** Why `key` is not a valid key of `format`, or null when it is. */
export function keyProblem(key: string, format: KeyFormat): string | null {
  if (key === '') return 'empty key';
  // Never launchable (keys-file.ts refuses it, and every good key with it): a bad line, as `--help` is (tester Y10).
  if (key.length > MAX_KEY_CHARS) return `longer than ${MAX_KEY_CHARS} characters (${key.length})`;
  if (format === 'id') return ID.test(key) ? null : 'not an id (letters, digits, _ . : -)';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(key)) return 'not a date YYYY-MM-DD';
  return isCalendarDate(key) ? null : 'not a calendar date';
}

/** Parses the text of an expected keys file: one key a line, or CSV with a header. Pure. */
export function parseExpectedKeys(text: string, spec: ExpectedSpec): ExpectedKeys {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop(); // the newline ending the last line is not a blank line
  const first = lines.findIndex((l) => l.trim() !== '');
  const header = first !== -1 && isHeader(lines, first, spec) ? first : -1;
  const headerCells = header === -1 ? [] : splitCsv(lines[header]);
  const col = header === -1 ? 0 : columnIndex(headerCells, spec);
  const dateCol = header === -1 ? -1 : dateColumnIndex(headerCells, col, spec);
  const dates = new Map<string, string>();

  const out: ExpectedKeys = { keys: [], format: spec.format ?? 'id', blank: 0, duplicates: 0, invalid: [], file: spec.file };
  let formatKnown = spec.format !== undefined;
  const seen = new Set<string>();
  lines.forEach((text, i) => {
    if (i === header) return;
    if (text.trim() === '') return void out.blank++;
    const cells = splitCsv(text);
    if (col >= cells.length) return void out.invalid.push({ line: i + 1, text, reason: `no column ${col + 1}` });
    const key = cells[col];
    if (!formatKnown) {
      out.format = guessFormat(key);
      formatKnown = true;
    }
    const problem = keyProblem(key, out.format);
    if (problem !== null) return void out.invalid.push({ line: i + 1, text, reason: problem });
    if (seen.has(key)) return void out.duplicates++;
    seen.add(key);
    const date = dateCol === -1 ? undefined : cells[dateCol];
    if (date !== undefined && isCalendarDate(date)) dates.set(key, date);
  });
  out.keys = [...seen].sort();
  if (out.format === 'id' && dates.size > 0) out.dates = dates;
  return out;
}

/** YYYY-MM-DD shaped → date (so 2023-02-30 is reported, not taken as an id), else id. */
function guessFormat(key: string): KeyFormat {
  return /^\d{4}-\d{2}-\d{2}$/.test(key) ? 'date' : 'id';
}

/**
 * A named column means a header. Otherwise the first line is one when it does not start with
 * `20` and is not a valid key, or when it has no digit while the next line does: a column name
 * such as `game_id` is a valid id, but it sits above codes.
 */
function isHeader(lines: string[], first: number, spec: ExpectedSpec): boolean {
  if (spec.column !== undefined) return true;
  const line = lines[first].trim();
  if (line.startsWith('20')) return false;
  const cell = splitCsv(line)[0] ?? '';
  // By its shape only: an over-long first key is a bad line to report, not a column name to skip.
  const shape = cell.slice(0, MAX_KEY_CHARS);
  if (keyProblem(shape, spec.format ?? guessFormat(shape)) !== null) return true;
  const next = lines.slice(first + 1).find((l) => l.trim() !== '');
  // A header with no rows yet (a CSV written before its keys): a lone line with no digit that names keys, never a key
  // of its own (tester AI13: `game_date` read as the one expected key, `s` offering `Launch 1 key? game_date`).
  if (next === undefined) return !/\d/.test(line) && KEY_NAME.test(cell);
  return !/\d/.test(line) && /\d/.test(next);
}

/** A header cell that names keys: `game_id`, `game_date`, `date`, `key`, `player_id`. */
const KEY_NAME = /(?:id|date|key)$/i;

/**
 * The key column: the one `expected.column` names; else, in a header of several cells, the first when it names
 * keys, or the first cell that does (tester AA19: `season,game_date,home` was read by its first column, and
 * `missing` offered the season `2021` as a key to resume); none does: an error that says to set `expected.column`.
 */
function columnIndex(header: string[], spec: ExpectedSpec): number {
  if (spec.column === undefined) {
    if (header.length <= 1 || KEY_NAME.test(header[0])) return 0;
    const named = header.findIndex((h) => KEY_NAME.test(h));
    if (named !== -1) return named;
    throw new Error(`${spec.file}: which column holds the keys? No header cell names them (${header.join(', ')}): set expected.column`);
  }
  let i = header.indexOf(spec.column);
  if (i === -1) i = header.findIndex((h) => h.toLowerCase() === spec.column!.toLowerCase());
  if (i === -1) throw new Error(`${spec.file}: no column "${spec.column}" in the header (${header.join(', ')})`);
  return i;
}

/** The date column of a header (named, or the first other cell with "date" in its name), or -1. */
function dateColumnIndex(header: string[], keyCol: number, spec: ExpectedSpec): number {
  if (spec.dateColumn !== undefined) {
    const i = header.findIndex((h) => h.toLowerCase() === spec.dateColumn!.toLowerCase());
    if (i === -1) throw new Error(`${spec.file}: no column "${spec.dateColumn}" in the header (${header.join(', ')})`);
    return i;
  }
  return header.findIndex((h, i) => i !== keyCol && /date/i.test(h));
}

/** Splits one CSV line: commas, double-quoted cells with "" for a quote; cells trimmed. */
export function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') out.push(cell.trim()), (cell = '');
    else cell += c;
  }
  out.push(cell.trim());
  return out;
}
