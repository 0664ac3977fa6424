import { Text } from 'ink';
import { fitRows, hangingWrap } from '../src/text-width.js';

/**
 * `text` over at most `rows` rows of `width` columns, broken at spaces with a hanging indent; what does not fit
 * ends the last row in `…`. A problem's cause and its fix come after the thing that failed (a bucket path of 50
 * columns), so a row cut at the width hid both (tester AA9): the job screen gives such a line the rows it needs
 * while rows are free (wrappedRows), and this draws it in them.
 */
export function WrappedText({ text, width, rows, color, dim = false }: { text: string; width: number; rows: number; color?: string; dim?: boolean }) {
  const lines = problemRows(text, width, rows);
  return (
    <>
      {lines.map((l, i) => (
        <Text key={i} color={color} dimColor={dim} wrap="truncate-end">
          {l}
        </Text>
      ))}
    </>
  );
}

/** The rows `text` takes wrapped at `width`, at most `rows` (the last one cut with `…` when more were needed). */
export const problemRows = fitRows;

/** Rows `text` needs to be read whole at `width`. */
export function wrappedRows(text: string, width: number): number {
  return hangingWrap(text, width).length;
}
