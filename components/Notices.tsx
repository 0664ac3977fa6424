import { Text } from 'ink';
import { useColor } from './theme.js';

import { recentNotices } from '../src/state/body-height.js';

export { recentNotices };

/** The newest notices (launch failed, stale lock taken over, ...), for a minute each. */
export function Notices({ notices, now }: { notices: { at: number; text: string; tone: 'info' | 'warn' | 'fail' }[]; now: number }) {
  const color = useColor();
  const recent = recentNotices(notices, now);
  return (
    <>
      {recent.map((n, i) => (
        <Text key={i} color={color ? (n.tone === 'fail' ? 'red' : n.tone === 'warn' ? 'yellow' : 'cyan') : undefined} wrap="truncate-end">
          {n.text}
        </Text>
      ))}
    </>
  );
}
