import { Box, Text } from 'ink';
import { formatAge, formatBytes, formatCount, formatPercent } from '../src/format.js';
import { nextUnmetTarget } from '../src/coverage/math.js';
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

/** Columns left of the bar ("warehouse ") and right of it ("651/853 76.3 % 95 %: 160 more"). */
export const LABEL_WIDTH = 10;
export const RIGHT_WIDTH = 32;

/** The bar width shared by every source, so their target ticks line up. */
export function coverageBarWidth(width: number): number {
  return Math.max(10, width - LABEL_WIDTH - RIGHT_WIDTH - 1);
}

/** `storage   ████░░┃░┃┃ 651/853 76.3 % 95 %: 160 more`: one line, ticks at each target. */
export function CoverageBar({ name, source, expected, barWidth }: { name: string; source: SourceCoverage; expected: number | null; barWidth: number }) {
  const color = useColor();
  const cov = source.coverage;
  const present = cov?.present ?? 0;
  const counter = cov && expected !== null ? `${formatCount(present)}/${formatCount(expected)} ${formatPercent(present, expected)}` : source.checking ? 'checking…' : source.error ? 'unknown' : '–';
  const next = cov ? nextUnmetTarget(cov.targets) : null;
  const need = cov ? (next ? `${next.percent} %: ${formatCount(next.needed)} more` : 'all targets met') : '';
  const ticks = cov ? cov.targets.map((t) => Math.round((t.percent / 100) * barWidth) - 1) : [];
  const seg = name === 'warehouse' ? SEGMENT.warehouse : SEGMENT.storageOnly;
  return (
    <Box>
      <Text>{name.padEnd(LABEL_WIDTH)}</Text>
      <SegmentBar width={barWidth} total={Math.max(expected ?? 1, 1)} segments={[{ count: present, glyph: seg.glyph, color: seg.color }]} ticks={ticks} />
      <Text wrap="truncate-end">
        {' '}
        {counter}
        {source.stale ? <Text color={color ? 'yellow' : undefined}> stale</Text> : null}{' '}
        <Text color={color ? (next ? 'yellow' : 'green') : undefined}>{need}</Text>
      </Text>
    </Box>
  );
}

/** What is known about how a source was read: "storage +3 extra · prefixes · 0:12 ago". */
export function sourceDetail(name: string, s: SourceCoverage): string {
  const parts = [name];
  if (s.coverage?.extra) parts.push(`+${formatCount(s.coverage.extra)} not expected`);
  if (s.method) parts.push(s.note ? `${s.method} (streaming buffer)` : s.method);
  if (s.bytesBilled !== null) parts.push(`bills ${formatBytes(s.bytesBilled)}`);
  parts.push(s.ageMs === null ? 'not checked yet' : formatAge(s.ageMs));
  return parts.join(' ');
}

/** One red line per failing source: what went wrong and how to fix it; old figures stay, marked stale. */
export function SourceError({ name, source }: { name: string; source: SourceCoverage }) {
  const color = useColor();
  if (!source.error) return null;
  return (
    <Text color={color ? 'red' : undefined} wrap="truncate-end">
      {name}: {source.error}
      {source.hint ? ` → ${source.hint}` : ''}
    </Text>
  );
}
