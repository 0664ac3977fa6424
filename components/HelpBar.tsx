import { Text } from 'ink';
import { displayWidth, truncate } from '../src/text-width.js';
import { activeBindings, answerKeys, filterKeyWords, keyLabel } from '../src/keymap.js';
import { confirmWords } from '../src/state/confirm-words.js';
import type { AppState } from '../src/state/app-state.js';

/** One line of keys, from the same table as the handler. */
export function HelpBar({ state, width }: { state: AppState; width: number }) {
  if (state.ui.filtering) return <Text wrap="truncate-end">/{state.ui.filter}█ <Text dimColor>{filterKeyWords(' · ')}</Text></Text>;
  const c = state.ui.confirm;
  // Under a box, the box's own words for y and n (confirm-words.ts).
  const words = c ? confirmWords(c) : null;
  const itemOf = (b: ReturnType<typeof activeBindings>[number]) =>
    words && b.intent === 'confirm-yes' ? `${answerKeys('confirm-yes')} ${words.yes}` : words && b.intent === 'confirm-no' ? `${answerKeys('confirm-no')} ${words.no}` : words && b.intent === 'confirm-all' ? `${answerKeys('confirm-all')} ${words.all ?? ''}` : `${keyLabel(b.keys[0])} ${b.bar ?? b.description}`;
  const items = activeBindings(state)
    .filter((b) => b.bar || state.ui.confirm || state.ui.choosingGroup)
    .map(itemOf);
  // Whole items only: an item cut in half reads as a different key. `?` lists everything.
  // Below 80×24 only the essentials fit: say so first, so a missing calendar or log is not a mystery.
  let line = state.ui.width < 80 || state.ui.height < 24 ? `small terminal ${state.ui.width}×${state.ui.height}` : '';
  for (const item of items) {
    const next = line ? `${line} · ${item}` : item;
    if (displayWidth(next) > width) break;
    line = next;
  }
  return <Text dimColor>{line || truncate(items[0] ?? '', width)}</Text>;
}
