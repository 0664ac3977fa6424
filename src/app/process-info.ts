import { existsSync } from 'node:fs';
import type { Config } from '../config.js';
import { findAttachable } from '../runner/attach.js';
import { externalWriters, hiddenWriterPossible, type WritersScan } from '../runner/log-writers.js';
import { readRuns, readWriterEnds, recordedSignals, type RunRecord } from '../runner/runs-file.js';
import { runsOwner } from '../runner/runs-owner.js';
import { withMarkedPids } from '../runner/run-mark.js';
import type { ProcessState, RecordedRun } from '../state/app-state.js';
import { STOP_GRACE_MS } from '../state/confirm-situation.js';

/** runs.jsonl records as the history view shows them. */
export function recordedRuns(runs: RunRecord[]): RecordedRun[] {
  return runs.map((r) => ({
    id: r.id,
    label: r.label,
    keyCount: r.keyCount,
    keysFile: r.keysFile,
    keysGiven: r.keysFile !== null && r.argv.some((a) => a.includes(r.keysFile!)),
    // A command given no keys file chose its keys itself: how many is not known here (tester W14).
    ...(r.keysFile === null && r.keyCount === 0 ? { keysUnknown: true } : {}),
    ...(r.workers !== undefined ? { workers: r.workers } : {}),
    ...(r.timeout !== undefined ? { timeout: r.timeout } : {}),
    pid: r.pid ?? 0,
    startedAt: r.startedAt,
    endedAt: r.end?.endedAt ?? null,
    exitCode: r.end?.exitCode ?? null,
    reason: r.end?.reason ?? null,
    ...(r.end?.reason === 'complete' && r.stopAskedAt !== undefined ? { stopIgnored: true as const } : {}),
    counts: r.end?.counts ? { succeeded: r.end.counts.succeeded ?? 0, failed: r.end.counts.failed ?? 0, skipped: r.end.counts.skipped ?? 0 } : null,
    storageBefore: r.end?.counts?.storageBefore ?? null,
    storageAfter: r.end?.counts?.storageAfter ?? null,
    storageAfterAt: r.end?.counts?.storageAfterAt ?? null,
    ...(r.end?.reason === 'failed-to-start' && r.end.message ? { message: r.end.message } : {}),
  }));
}

/**
 * A run a dashboard asked to stop whose process is gone, its end not recorded yet (the stopping dashboard was left
 * before the script wound down, and no dashboard has looked since): stopped, as the next dashboard will record it
 * (tester Y1: `status` said `ended`). Its end is the last signal recorded sent to it for now (the SIGTERM its carrier
 * sent only while it still ran: tester AH1, `status` said 0:07 to the SIGINT where the dashboard said 0:18);
 * snapshot.ts takes the run's last line when later, once the log is read, as the dashboard's record does
 * (unwatched-end.ts unwatchedEndAt).
 */
function withStopsSeen(history: RecordedRun[], ended: RunRecord[]): RecordedRun[] {
  const stopped = new Map(ended.filter((r) => r.stopAskedAt !== undefined).map((r) => [r.id, Math.max(r.stopAskedAt!, r.stopTermAt ?? -Infinity)]));
  if (stopped.size === 0) return history;
  return history.map((h) => (stopped.has(h.id) ? { ...h, reason: 'stopped', endedAt: stopped.get(h.id)!, endFromStop: true } : h));
}

/**
 * Where the stop of a run still going stands by its records (tester Y9: a stop confirmed, then the dashboard left
 * during it): SIGINT at the stop record, SIGTERM at a stop record with `signal`; past SIGTERM's grace only the
 * SIGKILL question is left. Nothing for a run no dashboard asked to stop.
 */
export function recordedStop(run: RunRecord | null, now: number): Pick<ProcessState, 'stopping' | 'stopSignals'> | null {
  if (!run || run.stopAskedAt === undefined) return null;
  const termAt = run.stopTermAt !== undefined && run.stopTermAt >= run.stopAskedAt ? run.stopTermAt : null;
  // What was sent: no SIGINT where every process ignored it (h74's note).
  const stopSignals = recordedSignals({ askedAt: run.stopAskedAt, termAt, skipped: run.stopSkipped === 'SIGINT' });
  const stopping = termAt === null ? 'sigint' : now - termAt >= STOP_GRACE_MS ? 'needs-kill' : 'sigterm';
  return { stopping, stopSignals };
}

/** Whether the process side of a snapshot can be known here (Linux /proc). */
export const CAN_SEE_WRITERS = existsSync('/proc/self/fd');

/** What runs.jsonl and /proc say now: the run we can re-attach to, and who else writes the log. */
export async function processSnapshot(config: Config, writers?: WritersScan, now: () => number = Date.now): Promise<Partial<ProcessState>> {
  // A launch recorded without its pid (its dashboard killed right after the spawn: tester AA13) is found by its mark.
  const { runs } = withMarkedPids(await readRuns(config.stateDir, runsOwner(config)).catch(() => [] as RunRecord[]));
  const { attachable, ended } = findAttachable(runs);
  // A run without a start time cannot be proven ours: a process under its pid that writes the log is external.
  const ours = runs.filter((r) => r.pid !== null && r.procStart !== null && r.end === null).map((r) => r.pid as number);
  // Taken before the walk: a write while it runs proves a writer it may have missed (writer.ts). The machine's clock,
  // as the log file's modification time it is compared with, whatever clock the snapshot is given.
  const lookedAt = Date.now();
  const external = CAN_SEE_WRITERS ? await (writers ? writers.external(config.log, ours) : externalWriters(config.log, ours)) : [];
  return {
    runId: attachable?.id ?? null,
    pid: attachable?.pid ?? null,
    procStart: attachable?.procStart ?? null,
    // Its command exited leaving the backfill running in its session (tester W24): what was left, as recorded.
    left: attachable?.left ?? null,
    attached: attachable !== null,
    alive: attachable ? true : null,
    // A stop asked and not over: every dashboard and `status` say `stopping`, and a dashboard carries it on.
    ...(recordedStop(attachable, now()) ?? {}),
    external: external.length > 0,
    externalPids: external,
    writersChecked: CAN_SEE_WRITERS,
    writersHidden: CAN_SEE_WRITERS && external.length === 0 && hiddenWriterPossible(config.log),
    writersCheckedAt: CAN_SEE_WRITERS ? lookedAt : null,
    history: withStopsSeen(recordedRuns(runs), ended),
    // When writers not started here were seen to go (another dashboard's record): their run's end (writer.ts).
    writerEnds: await readWriterEnds(config.stateDir, runsOwner(config)),
  };
}
