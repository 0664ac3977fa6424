import { describe, expect, test } from 'vitest';
import { keysOf } from '../src/key-chunk.js';
import { activeBindings, controlByte, filterKey, intentFor, KEYMAP, SUSPEND } from '../src/keymap.js';
import { filterPromptKey } from '../src/overview/overview-filter.js';
import { OVERVIEW_KEYMAP } from '../src/overview/overview-keymap.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';

const base = initialState({ job: 'j', log: '/x.log', now: 0, targets: [95, 98, 100] });
const withConfirm: AppState = reduce(base, { type: 'ui/confirm', confirm: { kind: 'resume', message: 'Launch 244 keys?', keys: ['a'], workers: 6, timeout: 180 } });

describe('keymap', () => {
  test('every key is bound once in the main table (one table drives keys and help)', () => {
    const keys = KEYMAP.flatMap((b) => b.keys.map((k) => `${k}:${b.when ? 'cond' : ''}`));
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('the main keys map to their intents', () => {
    expect(intentFor(base, 'q')).toBe('quit');
    expect(intentFor(base, 'ctrl+c')).toBe('quit');
    expect(intentFor(base, '?')).toBe('help');
    expect(intentFor(base, 's')).toBe('resume');
    expect(intentFor(base, 'r')).toBe('retry');
    expect(intentFor(base, 'R')).toBe('retry-group');
    expect(intentFor(base, 'x')).toBe('stop');
    expect(intentFor(base, 'g')).toBe('refresh');
  });

  test('/ filters only in the failures view', () => {
    expect(intentFor(base, '/')).toBeNull();
    expect(intentFor(reduce(base, { type: 'ui/view', view: 'failures' }), '/')).toBe('filter');
  });

  test('a confirm box answers only y, n and Esc: the key that opened it does nothing; q still quits', () => {
    expect(intentFor(withConfirm, 's')).toBeNull();
    expect(intentFor(withConfirm, 'r')).toBeNull();
    expect(intentFor(withConfirm, 'return')).toBeNull();
    expect(intentFor(withConfirm, 'y')).toBe('confirm-yes');
    expect(intentFor(withConfirm, 'n')).toBe('confirm-no');
    expect(intentFor(withConfirm, 'escape')).toBe('confirm-no');
    expect(activeBindings(withConfirm).map((b) => b.intent)).toEqual(['confirm-yes', 'confirm-no', 'quit']);
  });

  test('q and Ctrl-C quit in every mode but the filter prompt: dashboard, help, a box, a group choice (tester T27)', () => {
    const choosing = reduce(base, { type: 'ui/choose-group', choice: { groups: [{ label: 'HTTP 500', keys: ['a'] }], index: 0 } });
    const help = reduce(base, { type: 'ui/help' });
    for (const s of [base, help, withConfirm, choosing]) {
      expect(intentFor(s, 'q')).toBe('quit');
      expect(intentFor(s, 'ctrl+c')).toBe('quit');
      expect(activeBindings(s).some((b) => b.intent === 'quit' && /nothing done/.test(b.description))).toBe(true);
    }
  });

  test('the filter prompt: Ctrl-U empties the line and keeps the prompt open, on the failures table and the overview alike (tester X9)', () => {
    const ctrlU = keysOf('\x15', {})[0];
    expect(ctrlU.name).toBe('ctrl+u');
    expect(filterKey('timx', ctrlU)).toEqual({ text: '', done: null });
    expect(filterKey('timx', { name: 'backspace', text: null })).toEqual({ text: 'tim', done: null });
    expect(filterKey('time', { name: 'return', text: null })).toEqual({ text: 'time', done: 'keep' });
    expect(filterKey('time', { name: 'escape', text: null })).toEqual({ text: '', done: 'clear' });
    expect(filterKey('tim', { name: 'e', text: 'e' })).toEqual({ text: 'time', done: null });
    expect(filterKey('tim', { name: 'ctrl+a', text: null })).toBeNull();
    expect(filterPromptKey({ filter: 'box' }, ctrlU)).toEqual({ filter: '' });
    expect(filterPromptKey({ filter: 'box' }, { name: 'return', text: null })).toEqual({ filtering: false, filter: 'box' });
  });

  test('Ctrl-Z is a row of the table the help reads, and the suspend handler takes its byte from it', () => {
    expect(KEYMAP).toContain(SUSPEND);
    expect(SUSPEND.keys.map(controlByte)).toEqual(['\x1a']);
    expect(OVERVIEW_KEYMAP.some((b) => b.keys.includes('ctrl+z'))).toBe(true);
  });

  test('y means nothing outside a confirm box', () => {
    expect(intentFor(base, 'y')).toBeNull();
  });

  test('key names', () => {
    const names = (input: string, key = {}, raw?: string) => keysOf(input, key, raw).map((k) => k.name);
    expect(names('c', { ctrl: true })).toEqual(['ctrl+c']);
    expect(names('', { upArrow: true })).toEqual(['up']);
    expect(names('', { escape: true })).toEqual(['escape']);
    expect(names('R')).toEqual(['R']);
    // Tester X8: ESC and a key in one read (Ink's meta) are Esc, then the key, which types as itself.
    expect(keysOf('q', { meta: true })).toEqual([{ name: 'escape', text: null }, { name: 'q', text: 'q' }]);
    expect(names('j', { meta: true })).toEqual(['escape', 'j']);
    // Ink decodes ESC ESC in one read as one Escape: the raw read says it was two (and one stays one).
    // (Ink strips one ESC and hands the other over as the input.)
    expect(names('\x1b', { escape: true, meta: true }, '\x1b\x1b')).toEqual(['escape', 'escape']);
    expect(names('', { escape: true, meta: true }, '\x1b')).toEqual(['escape']);
  });

  test('a chunk of several keys is each key in order; control characters are never text', () => {
    expect(keysOf('jjjj', {}).map((k) => k.name)).toEqual(['j', 'j', 'j', 'j']);
    expect(keysOf('a\x7f\x08\r\x03\x01é', {})).toEqual([
      { name: 'a', text: 'a' },
      { name: 'backspace', text: null },
      { name: 'backspace', text: null },
      { name: 'return', text: null },
      { name: 'ctrl+c', text: null },
      { name: 'ctrl+a', text: null },
      { name: 'é', text: 'é' },
    ]);
    // A C1 control character as a single key: named, never text.
    expect(keysOf('\u0085', {})[0].text).toBeNull();
  });
});
