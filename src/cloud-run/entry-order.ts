import { entryText } from './log-filter.js';
import type { LogEntry } from './api.js';

/** One log entry as the log's order needs it: when (epoch ms), its insertId, its text. */
export interface OrderedEntry {
  at: number;
  id: string;
  text: string;
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
  return entries.map((x) => ({ at: Date.parse(x.timestamp), id: x.insertId, text: entryText(x) })).sort(byLogOrder);
}
