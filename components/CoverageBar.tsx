import { withoutSourceName } from '../src/state/source-words.js';
import { WrappedText } from './WrappedText.js';
import { Text } from 'ink';
import { formatAgeSeconds, formatBytes, formatCount, formatPercent, targetCells } from '../src/format.js';
import { displayWidth } from '../src/text-width.js';
import { lookProgress } from '../src/state/listing-progress.js';
import { NO_KEYS_EXPECTED, nextUnmetTarget } from '../src/coverage/math.js';
import type { SourceCoverage } from '../src/state/coverage-view.js';
import { SegmentBar } from './SegmentBar.js';
import { SEGMENT, useColor } from './theme.js';

/** Places target labels under their ticks without overlapping ("95 98 100"). */
export function tickLabels(targets: number[], width: number): string {
  const cells = targetCells(targets, width);
  let line = '';
  for (const t of [...targets].sort((a, b) => a - b)) {
    const label = String(t);
    const at = cells.get(t)!;
    const start = Math.max(at - label.length + 1, line.length + (line.length ? 1 : 0));
    line = line.padEnd(start) + label;
  }
  return line;
}

/** Columns left of the bar ("warehouse "). */
export const LABEL_WIDTH = 10;
/** The bar keeps at least this many cells; the text right of it is cut (with `…`) before the bar shrinks further. */
const MIN_BAR = 20;

/**
 * A look under a second is just "checking…"; a longer one says how far it is and how long it has taken (tester F23:
 * a minute of "checking…"; Z10: a slow bucket listing showed no progress): `checking… 12,345 objects listed · 3 s`.
 */
function checkingText(source: SourceCoverage): string {
  const far = lookProgress(source.checkingMs, source.progress);
  return far ? `checking… ${far}` : 'checking…';
}

/** The text right of a source's bar: "651/853 76.3 % stale 95 %: 160 more", in colored parts. */
export function coverageRight(source: SourceCoverage, expected: number | null): { text: string; color?: string }[] {
  const cov = source.coverage;
  const present = cov?.present ?? 0;
  const none = cov !== null && expected === 0;
  const counter = none ? NO_KEYS_EXPECTED : cov && expected !== null ? `${formatCount(present)}/${formatCount(expected)} ${formatPercent(present, expected)}` : source.checking ? checkingText(source) : source.error ? 'unknown' : (source.waits ?? '–');
  const next = cov ? nextUnmetTarget(cov.targets) : null;
  const parts: { text: string; color?: string }[] = [{ text: ` ${counter}` }];
  if (source.stale) parts.push({ text: ' stale', color: 'yellow' });
  if (cov && !none) parts.push({ text: ` ${next ? `${next.percent} %: ${formatCount(next.needed)} more` : 'all targets met'}`, color: next ? 'yellow' : 'green' });
  return parts;
}

/**
 * The bar width shared by every source, so their target ticks line up: what is left of `width` after
 * the label and the widest right-hand text, measured by display width, never under {@link MIN_BAR}.
 */
export function coverageBarWidth(width: number, rights: string[]): number {
  const right = Math.max(0, ...rights.map(displayWidth));
  return Math.max(Math.min(MIN_BAR, width - LABEL_WIDTH - 1), width - LABEL_WIDTH - right);
}

/** `storage   ████░░┃░┃┃ 651/853 76.3 % 95 %: 160 more`: one row, never wrapped, ticks at each target. */
export function CoverageBar({ name, source, expected, barWidth }: { name: string; source: SourceCoverage; expected: number | null; barWidth: number }) {
  const color = useColor();
  const cov = source.coverage;
  const present = cov?.present ?? 0;
  // A tick while its target is not met, on a cell of its own that the fill reaches only once it is met (format.ts
  // targetCells; the fill capped before the lowest unmet one's). No keys expected: no target to mark.
  const cells = targetCells(cov?.targets.map((t) => t.percent) ?? [], barWidth);
  const unmet = expected === 0 ? [] : (cov?.targets ?? []).filter((t) => !t.met).map((t) => cells.get(t.percent)!);
  const ticks = unmet;
  const cap = unmet.length ? Math.min(...unmet) : undefined;
  // Each bar counts the keys present in its own source: █ in both (the label says which source).
  const seg = { ...SEGMENT.present, color: name === 'warehouse' ? 'green' : 'yellow' };
  return (
    <Text wrap="truncate-end">
      {name.padEnd(LABEL_WIDTH)}
      <SegmentBar width={barWidth} total={Math.max(expected ?? 1, 1)} segments={[{ count: present, glyph: seg.glyph, color: seg.color }]} ticks={ticks} cap={cap} />
      {coverageRight(source, expected).map((p, i) => (
        <Text key={i} color={color ? p.color : undefined}>
          {p.text}
        </Text>
      ))}
    </Text>
  );
}

/** What is known about how a source was read: "storage prefixes 0:12 ago · +3 not expected". */
export function sourceDetail(name: string, s: SourceCoverage): string {
  const parts = [name];
  // A local folder the backfill has not made yet holds nothing yet (local-source.ts); a BigQuery note is the buffer.
  // `files` alone read as a stray word (tester X9): a local listing by keyPattern says what it matched.
  const method = s.method === 'files' ? 'files by keyPattern' : s.method;
  if (method) parts.push(s.note ? (/does not exist yet/.test(s.note) ? `${method} not made yet` : `${method} (streaming buffer)`) : method);
  if (s.bytesBilled !== null) parts.push(`bills ${formatBytes(s.bytesBilled)}`);
  // A failing source is never "not checked yet", and its old figures are never "just now".
  parts.push(s.ageMs === null ? (s.error ? 'never answered' : 'not checked yet') : s.stale ? `last answer ${formatAgeSeconds(s.ageMs)}` : formatAgeSeconds(s.ageMs));
  // A look again over figures already shown: how far it is, after their age (the first look says it on the bar's row).
  const far = s.coverage ? lookProgress(s.checkingMs, s.progress) : null;
  if (far) parts.push(`(checking ${far})`);
  // Its own clause, after how the source was read (tester AG6 h: `storage +141 not expected directory just now`).
  const extra = s.coverage?.extra ? ` · +${formatCount(s.coverage.extra)} not expected` : '';
  return parts.join(' ') + extra;
}

/** A failing source's line: what went wrong and how to fix it (null when it answers). */
export function sourceErrorText(name: string, source: SourceCoverage): string | null {
  if (!source.error) return null;
  return `${name}: ${withoutSourceName(name, source.error)}${source.hint ? ` → ${source.hint}` : ''}`;
}

/**
 * One red line per failing source: what went wrong and how to fix it; old figures stay, marked stale. Over
 * `rows` rows (wrapped) when the screen gives it more than one.
 */
export function SourceError({ name, source, width = 0, rows = 1 }: { name: string; source: SourceCoverage; width?: number; rows?: number }) {
  const color = useColor();
  const text = sourceErrorText(name, source);
  if (text === null) return null;
  if (rows > 1) return <WrappedText text={text} width={width} rows={rows} color={color ? 'red' : undefined} />;
  return (
    <Text color={color ? 'red' : undefined} wrap="truncate-end">
      {text}
    </Text>
  );
}
