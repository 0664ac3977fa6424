import React, { createContext, useContext } from 'react';
import type { Tone } from '../src/log-line.js';

/** Whether to use color: off under NO_COLOR (https://no-color.org) or when the caller says so. */
export const ColorContext = createContext<boolean>(true);

/** True when colors may be used. */
export function useColor(): boolean {
  return useContext(ColorContext);
}

const TONE_COLORS: Record<Tone, string | undefined> = {
  ok: 'green',
  fail: 'red',
  warn: 'yellow',
  progress: 'cyan',
  info: undefined,
  dim: 'gray',
};

/** Ink color for a tone, or undefined without color. */
export function toneColor(tone: Tone, color: boolean): string | undefined {
  return color ? TONE_COLORS[tone] : undefined;
}

/**
 * Glyphs and colors of bars and the calendar. One glyph per meaning everywhere, so the screen reads
 * without color: █ there (scraped, or present in the source the row is about), ✗ failed, ↷ skipped
 * (as in the counts line), ▒ in storage but not yet in the warehouse, ░ not there (yet), · not
 * checked yet, ? unknown (the source failed).
 */
export const SEGMENT = {
  succeeded: { glyph: '█', color: 'green' },
  failed: { glyph: '✗', color: 'red' },
  skipped: { glyph: '↷', color: 'blue' },
  present: { glyph: '█', color: 'green' },
  storageOnly: { glyph: '▒', color: 'yellow' },
  empty: { glyph: '░', color: 'gray' },
  unchecked: { glyph: '·', color: 'gray' },
  unknown: { glyph: '?', color: 'magenta' },
} as const;

/** Provides the color switch to the tree. */
export function ColorProvider({ color, children }: { color: boolean; children: React.ReactNode }) {
  return <ColorContext.Provider value={color}>{children}</ColorContext.Provider>;
}
