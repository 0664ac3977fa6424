import { Text } from 'ink';
import { barCells } from '../src/format.js';
import { SEGMENT, useColor } from './theme.js';

/** One part of a bar: a count, its glyph and color. */
export interface Segment {
  count: number;
  glyph: string;
  color: string;
}

/**
 * A run's bar segments, one glyph for one meaning on every screen (the job screen's run bar, the overview's compact
 * one; tester V4: the overview drew 3 skipped keys as ███ scraped beside the job screen's ↷↷↷).
 */
export function runSegments(run: { succeeded: number; failed: number; skipped: number }): Segment[] {
  return [
    { count: run.succeeded, ...SEGMENT.succeeded },
    { count: run.failed, ...SEGMENT.failed },
    { count: run.skipped, ...SEGMENT.skipped },
  ];
}

/** A bar of `width` cells split among segments; the rest is empty track. Ticks mark cells (e.g. targets). */
export function SegmentBar({ segments, total, width, ticks = [], cap }: { segments: Segment[]; total: number; width: number; ticks?: number[]; cap?: number }) {
  const color = useColor();
  const cells = barCells(
    segments.map((s) => s.count),
    total,
    width,
    cap,
  );
  const parts: { text: string; color?: string }[] = [];
  segments.forEach((s, i) => {
    if (cells[i] > 0) parts.push({ text: s.glyph.repeat(cells[i]), color: s.color });
  });
  const used = cells.reduce((a, b) => a + b, 0);
  parts.push({ text: '░'.repeat(Math.max(0, width - used)), color: 'gray' });
  const flat = parts.flatMap((p) => Array.from(p.text).map((ch) => ({ ch, color: p.color })));
  for (const t of ticks) {
    const i = Math.min(width - 1, Math.max(0, t));
    if (flat[i] && flat[i].ch === '░') flat[i] = { ch: '┃', color: 'white' };
  }
  const runs: { text: string; color?: string }[] = [];
  for (const c of flat) {
    const last = runs[runs.length - 1];
    if (last && last.color === c.color) last.text += c.ch;
    else runs.push({ text: c.ch, color: c.color });
  }
  return (
    <Text>
      {runs.map((r, i) => (
        <Text key={i} color={color ? r.color : undefined}>
          {r.text}
        </Text>
      ))}
    </Text>
  );
}
