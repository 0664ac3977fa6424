import { Text } from 'ink';
import { useColor } from './theme.js';

const SHOW_MS = 60_000;

/** The notices still on screen at `now`: the newest two, each for a minute. */
export function recentNotices<T extends { at: number }>(notices: T[], now: number): T[] {
  return notices.filter((n) => now - n.at < SHOW_MS).slice(-2);
}

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
