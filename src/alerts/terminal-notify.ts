import { cutAtWord } from '../format.js';

/**
 * The bytes that call the operator through the terminal itself, so it works over SSH with no library:
 * the bell, and a desktop notification by OSC 9 (iTerm2, WezTerm, Windows Terminal, kitty, foot...) or
 * OSC 777 (VTE terminals such as GNOME Terminal, urxvt), wrapped for tmux passthrough inside tmux.
 */

export const BEL = '\x07';

/** Which desktop notification sequence a terminal understands. */
export type DesktopStyle = 'osc9' | 'osc777';

/**
 * Text safe inside an OSC string: no control characters (they would end it or inject a sequence), at most `max`
 * characters, cut at a word with `…` (format.ts cutAtWord; AJ5's note: the stuck alert was cut mid-word).
 */
export function oscSafe(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  return cutAtWord(text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim(), max);
}

/** OSC 9 ("ESC ] 9 ; text BEL") or OSC 777 ("ESC ] 777 ; notify ; title ; body BEL"). */
export function desktopSequence(style: DesktopStyle, title: string, body: string): string {
  if (style === 'osc9') return `\x1b]9;${oscSafe(`${title}: ${body}`)}\x07`;
  // OSC 777 separates fields with ';': none may appear inside them.
  return `\x1b]777;notify;${oscSafe(title, 60).replace(/;/g, ',')};${oscSafe(body).replace(/;/g, ',')}\x07`;
}

/** tmux swallows OSC sequences unless passed through: DCS tmux; <sequence with each ESC doubled> ST. */
export function tmuxPassthrough(sequence: string): string {
  return `\x1bPtmux;${sequence.replace(/\x1b/g, '\x1b\x1b')}\x1b\\`;
}

/**
 * The style this terminal takes, from its environment: OSC 777 where that is the terminal's convention
 * (VTE-based terminals set VTE_VERSION; urxvt's TERM starts with rxvt), OSC 9 elsewhere.
 */
export function desktopStyleFor(env: NodeJS.ProcessEnv): DesktopStyle {
  if (env.VTE_VERSION || /^rxvt/.test(env.TERM ?? '')) return 'osc777';
  return 'osc9';
}

/** Inside tmux (it sets TMUX for every program it runs). */
export function insideTmux(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.TMUX);
}

/** Everything to write for one alert, given which channels are on. */
export function terminalBytes(opts: { bell: boolean; desktop: DesktopStyle | null; tmux: boolean }, title: string, body: string): string {
  let out = opts.bell ? BEL : '';
  if (opts.desktop) {
    const seq = desktopSequence(opts.desktop, title, body);
    out += opts.tmux ? tmuxPassthrough(seq) : seq;
  }
  return out;
}
