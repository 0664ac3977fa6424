import type { MovedLog } from '../follow/moved-log.js';
import { pidsText } from './writer.js';

/** `log moved to bf.log.1; following the running writer (pid 11565) there`. */
export function movedText(log: string, moved: MovedLog): string {
  const writer = `the running writer (${pidsText(moved.pids)})`;
  if (moved.to.endsWith(' (deleted)')) return `${shortPath(log, log)} was deleted while ${pidsText(moved.pids)} still write${moved.pids.length === 1 ? 's' : ''} it; following ${writer}`;
  return `log moved to ${shortPath(log, moved.to)}; following ${writer} there`;
}

/** A path beside the log by its name alone, else whole. */
export function shortPath(log: string, p: string): string {
  const slash = log.lastIndexOf('/');
  return p.startsWith(log.slice(0, slash + 1)) && !p.slice(slash + 1).includes('/') ? p.slice(slash + 1) : p;
}
