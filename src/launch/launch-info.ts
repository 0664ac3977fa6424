/** How V8's code cache went for the bundle the launcher ran (src/launch/code-cache.ts). */
export type CodeCacheUse = 'accepted' | 'rejected' | 'absent';

/**
 * What the launcher (src/bin.ts) did before the CLI's own code ran, for the start-up stages
 * (src/startup-timing.ts): each mark is [stage, ms since the process started, CPU ms used by then].
 */
export interface LaunchInfo {
  codeCache: CodeCacheUse;
  /** Which cache was read: the one shipped beside the bundle, the user's own (src/launch/cache-place.ts), or none. */
  cacheKind: 'shipped' | 'user' | 'none';
  marks: [string, number, number][];
}

/** Where the launcher leaves its LaunchInfo: a registered symbol, the same in every bundle of one process. */
export const LAUNCH_INFO = Symbol.for('backfill-tui.launch');
