import { Box, Text } from 'ink';
import type { Confirm } from '../src/state/app-state.js';
import { useColor } from './theme.js';
import { confirmWords } from '../src/state/confirm-words.js';
import { answerKeys, keyLabel, QUIT } from '../src/keymap.js';

/** The question before anything starts or stops a process: what happens, to how many keys, y/n (and `a` for a retry that left persistent keys out). */
export function ConfirmBox({ confirm, width }: { confirm: Confirm; width: number }) {
  const color = useColor();
  const { yes, no, danger } = confirmWords(confirm);
  // Every key offered was persistent: list them, though only `a` launches them.
  const shown = confirm.keys.length > 0 ? confirm.keys : (confirm.withPersistent ?? []);
  const all = confirm.withPersistent?.length ?? 0;
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={color ? (danger ? 'red' : 'yellow') : undefined} paddingX={1} width={Math.min(width, 78)}>
      <Text bold wrap="wrap">
        {confirm.message}
      </Text>
      {shown.length > 0 ? (
        <Text dimColor wrap="truncate-end">
          {shown.slice(0, 8).join(' ')}
          {shown.length > 8 ? ` … and ${shown.length - 8} more` : ''}
        </Text>
      ) : null}
      <Text>
        {confirm.keys.length > 0 || !all ? (
          <>
            <Text bold color={color ? 'green' : undefined}>{answerKeys('confirm-yes')}</Text> {yes}{all ? ` (${confirm.keys.length})` : ''} ·{' '}
          </>
        ) : null}
        {all ? (
          <>
            <Text bold>{answerKeys('confirm-all')}</Text> ask for all {all} ·{' '}
          </>
        ) : null}
        <Text bold>{answerKeys('confirm-no')}</Text> {no} · <Text bold>{keyLabel(QUIT.keys[0])}</Text> quit, nothing done
      </Text>
    </Box>
  );
}
