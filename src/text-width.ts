import stringWidth from 'string-width';

/*
 * Terminal widths, apart from format.ts: string-width builds an Intl.Segmenter and Unicode property
 * regexes (RGI_Emoji) when it loads, about 50 ms, and `status` (text or JSON) measures no widths. Only
 * the views import this file.
 */

/** Columns `text` takes on a terminal: wide characters (CJK, most emoji) count two, escape codes none. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Cuts text to `width` terminal columns, measured by display width (an emoji or a CJK character takes
 * two), ending in `…` when anything was cut. Plain text only: styled rows are cut by Ink's own
 * `wrap="truncate-end"`, which measures the same way.
 */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (stringWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return out + '…';
}

/** `text` cut to `width` columns, then padded with spaces to exactly `width`: a fixed-width column. */
export function fitColumn(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  const pad = ' '.repeat(Math.max(0, width - stringWidth(cut)));
  return align === 'left' ? cut + pad : pad + cut;
}
