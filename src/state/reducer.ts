import { applyLines } from './apply-lines.js';
import { TAIL_LIMIT, type AppState, type SourceState } from './app-state.js';
import type { AppEvent } from './events.js';

const NOTICE_LIMIT = 5;

/** The one reducer: pure, every state change goes through here. */
export function reduce(state: AppState, event: AppEvent): AppState {
  switch (event.type) {
    case 'clock/tick':
      return event.now === state.now ? state : { ...state, now: event.now };
    case 'log/waiting':
      return { ...state, log: { ...state.log, exists: false } };
    case 'log/reset':
      // New content replaces the old: count only what the new file says.
      return {
        ...state,
        log: { ...state.log, current: null, history: [], tail: [], lines: 0, bytesRead: 0, resets: state.log.resets + 1, exists: true },
      };
    case 'log/batch': {
      const runs = applyLines(state.log, event.batch.lines);
      const tail = event.batch.tail.length === 0 ? state.log.tail : state.log.tail.concat(event.batch.tail).slice(-TAIL_LIMIT);
      return {
        ...state,
        log: { ...state.log, ...runs, tail, exists: true, lines: state.log.lines + event.batch.lineCount },
      };
    }
    case 'log/progress':
      return { ...state, log: { ...state.log, exists: true, bytesRead: event.bytesRead, size: event.size, historyDone: event.historyDone || state.log.historyDone } };
    case 'log/overlong':
      return { ...state, log: { ...state.log, overlongBytes: state.log.overlongBytes + event.bytes } };
    case 'expected/loaded':
      return { ...state, coverage: { ...state.coverage, expected: event.expected, expectedError: null } };
    case 'expected/failed':
      return { ...state, coverage: { ...state.coverage, expectedError: event.message } };
    case 'coverage/configured':
      return withSource(state, event.source, () => emptySource(event.label));
    case 'coverage/checking':
      return withSource(state, event.source, (s) => ({ ...s, checking: true }));
    case 'coverage/result':
      return withSource(state, event.source, (s) => ({
        ...s,
        keys: event.result.keys,
        checkedAt: event.at,
        checking: false,
        error: null,
        hint: null,
        errorAt: null,
        bytesBilled: event.result.bytesBilled ?? s.bytesBilled,
        method: event.result.method,
        note: event.result.note ?? null,
        requests: event.result.requests,
      }));
    case 'coverage/error':
      // Keep the last good keys: a failing source shows stale figures, not zero.
      return withSource(state, event.source, (s) => ({ ...s, checking: false, error: event.error.message, hint: event.error.hint, errorAt: event.at }));
    case 'failed/update':
      return { ...state, failed: { ...state.failed, files: event.files, current: event.current, notes: event.notes } };
    case 'failed/tried':
      return { ...state, failed: { ...state.failed, tried: event.tried } };
    case 'process/update':
      return { ...state, process: { ...state.process, ...event.patch } };
    case 'process/history':
      return { ...state, process: { ...state.process, history: event.runs } };
    case 'ui/view':
      return { ...state, ui: { ...state.ui, view: event.view, help: false } };
    case 'ui/help':
      return { ...state, ui: { ...state.ui, help: event.open ?? !state.ui.help } };
    case 'ui/filter-start':
      return { ...state, ui: { ...state.ui, filtering: true } };
    case 'ui/filter-input':
      return { ...state, ui: { ...state.ui, filter: event.text } };
    case 'ui/filter-end':
      return { ...state, ui: { ...state.ui, filtering: false, filter: event.keep ? state.ui.filter : '' } };
    case 'ui/cursor':
      return { ...state, ui: { ...state.ui, cursorKey: event.key } };
    case 'ui/confirm':
      return { ...state, ui: { ...state.ui, confirm: event.confirm, choosingGroup: null } };
    case 'ui/choose-group':
      return { ...state, ui: { ...state.ui, choosingGroup: event.choice } };
    case 'ui/notice': {
      const notices = state.ui.notices.concat({ at: state.now, text: event.text, tone: event.tone }).slice(-NOTICE_LIMIT);
      return { ...state, ui: { ...state.ui, notices } };
    }
    case 'ui/resize':
      return { ...state, ui: { ...state.ui, width: event.width, height: event.height } };
  }
}

function emptySource(label: string): SourceState {
  return { label, keys: null, checkedAt: null, checking: false, error: null, hint: null, errorAt: null, bytesBilled: null, method: null, requests: 0 };
}

function withSource(state: AppState, source: 'storage' | 'warehouse', update: (s: SourceState) => SourceState): AppState {
  const current = state.coverage[source] ?? emptySource(source);
  return { ...state, coverage: { ...state.coverage, [source]: update(current) } };
}
