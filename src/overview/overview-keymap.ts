import { filterKeyWords, KEYMAP, QUIT, SUSPEND, type Intent } from '../keymap.js';

/** What a key asks for on the overview: its own moves, or one of the job screen's intents for the selected job. */
export type OverviewAction = { kind: 'quit' } | { kind: 'suspend' } | { kind: 'help' } | { kind: 'filter' } | { kind: 'select'; step: number } | { kind: 'open' } | { kind: 'job'; intent: Intent; open?: boolean };

/** One row of the overview's keymap: the table behind both its key handling and its help. */
export interface OverviewBinding {
  keys: string[];
  action: OverviewAction;
  description: string;
  bar?: string;
  /** Acts on the selected job (the job screen's key). */
  selectedJob?: boolean;
}

/** The job screen's binding for `intent`: the overview acts on the selected job with the same keys and words. */
function jobKey(intent: Intent, open = false): OverviewBinding {
  const b = KEYMAP.find((k) => k.intent === intent)!;
  // Views open the job's screen: left out of the one-line bar (80 columns), listed under `?`. The help's title
  // says once that these act on the selected job (said on every row, the rows were cut at 80 columns: T23).
  return { keys: b.keys, action: { kind: 'job', intent, open }, description: b.description, bar: open ? undefined : b.bar, selectedJob: true };
}

/** Every key of the overview. */
export const OVERVIEW_KEYMAP: OverviewBinding[] = [
  // The job screen's `q`, word for word but for "every": it quits from a box of the selected job too.
  { keys: QUIT.keys, action: { kind: 'quit' }, description: QUIT.description.replace('the backfill', 'every backfill'), bar: QUIT.bar },
  // Done on the terminal's raw read (src/app/suspend.ts), as on a job's screen.
  { keys: SUSPEND.keys, action: { kind: 'suspend' }, description: SUSPEND.description },
  { keys: ['?'], action: { kind: 'help' }, description: 'show or hide all keys', bar: 'keys' },
  // One description: the help says the two on one row.
  { keys: ['up', 'k'], action: { kind: 'select', step: -1 }, description: 'select the job above or below' },
  { keys: ['down', 'j'], action: { kind: 'select', step: 1 }, description: 'select the job above or below' },
  // Not on the one-line bar (it would pass 80 columns); `?` lists it, and its prompt says all its keys.
  { keys: ['/'], action: { kind: 'filter' }, description: `filter by name, state, error (${filterKeyWords(', ', ['clear', 'erase-line'])})` },
  { keys: ['return'], action: { kind: 'open' }, description: "open the selected job's dashboard (Esc comes back)", bar: 'open' },
  jobKey('resume'),
  jobKey('retry'),
  jobKey('retry-group'),
  jobKey('stop'),
  jobKey('view-failures', true),
  jobKey('view-history', true),
  jobKey('refresh'),
];

/** The overview action for a key, or null when the key means nothing there. */
export function overviewAction(name: string): OverviewAction | null {
  return OVERVIEW_KEYMAP.find((b) => b.keys.includes(name))?.action ?? null;
}
