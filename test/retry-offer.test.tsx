import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { describe, expect, test } from 'vitest';
import { ConfirmBox } from '../components/ConfirmBox.js';
import { activeBindings, answersYes, intentFor } from '../src/keymap.js';
import { initialState, type Confirm } from '../src/state/app-state.js';
import { leaveOutSuspicious, retryOffer } from '../src/state/retry-offer.js';
import { reduce } from '../src/state/reducer.js';

// Tester F15: `r` offered to retry 35 keys the tool itself calls persistent, without a word.
const keys = Array.from({ length: 35 }, (_, i) => `2022-04-${String(i % 30 + 1).padStart(2, '0')}${i >= 30 ? 'x' : ''}`);
const settings = '3 workers, timeout 300 s';
const base = initialState({ job: 'j', log: '/x.log', now: 0, targets: [95] });
const open = (offer: ReturnType<typeof retryOffer>) => reduce(base, { type: 'ui/confirm', confirm: { kind: 'retry', workers: 3, timeout: 300, ...offer } });
const box = (c: Confirm) => stripVTControlCharacters(renderToString(<ConfirmBox confirm={c} width={80} />, { columns: 80 }));

describe('a retry box and the persistent keys', () => {
  test('none persistent: the box as before, y and n only', () => {
    const offer = retryOffer(keys.slice(0, 3), new Set(), '', settings);
    expect(offer).toEqual({ keys: keys.slice(0, 3), message: `Retry 3 failed keys, ${settings}?` });
    const s = open(offer);
    expect(activeBindings(s).map((b) => b.intent)).toEqual(['confirm-yes', 'confirm-no', 'quit']);
    expect(intentFor(s, 'a')).toBeNull();
  });

  test('some persistent: left out by default and counted; a takes them too', () => {
    const offer = retryOffer(keys, new Set(keys.slice(5)), '', settings);
    expect(offer.keys).toEqual(keys.slice(0, 5));
    expect(offer.withPersistent).toEqual(keys);
    expect(offer.message).toBe(`Retry 5 failed keys, ${settings}? 30 persistent keys left out (failed in every run that tried them: a retry will not help); a asks to retry all 35.`);
    const s = open(offer);
    expect(intentFor(s, 'y')).toBe('confirm-yes');
    expect(intentFor(s, 'a')).toBe('confirm-all');
    expect(box(s.ui.confirm!)).toContain('y go (5) · a ask for all 35 · n/Esc cancel');
  });

  test('every key persistent: the box says so, lists them, and only a launches (y does nothing)', () => {
    const offer = retryOffer(keys, new Set(keys), ' (phase Playoffs only)', settings);
    expect(offer.keys).toEqual([]);
    expect(offer.message).toBe(`All 35 failed keys (phase Playoffs only) are persistent (failed in every run that tried them: a retry will not help). Nothing to retry by default; a asks to retry them anyway, ${settings}.`);
    const s = open(offer);
    expect(intentFor(s, 'y')).toBeNull();
    expect(intentFor(s, 'a')).toBe('confirm-all');
    expect(intentFor(s, 'n')).toBe('confirm-no');
    const text = box(s.ui.confirm!);
    expect(text).toContain(keys.slice(0, 3).join(' '));
    expect(text).toContain('a ask for all 35 · n/Esc cancel');
    expect(text).not.toContain('y go');
  });

  test('a is an answer like y: never taken from the read that opened the box', () => {
    expect(answersYes('confirm-all')).toBe(true);
    expect(answersYes('confirm-yes')).toBe(true);
    expect(answersYes('confirm-no')).toBe(false);
  });
});

// Tester AH5 b: the persistent box broke its first row after `Regular season 2 ·` (room for `All-Star 2 ·` left), and on
// a 40×10 terminal its cut last row read `Playoffs 4…` for 45.
describe('a persistent-keys box fills its rows and never cuts a figure', () => {
  const message = 'All 52 missing keys are persistent (Regular season 2 · All-Star 2 · Play-In 3 · Playoffs 45; failed in every run that tried them: a retry will not help). Nothing to launch by default; a asks to launch them anyway, 2 workers, timeout 30 s.';
  const confirm: Confirm = { kind: 'launch', message, keys: [], withPersistent: ['2022-01-01', '2022-01-02'], workers: 2, timeout: 30 };
  const rows = (width: number, height?: number) => stripVTControlCharacters(renderToString(<ConfirmBox confirm={confirm} width={width} height={height} />, { columns: width })).split('\n').map((l) => l.replace(/^[║╔╚]\s?|\s?[║╗╝]$/g, '').trimEnd());

  test('at 80 columns the first row takes every item that fits; an item is never split from its count', () => {
    const r = rows(80);
    expect(r[1]).toBe('All 52 missing keys are persistent (Regular season 2 · All-Star 2 ·');
    expect(r[2]).toMatch(/^Play-In 3 · Playoffs 45; failed in every run/);
  });

  test('at 40 columns, cut to its rows, the last row ends on a whole word', () => {
    const r = rows(40, 7);
    expect(r.slice(1, 4)).toEqual(['All 52 missing keys are persistent', '(Regular season 2 · All-Star 2 ·', 'Play-In 3 · Playoffs 45; failed in …']);
    // Cut inside a word, the cut goes back to its space: a figure never reads shorter than it is.
    const tight = rows(40, 6);
    expect(tight.slice(1, 3)).toEqual(['All 52 missing keys are persistent', '(Regular season 2 · All-Star 2 · …']);
  });
});

