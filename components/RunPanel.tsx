import { Box, Text } from 'ink';
import { countOf, formatClock, formatCount, formatPercent, formatRate } from '../src/format.js';
import { displayWidth } from '../src/text-width.js';
import { isLive, type RunFigures } from '../src/state/run-view.js';
import type { RunState } from '../src/state/run.js';
import { SegmentBar, runSegments } from './SegmentBar.js';
import { failureKindsLine } from '../src/state/failure-breakdown.js';
import { useColor } from './theme.js';
import { WrappedText } from './WrappedText.js';
import { etaText, runNotes, type LateLog } from '../src/state/run-notes.js';
import type { RecordedRun } from '../src/state/app-state.js';
import { foreignLogText, type ForeignLog } from '../src/state/foreign-log.js';

/** The run's progress bar (succeeded / failed / skipped), counts, rate and ETA. */
/** `lines` rows at most: the bar and the counts always; then the rate line, the failure kinds, the counting notes. */
export function RunPanel({ run, figures, width, lines = 4, launched = null, others = [], skipping = 0, lateLog = false, foreign = null, cause = null, error = null, rotation = null, noteRows = 1, short = 0, shortIn = null, noRun }: { run: RunState | null; figures: RunFigures; width: number; lines?: number; launched?: RecordedRun | null; others?: number[]; skipping?: number; lateLog?: LateLog; foreign?: ForeignLog | null; cause?: string | null; error?: string | null; rotation?: string | null; noteRows?: number; short?: number; /** The compressed copy the failures not read are likely in. */ shortIn?: string | null; noRun?: string }) {
  const color = useColor();
  // Lines, none in the backfill's format (tester W19): said, with the newest as it is, never "no run yet".
  if (!run && foreign) {
    return (
      <Box flexDirection="column">
        {foreign.writerAlive ? <Text dimColor wrap="truncate-end">{foreignLogText(foreign)}</Text> : <Text color={color ? 'red' : undefined} wrap="truncate-end">No run: {foreignLogText(foreign)}</Text>}
        {lines > 1 ? <Text wrap="truncate-end">newest: {foreign.sample}</Text> : null}
      </Box>
    );
  }
  if (!run) {
    return (
      <Box flexDirection="column">
        <Text dimColor wrap="truncate-end">{noRun ?? 'No run in the log yet. The dashboard follows it as soon as lines arrive.'}</Text>
      </Box>
    );
  }
  // No total, no proportion: an empty track and the count, never a bar that reads as 100 %.
  const known = figures.total !== null;
  const total = figures.total ?? 1;
  // Counts not known (its log gone, nothing kept): `–`, never zeros under the line that says so (tester AF1).
  const unknown = figures.countsUnknown === true;
  // No entry of its execution's log read yet: its keys and no count, as `status` says it (AJ5 e: `✗ 0 failed`).
  const awaited = figures.countsAwaited === true;
  const count = (n: number) => (unknown ? '–' : formatCount(n));
  const counter = awaited ? `${known ? countOf(total, 'key') : 'keys not known'}, none read yet` : `${count(figures.done)}/${known ? formatCount(total) : '? (total not known)'}`;
  const pct = figures.total && !unknown && !awaited ? formatPercent(figures.done, figures.total) : '';
  const barWidth = Math.max(10, width - displayWidth(`Run  ${counter} ${pct}`));
  const live = isLive(figures.status);
  const breakdown = failureKindsLine(run.failures, short, shortIn);
  // A run that ended before its first record says why, first (tester X11): its log's last line.
  // And what its figures rest on after a rotation (tester X13).
  const notes = runNoteParts(run, { launched, others, skipping, lateLog, cause, error, rotation });
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>Run </Text>
        {/* No track for counts not known: an empty one reads as none done. */}
        {unknown || awaited ? null : (
          <SegmentBar
            width={barWidth}
            total={total}
            segments={runSegments(known ? run : { succeeded: 0, failed: 0, skipped: 0 })}
          />
        )}
        <Text> {counter} </Text>
        <Text bold>{pct}</Text>
      </Text>
      {awaited ? (
        <Text wrap="truncate-end">✓ ✗ ↷ not known yet: no entry of its log read (entries arrive late)</Text>
      ) : (
        <Text wrap="truncate-end">
          <Text color={color ? 'green' : undefined}>✓ {count(run.succeeded)} scraped</Text>
          <Text>  </Text>
          <Text color={color ? 'red' : undefined}>✗ {count(run.failed)} failed</Text>
          <Text>  </Text>
          <Text color={color ? 'blue' : undefined}>↷ {count(run.skipped)} skipped</Text>
          {live && !figures.unseen ? <Text>  ⟳ {figures.inFlight} in flight</Text> : null}
        </Text>
      )}
      {breakdown && lines >= 4 ? <Text color={color ? 'red' : undefined} wrap="truncate-end">  {breakdown}</Text> : null}
      {notes.length && lines >= 4 + (breakdown ? 1 : 0) ? (
        noteRows > 1 ? (
          <WrappedText text={`  ${notes.join(' · ')}`} width={width} rows={noteRows} color={others.length && color ? 'yellow' : undefined} dim={!others.length} />
        ) : (
          <Text dimColor={!others.length} color={others.length && color ? 'yellow' : undefined} wrap="truncate-end">  {notes.join(' · ')}</Text>
        )
      ) : null}
      {lines >= 3 ? <Text wrap="truncate-end">
        {figures.unseen ? `rate – · ETA not known while ${figures.unseen}` : `rate ${figures.ratePerMin === null ? (live ? 'calculating…' : '–') : formatRate(figures.ratePerMin)}`}
        {live && !figures.unseen ? ` · ETA ${etaText(figures)}` : ''}
        {/* The script's own figure only when the lines give no span: its `Time: 0.2 minutes` is rounded to six
            seconds and read `took 0:12` beside a header's `complete · 0:09` (tester W1); one duration per screen. */}
        {run.complete && run.startedAt === null && run.summary.durationSec !== undefined ? ` · took ${formatClock(Math.round(run.summary.durationSec * 1000))}` : ''}
      </Text> : null}
    </Box>
  );
}

/**
 * The run's notes row, in order: why it ended before its first record (tester X11), or the error it died of after
 * some work (AC8), what its figures rest on after a rotation (X13), then runNotes. The dashboard measures it (the
 * rows it may wrap over) with the same words.
 */
export function runNoteParts(run: RunState, o: { launched: RecordedRun | null; others: number[]; skipping: number; lateLog: LateLog; cause: string | null; error?: string | null; rotation: string | null }): string[] {
  return [...(o.cause ? [o.cause] : []), ...(o.error ? [`ended: ${o.error}`] : []), ...(o.rotation ? [o.rotation] : []), ...runNotes(run, o.launched, o.others, o.skipping, o.lateLog)];
}
