import { failedOmittedNote } from '../src/state/run-notes.js';
import { Box, Text } from 'ink';
import { Table } from '@alcalzone/ink-table';
import { truncate } from '../src/format.js';
import type { AppState } from '../src/state/app-state.js';
import { failureGroupLines, failuresView, runsText } from '../src/state/failures-view.js';
import { cursorIndex } from '../src/state/cursor.js';
import { useColor } from './theme.js';

/** Failures of the latest run: grouped summary, then a table windowed around the cursor (kept by key). */
export function FailuresView({ state, height }: { state: AppState; height: number }) {
  const color = useColor();
  const { rows, shown, summary } = failuresView(state);
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
  const run = state.log.current;
  const omitted = run && run.failedKeysOmitted > 0 ? [failedOmittedNote(run)] : [];
  const problems = [...omitted, ...state.failed.notes, ...(current?.problems.length ? [`${current.name}: ${current.problems.length} entr${current.problems.length === 1 ? 'y' : 'ies'} not read (${current.problems[0]})`] : [])];
  const groups = failureGroupLines(summary);
  // Wrapping lines (every month) take as many rows as their text needs at this width.
  const groupRows = groups.reduce((n, g) => n + (g.wrap ? Math.max(1, Math.ceil((g.label.length + 2 + g.text.length) / width)) : 1), 0);
  const visible = Math.max(1, Math.floor((height - 6 - groupRows - Math.min(1, problems.length)) / 2));
  const at = cursorIndex(shown, state.ui.cursorKey);
  const start = Math.max(0, Math.min(at - Math.floor(visible / 2), shown.length - visible));
  const phaseWidth = Math.max(5, ...shown.slice(start, start + visible).map((r) => r.phase.length));
  const errorWidth = Math.max(10, width - 46 - phaseWidth);
  const data = shown.slice(start, start + visible).map((r, i) => ({
    ' ': start + i === at ? '›' : '',
    key: r.key,
    error: truncate(r.error, errorWidth),
    phase: r.phase,
    failed: `${r.failedIn} of ${r.triedIn}`,
    now: r.recovered ? 'recovered' : r.persistent ? 'persistent' : 'missing',
  }));
  const cursorRow = shown[at];
  return (
    <Box flexDirection="column">
      <Text bold>
        Failures <Text dimColor>{current ? `latest file ${current.name}` : 'from the log'}</Text>
      </Text>
      {groups.map((g, i) => (
        <Text key={i} wrap={g.wrap ? 'wrap' : 'truncate-end'} color={color && g.label === 'by error' ? 'red' : undefined}>
          {g.label ? `${g.label}: ` : ''}
          {g.text}
        </Text>
      ))}
      {problems.length ? (
        <Text color={color ? 'yellow' : undefined} wrap="truncate-end">
          {problems.join(' · ')}
        </Text>
      ) : null}
      <Table data={data} padding={1} />
      <Text dimColor wrap="truncate-end">
        {cursorRow ? `${cursorRow.key}: ${runsText(cursorRow)} · ` : ''}
        {shown.length === rows.length ? `${rows.length} keys` : `${shown.length} of ${rows.length} keys match "${state.ui.filter}"`} · ↑↓ · / filter · R retry a group
      </Text>
    </Box>
  );
}
