import { Box, Text } from 'ink';
import type { AppState } from '../src/state/app-state.js';
import { historyPosition, historyWindow } from '../src/state/history-lines.js';

/**
 * Past runs: alerts, runs launched from here (runs.jsonl), runs found in the log and the failed-keys files,
 * each newest first, as one list that uses every row it has and scrolls (↑/↓, PgUp/PgDn); the last row
 * says where the window is when the lines do not all fit.
 */
export function HistoryView({ state, height }: { state: AppState; height: number }) {
  const w = historyWindow(state, height);
  const position = historyPosition(w);
  return (
    <Box flexDirection="column">
      {w.lines.map((l, i) => (
        <Text key={w.top + i} bold={l.kind === 'heading'} dimColor={l.kind === 'note'} wrap="truncate-end">
          {l.text}
        </Text>
      ))}
      {position ? (
        <Text dimColor wrap="truncate-end">
          {position}
        </Text>
      ) : null}
    </Box>
  );
}
