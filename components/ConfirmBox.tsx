import { Box, Text } from 'ink';
import type { Confirm } from '../src/state/app-state.js';
import { useColor } from './theme.js';
import { confirmWords } from '../src/state/confirm-words.js';
import { answerKeys, keyLabel, QUIT } from '../src/keymap.js';
import { displayWidth, wrap } from '../src/text-width.js';

/**
 * The question before anything starts or stops a process: what happens, to how many keys, y/n (and `a` for a box that
 * left persistent keys out). Its text and its answers are broken into lines here, at spaces and between answers, so no
 * line starts with the space it was broken at (tester AA10: Ink's own wrap kept it, ` help).` at 45 columns).
 */
export function ConfirmBox({ confirm, width }: { confirm: Confirm; width: number }) {
  const color = useColor();
  const { yes, no, danger, all: allWords } = confirmWords(confirm);
  // Every key offered was persistent: list them, though only `a` launches them.
  const shown = confirm.keys.length > 0 ? confirm.keys : (confirm.withPersistent ?? []);
  const all = confirm.withPersistent?.length ?? 0;
  const boxWidth = Math.min(width, 78);
  // Border and padding take two columns each side.
  const inner = Math.max(1, boxWidth - 4);
  const answers: { key: string; words: string; green?: boolean }[] = [
    ...(confirm.keys.length > 0 || !all ? [{ key: answerKeys('confirm-yes'), words: `${yes}${all ? ` (${confirm.keys.length})` : ''}`, green: true }] : []),
    ...(all ? [{ key: answerKeys('confirm-all'), words: allWords ?? '' }] : []),
    { key: answerKeys('confirm-no'), words: no },
    { key: keyLabel(QUIT.keys[0]), words: 'quit, nothing done' },
  ];
  // Whole answers on a line, ` · ` between them; an answer wider than the line goes alone (cut by Ink at its end).
  const rows: (typeof answers)[] = [];
  for (const a of answers) {
    const row = rows.at(-1);
    const text = (r: typeof answers) => r.map((x) => `${x.key} ${x.words}`).join(' · ');
    if (row && displayWidth(text([...row, a])) <= inner) row.push(a);
    else rows.push([a]);
  }
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={color ? (danger ? 'red' : 'yellow') : undefined} paddingX={1} width={boxWidth}>
      {wrap(confirm.message, inner).map((line, i) => (
        <Text key={i} bold wrap="truncate-end">
          {line}
        </Text>
      ))}
      {shown.length > 0 ? (
        <Text dimColor wrap="truncate-end">
          {shown.slice(0, 8).join(' ')}
          {shown.length > 8 ? ` … and ${shown.length - 8} more` : ''}
        </Text>
      ) : null}
      {rows.map((row, r) => (
        <Text key={`a${r}`} wrap="truncate-end">
          {row.map((a, i) => (
            <Text key={i}>
              {i > 0 ? ' · ' : ''}
              <Text bold color={color && a.green ? 'green' : undefined}>
                {a.key}
              </Text>{' '}
              {a.words}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
