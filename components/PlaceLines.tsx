import { Text } from 'ink';
import type { PlaceLine } from '../src/state/place-view.js';
import { useColor } from './theme.js';
import { WrappedText } from './WrappedText.js';
import { commandRows, fitRows, hangingWrap } from '../src/text-width.js';

/**
 * The rows a place line takes read whole at `width`: its text wrapped with a hanging indent; one offering a shell
 * command, its lead, then the command on rows of its own, each but the last ending in ` \` (a paste is one command).
 */
export function placeLineRows(l: PlaceLine, width: number): string[] {
  if (!l.command) return hangingWrap(l.text, width);
  return [...hangingWrap(`${l.command.lead}, or in a shell:`, width), ...commandRows(`  ${l.command.command}`, width, 4)];
}

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
        (rows[l.text] ?? 1) > 1 && l.command ? (
          // Its command whole on its rows, or none of it: a command cut across rows without ` \` pastes as two.
          (rows[l.text] >= placeLineRows(l, width).length ? placeLineRows(l, width) : fitRows(l.command.lead, width, rows[l.text])).map((r, k) => (
            <Text key={`${i}.${k}`} color={color ? TONE[l.tone] : undefined} wrap="truncate-end">
              {r}
            </Text>
          ))
        ) : (rows[l.text] ?? 1) > 1 ? (
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
