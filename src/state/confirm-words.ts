import type { Confirm } from './app-state.js';

/**
 * What `y` and `n` do in a box, in one place for the box and the key bar under it: under "Cancel execution …?" a
 * bare "n cancel" reads as "n cancels it" (tester T5), and a bar saying `y yes, go ahead · n no, cancel` under a
 * box saying `y cancel it · n/Esc keep it running` brought the doubt back one line lower (tester U10).
 */
export function confirmWords(c: Confirm): { yes: string; no: string; danger: boolean; all: string | null } {
  const danger = c.kind === 'stop' || c.kind === 'kill';
  const yes = c.kind === 'kill' ? 'kill it' : c.kind === 'stop' ? (/^Cancel /.test(c.message) ? 'cancel it' : 'stop it') : 'go';
  // `a` in a box that left persistent keys out; one key is `it` (tester AA10: `a ask for all 1`).
  const n = c.withPersistent?.length ?? 0;
  const all = n === 0 ? null : n === 1 ? 'ask again with it' : `ask for all ${n}`;
  return { yes, no: danger ? 'keep it running' : 'cancel', danger, all };
}
