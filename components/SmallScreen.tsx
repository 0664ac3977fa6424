import React from 'react';
import { Box, Text } from 'ink';
import type { AppState } from '../src/state/app-state.js';
import { confirmWords } from '../src/state/confirm-words.js';
import { answerKeys, keyLabel } from '../src/keymap.js';
import { truncate, wrap as wrapText } from '../src/text-width.js';

/**
 * The smallest terminal the job screen draws its views in. Under it the views' lines would wrap and push the
 * header (the run's state) and a box's question off the top (tester X9: at 30×8 a confirm box showed only its
 * `y`/`n` line), so the job screen shrinks to what must never be lost: the header, an open question whole,
 * and what the keys do.
 */
export const JOB_MIN_WIDTH = 40;
export const JOB_MIN_HEIGHT = 10;

export const tooSmall = (width: number, height: number) => width < JOB_MIN_WIDTH || height < JOB_MIN_HEIGHT;

/** The job screen in a terminal under JOB_MIN_WIDTH×JOB_MIN_HEIGHT: at most height − 1 rows (Ink redraws all of a full screen). */
export function SmallScreen({ state, header, run = null, width, height }: { state: AppState; header: React.ReactNode; run?: string | null; width: number; height: number }) {
  const rows = Math.max(1, height - 1);
  const c = state.ui.confirm;
  const cut = (s: string) => truncate(s, Math.max(1, width));
  const size = `too small: ${width}×${height}, needs ${JOB_MIN_WIDTH}×${JOB_MIN_HEIGHT}`;
  // The newest notice (a refused key says why there), wrapped.
  const notice = state.ui.notices.at(-1)?.text;
  const noticeLines = notice ? wrapText(notice, Math.max(1, width)) : [];
  let middle: string[];
  let keys: string;
  // With a question or a group choice open, the size line and the newest notice still come under it as rows allow
  // (tester AA5: at 39×12 a box left rows blank and never said the terminal was too small).
  let after: string[] = [];
  if (c) {
    const words = confirmWords(c);
    middle = wrapText(c.message, Math.max(1, width));
    const all = c.withPersistent?.length ?? 0;
    keys = [...(c.keys.length > 0 || !all ? [`${answerKeys('confirm-yes')} ${words.yes}`] : []), ...(all ? [`${answerKeys('confirm-all')} ${words.all}`] : []), `${answerKeys('confirm-no')} ${words.no}`, 'q quit'].join(' · ');
    after = [size, ...noticeLines];
  } else if (state.ui.choosingGroup) {
    const g = state.ui.choosingGroup;
    middle = [`retry group: ${g.groups[g.index]?.label ?? ''} (${g.index + 1} of ${g.groups.length})`];
    keys = `j/k choose · ${keyLabel('return')} retry · ${keyLabel('escape')} cancel`;
    after = [size, ...noticeLines];
  } else {
    // The run's progress next after the header (tester Y2: at 20×5 the header and the run went, a notice stayed), then
    // the size line and the newest notice, as room allows.
    middle = [...(run ? [run] : []), size, ...noticeLines];
    keys = 'q quit · ? keys';
  }
  // Rows are given in order of need. With a question open: the question first (an answer must never go to a question
  // not on screen), its answers, then the header. Else the header first (what is watched and whether it runs), then
  // the run's progress and the size line, then the keys.
  const showHeader = c ? rows >= 3 : true;
  const showKeys = c ? rows >= 2 : rows >= 3;
  const room = Math.max(0, rows - (showHeader ? 1 : 0) - (showKeys ? 1 : 0));
  const shown = middle.length <= room ? middle : c ? [...middle.slice(0, room - 1), truncate(middle.slice(room - 1).join(' '), width)] : middle.slice(0, room);
  const then = after.slice(0, Math.max(0, room - shown.length));
  return (
    <Box flexDirection="column" width={width}>
      {showHeader ? header : null}
      {shown.map((line, i) => (
        <Text key={i} bold={!!c} wrap="truncate-end">
          {cut(line)}
        </Text>
      ))}
      {then.map((line, i) => (
        <Text key={`after-${i}`} dimColor={i > 0} wrap="truncate-end">
          {cut(line)}
        </Text>
      ))}
      {showKeys ? (
        <Text dimColor wrap="truncate-end">
          {cut(keys)}
        </Text>
      ) : null}
    </Box>
  );
}
