/**
 * JSON as Python's json module writes it. `json.dump` writes a float that is not a number as the bare words `NaN`,
 * `Infinity` and `-Infinity` (allow_nan is on by default), which JSON has not: JSON.parse refuses the whole text
 * for one of them (tester AI10 d: a failed-keys file with `"total_failed": NaN` lost every key it listed, though
 * Python's own json.load reads it back). Here each such word is read as null, and where it stood is told.
 */

/** A bare NaN, Infinity or -Infinity and where it stood (`total_failed`, `failed_dates.3.rate`). */
export interface PythonNumber {
  word: 'NaN' | 'Infinity' | '-Infinity';
  at: string;
}

/** The text read: its value, and the words read as null, in the text's order. */
export interface PythonJson {
  value: unknown;
  words: PythonNumber[];
}

/** A JSON string, or one of the words outside any string. Strings are matched whole, so a word inside one is left. */
const STRING_OR_WORD = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g;
/** What a word becomes before the parse: a string no file holds (a private-use character first), 3 longer than it. */
const MARK = '\uE000';
const WORDS = new Set(['NaN', 'Infinity', '-Infinity']);

/**
 * Parses `text` as JSON, taking Python's NaN, Infinity and -Infinity as null. Throws as JSON.parse does when it is
 * not JSON even so; the message's positions and quoted text are then the file's own (see `fileError`).
 */
export function parsePythonJson(text: string): PythonJson {
  try {
    // Nearly every file holds none of the words: one parse, as before.
    return { value: JSON.parse(text), words: [] };
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
  }
  const marked: number[] = [];
  const swapped = text.replace(STRING_OR_WORD, (m: string, offset: number) => {
    if (m.charCodeAt(0) === 34) return m;
    marked.push(offset);
    return `"${MARK}${m}"`;
  });
  if (marked.length === 0) return { value: JSON.parse(text), words: [] };
  let value: unknown;
  try {
    value = JSON.parse(swapped);
  } catch (err) {
    throw fileError(err, marked);
  }
  const words: PythonNumber[] = [];
  return { value: unmark(value, '', words), words };
}

/** The value with each marked string put back as null, and its place noted; walked in the text's order. */
function unmark(v: unknown, at: string, words: PythonNumber[]): unknown {
  if (typeof v === 'string') {
    if (v.charCodeAt(0) !== 0xe000 || !WORDS.has(v.slice(1))) return v;
    words.push({ word: v.slice(1) as PythonNumber['word'], at });
    return null;
  }
  if (typeof v !== 'object' || v === null) return v;
  const join = (k: string | number) => (at === '' ? String(k) : `${at}.${k}`);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = unmark(v[i], join(i), words);
    return v;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) o[k] = unmark(o[k], join(k), words);
  return v;
}

/**
 * The parse error of the marked text as one of the file's: each mark made the text 3 characters longer, so a
 * position is moved back by 3 for each mark before it, and a word quoted in the message is said as written.
 */
function fileError(err: unknown, marked: number[]): Error {
  const message = (err as Error).message
    .replace(/at position (\d+)/, (_m, p: string) => `at position ${Number(p) - 3 * marked.filter((o, i) => o + 3 * i < Number(p)).length}`)
    .replace(new RegExp(`"${MARK}(-?Infinity|NaN)"`, 'g'), '$1')
    .replace(new RegExp(`"?${MARK}`, 'g'), '');
  return new SyntaxError(message);
}

/** One line of what was read as null, or null when nothing was: the first place, and how many more. */
export function pythonNumbersNote(words: PythonNumber[]): string | null {
  if (words.length === 0) return null;
  const first = `${words[0].word} at ${words[0].at || 'the top'}`;
  const more = words.length > 1 ? ` and ${words.length - 1} more` : '';
  return `${first}${more} (Python's json.dump writes NaN, Infinity and -Infinity, which JSON has not): read as no value`;
}
