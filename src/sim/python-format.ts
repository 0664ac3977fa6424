import { DateTime } from 'luxon';

/**
 * The formats Python's logging, datetime and f-strings produce, so the simulated log is byte-for-byte
 * what the real script would have written. All times are epoch ms shown in local time, like Python.
 */

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DD HH:MM:SS`, local time (logging's asctime without the milliseconds). */
export function localSeconds(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Milliseconds part of an epoch, also for times before 1970. */
const msPart = (ms: number): number => ((Math.floor(ms) % 1000) + 1000) % 1000;

/** logging's `%(asctime)s`: `2025-11-26 23:17:12,345`, in local time or in `zone`. */
export function asctime(ms: number, zone?: string | null): string {
  if (zone) return DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm:ss,SSS');
  return `${localSeconds(ms)},${pad(msPart(ms), 3)}`;
}

/** What Python writes for a message on a stream that cannot encode it, with errors='backslashreplace'. */
export function backslashreplace(text: string): string {
  return text.replace(/[^\x00-\x7f]/gu, (ch) => {
    const cp = ch.codePointAt(0)!;
    return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`;
  });
}

/** `YYYY-MM-DD HH:MM:SS` in local time or in `zone` (the writer's, as `--timezone` sets it). */
function wallSeconds(ms: number, zone?: string | null): string {
  return zone ? DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm:ss') : localSeconds(ms);
}

/** `datetime.now().strftime('%Y%m%d_%H%M%S')`, used in file names: local time, or the writer's `zone`. */
export function fileStamp(ms: number, zone?: string | null): string {
  return wallSeconds(ms, zone).replace(/-/g, '').replace(' ', '_').replace(/:/g, '');
}

/** `datetime.now().isoformat()`: no zone, microseconds, and no fraction at all when it is zero; local or in `zone`. */
export function isoformat(ms: number, zone?: string | null): string {
  const base = wallSeconds(ms, zone).replace(' ', 'T');
  const frac = msPart(ms);
  return frac === 0 ? base : `${base}.${pad(frac, 3)}000`;
}

/**
 * f"{x:.{digits}f}" for x >= 0. JavaScript's toFixed rounds exact ties up, Python rounds them to even
 * (2.5 -> "2", 0.125 -> "0.12"); every other value formats the same.
 */
export function pyFixed(x: number, digits: number): string {
  const up = x.toFixed(digits);
  // An exact tie has at most digits+1 fractional digits, the last a 5; toFixed shows the exact expansion.
  const exact = x.toFixed(Math.min(100, digits + 25));
  const tail = exact.slice(exact.length - 25);
  if (!/^50*$/.test(tail)) return up;
  const down = exact.slice(0, exact.length - 25).replace(/\.$/, '');
  const lastDown = Number(down[down.length - 1]);
  return lastDown % 2 === 0 ? down : up;
}
