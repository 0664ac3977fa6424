import { Box, Text } from 'ink';
import { formatCount } from '../src/format.js';
import type { CoverageView } from '../src/state/coverage-view.js';
import { CoverageBar, coverageBarWidth, coverageRight, LABEL_WIDTH, SourceError, sourceDetail, tickLabels } from './CoverageBar.js';

/** Storage and warehouse bars sharing one scale and one line of target labels, then lag and errors. */
/**
 * `lines` rows at most: one bar per source always; then the target labels, the errors, the details. `errorRows`
 * gives a source's error line more rows (wrapped), by source name: the dashboard adds them beyond `lines`.
 */
export function CoveragePanel({ cov, width, lines = Infinity, errorRows = {} }: { cov: CoverageView; width: number; lines?: number; errorRows?: Record<string, number> }) {
  const sources = [
    ['storage', cov.storage],
    ['warehouse', cov.warehouse],
  ].filter((s): s is [string, NonNullable<CoverageView['storage']>] => s[1] !== null);
  if (sources.length === 0) return null;
  const barWidth = coverageBarWidth(width, sources.map(([, s]) => coverageRight(s, cov.expected).map((p) => p.text).join('')));
  const details = sources.map(([name, s]) => sourceDetail(name, s)).join(' · ');
  const failing = sources.filter(([, s]) => s.error);
  let left = lines - sources.length;
  const room = (rows: number) => (rows <= left ? ((left -= rows), true) : false);
  const showTicks = room(1);
  const showErrors = failing.length > 0 && room(failing.length);
  const showDetails = room(1);
  // Crowded labels (95 98 100 on a short bar) may reach past the bar: the lag note takes what is left after them.
  // No keys expected: no target is marked on the bars, so none is labelled (h88 on AI13's nit: `95 98 100` under them).
  const ticks = (cov.expected === 0 ? '' : tickLabels(cov.targets, barWidth)).padEnd(barWidth + 1);
  return (
    <Box flexDirection="column">
      {sources.map(([name, s]) => (
        <CoverageBar key={name} name={name} source={s} expected={cov.expected} barWidth={barWidth} />
      ))}
      {showTicks ? <Text dimColor wrap="truncate-end">
        {' '.repeat(LABEL_WIDTH)}
        {ticks}
        {cov.lag?.length ? lagNote(cov.lag.length, width - LABEL_WIDTH - ticks.length) : ''}
      </Text> : null}
      {showDetails ? <Text dimColor wrap="truncate-end">
        {' '.repeat(LABEL_WIDTH)}
        {details}
      </Text> : null}
      {showErrors ? failing.map(([name, s]) => <SourceError key={name} name={name} source={s} width={width} rows={errorRows[name] ?? 1} />) : null}
    </Box>
  );
}

/**
 * `  lag 218 (in storage, not loaded yet)` in `room` columns: the words shorten before the figure is cut (tester AA9's
 * recheck: `lag 218 (in storage, not l…` at 80 columns).
 */
export function lagNote(lag: number, room: number): string {
  const n = formatCount(lag);
  return [`  lag ${n} (in storage, not loaded yet)`, `  lag ${n} (not loaded yet)`, `  lag ${n}`].find((f) => f.length <= room) ?? `  lag ${n}`;
}

/** Lines the panel takes, for the dashboard's height budget. */
export function coveragePanelHeight(cov: CoverageView): number {
  const sources = [cov.storage, cov.warehouse].filter((s) => s !== null);
  if (sources.length === 0) return 0;
  return sources.length + 2 + sources.filter((s) => s!.error).length;
}
