import { Text } from 'ink';
import { ClockSpinner } from './ClockSpinner.js';
import { countOf, formatClock, formatElapsed } from '../src/format.js';
import { displayWidth, truncate, truncateMiddle } from '../src/text-width.js';
import { isLive, type RunFigures } from '../src/state/run-view.js';
import type { RunState } from '../src/state/run.js';
import { useColor } from './theme.js';

const STATUS_COLOR: Record<string, string> = {
  waiting: 'gray',
  running: 'green',
  stalled: 'yellow',
  stuck: 'red',
  incomplete: 'yellow',
  complete: 'cyan',
  ended: 'magenta',
  stopped: 'magenta',
};

interface Part {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  /** Parts with a drop rank go first when the row is too narrow, highest rank first. */
  drop?: number;
}

/**
 * The parts of the header that fit `width`: the run state and elapsed time always stay; the settings (timeout, then
 * workers), keep-awake and idle time give way first, each whole; the job name is kept whole while they can give way,
 * and only then cut (in the middle, its start and end kept), never wrapped. A part that had to go comes back cut with
 * `…` only when it says no figure (`machine kept awake…`): a setting cut reads as another figure (tester AK1:
 * `bdl-st…dings … · 6 workers · timeout 18…` at 55 columns, the name cut for it).
 */
export function headerParts(parts: Part[], job: string, width: number): { job: string; parts: Part[] } {
  let kept = parts;
  const used = (list: Part[]) => displayWidth(job) + list.reduce((n, p) => n + displayWidth(p.text), 0);
  const dropped: Part[] = [];
  while (used(kept) > width && kept.some((p) => p.drop !== undefined)) {
    const worst = Math.max(...kept.map((p) => p.drop ?? -1));
    dropped.unshift(...kept.filter((p) => p.drop === worst));
    kept = kept.filter((p) => p.drop !== worst);
  }
  const back = dropped.sort((a, b) => (a.drop ?? 0) - (b.drop ?? 0))[0];
  const room = width - used(kept);
  if (back && room >= 16 && !/\d/.test(back.text)) kept = parts.filter((p) => kept.includes(p) || p === back).map((p) => (p === back ? { ...p, text: truncate(p.text, room) } : p));
  const rest = kept.reduce((n, p) => n + displayWidth(p.text), 0);
  return { job: truncateMiddle(job, Math.max(8, width - rest)), parts: kept };
}

/** Job name, run state (spinner while running), elapsed, and the run's workers/timeout as its log says: one row. */
export function Header(props: { job: string; run: RunState | null; figures: RunFigures; external: boolean; keepAwake: string | null; stopping: string | null; width: number; now: number; reading?: string | null; unknown?: boolean }) {
  const { job, run, figures, external, keepAwake, stopping, width, now, reading = null, unknown = false } = props;
  const color = useColor();
  // No run can be read (its log is not a file, Cloud Run refuses): `error`, as the overview and `status` say; why is
  // in the notice under it (tester V14).
  if (unknown && reading === null) {
    return (
      <Text wrap="truncate-end">
        <Text bold>{truncateMiddle(job, Math.max(8, width - 6))}</Text> <Text bold color={color ? 'red' : undefined}>error</Text>
      </Text>
    );
  }
  // A half-read log has no state yet (tester U8: `ended · 0:00` for seconds): how far the read is, and nothing else.
  if (reading !== null) {
    return (
      <Text wrap="truncate-end">
        <Text bold>{truncateMiddle(job, Math.max(8, width - displayWidth(reading) - 1))}</Text>{' '}
        <Text color={color ? STATUS_COLOR.waiting : undefined}>{reading}</Text>
      </Text>
    );
  }
  const spinning = figures.status === 'running';
  // A dry run lists its keys and scrapes none: said with its state, never taken for a run that did nothing (tester X15).
  const status = figures.status + (run?.dryRun ? ' (dry run)' : '') + (external && isLive(figures.status) ? ' (external)' : '');
  // Only the settings known (tester AA10: a Cloud Run job whose args carry no {timeout} read `timeout ? s`).
  const workers = run && run.workers !== null ? countOf(run.workers, 'worker') : '';
  const timeout = run && run.timeoutSec !== null ? `timeout ${run.timeoutSec} s` : '';
  const parts: Part[] = [
    { text: ' ' + (spinning ? '  ' : '') },
    { text: status, bold: true, color: STATUS_COLOR[figures.status] },
    ...(figures.status === 'stalled' && figures.idleMs !== null ? [{ text: ` · no line for ${formatClock(figures.idleMs)}`, drop: 1 }] : []),
    // Not known (a clock gone back within the run, no start read): said so, as `status` says it, never `· –`; no run yet
    // (a job never launched): no time at all.
    ...(figures.elapsedMs !== null && !figures.endBeforeStartMs ? [{ text: ` · ${formatElapsed(figures.startedAt, figures.elapsedMs)}` }] : run ? [{ text: ' · elapsed not known' }] : []),
    ...(stopping ? [{ text: ` · stopping: ${stopping}`, color: 'red' }] : []),
    ...(keepAwake ? [{ text: ` · ${keepAwake}`, color: 'cyan', drop: 2 }] : []),
    // Each setting gives way whole, the timeout first (tester AK1: `timeout 18…`).
    ...(workers ? [{ text: ` · ${workers}`, dim: true, drop: 3 }] : []),
    ...(timeout ? [{ text: ` · ${timeout}`, dim: true, drop: 4 }] : []),
  ];
  const fitted = headerParts(parts, job, width);
  return (
    <Text wrap="truncate-end">
      <Text bold>{fitted.job}</Text>
      {fitted.parts.map((p, i) =>
        i === 0 && spinning ? (
          <Text key={i}>
            {' '}
            <Text color={color ? 'green' : undefined}>
              <ClockSpinner now={now} />
            </Text>{' '}
          </Text>
        ) : (
          <Text key={i} bold={p.bold} dimColor={p.dim} color={color ? p.color : undefined}>
            {p.text}
          </Text>
        ),
      )}
    </Text>
  );
}
