import type { AppState } from './state/app-state.js';

/** What a key asks for. Handlers only turn keys into intents; the controller acts on them. */
export type Intent =
  | 'quit'
  | 'suspend'
  | 'help'
  | 'refresh'
  | 'resume'
  | 'retry'
  | 'retry-group'
  | 'stop'
  | 'view-failures'
  | 'view-history'
  | 'view-dashboard'
  | 'filter'
  | 'cursor-up'
  | 'cursor-down'
  | 'page-up'
  | 'page-down'
  | 'list-top'
  | 'list-bottom'
  | 'confirm-yes'
  | 'confirm-all'
  | 'confirm-no'
  | 'choose-up'
  | 'choose-down'
  | 'choose-pick'
  | 'filter-done'
  | 'filter-cancel';

/** One row of the keymap: the single table behind both key handling and the help. */
export interface KeyBinding {
  keys: string[];
  intent: Intent;
  description: string;
  /** Shown in the one-line help bar. */
  bar?: string;
  when?: (s: AppState) => boolean;
  /** false: said on another row of the help, not on one of its own. */
  inHelp?: boolean;
}

const inFailures = (s: AppState) => s.ui.view === 'failures';
/** Views with a list that moves: the failures table (a cursor) and the history (it scrolls). */
const inList = (s: AppState) => s.ui.view === 'failures' || s.ui.view === 'history';

/**
 * `q` quits from every mode but the filter prompt (where it is text): in a confirm box or a group choice too, where
 * it leaves without answering, so nothing is started or stopped (tester T27: an operator typing `q` at 2 a.m. saw
 * nothing happen). One row, in every table, so the keys and the help cannot disagree.
 */
export const QUIT: KeyBinding = { keys: ['q', 'ctrl+c'], intent: 'quit', description: 'leave (in a box: nothing done); the backfill goes on', bar: 'quit' };

/**
 * Ctrl-Z suspends the dashboard to the shell, as less and vim do. It acts on the terminal's raw read
 * (src/app/suspend.ts takes its bytes from this row), before any mode sees the key: in a box, the filter prompt
 * or the help alike. Listed here so the help says it (tester X9).
 */
export const SUSPEND: KeyBinding = { keys: ['ctrl+z'], intent: 'suspend', description: 'suspend to the shell (fg returns); the backfill goes on' };

/** How a key is written on screen, wherever it is named: help, key bar, boxes, prompts (tester Z10: the help said
 * `escape`/`pageup` where the key bar said `Esc`/`PgUp`). The tables hold the names the terminal reader gives. */
const KEY_LABELS: Record<string, string> = {
  escape: 'Esc',
  return: 'Enter',
  pageup: 'PgUp',
  pagedown: 'PgDn',
  home: 'Home',
  end: 'End',
  up: '↑',
  down: '↓',
  backspace: 'Backspace',
};

/** A key's name (`escape`, `ctrl+c`, `k`) as the screen writes it (`Esc`, `Ctrl-C`, `k`). */
export function keyLabel(name: string): string {
  const ctrl = /^ctrl\+([a-z])$/.exec(name);
  if (ctrl) return `Ctrl-${ctrl[1].toUpperCase()}`;
  const label = KEY_LABELS[name];
  if (label) return label;
  if ([...name].length !== 1) throw new Error(`no label for the key name ${JSON.stringify(name)}: add it to KEY_LABELS`);
  return name;
}

/** Several keys of one binding as the screen writes them: `d, Esc` (help), `n/Esc` (a box's answers). */
export function keysLabel(keys: readonly string[], sep = ', '): string {
  return keys.map(keyLabel).join(sep);
}

/** The byte a terminal sends for a `ctrl+<letter>` key name. */
export function controlByte(name: string): string {
  const m = /^ctrl\+([a-z])$/.exec(name);
  if (!m) throw new Error(`not a control key: ${name}`);
  return String.fromCharCode(m[1].charCodeAt(0) - 0x60);
}

/** What a key does in a filter prompt (the failures table's and the overview's); any other printable key is text. */
export type FilterEdit = 'keep' | 'clear' | 'erase-char' | 'erase-line';

