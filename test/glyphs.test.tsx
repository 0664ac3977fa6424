import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { describe, expect, test } from 'vitest';
import { App } from '../components/App.js';
import { SourceError } from '../src/coverage/source.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import type { AppEvent } from '../src/state/events.js';
import { keyStateOf } from '../src/state/key-state.js';
import { reduce } from '../src/state/reducer.js';
import { createStore } from '../src/store.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { logOf, T0 } from './support/log-text.js';
import { gameDates, screenStates } from './support/screen-states.js';

const text = (state: AppState) => stripVTControlCharacters(renderToString(<App store={createStore(state, { frameMs: 0 })} onIntent={() => undefined} color={false} />, { columns: state.ui.width }));
const KEYS = gameDates(40);
const base = reduce(initialState({ job: 'j', log: '/x.log', now: 0, targets: [95], width: 100, height: 30 }), { type: 'expected/loaded', expected: { keys: KEYS, format: 'date', blank: 0, duplicates: 0, invalid: [], file: '/e' } });
const apply = (s: AppState, events: AppEvent[]) => events.reduce(reduce, s);
const storageResult = (keys: string[]): AppEvent => ({ type: 'coverage/result', source: 'storage', result: { keys: new Set(keys), bytesBilled: null, method: 'prefixes', requests: 1 }, at: 0 });

describe('words and glyphs that mean one thing', () => {
  test('the run bar and the coverage bars share no glyph with a different meaning', () => {
    const frame = text(screenStates(100, 30).find((s) => s.name === 'running, sources fresh')!.state);
    const runBar = frame.split('\n').find((r) => r.startsWith('Run '))!;
    // 8 failures of 244 keys: failed is ✗, as in the counts line and the calendar, never the storage-only ▒.
    expect(runBar).toContain('✗');
    expect(runBar).not.toMatch(/[▓▒]/);
    const calendar = frame.split('\n').filter((r) => /^20\d\d-\d\d /.test(r)).join('');
    expect(calendar).not.toContain('▓');
    expect(frame).toContain('▒ storage only');
  });

  test('the calendar tells "not checked yet" and "unknown" apart from "missing"', () => {
    const storageConfigured = apply(base, [{ type: 'coverage/configured', source: 'storage', label: 'gs://b/p/' }]);
    expect(keyStateOf(storageConfigured)(KEYS[0])).toBe('unchecked');
    const failing = apply(storageConfigured, [{ type: 'coverage/error', source: 'storage', error: new SourceError('HTTP 403', null, 403), at: 0 }]);
    expect(keyStateOf(failing)(KEYS[0])).toBe('unknown');
    const answered = apply(storageConfigured, [storageResult(KEYS.slice(0, 1))]);
    expect(keyStateOf(answered)(KEYS[0])).toBe('storage');
    expect(keyStateOf(answered)(KEYS[1])).toBe('missing');
    expect(text(storageConfigured)).toContain('· not checked yet');
    expect(text(failing)).toContain('? unknown (source failed)');
  });

  test('with no storage to check, the calendar says what the log says: scraped, failed, not scraped in this run; never "not checked yet" (tester W2)', () => {
    const scraped = KEYS.slice(0, 10).map((k) => ['INFO', `  ✅ Scraped ${k}`]);
    const lines = logOf(T0, [['INFO', `Loaded ${KEYS.length} dates`], ...scraped, ['ERROR', `  ❌ Failed ${KEYS[20]}: HTTP 500`]]);
    const s = apply(base, [{ type: 'log/batch', batch: parseText(lines, compileGrammar()) }, { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true }]);
    expect([KEYS[0], KEYS[20], KEYS[30]].map(keyStateOf(s))).toEqual(['scraped', 'failed', 'untried']);
    const frame = text(s);
    expect(frame).toContain('█ scraped (log)');
    expect(frame).toContain('· not scraped (log)');
    expect(frame).not.toContain('not checked yet');
  });

  test('the legend lists only the configured sources', () => {
    const storageOnly = apply(base, [{ type: 'coverage/configured', source: 'storage', label: 'gs://b/p/' }, storageResult(KEYS.slice(0, 10))]);
    const frame = text(storageOnly);
    expect(frame).toContain('█ in storage');
    expect(frame).not.toContain('warehouse');
  });

  test('no "lag 0", and no empty "Runs in the log" heading', () => {
    const s = apply(base, [{ type: 'coverage/configured', source: 'storage', label: 'gs://b/p/' }, { type: 'coverage/configured', source: 'warehouse', label: 't' }, storageResult(KEYS), { type: 'coverage/result', source: 'warehouse', result: { keys: new Set(KEYS), bytesBilled: 0, method: 'scan', requests: 1 }, at: 0 }]);
    expect(text(s)).not.toMatch(/lag 0/);
    const history = text(apply(s, [{ type: 'ui/view', view: 'history' }]));
    expect(history).toMatch(/Runs in the log\n\s*none yet/);
  });
});

describe('source wording', () => {
  test('a failing source is never "not checked yet", stale figures are never "just now", the name is not doubled', async () => {
    const { sourceDetail } = await import('../components/CoverageBar.js');
    const src = { label: 'gs://b/p/', coverage: null, checkedAt: null, stale: false, ageMs: null, error: 'storage: HTTP 403', hint: null, bytesBilled: null, method: null, checking: false };
    expect(sourceDetail('storage', src)).toBe('storage never answered');
    expect(sourceDetail('storage', { ...src, error: null })).toBe('storage not checked yet');
    expect(sourceDetail('storage', { ...src, stale: true, ageMs: 10_000, checkedAt: 1 })).toBe('storage last answer 10 s ago');
    // A local listing by keyPattern says so, not a bare `files` (tester X9).
    expect(sourceDetail('storage', { ...src, error: null, method: 'files', ageMs: 10_000, checkedAt: 1 })).toBe('storage files by keyPattern 10 s ago');
    // Tester AD2: 45-s-old figures beside a run that outgrew them read `just now`; to the second under a minute.
    expect(sourceDetail('storage', { ...src, error: null, method: 'directory', ageMs: 45_999, checkedAt: 1 })).toBe('storage directory 45 s ago');
    expect(sourceDetail('storage', { ...src, error: null, method: 'directory', ageMs: 999, checkedAt: 1 })).toBe('storage directory just now');
    expect(sourceDetail('storage', { ...src, error: null, method: 'directory', ageMs: 61_000, checkedAt: 1 })).toBe('storage directory 1 min ago');
    const failing = apply(base, [{ type: 'coverage/configured', source: 'storage', label: 'gs://b/p/' }, { type: 'coverage/error', source: 'storage', error: new SourceError('storage: HTTP 403', null, 403), at: 0 }]);
    expect(text(failing)).not.toContain('storage: storage:');
  });
});
