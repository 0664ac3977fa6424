import { Box, Text } from 'ink';
import type { Confirm } from '../src/state/app-state.js';
import { useColor } from './theme.js';
import { confirmWords } from '../src/state/confirm-words.js';
import { answerKeys, keyLabel, QUIT } from '../src/keymap.js';
import { displayWidth, truncate, truncateAtWord, wrap } from '../src/text-width.js';

/**
 * The question before anything starts or stops a process: what happens, to how many keys, y/n (and `a` for a box that
 * left persistent keys out). Its text and its answers are broken into lines here, at spaces and between answers, so no
 * line starts with the space it was broken at (tester AA10: Ink's own wrap kept it, ` help).` at 45 columns).
 */
export function ConfirmBox({ confirm, width, height }: { confirm: Confirm; width: number; /** Rows it may take, borders included (none: as many as it needs). */ height?: number }) {
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
  // On a short terminal the box fits its rows, never pushing its start off the top (tester AG8: at 40×10 the question
  // began `help). Nothing to launch by default; a asks to launch them anyway`): the answers stay, the list of keys goes
  // first, then the question is cut at its end, its start always shown.
  const room = height === undefined ? Infinity : height - 2;
  const answerRows = rows.length > 1 && room - rows.length < 1 ? [answers] : rows;
  const textRoom = Math.max(1, room - answerRows.length);
  const message = wrap(confirm.message, inner, 0, 'cut');
  // What a launch will run, on one row cut to the box (tester AJ8), before the keys: the list goes first.
  const command = confirm.command !== undefined && message.length + 1 <= textRoom ? confirm.command : null;
  const listed = shown.length > 0 && message.length + (command === null ? 0 : 1) + 1 <= textRoom;
  const lines = message.length <= textRoom ? message : [...message.slice(0, textRoom - 1), truncateAtWord(message.slice(textRoom - 1).join(' '), inner)];
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={color ? (danger ? 'red' : 'yellow') : undefined} paddingX={1} width={boxWidth}>
      {lines.map((line, i) => (
        <Text key={i} bold wrap="truncate-end">
          {line}
        </Text>
      ))}
      {command !== null ? <Text wrap="truncate-end">{truncate(command, inner)}</Text> : null}
      {listed ? (
        <Text dimColor wrap="truncate-end">
          {shown.slice(0, 8).join(' ')}
          {shown.length > 8 ? ` … and ${shown.length - 8} more` : ''}
        </Text>
      ) : null}
      {answerRows.map((row, r) => (
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
