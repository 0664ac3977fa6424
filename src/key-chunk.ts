import type { KeyPress } from './keymap.js';

/**
 * One key as the dashboard handles it: `name` is what the keymap matches ('j', 'return', 'backspace',
 * 'ctrl+c', 'up'); `text` is the character a filter may take, null for anything that is not printable.
 */
export interface KeyEvent {
  name: string;
  text: string | null;
}

/** Control characters that a terminal sends for a named key. */
const CONTROL_NAMES: Record<number, string> = { 0x0d: 'return', 0x0a: 'return', 0x09: 'tab', 0x7f: 'backspace', 0x08: 'backspace', 0x1b: 'escape' };

/** Printable: not C0, not DEL, not C1. Control characters never become filter text. */
function printable(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c < 0xa0);
}

function charKey(ch: string): KeyEvent {
  const c = ch.codePointAt(0) ?? 0;
  if (CONTROL_NAMES[c]) return { name: CONTROL_NAMES[c], text: null };
  if (c < 0x20) return { name: `ctrl+${String.fromCharCode(c + 0x60)}`, text: null };
  return { name: ch, text: printable(ch) ? ch : null };
}

/**
 * The keys in one input event from Ink. A terminal delivers a held-down key, a paste or keys typed
 * quickly as one chunk; Ink splits escape sequences (arrows) apart but hands a run of plain characters
 * over as one string ("jjjj", "\x7f\x7f", "time"). Each character is its own key here, in order, so the
 * chunk acts exactly as if typed one by one. ESC and a character together (Ink's Alt+key) are Esc, then the key.
 * `raw` is the read Ink decoded (components/useKeyInput.ts): Ink reports ESC ESC in one read as a single Escape
 * (with meta), so only the raw read can tell two Escs from one.
 */
export function keysOf(input: string, key: KeyPress & { meta?: boolean; tab?: boolean }, raw?: string): KeyEvent[] {
  // Two Escs in one read (tester X8 residue: with the filter prompt open, the first clears it, the second goes back).
  if (key.escape && raw !== undefined && /^\x1b+$/.test(raw)) return Array.from(raw, () => ({ name: 'escape', text: null }));
  const chars = Array.from(input);
  if (chars.length > 1) return chars.map(charKey);
  if (key.upArrow) return [{ name: 'up', text: null }];
  if (key.downArrow) return [{ name: 'down', text: null }];
  if (key.pageUp) return [{ name: 'pageup', text: null }];
  if (key.pageDown) return [{ name: 'pagedown', text: null }];
  if (key.home) return [{ name: 'home', text: null }];
  if (key.end) return [{ name: 'end', text: null }];
  if (key.return) return [{ name: 'return', text: null }];
  if (key.escape) return [{ name: 'escape', text: null }];
  if (key.backspace || key.delete) return [{ name: 'backspace', text: null }];
  if (key.tab) return [{ name: 'tab', text: null }];
  if (key.ctrl && input) return [{ name: `ctrl+${input.toLowerCase()}`, text: null }];
  if (chars.length === 0) return [];
  const single = charKey(chars[0]);
  // ESC then a character in one read: Esc pressed and the next key typed quickly (over SSH the two often come
  // together), which Ink hands over as Alt+key (tester X8: `/ab`, Esc, q left the filter on and did not quit).
  // No binding here uses Alt, so it is the two keys, each handled: Esc, then the key.
  return key.meta ? [{ name: 'escape', text: null }, single] : [single];
}
