/**
 * Kills the process group of each launched run (a launch is its own session and group: its pid is the group's id),
 * and empties the list. Never kill(-0) or kill(-1): a pid below 2 is skipped. A group already gone is fine.
 */
export function killRunGroups(pids: number[]): void {
  for (const pid of pids.splice(0)) {
    if (!(pid > 1)) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
