import { Box, Text } from 'ink';
import { Table } from '@alcalzone/ink-table';
import { truncate } from '../src/format.js';
import type { AppState } from '../src/state/app-state.js';
import { failuresView } from '../src/state/failures-view.js';
import { cursorIndex } from '../src/state/cursor.js';
import { useColor } from './theme.js';

/** Failures of the latest run: grouped summary, then a table windowed around the cursor (kept by key). */
export function FailuresView({ state, height }: { state: AppState; height: number }) {
  const color = useColor();
  const { rows, shown, summary, history } = failuresView(state);
  const width = state.ui.width;
  const current = state.failed.current;
  if (rows.length === 0) {
    return (
      <Box flexDirection="column">
        <Text bold>Failures</Text>
        <Text dimColor>No failures in the latest run{current ? ` (${current.name})` : ''}.</Text>
      </Box>
    );
  }
  // ink-table draws a rule between rows: each row takes two lines, plus header, borders and our three lines.
  const problems = [...state.failed.notes, ...(current?.problems.length ? [`${current.name}: ${current.problems.length} entr${current.problems.length === 1 ? 'y' : 'ies'} not read (${current.problems[0]})`] : [])];
  const visible = Math.max(1, Math.floor((height - 8 - Math.min(1, problems.length)) / 2));
  const at = cursorIndex(shown, state.ui.cursorKey);
  const start = Math.max(0, Math.min(at - Math.floor(visible / 2), shown.length - visible));
  const errorWidth = Math.max(10, width - 53);
  const data = shown.slice(start, start + visible).map((r, i) => ({
    ' ': start + i === at ? '›' : '',
    key: r.key,
    status: r.status,
    error: truncate(r.error, errorWidth),
    runs: history.get(r.key)?.runs ?? 1,
    now: r.recovered ? 'recovered' : r.persistent ? 'persistent' : 'missing',
  }));
  return (
    <Box flexDirection="column">
      <Text bold>
        Failures <Text dimColor>{current ? `latest file ${current.name}` : 'from the log'}</Text>
      </Text>
      <Text wrap="truncate-end">
        by error: <Text color={color ? 'red' : undefined}>{summary.byError || '–'}</Text>
      </Text>
      <Text wrap="truncate-end">
        by month: {summary.byMonth || '–'} · failing {summary.failing} · recovered {summary.recovered} · persistent {summary.persistent}
        {summary.persistent ? ' (failed every run with the same error: a gentler retry will not help)' : ''}
      </Text>
      {problems.length ? (
        <Text color={color ? 'yellow' : undefined} wrap="truncate-end">
          {problems.join(' · ')}
        </Text>
      ) : null}
      <Table data={data} padding={1} />
      <Text dimColor>
        {shown.length === rows.length ? `${rows.length} keys` : `${shown.length} of ${rows.length} keys match "${state.ui.filter}"`} · ↑↓ move · / filter · r retry · R retry a group
      </Text>
    </Box>
  );
}
