import React from 'react';
import { Text } from 'ink';
import { truncate } from '../src/format.js';
import { useColor } from './theme.js';

const SHOW_MS = 60_000;

/** The newest notices (launch failed, stale lock taken over, ...), for a minute each. */
export function Notices({ notices, now }: { notices: { at: number; text: string; tone: 'info' | 'warn' | 'fail' }[]; now: number }) {
  const color = useColor();
  const recent = notices.filter((n) => now - n.at < SHOW_MS).slice(-2);
  return (
    <>
      {recent.map((n, i) => (
        <Text key={i} color={color ? (n.tone === 'fail' ? 'red' : n.tone === 'warn' ? 'yellow' : 'cyan') : undefined}>
          {truncate(n.text, 200)}
        </Text>
      ))}
    </>
  );
}
