import type { ZoneGuess } from './app-state.js';
import { formatBytes } from '../format.js';

const MINUTE = 60_000;

/** `5 h`, `5:30 h`: how far two clocks are apart. */
function hours(ms: number): string {
  const m = Math.round(Math.abs(ms) / MINUTE);
  return m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')} h`;
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
