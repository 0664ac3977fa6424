import { countOf, formatCount } from '../src/format.js';
import { failedOmittedNote } from '../src/state/run-notes.js';
import { Box, Text } from 'ink';
import type { AppState } from '../src/state/app-state.js';
import { NO_DATE, type FailureRow } from '../src/failures/analysis.js';
import { failureGroupLines, failuresView, nowText, partialNote, runsText } from '../src/state/failures-view.js';
import { cursorIndex } from '../src/state/cursor.js';
import { columnWidths, FailureTable, type Column } from './FailureTable.js';
import { failedFileProblemLine, failedFileProblems } from '../src/failures/failed-file.js';
import { useColor } from './theme.js';
import { packGroups } from '../src/state/group-lines.js';
import { displayWidth, fitRows, oneLine } from '../src/text-width.js';

/** Every key a run failed (failing while the latest run that tried it failed it): grouped summary, then a table windowed around the cursor (kept by key). */
export function FailuresView({ state, height }: { state: AppState; height: number }) {
  const color = useColor();
  const { rows, shown, summary } = failuresView(state);
  const width = state.ui.width;
  const current = state.failed.current;
  // A Cloud Run job's earlier executions are runs of the rule too, but not files.
  const all = state.failed.executions?.files.length ?? 0;
  const files = state.failed.files.length - all;
  // The followed execution standing as its kept outcomes (its log gone) is among them, and is not an earlier one (tester
  // Z3's nit: `7 earlier executions` of 7 kept in all).
  const followed = state.place?.execution?.id;
  const executions = (state.failed.executions?.files ?? []).filter((f) => f.execution !== followed).length;
  const fromLog = state.log.current?.keptFrom ? 'from its kept outcomes (its log is gone)' : 'from the log';
  if (rows.length === 0) {
    // None read, but a file not read whole may hold some: said, one a row (tester AA16).
    const unread = failedFileProblems(state.failed.files, state.failed.notes);
    return (
      <Box flexDirection="column">
        <Text bold>Failures</Text>
        <Text dimColor>No key failed in any run read{current ? ` (latest file ${current.name})` : ''}.</Text>
        {unread
          .flatMap((p) => fitRows(p, width, 3))
          .slice(0, Math.max(0, height - 2))
          .map((p, i) => (
            <Text key={i} color={color ? 'yellow' : undefined} wrap="truncate-end">
              {p}
            </Text>
          ))}
      </Box>
    );
  }
  const run = state.log.current;
  const omitted = run && run.failedKeysOmitted > 0 ? [failedOmittedNote(run)] : [];
  const problems = [...omitted, ...state.failed.notes, ...(current && failedFileProblemLine(current) ? [failedFileProblemLine(current)!] : [])];
  // Wrapping lines (every month, the persistent sentence) are broken between groups, never inside a year.
  const phases = !state.phases.none;
  const groups = failureGroupLines(summary, phases, partialNote(state), state.coverage.storage !== null).flatMap((g) => {
    const text = `${g.label ? `${g.label}: ` : ''}${g.text}`;
    return (g.wrap ? packGroups(text, width, displayWidth) : [text]).map((row) => ({ row, error: g.label === 'by error' }));
  });
  const groupRows = groups.length;
  const at = cursorIndex(shown, state.ui.cursorKey);
  // Keys that are not their own date (game ids) with a date known (the expected file's column, the failed file's): the
  // date beside them, as `by month` counts them (tester AK6: none shown, the error column's room to spare).
  const dated = rows.some((r) => r.day !== null && r.day !== r.key);
  const columns: Column<FailureRow>[] = [
    { title: 'key', cell: (r) => r.key, max: 32 },
    ...(dated ? [{ title: 'date', cell: (r: FailureRow) => r.day ?? '' }] : []),
    { title: 'error', cell: (r) => r.error, grow: true },
    ...(phases ? [{ title: 'phase', cell: (r: FailureRow) => (r.phase === NO_DATE ? '–' : r.phase), max: 16 }] : []),
    { title: 'failed', cell: (r) => `${r.failedIn} of ${r.triedIn}` },
    { title: 'now', cell: nowText, min: 10 },
  ];
  const cursorRow = shown[at];
  // The key under the cursor's whole error, wrapped under the table, when its cell cuts it: the cause (which host
  // refused, which URL) came after the kind and was only in the log (tester AC16). Widths once, for both.
  const widths = columnWidths(columns, shown, width - 2);
  const error = cursorRow ? oneLine(cursorRow.error ?? '') : '';
  const errorRows = error && displayWidth(error) > widths[1] ? fitRows(`error: ${error}`, width, 4) : [];
  const footer = shown.length === rows.length ? countOf(rows.length, 'key') : `${formatCount(shown.length)} of ${countOf(rows.length, 'key')} match${shown.length === 1 ? 'es' : ''} "${state.ui.filter}"`;
  // The key under the cursor in words, then the count and the keys; on a row of its own when both do not fit, so the
  // words are never cut and never push the count off the screen (tester AD8's words are longer than the old ones).
  const cursorWords = cursorRow ? `${cursorRow.key}: ${runsText(cursorRow)}` : '';
  const keysRow = `${footer} · ↑↓ · / filter · r retry${state.ui.filter ? ' these' : ''} · R retry a group`;
  const together = cursorWords === '' ? [keysRow] : displayWidth(`${cursorWords} · ${keysRow}`) <= width ? [`${cursorWords} · ${keysRow}`] : null;
  // One line per table row: title, group lines, problems, the error, table heading and footer take the rest.
  const tableRoom = (foot: number) => Math.max(1, height - 2 - foot - groupRows - Math.min(1, problems.length) - errorRows.length);
  // Wider than the screen, the words wrap over the rows the table leaves empty (tester AH5 f: cut with 7 rows blank
  // under them), never taking a row a table row needs; with none spare, one row cut with `…`.
  const spare = together ? 0 : Math.max(0, tableRoom(2) - shown.length);
  const footRows = together ?? [...fitRows(cursorWords, width, 1 + spare), keysRow];
  const visible = tableRoom(footRows.length);
  const start = Math.max(0, Math.min(at - Math.floor(visible / 2), shown.length - visible));
  return (
    <Box flexDirection="column">
      <Text bold>
        Failures <Text dimColor>{current ? `latest file ${current.name}${files > 1 ? ` · ${files} files` : ''}` : fromLog}{executions > 0 ? ` · ${countOf(executions, 'earlier execution')}` : ''}</Text>
      </Text>
      {groups.map((g, i) => (
        <Text key={i} wrap="truncate-end" color={color && g.error ? 'red' : undefined}>
          {g.row}
        </Text>
      ))}
      {problems.length ? (
        <Text color={color ? 'yellow' : undefined} wrap="truncate-end">
          {problems.join(' · ')}
        </Text>
      ) : null}
      {shown.length === 0 ? (
        <Text color={color ? 'yellow' : undefined} wrap="truncate-end">
          No failure matches "{state.ui.filter}" ({rows.length} in all): / then Esc clears the filter
        </Text>
      ) : (
        <FailureTable columns={columns} rows={shown.slice(start, start + visible)} all={shown} cursor={at - start} width={width} widths={widths} />
      )}
      {shown.length === 0
        ? null
        : errorRows.map((r, i) => (
            <Text key={`e${i}`} color={color ? 'red' : undefined} wrap="truncate-end">
              {r}
            </Text>
          ))}
      {footRows.map((r, i) => (
        <Text key={`f${i}`} dimColor wrap="truncate-end">
          {r}
        </Text>
      ))}
    </Box>
  );
}
