import { Text } from 'ink';
import { truncate } from '../src/format.js';
import { activeBindings } from '../src/keymap.js';
import type { AppState } from '../src/state/app-state.js';

/** One line of keys, from the same table as the handler. */
export function HelpBar({ state, width }: { state: AppState; width: number }) {
  if (state.ui.filtering) return <Text>/{state.ui.filter}█ <Text dimColor>Enter keep · Esc clear</Text></Text>;
  const items = activeBindings(state)
    .filter((b) => b.bar || state.ui.confirm || state.ui.choosingGroup)
    .map((b) => `${b.keys[0]} ${b.bar ?? b.description}`);
  return <Text dimColor>{truncate(items.join(' · '), width)}</Text>;
}
