import { countOf, formatCount } from '../format.js';

/** Which launch settings a command's arguments carry: a `{workers}` or `{timeout}` placeholder in any argument. */
export interface SettingsTaken {
  workers: boolean;
  timeout: boolean;
}

export function settingsTaken(args: readonly string[]): SettingsTaken {
  const uses = (name: string) => args.some((a) => a.includes(`{${name}}`));
  return { workers: uses('workers'), timeout: uses('timeout') };
}

/**
 * The settings a launch will really pass, in the words of a confirm box: "6 workers, timeout 180 s", "6 workers",
 * or "" for a command that takes neither (tester X4: `Launch 5,299 keys, 6 workers, timeout 180 s?` for a script
 * with its own fixed settings; neither figure reached it). `timeout` is in seconds.
 */
export function settingsWords(taken: SettingsTaken, workers: number, timeout: number): string {
  return [taken.workers ? countOf(workers, 'worker') : '', taken.timeout ? `timeout ${formatCount(timeout)} s` : ''].filter(Boolean).join(', ');
}

/** The settings a launch record keeps: only those the command took (a figure it never got is no fact of the run). */
export function settingsRecorded(taken: SettingsTaken, workers: number, timeout: number): { workers?: number; timeout?: number } {
  return { ...(taken.workers ? { workers } : {}), ...(taken.timeout ? { timeout } : {}) };
}