/** The filter prompt's keys: one table for both prompts, their key lines and the help. */
export const FILTER_KEYS: { keys: string[]; edit: FilterEdit; words?: string }[] = [
  { keys: ['return'], edit: 'keep', words: 'keeps' },
  { keys: ['escape'], edit: 'clear', words: 'clears' },
  { keys: ['backspace'], edit: 'erase-char' },
  // The line-kill of a shell prompt (tester X9: it did nothing).
  { keys: ['ctrl+u'], edit: 'erase-line', words: 'erases' },
];

/** The filter prompt's keys in words, joined by `sep`: `Enter keeps · Esc clears · Ctrl-U erases` (only `edits`' when given). */
export function filterKeyWords(sep: string, edits?: FilterEdit[]): string {
  return FILTER_KEYS.flatMap((b) => (b.words && (!edits || edits.includes(b.edit)) ? [`${keysLabel(b.keys)} ${b.words}`] : [])).join(sep);
}

/**
 * A key in a filter prompt: `done` when it closes the prompt (keeping the text or clearing it), else the text it
 * leaves; null for a key the prompt ignores (arrows, other control keys).
 */
export function filterKey(text: string, ev: { name: string; text: string | null }): { text: string; done: 'keep' | 'clear' | null } | null {
  const edit = FILTER_KEYS.find((b) => b.keys.includes(ev.name))?.edit;
  if (edit === 'keep') return { text, done: 'keep' };
  if (edit === 'clear') return { text: '', done: 'clear' };
  if (edit === 'erase-char') return { text: Array.from(text).slice(0, -1).join(''), done: null };
  if (edit === 'erase-line') return { text: '', done: null };
  return ev.text !== null ? { text: text + ev.text, done: null } : null;
}

/** Every key of the dashboard. */
export const KEYMAP: KeyBinding[] = [
  QUIT,
  SUSPEND,
  { keys: ['?'], intent: 'help', description: 'show or hide all keys', bar: 'keys' },
  { keys: ['s'], intent: 'resume', description: 'resume: launch the keys missing from storage', bar: 'resume' },
  { keys: ['r'], intent: 'retry', description: "retry the failures not yet in storage (the shown ones)", bar: 'retry' },
  { keys: ['R'], intent: 'retry-group', description: 'retry one error group only, e.g. just the timeouts' },
  { keys: ['x'], intent: 'stop', description: 'stop our run (SIGINT, SIGTERM) or cancel the execution', bar: 'stop' },
  { keys: ['f'], intent: 'view-failures', description: 'failures: table, grouped by error and month', bar: 'fails' },
  { keys: ['h'], intent: 'view-history', description: 'history of runs and coverage', bar: 'hist' },
  { keys: ['d', 'escape'], intent: 'view-dashboard', description: 'back to the dashboard' },
  { keys: ['/'], intent: 'filter', description: `filter failures: ${filterKeyWords(', ')}`, bar: 'filter', when: inFailures },
  { keys: ['up', 'k'], intent: 'cursor-up', description: 'move in the failures table, scroll the history', when: inList },
  { keys: ['down', 'j'], intent: 'cursor-down', description: 'move in the failures table, scroll the history', when: inList },
  { keys: ['pageup'], intent: 'page-up', description: 'a page at a time (Home, End: to the top, the end)', when: inList },
  { keys: ['pagedown'], intent: 'page-down', description: 'a page at a time (Home, End: to the top, the end)', when: inList },
  // Said on the PgUp/PgDn row: a row of their own would push the help past 80×24.
  { keys: ['home'], intent: 'list-top', description: 'to the first row of the failures table or the history', when: inList, inHelp: false },
  { keys: ['end'], intent: 'list-bottom', description: 'to the last row of the failures table or the history', when: inList, inHelp: false },
  { keys: ['g'], intent: 'refresh', description: 'check storage and warehouse now', bar: 'refresh' },
];

