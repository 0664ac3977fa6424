import type { ZoneGuess } from './app-state.js';
import { formatBytes, formatDuration } from '../format.js';

const MINUTE = 60_000;

/**
 * How far two clocks are apart, to the minute, in the one duration form (format.ts formatDuration): `5 h 30 min`,
 * `45 min`, never a clock time with a unit (`5:30 h`, AJ5).
 */
function hours(ms: number): string {
  return formatDuration(Math.round(Math.abs(ms) / MINUTE) * 60);
}

/**
 * The guess in the operator's words: short for the job screen's notice (fits 80 columns), with what it rests
 * on for `status`.
 */
export function zoneGuessText(g: ZoneGuess, long = false): string {
  const by = g.from === 'file' ? "the file's modification time" : 'when its lines arrived';
  const where = `log times read as ${g.zone}, ${hours(g.behindMs)} ${g.behindMs > 0 ? 'behind' : 'ahead of'} this machine`;
  // The history read ahead for the guess stopped on an error: the guess rests on what was read (log-zone-guess.ts).
  const cut = g.readAhead ? `; its history read ahead for it stopped at ${formatBytes(g.readAhead.bytesRead)} of ${formatBytes(g.readAhead.size)} (${g.readAhead.error}): a clock change after that is not in it` : '';
  return long ? `${where} (guessed from ${by}; set "timezone" to be sure)${cut}` : `${where} (guessed; set "timezone")${cut ? '; history read ahead cut short' : ''}`;
}
