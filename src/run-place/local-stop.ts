import { join } from 'node:path';
import type { Config } from '../config.js';
import { isAlive, procStartOf } from '../runner/proc.js';
import { readRuns, recordStopNow, recordStopTermNow, recordedCarrierNow, recordedSignals, recordedStopNow, type RunRecord, type StopCarrier } from '../runner/runs-file.js';
import { claimNow, withClaim } from '../runner/claim-file.js';
import { runProcesses } from '../runner/session.js';
import { carryStop } from '../runner/stop-carrier.js';
import { stopRun } from '../runner/stop.js';
import { waitUntil } from '../runner/wait.js';
import { STOP_GRACE_MS, clockTime, joinedSentWords, signalsSent, stopStage } from '../state/confirm-situation.js';
import type { AppState } from '../state/app-state.js';
import type { Store } from '../store.js';
import { skippedSignalWords } from './end-words.js';
import type { PlaceStopOutcome } from './run-place.js';

/** How long after a stop's grace the standing carrier sends the SIGTERM this dashboard did not (see `standing`). */
export const DEADMAN_LAG_MS = 1000;

/** What a local run's stop needs from the place around it. */
export interface LocalStopDeps {
  config: Config;
  store: Store;
  now(): number;
  signal: AbortSignal;
  notice(text: string, tone?: 'info' | 'warn' | 'fail', key?: string): void;
  /** The key of a run's notices (local-place.ts). */
  runKey(id: string): string;
}

/**
 * Stopping a local run (the local place's `x`): SIGINT, then SIGTERM after the grace (recorded in runs.jsonl), then the
 * SIGKILL question; with a detached carrier standing for the SIGTERM from the first signal on, so a dashboard suspended,
 * killed or left during the grace never drops it, and one SIGTERM per stop whatever dashboards come and go
 * (stop-carrier.ts). Also a stop carried on from its record by a dashboard that re-attached (tester Y9), and the hand-off
 * on leaving. Moved out of local-place.ts as it was: the run's launch and watch stay there.
 */
