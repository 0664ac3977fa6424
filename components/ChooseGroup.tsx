import { Box, Text } from 'ink';

/** `R`: pick one error group to retry (only the timeouts, say). */
export function ChooseGroup({ groups, index, width }: { groups: { label: string; keys: string[] }[]; index: number; width: number }) {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={Math.min(width, 78)}>
      <Text bold>Retry which group? ↑/↓ then Enter · Esc cancel</Text>
      {groups.map((g, i) => (
        <Text key={g.label} inverse={i === index}>
          {i === index ? '› ' : '  '}
          {g.label}: {g.keys.length} keys
        </Text>
      ))}
    </Box>
  );
}
