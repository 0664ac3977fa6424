import { Box, Text } from 'ink';
import type { Confirm } from '../src/state/app-state.js';
import { useColor } from './theme.js';

/** The question before anything starts or stops a process: what happens, to how many keys, y/n. */
export function ConfirmBox({ confirm, width }: { confirm: Confirm; width: number }) {
  const color = useColor();
  const danger = confirm.kind === 'stop' || confirm.kind === 'kill';
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={color ? (danger ? 'red' : 'yellow') : undefined} paddingX={1} width={Math.min(width, 78)}>
      <Text bold wrap="wrap">
        {confirm.message}
      </Text>
      {confirm.keys.length > 0 ? (
        <Text dimColor wrap="truncate-end">
          {confirm.keys.slice(0, 8).join(' ')}
          {confirm.keys.length > 8 ? ` … and ${confirm.keys.length - 8} more` : ''}
        </Text>
      ) : null}
      <Text>
        <Text bold color={color ? 'green' : undefined}>y</Text> go · <Text bold>n</Text>/Esc cancel
      </Text>
    </Box>
  );
}
