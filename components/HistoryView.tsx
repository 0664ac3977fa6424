import { Box, Text } from 'ink';
import { formatClock, formatCount, formatPercent } from '../src/format.js';
import type { AppState } from '../src/state/app-state.js';
import { fileFailures } from '../src/state/failures-view.js';

/** "60.0" — the percentage without its unit, for "60.0 → 81.0 %". */
function percentOf(part: number, whole: number): string {
  return formatPercent(part, whole).replace(' %', '');
}

/** Past runs: launched ones from runs.jsonl, and the runs found in the log, with how coverage moved. */
export function HistoryView({ state, height }: { state: AppState; height: number }) {
  // Alerts of earlier sessions (alerts.jsonl) and this one, newest last.
  const allAlerts = [...state.alerts.past, ...state.alerts.recent];
  const alerts = allAlerts.slice(-Math.max(1, Math.floor(height / 5)));
  const launched = state.process.history.slice(-Math.max(1, Math.floor(height / 2) - 3 - alerts.length));
  const failedFiles = fileFailures(state).slice(-Math.max(1, Math.floor(height / 4)));
  const logged = [...state.log.history, ...(state.log.current ? [state.log.current] : [])].slice(-Math.max(1, Math.floor(height / 2) - 3 - (failedFiles.length ? failedFiles.length + 1 : 0)));
  const expected = state.coverage.expected?.keys.length ?? 0;
  // Month-day and time are enough in a list of recent runs, and keep a row within 80 columns.
  const fmt = (ms: number | null) => (ms === null ? '–' : new Date(ms).toISOString().slice(5, 16).replace('T', ' '));
  return (
    <Box flexDirection="column">
      {alerts.length === 0 ? <Text dimColor>Alerts: none yet</Text> : <Text bold>Alerts {allAlerts.length > alerts.length ? <Text dimColor>(newest {alerts.length} of {allAlerts.length}; all in alerts.jsonl)</Text> : null}</Text>}
      {alerts.map((a, i) => (
        <Text key={`a${i}`} wrap="truncate-end">
          {fmt(a.at)} {a.text}
        </Text>
      ))}
      <Text bold>Runs launched from here</Text>
      {launched.length === 0 ? <Text dimColor>none yet (s resumes, r retries)</Text> : null}
      {launched.map((r) => (
        <Text key={r.id} wrap="truncate-end">
          {fmt(r.startedAt)} {r.label.padEnd(6)} {formatCount(r.keyCount).padStart(6)} keys {r.endedAt ? formatClock(r.endedAt - r.startedAt) : 'running'}
          {r.counts ? ` ✓ ${r.counts.succeeded} ✗ ${r.counts.failed}` : ''}
          {r.reason ? ` ${r.reason === 'exited' && r.exitCode !== null ? `exit ${r.exitCode}` : r.reason}` : ''}
          {r.storageBefore != null && r.storageAfter != null && expected ? ` storage ${percentOf(r.storageBefore, expected)} → ${formatPercent(r.storageAfter, expected)}` : ''}
        </Text>
      ))}
      <Text bold>Runs in the log</Text>
      {logged.length === 0 ? <Text dimColor>none yet: {state.log.exists ? 'no run start found in the log' : 'the log does not exist yet'}</Text> : null}
      {logged.map((r, i) => (
        <Text key={i} wrap="truncate-end">
          {fmt(r.startedAt)} {formatCount(r.total ?? 0).padStart(6)} keys · {formatClock(r.startedAt !== null && (r.finishedAt ?? r.lastActivityAt) !== null ? (r.finishedAt ?? r.lastActivityAt)! - r.startedAt : null)} · ✓ {formatCount(r.succeeded)} ✗ {formatCount(r.failed)} ↷ {formatCount(r.skipped)}
          {r.complete ? '' : ' · no summary'}
        </Text>
      ))}
      {failedFiles.length ? <Text bold>Failed keys by run (failed-keys files)</Text> : null}
      {failedFiles.map((f) => (
        <Text key={f.name} wrap="truncate-end">
          {fmt(f.runStartedAt)} ✗ {formatCount(f.failed)}: {f.byPhase} · {f.byError}
        </Text>
      ))}
    </Box>
  );
}
