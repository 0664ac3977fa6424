import { expect, test } from 'vitest';
import { demoLeaveLines } from '../src/app/demo-leave-words.js';

// Tester AD1: the region's line was written whole and the terminal cut it at column 80, `kill 960` / `9`.
test('the demo\'s leave words fit 80 columns, each command to copy on a line of its own, whole', () => {
  const region = "demo Cloud Run region (pid 9609) stays up: execution bdl-boxscore-backfill-f18e2's last log entries are still on their way (up to 17 s); open the demo again to keep their record. It exits 30 min after its last request, or now with: kill 9609";
  expect(demoLeaveLines(['demo directory: /tmp/d', 'open it again with: npx backfill-tui demo --dir /tmp/d', region], 80)).toEqual([
    'demo directory: /tmp/d',
    'open it again with:',
    '  npx backfill-tui demo --dir /tmp/d',
    'demo Cloud Run region (pid 9609) stays up: execution',
    "  bdl-boxscore-backfill-f18e2's last log entries are still on their way (up to",
    '  17 s); open the demo again to keep their record. It exits 30 min after its',
    '  last request, or now with:',
    '  kill 9609',
  ]);
  // A line with no command is wrapped alone.
  expect(demoLeaveLines(['demo Cloud Run region (pid 12) stopped: no execution was running in it'], 40)).toEqual(['demo Cloud Run region (pid 12) stopped:', '  no execution was running in it']);
});