/** A retry box that left persistent keys out: `a` retries them too. */
const offersAll = (s: AppState) => (s.ui.confirm?.withPersistent?.length ?? 0) > 0;
/** A box with nothing to launch by default (every key offered was persistent): only `a` launches. */
const hasDefault = (s: AppState) => !offersAll(s) || (s.ui.confirm?.keys.length ?? 0) > 0;

/** The keys that answer a confirm box; the key that opened it never does. */
export const CONFIRM_ANSWERS: KeyBinding[] = [
  { keys: ['y'], intent: 'confirm-yes', description: 'yes, go ahead', when: hasDefault },
  { keys: ['a'], intent: 'confirm-all', description: 'in a box that left persistent keys out: ask again with them', when: offersAll },
  { keys: ['n', 'escape'], intent: 'confirm-no', description: 'no, cancel' },
];

/** Every key of an open confirm box: its answers, and `q`, which leaves without answering. */
export const CONFIRM_KEYS: KeyBinding[] = [...CONFIRM_ANSWERS, QUIT];

/** Intents that answer a box (`y` carries it out, `a` asks again with more): never taken from the read that opened it. */
/**
 * Keys that ask a question: a box opens, at once or once what it offers is read (`r` lists storage first).
 * Keys that came in the same read after one of these are not taken (tester AG4: `r/box` in one read opened the
 * retry box and, while storage was listed, the filter under it; Enter on the filter then hid the box). As if typed
 * one by one, they would have reached the box, which takes no answer from the read that opened it.
 */
export const ASKS: ReadonlySet<Intent> = new Set<Intent>(['resume', 'retry', 'retry-group', 'stop', 'confirm-all']);

export function answersYes(intent: Intent | null): boolean {
  return intent === 'confirm-yes' || intent === 'confirm-all';
}

/** The keys that answer `intent` in a box, as the screen writes them (`n/Esc`). */
export function answerKeys(intent: 'confirm-yes' | 'confirm-all' | 'confirm-no'): string {
  return keysLabel(CONFIRM_ANSWERS.find((b) => b.intent === intent)!.keys, '/');
}

export const CHOOSE_KEYS: KeyBinding[] = [
  { keys: ['up', 'k'], intent: 'choose-up', description: 'previous group' },
  { keys: ['down', 'j'], intent: 'choose-down', description: 'next group' },
  { keys: ['return'], intent: 'choose-pick', description: 'retry this group (asks first)' },
  { keys: ['escape', 'n'], intent: 'confirm-no', description: 'cancel' },
  QUIT,
];

/** Help rows: bindings next to each other with the same description share a row ("up, k / down, j"). */
export function helpRows(bindings: KeyBinding[]): { keys: string; description: string; intent: Intent }[] {
  const rows: { keys: string; description: string; intent: Intent }[] = [];
  for (const b of bindings) {
    if (b.inHelp === false) continue;
    const prev = rows.at(-1);
    if (prev && prev.description === b.description) prev.keys += ` / ${keysLabel(b.keys)}`;
    else rows.push({ keys: keysLabel(b.keys), description: b.description, intent: b.intent });
  }
  return rows;
}

/** Ink's key flags, reduced to what we read. */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

function find(table: KeyBinding[], name: string, state: AppState): Intent | null {
  const hit = table.find((b) => b.keys.includes(name) && (!b.when || b.when(state)));
  return hit ? hit.intent : null;
}

/** The bindings that apply now (modal tables first): what the help shows. */
export function activeBindings(state: AppState): KeyBinding[] {
  if (state.ui.confirm) return CONFIRM_KEYS.filter((b) => !b.when || b.when(state));
  if (state.ui.choosingGroup) return CHOOSE_KEYS;
  return KEYMAP.filter((b) => !b.when || b.when(state));
}

/** Maps a key to an intent in the current mode, or null when the key means nothing here. */
export function intentFor(state: AppState, name: string): Intent | null {
  if (state.ui.confirm) return find(CONFIRM_KEYS, name, state);
  if (state.ui.choosingGroup) return find(CHOOSE_KEYS, name, state);
  if (state.ui.help && (name === 'escape' || name === '?')) return 'help';
  return find(KEYMAP, name, state);
}
