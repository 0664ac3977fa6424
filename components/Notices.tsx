import { Text } from 'ink';
import { useColor } from './theme.js';

import { recentNotices, type ShownNotice } from '../src/state/body-height.js';

export { recentNotices };

type Notice = { text: string; tone: 'info' | 'warn' | 'fail' };

/** The newest notices (launch failed, stale lock taken over, ...), wrapped as fitNotices laid them out. */
export function Notices({ notices }: { notices: ShownNotice<Notice>[] }) {
  const color = useColor();
  return (
    <>
      {notices.flatMap((n, i) =>
        n.lines.map((line, j) => (
          <Text key={`${i}-${j}`} color={color ? (n.tone === 'fail' ? 'red' : n.tone === 'warn' ? 'yellow' : 'cyan') : undefined} wrap="truncate-end">
            {line}
          </Text>
        )),
      )}
    </>
  );
}
