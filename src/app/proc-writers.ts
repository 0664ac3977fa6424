import { existsSync } from 'node:fs';
import type { FollowWriters } from '../follow/moved-log.js';
import { holdersOf, movedLogWriters } from '../runner/log-writers.js';

/**
 * Who writes which file, from /proc, for a log follower (FollowOptions.writers): with it, a log moved aside while
 * its writer goes on is read where the writer's descriptor is (tester W20). Undefined where there is no /proc.
 */
export function procWriters(): FollowWriters | undefined {
  if (!existsSync('/proc/self/fd')) return undefined;
  return {
    holding: async (id) => holdersOf(id),
    movedFrom: (log) => movedLogWriters(log),
    // The descriptor's own file, even once deleted: opening it opens the same file, read-only.
    openPath: (w) => `/proc/${w.pid}/fd/${w.fd}`,
  };
}
