import { Text } from 'ink';
import type { PlaceLine } from '../src/state/place-view.js';
import { useColor } from './theme.js';

const TONE: Record<PlaceLine['tone'], string> = { info: 'cyan', ok: 'green', warn: 'yellow', fail: 'red' };

/** Where the run lives when it is not a local process: the Cloud Run execution, log delay, and one problem line. */
export function PlaceLines({ lines }: { lines: PlaceLine[] }) {
  const color = useColor();
  return (
    <>
      {lines.map((l, i) => (
        <Text key={i} color={color ? TONE[l.tone] : undefined} wrap="truncate-end">
          {l.text}
        </Text>
      ))}
    </>
  );
}
