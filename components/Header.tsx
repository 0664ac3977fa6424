import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { formatClock } from '../src/format.js';
import { isLive, type RunFigures } from '../src/state/run-view.js';
import type { RunState } from '../src/state/run.js';
import { useColor } from './theme.js';

const STATUS_COLOR: Record<string, string> = {
  waiting: 'gray',
  running: 'green',
  stalled: 'yellow',
  complete: 'cyan',
  ended: 'magenta',
  stopped: 'magenta',
};

/** Job name, run state (spinner while running), elapsed, and the run's workers/timeout as its log says. */
export function Header(props: { job: string; run: RunState | null; figures: RunFigures; external: boolean; keepAwake: string | null; stopping: string | null; width: number }) {
  const { job, run, figures, external, keepAwake, stopping, width } = props;
  const color = useColor();
  const status = figures.status + (external && isLive(figures.status) ? ' (external)' : '');
  const settings = run && (run.workers !== null || run.timeoutSec !== null) ? `${run.workers ?? '?'} workers · timeout ${run.timeoutSec ?? '?'} s` : '';
  return (
    <Box width={width}>
      <Text bold>{job}</Text>
      <Text> </Text>
      {figures.status === 'running' ? (
        <Text color={color ? 'green' : undefined}>
          <Spinner type="dots" />{' '}
        </Text>
      ) : null}
      <Text color={color ? STATUS_COLOR[figures.status] : undefined} bold>
        {status}
      </Text>
      {figures.status === 'stalled' && figures.idleMs !== null ? <Text> · no line for {formatClock(figures.idleMs)}</Text> : null}
      <Text> · {formatClock(figures.elapsedMs)}</Text>
      {settings ? <Text dimColor> · {settings}</Text> : null}
      {keepAwake ? <Text color={color ? 'cyan' : undefined}> · awake</Text> : null}
      {stopping ? <Text color={color ? 'red' : undefined}> · stopping: {stopping}</Text> : null}
    </Box>
  );
}
