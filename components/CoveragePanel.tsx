import { Box, Text } from 'ink';
import type { CoverageView } from '../src/state/coverage-view.js';
import { CoverageBar, coverageBarWidth, LABEL_WIDTH, SourceError, sourceDetail, tickLabels } from './CoverageBar.js';

/** Storage and warehouse bars sharing one scale and one line of target labels, then lag and errors. */
export function CoveragePanel({ cov, width }: { cov: CoverageView; width: number }) {
  const sources = [
    ['storage', cov.storage],
    ['warehouse', cov.warehouse],
  ].filter((s): s is [string, NonNullable<CoverageView['storage']>] => s[1] !== null);
  if (sources.length === 0) return null;
  const barWidth = coverageBarWidth(width);
  const details = sources.map(([name, s]) => sourceDetail(name, s)).join(' · ');
  return (
    <Box flexDirection="column">
      {sources.map(([name, s]) => (
        <CoverageBar key={name} name={name} source={s} expected={cov.expected} barWidth={barWidth} />
      ))}
      <Text dimColor wrap="truncate-end">
        {' '.repeat(LABEL_WIDTH)}
        {tickLabels(cov.targets, barWidth).padEnd(barWidth + 1)}
        {cov.lag ? '  ' : ''}
        {cov.lag ? `lag ${cov.lag.length} (not loaded yet)` : ''}
      </Text>
      <Text dimColor wrap="truncate-end">
        {' '.repeat(LABEL_WIDTH)}
        {details}
      </Text>
      {sources.map(([name, s]) => (
        <SourceError key={name} name={name} source={s} />
      ))}
    </Box>
  );
}

/** Lines the panel takes, for the dashboard's height budget. */
export function coveragePanelHeight(cov: CoverageView): number {
  const sources = [cov.storage, cov.warehouse].filter((s) => s !== null);
  if (sources.length === 0) return 0;
  return sources.length + 2 + sources.filter((s) => s!.error).length;
}
