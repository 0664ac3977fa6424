import { isActive } from '../cloud-run/execution.js';
import type { AppState, ConfirmKind, ProcessState } from './app-state.js';

/** Grace each of SIGINT and SIGTERM gets before the next step of a stop. */
export const STOP_GRACE_MS = 10_000;

/**
 * What a confirm box's question depends on, as a comparable key and in the operator's words. A box is
 * fixed from the moment it opens: when this changes under it, the box closes and nothing happens.
 */
export function confirmSituation(kind: ConfirmKind, state: AppState): { key: string; words: string } {
  const p = state.process;
  const ours = p.attached && p.alive === true ? `run ${p.runId} (pid ${p.pid})` : null;
  if (kind === 'stop' || kind === 'kill') {
    const key = `${p.runId}|${p.pid}|${p.alive}|${p.stopping ?? 'none'}`;
    // A Cloud Run box asked to cancel an execution: said of the execution, as the box named it (tester AH5 d: a cancel
    // from gcloud closed it as `the stop question …, as run resume-… is no longer running`).
    const e = state.place?.execution;
    if (state.place && e) return { key, words: !isActive(e) ? `execution ${e.id} ${e.state === 'cancelled' ? 'was cancelled' : e.state === 'unknown' ? 'is no longer listed' : e.state}` : `execution ${e.id} is the one running now` };
    if (!ours) return { key, words: `run ${p.runId ?? ''} is no longer running`.replace('  ', ' ') };
    return { key, words: p.stopping ? `the stop moved on: ${stopStage(p, state.now, false)}` : `${ours} is running and no stop is under way` };
  }
  // Launching: what would block it (a run of ours, a writer we did not start).
  // A Cloud Run execution started elsewhere has no pid: it is named by its execution (the run id).
  const external = p.external ? (p.externalPids.length ? `pid ${p.externalPids.join(', ')} writes the log` : `execution ${p.runId} (started elsewhere) runs`) : null;
  const key = `${ours ?? ''}|${external ?? ''}`;
  return { key, words: ours ? `${ours} is running now` : external ? `${external} now` : 'nothing is running now' };
}

/** 14:03:07 in the local time zone: when a signal went out or the next one is due. */
export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString('en-GB', { hour12: false });
}

/**
 * What another dashboard's stop sent, for a dashboard that joins it: "SIGINT at 14:03:07", "SIGINT at 14:03:07, SIGTERM
 * at 14:03:17", or, where every process ignored SIGINT and none went (its record says so), "SIGINT not sent as its
 * processes ignore it, SIGTERM at 14:03:07" (h74's note: `SIGINT at …` of a SIGINT never sent).
 */
export function joinedSentWords(signals: ProcessState['stopSignals']): string {
  const said = signals.map((s) => `${s.signal} at ${clockTime(s.at)}`).join(', ');
  return signals[0]?.signal === 'SIGTERM' ? `SIGINT not sent as its processes ignore it, ${said}` : said;
}

/** The signals a stop has sent so far, with their times: "SIGINT at 14:03:07, SIGTERM at 14:03:17". */
export function signalsSent(p: Pick<ProcessState, 'stopSignals'>): string {
  return p.stopSignals.map((s) => `${s.signal} at ${clockTime(s.at)}`).join(', ');
}

/**
 * Where a stop is and what comes next: "sent SIGINT at 14:03:07; SIGTERM at 14:03:17 (in 4 s) if it is still running".
 * `countdown` false for a notice, whose words stay while time goes on (tester AC11: `(in 8 s)` stood frozen above the
 * run it had stopped): the time only. `status` prints it once, at its moment, with the seconds.
 */
export function stopStage(p: Pick<ProcessState, 'stopping' | 'stopSignals'>, now: number, countdown = true): string {
  const last = p.stopSignals.at(-1);
  const sent = signalsSent(p) || 'nothing yet';
  if (p.stopping === 'needs-kill') return `it ignored ${p.stopSignals.map((s) => s.signal).join(' and ')} (sent ${sent.replace(/SIG\w+ at /g, '')}): only SIGKILL is left, and it waits for your decision`;
  if (!last) return 'starting';
  const due = last.at + STOP_GRACE_MS;
  const next = p.stopping === 'sigint' ? `SIGTERM at ${clockTime(due)}` : `the SIGKILL question at ${clockTime(due)}`;
  return `sent ${sent}; ${next}${countdown ? ` (in ${Math.max(0, Math.ceil((due - now) / 1000))} s)` : ''} if it is still running`;
}

/** The header's short form: "SIGINT sent, SIGTERM in 4 s"; "SIGINT and SIGTERM ignored: x decides". */
export function stopHeadline(p: Pick<ProcessState, 'stopping' | 'stopSignals'>, now: number): string | null {
  if (!p.stopping) return null;
  if (p.stopping === 'needs-kill') return `${p.stopSignals.map((s) => s.signal).join(' and ') || 'signals'} ignored: x decides`;
  const last = p.stopSignals.at(-1);
  if (!last) return 'starting';
  const left = Math.max(0, Math.ceil((last.at + STOP_GRACE_MS - now) / 1000));
  return `${last.signal} sent, ${p.stopping === 'sigint' ? 'SIGTERM' : 'SIGKILL question'} in ${left} s`;
}