export function createLocalStop(d: LocalStopDeps) {
  const { config, store, notice, runKey } = d;
  const dispatch = store.dispatch;
  /** A stop was asked for the run watched (here, or found in its record): its end is `stopped`. */
  let requested = false;

  /** Ends the dashboard's own escalation of a stop when the stop is handed to a carrier (or the dashboard closes). */
  let escalation: AbortController | null = null;
  /**
   * The carrier this dashboard stood for the stop of the run it watches: from the stop's first signal on (tester AC14: a
   * dashboard suspended by Ctrl-Z sent its SIGTERM only at `fg`, and one whose terminal closed, or that was killed,
   * never), or when it carries on a stop it found with no live carrier. Recorded with the stop (runs.jsonl), so every
   * other dashboard defers to it. Due DEADMAN_LAG_MS after the grace: this dashboard, alive, sends the SIGTERM itself
   * when due and ends it just before; stopped, killed or gone, the carrier sends it.
   */
  let standing: StopCarrier | null = null;
  /** The live carrier recorded by another dashboard that this one defers to for the stop it carries on. */
  let deferredTo: StopCarrier | null = null;
  /** The stop was handed to its carrier (leaving): nothing of it is this dashboard's any more. */
  let handedOff = false;
  /** When the stop of the run watched was asked for (its stop record's time): a carrier recorded later carries it. */
  let stopAskedAt: number | null = null;
  /** The run whose stop this dashboard took from another dashboard's record (takeRecorded), or null. */
  let fromOther: string | null = null;

  /** The carrier is alive: its pid with its recorded start time (never a pid reused since); a zombie is gone. */
  const carrierAlive = (c: StopCarrier | null | undefined): c is StopCarrier => !!c && isAlive(c.pid, c.procStart);
  /** The claim two dashboards take to decide who carries a run's stop, or sends its SIGTERM (claim-file.ts). */
  const stopClaim = (runId: string) => join(config.stateDir, `stop-${runId.replace(/[^\w.-]/g, '_')}.claim`);
  /** Runs `work` under the run's stop claim, waiting for another dashboard's (short) hold; null when it cannot be had. */
  async function underStopClaim<T>(runId: string, work: () => Promise<T>): Promise<T | null> {
    for (let tries = 0; tries < 50 && !d.signal.aborted; tries++) {
      const out = await withClaim(stopClaim(runId), async () => ({ v: await work() })).catch(() => null);
      if (out) return out.v;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return null;
  }

  /** Spawns a carrier for the run's stop, due at `dueAt`; null where /proc cannot prove the run (or the carrier). */
  function spawnCarrier(p: AppState['process'], runId: string, dueAt: number): StopCarrier | null {
    if (p.pid === null) return null;
    const members = runProcesses({ pid: p.pid, procStart: p.procStart, left: p.left?.pids });
    const pid = carryStop({ stateDir: config.stateDir, runId, dueAt, members });
    const procStart = pid === null ? null : procStartOf(pid);
    return pid !== null && typeof procStart === 'number' ? { pid, procStart, dueAt } : null;
  }

  /**
   * A stop carried on from its record (a dashboard left during it, tester Y9): the live carrier recorded for it (another
   * dashboard's, even one gone since) is deferred to; with none, this dashboard stands one of its own and records it
   * with the stop's time. Under the run's stop claim, so two dashboards opened at once stand one. Null: no carrier
   * (no /proc), the dashboard sends the SIGTERM itself.
   */
  async function carrierFor(p: AppState['process'], runId: string, askedAt: number, dueAt: number): Promise<{ carrier: StopCarrier; mine: boolean } | null> {
    return underStopClaim(runId, async () => {
      const rec = (await readRuns(config.stateDir, null).catch(() => [] as RunRecord[])).find((r) => r.id === runId);
      if (carrierAlive(rec?.stopCarrier)) return { carrier: rec.stopCarrier, mine: false };
      // Overdue: due a moment from now, so this dashboard sends it first and ends its carrier before.
      const c = spawnCarrier(p, runId, Math.max(dueAt, d.now() + DEADMAN_LAG_MS));
      if (!c) return null;
      standing = c;
      try {
        recordStopNow(config.stateDir, runId, askedAt, c);
      } catch {
        // unrecorded, it still stands for this dashboard; another may stand one too (a full disk says so elsewhere)
      }
      return { carrier: c, mine: true };
    });
  }

  /**
   * Whether this dashboard sends the stop's SIGTERM now that it is due (stop.ts beforeTerm): not when the runs file says
   * it went (the carrier, or the dashboard it stands for), nor while another dashboard's recorded carrier lives (it is
   * waited for: it sends at its time, or is ended by its dashboard sending it). Ours to send: recorded first, then our
   * own carrier ended, then the signal. One SIGTERM per stop whatever dashboards come and go.
   */
  function beforeTerm(id: string, gone: () => boolean, signal: AbortSignal, skipped: () => boolean) {
    return async (): Promise<'send' | 'exited' | { graceLeftMs: number }> => {
      for (;;) {
        if (gone()) return 'exited';
        const said = await underStopClaim(id, async () => {
          const rec = (await readRuns(config.stateDir, null).catch(() => [] as RunRecord[])).find((r) => r.id === id);
          const termAt = rec?.stopTermAt !== undefined && rec.stopAskedAt !== undefined && rec.stopTermAt >= rec.stopAskedAt ? rec.stopTermAt : null;
          if (termAt !== null) return { termAt, skipped: rec?.stopSkipped === 'SIGINT' };
          const other = rec?.stopCarrier && rec.stopCarrier.pid !== standing?.pid && carrierAlive(rec.stopCarrier) ? rec.stopCarrier : null;
          if (other) return 'wait' as const;
          try {
            // Its SIGINT skipped (every process ignores it): said in the record, so a dashboard joining says what went.
            recordStopTermNow(config.stateDir, id, d.now(), skipped() ? 'SIGINT' : undefined);
          } catch {
            // The signal matters more than its record.
          }
          // Gone before our SIGTERM goes (a SIGKILL takes effect when the carrier is next scheduled, on a busy machine
          // after the run's own handler could have run).
          await endStandingGone();
          return 'send' as const;
        });
        if (said === null || said === 'send') return 'send';
        if (said !== 'wait') {
          endStanding();
          const signals = store.getState().process.stopSignals;
          // What the record says went: no SIGINT where the other skipped it.
          if (!signals.some((x) => x.signal === 'SIGTERM')) dispatch({ type: 'process/update', patch: { stopping: 'sigterm', stopSignals: recordedSignals({ askedAt: signals[0]?.at ?? said.termAt, termAt: said.termAt, skipped: said.skipped }) } });
          return { graceLeftMs: said.termAt + STOP_GRACE_MS - d.now() };
        }
        if (await waitUntil(gone, { timeoutMs: 250, signal })) return 'exited';
      }
    };
  }

  /**
   * The stop's steps after its first signal, in the background: SIGTERM after the grace (recorded in runs.jsonl, so
   * a dashboard opened later goes on from there), then the SIGKILL question. `from`: a stop carried on from its
   * record, its SIGINT (or SIGTERM) sent `waitMs` before its grace ends (tester Y9).
   */
  function escalate(p: AppState['process'], start: { from?: 'SIGTERM'; waitMs?: number; skipAll?: boolean } = {}): Promise<'exited' | 'needs-kill'> {
    escalation?.abort();
    const ac = (escalation = new AbortController());
    // Ended by a hand-off or by the dashboard closing (AbortSignal.any is not in every Node 20).
    if (d.signal.aborted) ac.abort();
    else d.signal.addEventListener('abort', () => ac.abort(), { once: true });
    const signal = ac.signal;
    const id = p.runId;
    const onPhase = (phase: 'sigint' | 'sigterm' | 'waiting-kill-confirm') => {
      if (phase === 'waiting-kill-confirm') return dispatch({ type: 'process/update', patch: { stopping: 'needs-kill' } });
      // A SIGTERM is recorded (and our carrier ended) in beforeTerm, before it goes.
      const sent = { signal: phase === 'sigint' ? ('SIGINT' as const) : ('SIGTERM' as const), at: d.now() };
      dispatch({ type: 'process/update', patch: { stopping: phase, stopSignals: [...store.getState().process.stopSignals, sent] } });
    };
    // Waiting out a grace for a signal every process ignores would only delay the stop: said, and the next one sent.
    let skipped = false;
    const onSkip = (sig: string, pids: number[]) => {
      skipped = true;
      notice(skippedSignalWords(sig, pids), 'warn', runKey(id ?? ''));
    };
    const run = { pid: p.pid as number, procStart: p.procStart, left: p.left?.pids };
    const gone = () => runProcesses(run).length === 0;
    const rest = async (): Promise<'exited' | 'needs-kill'> => {
      // The grace of the signal sent before this dashboard (its record's time) runs out first.
      if (start.waitMs && start.waitMs > 0 && (await waitUntil(gone, { timeoutMs: start.waitMs, signal }))) return 'exited';
      if (start.skipAll) {
        if (gone()) return 'exited';
        onPhase('waiting-kill-confirm');
        return 'needs-kill';
      }
      return stopRun(run.pid, run.procStart, { graceMs: STOP_GRACE_MS, signal, onPhase, onSkip, left: run.left, from: start.from, ...(id ? { beforeTerm: beforeTerm(id, gone, signal, () => skipped) } : {}) });
    };
    const result = rest();
    // Never a box that appears by itself: the operator opens the SIGKILL question with x, after this notice.
    void result.then(
      (r) => r === 'needs-kill' && notice(`run ${id} ignored ${signalsSent(store.getState().process)}: press x to decide about SIGKILL`, 'warn', runKey(id ?? '')),
      () => undefined,
    );
    return result;
  }

  /**
   * A stop recorded in runs.jsonl for the run re-attached to, its end not recorded (the dashboard that stopped it was
   * left during the stop, tester Y9): carried on from where its record says it is, with a carrier standing for it (the
   * one recorded, alive, or one of this dashboard's own: see carrierFor).
   */
  async function carryOn(p: AppState['process']): Promise<void> {
    const last = p.stopSignals.at(-1);
    if (!last || p.pid === null || !p.runId) return;
    requested = true;
    const askedAt = p.stopSignals[0].at;
    stopAskedAt = askedAt;
    const waitMs = last.at + STOP_GRACE_MS - d.now();
    if (last.signal === 'SIGTERM') return void escalate(p, { waitMs, skipAll: true }).catch(() => undefined);
    const c = await carrierFor(p, p.runId, askedAt, last.at + STOP_GRACE_MS + DEADMAN_LAG_MS);
    deferredTo = c && !c.mine ? c.carrier : null;
    // Left meanwhile (q): the carrier has the stop now.
    if (d.signal.aborted || handedOff) return;
    void escalate(p, { waitMs: last.at + STOP_GRACE_MS - d.now(), from: 'SIGTERM' }).catch(() => undefined);
  }

  /**
   * Leaving during a stop: the SIGTERM still due goes to a detached carrier (stop-carrier.ts), never dropped and never
   * sent early; this dashboard's own escalation ends. Said under the last frame (leave-summary.ts).
   */
  function handOff(): void {
    const p = store.getState().process;
    if (p.stopping !== 'sigint' || !p.alive || p.pid === null || !p.runId) return;
    const last = p.stopSignals.at(-1);
    if (!last) return;
    escalation?.abort();
    handedOff = true;
    // The carrier standing since the stop (ours, or the recorded one deferred to) takes it: a second would send a second SIGTERM.
    // Leaving before this dashboard's look at the runs file ended (carrierFor): the recorded one, read now.
    const recorded = recordedCarrierNow(config.stateDir, p.runId);
    let pid = carrierAlive(standing) ? standing.pid : carrierAlive(deferredTo) ? deferredTo.pid : carrierAlive(recorded) ? recorded.pid : null;
    standing = null;
    if (pid === null) {
      const c = spawnCarrier(p, p.runId, last.at + STOP_GRACE_MS);
      if (c) {
        pid = c.pid;
        try {
          recordStopNow(config.stateDir, p.runId, stopAskedAt ?? last.at, c);
        } catch {
          // it stands all the same
        }
      }
    }
    dispatch({ type: 'process/update', patch: { stopCarrier: pid } });
  }

  /** Ends the standing carrier and waits (a moment at most) until it is gone. */
  async function endStandingGone(): Promise<void> {
    const c = standing;
    endStanding();
    if (c) await waitUntil(() => !carrierAlive(c), { timeoutMs: 2000, pollMs: 5 }).catch(() => undefined);
  }

  /** Ends the standing carrier, proven by its start time (never a pid reused since). */
  function endStanding(): void {
    const c = standing;
    standing = null;
    if (!carrierAlive(c)) return;
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      // gone already: the run ended, or it sent the SIGTERM
    }
  }

  async function stop(): Promise<PlaceStopOutcome> {
    const p = store.getState().process;
    if (p.pid === null) return { ok: false, message: 'no run of ours is running' };
    requested = true;
    deferredTo = null;
    handedOff = false;
    dispatch({ type: 'process/update', patch: { stopSignals: [] } });
    // Said in runs.jsonl before the first signal: the dashboard watching the run's child learns it was a stop. Written
    // and signalled in this same tick, nothing awaited between: a q right after y, or the dashboard dying, cannot
    // leave a stop recorded and never sent (tester W25). The carrier stands from here on and is recorded with it, so
    // a dashboard opened during the stop defers to it (one SIGTERM, however many dashboards).
    if (p.runId) {
      // Another dashboard's stop of this run (tester h68's note: two dashboards answering `x` `y` at once each sent a
      // SIGINT and stood a carrier; a second SIGINT can cut a script's own clean-up short): this one carries that stop
      // on, deferring to its carrier, and says so. Looked at under the run's stop claim, taken at once (no wait between
      // the record and the signal), so of two dashboards at one instant one stops and the other sees it.
      let release: (() => void) | null;
      try {
        release = claimNow(stopClaim(p.runId));
      } catch {
        // A claim that cannot be made (a read-only state directory): the stop goes on, as its record would.
        release = () => undefined;
      }
      const other = recordedStopNow(config.stateDir, p.runId);
      // Its SIGTERM sent already (h70's note: a second dashboard's `x` `y` after the first's SIGTERM began a new stop, a
      // second SIGINT and 10 s more): this stop is joined where it is, the SIGKILL question next.
      if (release && other && other.termAt !== null) {
        release();
        return joinAfterTerm(p, p.runId, other.askedAt, other.termAt, other.skipped);
      }
      if (!release || (other && other.termAt === null && carrierAlive(other.carrier) && other.carrier.pid !== standing?.pid)) {
        release?.();
        return deferToOther(p, p.runId, release ? other : null);
      }
      try {
        return stopNow(p, p.runId);
      } finally {
        release();
      }
    }
    void escalate(p).catch(() => undefined);
    return { ok: true, message: '' };
  }

  /** Stops the run: its stop recorded with this dashboard's carrier, then its first signal (see stop). */
  function stopNow(p: AppState['process'], runId: string): PlaceStopOutcome {
    {
      const at = d.now();
      stopAskedAt = at;
      endStanding();
      standing = spawnCarrier(p, runId, at + STOP_GRACE_MS + DEADMAN_LAG_MS);
      try {
        recordStopNow(config.stateDir, runId, at, standing);
      } catch {
        // The stop goes on: the signal matters more than its record.
      }
    }
    // The first signal goes before escalate returns (stopRun signals before its first wait); the rest goes on in the
    // background, so a `q` after `y` waits for nothing but that signal (tester Z1: q froze 10–20 s in silence).
    void escalate(p).catch(() => undefined);
    return { ok: true, message: '' };
  }

  /**
   * Another dashboard stops the run (its stop recorded, its carrier alive; or its claim held this instant, the record
   * coming): no second SIGINT, no second carrier. The stop is carried on from its record as a dashboard opened during it
   * does (carryOn): its SIGTERM when due, from whichever of the dashboards and the carrier comes first, once.
   */
  function deferToOther(p: AppState['process'], runId: string, other: { askedAt: number; carrier: StopCarrier | null } | null): PlaceStopOutcome {
    requested = true;
    handedOff = false;
    const askedAt = other?.askedAt ?? d.now();
    stopAskedAt = askedAt;
    deferredTo = other?.carrier ?? null;
    dispatch({ type: 'process/update', patch: { stopping: 'sigint', stopSignals: [{ signal: 'SIGINT', at: askedAt }] } });
    void escalate(p, { waitMs: askedAt + STOP_GRACE_MS - d.now(), from: 'SIGTERM' }).catch(() => undefined);
    return { ok: true, message: `run ${runId} is being stopped already by another dashboard (SIGINT at ${clockTime(askedAt)}): none sent again; SIGTERM at ${clockTime(askedAt + STOP_GRACE_MS)} if it still runs` };
  }

  /**
   * Another dashboard's stop of the run sent its SIGTERM already (it ignored the SIGINT): nothing is sent again; its
   * grace runs out, then x asks about SIGKILL here as in the dashboard that stopped it.
   */
  function joinAfterTerm(p: AppState['process'], runId: string, askedAt: number, termAt: number, skipped: boolean): PlaceStopOutcome {
    requested = true;
    handedOff = false;
    stopAskedAt = askedAt;
    const waitMs = termAt + STOP_GRACE_MS - d.now();
    const stopSignals = recordedSignals({ askedAt, termAt, skipped });
    dispatch({ type: 'process/update', patch: { stopping: 'sigterm', stopSignals } });
    void escalate(p, { waitMs, skipAll: true }).catch(() => undefined);
    const next = waitMs > 0 ? `x asks about SIGKILL from ${clockTime(termAt + STOP_GRACE_MS)} if it still runs` : 'x asks about SIGKILL';
    return { ok: true, message: `run ${runId} is being stopped already by another dashboard (${joinedSentWords(stopSignals)}): none sent again; ${next}` };
  }

  /**
   * Another dashboard's stop of the run watched, read from its record (tester AG1: the launcher said `running` with its
   * clock on, and its `x` offered a fresh `SIGINT …` box, while `status` said `stopping`): taken as a stop found on
   * re-attaching is (carryOn: its SIGTERM when due, once, whichever of the dashboards and the carrier comes first), so the
   * header says `stopping` and its stage as `status` does. Synchronous: `x` asks it before it answers. True: one was taken.
   * Taken at its SIGINT, it is read again until its SIGTERM is recorded: the stage moves on as the record does, and a
   * SIGINT the record says was never sent (every process ignoring it) is not said (h74's note).
   */
  function takeRecorded(): boolean {
    const p = store.getState().process;
    if (!p.attached || !p.alive || p.pid === null || !p.runId) return false;
    const again = p.stopping === 'sigint' && fromOther === p.runId;
    if ((p.stopping || requested) && !again) return false;
    const rec = recordedStopNow(config.stateDir, p.runId);
    if (!rec || (again && rec.termAt === null)) return false;
    if (again) {
      // Its escalation goes on as it was (beforeTerm finds the SIGTERM recorded and waits out its grace).
      dispatch({ type: 'process/update', patch: { stopping: d.now() - rec.termAt! >= STOP_GRACE_MS ? 'needs-kill' : 'sigterm', stopSignals: recordedSignals(rec) } });
      notice(`run ${p.runId} is being stopped by another dashboard: ${stopStage(store.getState().process, d.now(), false)}`, 'info', runKey(p.runId));
      return true;
    }
    fromOther = p.runId;
    const stopping = rec.termAt === null ? 'sigint' : d.now() - rec.termAt >= STOP_GRACE_MS ? 'needs-kill' : 'sigterm';
    // What the record says went: no SIGINT where every process ignored it (h74's note).
    dispatch({ type: 'process/update', patch: { stopping, stopSignals: recordedSignals(rec) } });
    notice(`run ${p.runId} is being stopped by another dashboard: ${stopStage(store.getState().process, d.now(), false)}`, 'info', runKey(p.runId));
    if (stopping === 'needs-kill') requested = true;
    else void carryOn(store.getState().process);
    return true;
  }

  return {
    stop,
    carryOn,
    handOff,
    takeRecorded,
    /** The run whose stop came from another dashboard's record (its `x` says so), or null. */
    fromOther: () => fromOther,
    /** A stop was asked for the run watched (this dashboard's, or one carried on from its record). */
    requested: () => requested,
    /** A stop found needing the SIGKILL question (re-attached): nothing more to carry on, but it was a stop. */
    markRequested: () => void (requested = true),
    /** A new run launched: no stop asked for it. */
    reset: () => {
      requested = false;
      fromOther = null;
    },
  };
}

export type LocalStop = ReturnType<typeof createLocalStop>;
