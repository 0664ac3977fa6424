import { entryText } from './log-filter.js';
import type { LogEntry } from './api.js';

/** One log entry as the log's order needs it: when (epoch ms), its insertId, its text, the task that wrote it. */
export interface OrderedEntry {
  at: number;
  id: string;
  text: string;
  /** `labels["run.googleapis.com/task_index"]`: which task of the execution wrote it; null when not said. */
  task: number | null;
}

/** An entry as {@link OrderedEntry}. */
export function orderedEntry(x: LogEntry): OrderedEntry {
  const label = x.labels?.['run.googleapis.com/task_index'];
  const task = label !== undefined && /^\d+$/.test(label) ? Number(label) : null;
  return { at: Date.parse(x.timestamp), id: x.insertId, text: entryText(x), task };
}

/**
 * Log order: timestamp, then insertId, so entries of one instant keep one order on every read. Cloud Logging
 * returns ties (and late entries) in no set order; the dashboard and the one-shot `status` both read an
 * execution's log in this order, or a late run header would start a second run inside one execution (tester T24).
 */
export function byLogOrder(a: OrderedEntry, b: OrderedEntry): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Entries as {@link OrderedEntry}s, in log order. */
export function inLogOrder(entries: LogEntry[]): OrderedEntry[] {
  return entries.map(orderedEntry).sort(byLogOrder);
}
