/**
 * Keys reach a keys file (one a line) that a backfill script reads, so a key must be one line of plain text
 * that no script can read as an option. Expected keys have their own stricter format rules; keys from failed-keys
 * files and logs come from other programs and are checked by this one rule wherever they enter.
 */

/** Keys longer than this are not keys a backfill uses: cut for display, refused for launching. */
export const MAX_KEY_CHARS = 200;

// C0 controls (newline, CR, tab, ESC...), DEL, C1 controls, and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Unicode format characters (category Cf): bidi overrides and isolates, zero-width spaces and joiners, the BOM.
// Invisible, yet they reorder what a terminal shows (tester V10: `2022-04-21` + U+202E listed and offered by `r`
// as if clean) or make two keys that read the same differ.
const FORMAT = /\p{Cf}/u;

/** Why `key` must not be launched or written into a keys file, or null when it is safe. */
export function unsafeKeyProblem(key: string): string | null {
  if (key.trim() === '') return 'empty key';
  if (CONTROL.test(key)) return 'holds a control character (newline, carriage return, escape...)';
  if (FORMAT.test(key)) return 'holds an invisible format character (a bidi override, a zero-width space...)';
  // Bytes that were not UTF-8 where the key was read (a log, a failed-keys file) are decoded as U+FFFD: the key
  // written back would hold that character, not the bytes the source had (tester AC6).
  if (key.includes('\uFFFD')) return 'holds bytes that are not UTF-8 (shown as \uFFFD): not the key its source wrote';
  if (key.startsWith('-')) return 'starts with "-" (a script would read it as an option)';
  if (key.length > MAX_KEY_CHARS) return `longer than ${MAX_KEY_CHARS} characters (${key.length})`;
  if (key !== key.trim()) return 'has leading or trailing spaces';
  return null;
}

/** A key as a short, one-line, escaped text for messages: never more than about 40 characters. */
export function keyForMessage(key: string): string {
  const cut = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  // JSON.stringify leaves the line and paragraph separators and the invisible format characters as they are:
  // escape them too, to keep one line that shows what the key holds.
  return JSON.stringify(cut).replace(/[\u2028\u2029]|\p{Cf}/gu, (c) => {
    const hex = c.codePointAt(0)!.toString(16);
    return hex.length > 4 ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
  });
}
