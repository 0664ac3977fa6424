import type { KeyEvent } from '../src/key-chunk.js';
import { answersYes, filterKey, intentFor, type Intent } from '../src/keymap.js';
import type { Store } from '../src/store.js';

/** What a job's screen needs to handle a key: its store and controller, and (one job of several) the way back. */
export interface JobKeys {
  store: Store;
  onIntent: (intent: Intent) => void;
  /** One job of several: Esc on its dashboard (or on the view the overview opened it on) goes back. */
  onBack?: () => void;
  backFrom?: string | null;
}

/**
 * One key on a job's screen, against the state the key before it left (keys arriving together are handled
 * exactly as if typed one by one). `boxBefore` is the box open when the read began: a box takes its answer only
 * from a later read (`xy` in one chunk opens the box and leaves it open: unseen questions are never answered).
 * Not a React hook: the overview hands the rest of a read to this same function once a key opened a job's screen.
 * Returns the intent the key was taken as (null: none), so the reader can stop at one that asks a question (ASKS).
 */
export function handleJobKey(ev: KeyEvent, jk: JobKeys, boxBefore: unknown): Intent | null {
  const { store, onIntent } = jk;
  const ui = store.getState().ui;
  if (ui.filtering && ev.name !== 'ctrl+c') {
    const edit = filterKey(ui.filter, ev);
    if (edit?.done === 'keep') onIntent('filter-done');
    else if (edit?.done === 'clear') onIntent('filter-cancel');
    else if (edit) store.dispatch({ type: 'ui/filter-input', text: edit.text });
    return null;
  }
  // One job of several: Esc on its dashboard (nothing open) goes back to the overview, and so does Esc on the
  // view the overview opened it on (`h` then Esc lands where it came from); the keys after it are the overview's.
  if (jk.onBack && ev.name === 'escape' && (ui.view === 'dashboard' || ui.view === jk.backFrom) && !ui.help && !ui.confirm && !ui.choosingGroup) {
    jk.onBack();
    return null;
  }
  const intent = intentFor(store.getState(), ev.name);
  if (answersYes(intent) && store.getState().ui.confirm !== boxBefore) return null;
  if (intent) onIntent(intent);
  return intent;
}
