import React from 'react';
import { Box, Text } from 'ink';
import { formatBytes, formatClock, formatCount, formatPercent } from '../src/format.js';
import type { SourceCoverage } from '../src/state/coverage-view.js';
import { SegmentBar } from './SegmentBar.js';
import { SEGMENT, useColor } from './theme.js';

/** Places target labels under their ticks without overlapping ("95 98 100"). */
export function tickLabels(targets: number[], width: number): string {
  let line = '';
  for (const t of [...targets].sort((a, b) => a - b)) {
    const label = String(t);
    const at = Math.min(width - 1, Math.round((t / 100) * width) - 1);
    const start = Math.max(at - label.length + 1, line.length + (line.length ? 1 : 0));
    line = line.padEnd(start) + label;
  }
  return line;
}

/** `storage  ████░░┃░┃┃  651/853  76.3 %  95 %: 160 more`, with target ticks and a stale/error line. */
export function CoverageBar({ name, source, expected, width }: { name: string; source: SourceCoverage; expected: number | null; width: number }) {
  const color = useColor();
  const cov = source.coverage;
  const present = cov?.present ?? 0;
  const counter = cov && expected !== null ? `${formatCount(present)}/${formatCount(expected)} ${formatPercent(present, expected)}` : source.checking ? 'checking…' : '–';
  const next = cov?.targets.find((t) => !t.met);
  const need = cov ? (next ? `${next.percent} %: ${formatCount(next.needed)} more` : 'all targets met') : '';
  const labelWidth = 10;
  const barWidth = Math.max(10, width - labelWidth - counter.length - need.length - 4);
  const ticks = cov ? cov.targets.map((t) => Math.round((t.percent / 100) * barWidth) - 1) : [];
  const seg = name === 'warehouse' ? SEGMENT.warehouse : SEGMENT.storageOnly;
  const age = source.ageMs === null ? '' : ` ${formatClock(source.ageMs)} ago`;
  return (
    <Box flexDirection="column">
      <Box>
        <Text>{name.padEnd(labelWidth)}</Text>
        <SegmentBar width={barWidth} total={Math.max(expected ?? 1, 1)} segments={[{ count: present, glyph: seg.glyph, color: seg.color }]} ticks={ticks} />
        <Text> {counter} </Text>
        <Text color={color ? (next ? 'yellow' : 'green') : undefined}>{need}</Text>
      </Box>
      {cov ? (
        <Text dimColor>
          {' '.repeat(labelWidth)}
          {tickLabels(cov.targets.map((t) => t.percent), barWidth)}
          {cov.extra ? `  +${formatCount(cov.extra)} not expected` : ''}
          {source.method ? `  ${source.method}` : ''}
          {source.bytesBilled !== null ? ` ${formatBytes(source.bytesBilled)}` : ''}
          {age}
        </Text>
      ) : null}
      {source.error ? (
        <Text color={color ? 'red' : undefined} wrap="truncate-end">
          {' '.repeat(labelWidth)}
          {source.stale ? `stale${age}: ` : ''}
          {source.error}
          {source.hint ? ` → ${source.hint}` : ''}
        </Text>
      ) : null}
    </Box>
  );
}