describe('suspicious keys never reach a retry box (tester T15)', () => {
  // The log's 60,000-character key, as the parser keeps it: its first 200 characters and "…".
  const cut = `${'G'.repeat(200)}…`;

  test('left out before the box opens, counted, the first one said with why; good keys stay', () => {
    expect(leaveOutSuspicious(['2022-01-01', '2022-01-02'])).toEqual({ safe: ['2022-01-01', '2022-01-02'], note: null });
    expect(leaveOutSuspicious(['2022-01-01', cut])).toEqual({
      safe: ['2022-01-01'],
      note: `1 suspicious key left out ("${'G'.repeat(40)}…" cut from a log line's key longer than 200 characters): never launched`,
    });
    expect(leaveOutSuspicious(['2022-04-17\n2022-04-18', '--storage=/etc', '2022-01-01'])).toEqual({
      safe: ['2022-01-01'],
      note: '2 suspicious keys left out ("2022-04-17\\n2022-04-18" holds a control character (newline, carriage return, escape...), …): never launched',
    });
    expect(leaveOutSuspicious([cut]).safe).toEqual([]);
  });

  test('the box says what was left out beside the retry', () => {
    const { safe, note } = leaveOutSuspicious(['2022-01-01', cut]);
    expect(retryOffer(safe, new Set(), '', settings, note).message).toBe(
      `Retry 1 failed key, ${settings}? 1 suspicious key left out ("${'G'.repeat(40)}…" cut from a log line's key longer than 200 characters): never launched.`,
    );
  });
});

describe('a stop box says what each key does (tester T5)', () => {
  test('under "Cancel execution …?" n keeps it running; y cancels it; a local stop and the kill say so too', () => {
    const ask = (kind: Confirm['kind'], message: string) => box({ kind, message, keys: [], workers: null, timeout: null }).replace(/[║╔╗╚╝═]/g, '').split('\n').map((l) => l.trim()).filter(Boolean);
    expect(ask('stop', 'Cancel execution bdl-boxscore-backfill-ffb7f? Its tasks get SIGTERM; keys in flight are lost.').at(-1)).toBe('y cancel it · n/Esc keep it running · q quit, nothing done');
    expect(ask('stop', 'Stop run resume-1 (pid 4123)? SIGINT, then SIGTERM.').at(-1)).toBe('y stop it · n/Esc keep it running · q quit, nothing done');
    expect(ask('kill', 'It ignored SIGTERM. SIGKILL pid 4123?').at(-1)).toBe('y kill it · n/Esc keep it running · q quit, nothing done');
  });
});

describe('the failures view\'s `/` filter stays in that view (tester V2)', () => {
  test('leaving the failures view clears a kept filter; moving between other views keeps nothing to clear', () => {
    let s = reduce(base, { type: 'ui/view', view: 'failures' });
    s = reduce(s, { type: 'ui/filter-start' });
    s = reduce(s, { type: 'ui/filter-input', text: 'Playo' });
    s = reduce(s, { type: 'ui/filter-end', keep: true });
    expect(s.ui.filter).toBe('Playo');
    // Still on the failures table: the filter holds (r there retries what the table shows, and says so).
    expect(reduce(s, { type: 'ui/help', open: true }).ui.filter).toBe('Playo');
    for (const view of ['dashboard', 'history'] as const) {
      const left = reduce(s, { type: 'ui/view', view });
      expect(left.ui).toMatchObject({ view, filter: '', filtering: false });
    }
    // Typing a filter and leaving before Enter leaves nothing behind either.
    const typing = reduce(reduce(reduce(base, { type: 'ui/view', view: 'failures' }), { type: 'ui/filter-start' }), { type: 'ui/filter-input', text: 'HTTP' });
    expect(reduce(typing, { type: 'ui/view', view: 'dashboard' }).ui).toMatchObject({ filter: '', filtering: false });
  });
});
