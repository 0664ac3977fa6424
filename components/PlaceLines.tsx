import { Text } from 'ink';
import type { PlaceLine } from '../src/state/place-view.js';
import { useColor } from './theme.js';
import { WrappedText } from './WrappedText.js';

const TONE: Record<PlaceLine['tone'], string> = { info: 'cyan', ok: 'green', warn: 'yellow', fail: 'red' };

/**
 * Where the run lives when it is not a local process: the Cloud Run execution, log delay, and one problem line.
 * `rows` gives a line more than one row (wrapped) where the screen has them free, keyed by its text.
 */
export function PlaceLines({ lines, width = 0, rows = {} }: { lines: PlaceLine[]; width?: number; rows?: Record<string, number> }) {
  const color = useColor();
  return (
    <>
      {lines.map((l, i) =>
        (rows[l.text] ?? 1) > 1 ? (
          <WrappedText key={i} text={l.text} width={width} rows={rows[l.text]} color={color ? TONE[l.tone] : undefined} />
        ) : (
          <Text key={i} color={color ? TONE[l.tone] : undefined} wrap="truncate-end">
            {l.text}
          </Text>
        ),
      )}
    </>
  );
}
