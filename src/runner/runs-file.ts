import { close, closeSync, constants, existsSync, fstatSync, fsync, openSync, readSync, writeSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { kindOf } from '../follow/tracked-file.js';
import { readUserText, readUserTextSync, type UserFileError } from '../user-file.js';
import { makeDirs, makeDirsSync } from './make-dirs.js';
import { join } from 'node:path';
import { describeWriteError, syncDir } from './atomic-write.js';
import { withClaim } from './claim-file.js';
import type { RunLabel } from './keys-file.js';
import { ownsRun } from './runs-owner.js';
import type { ProcStart } from './proc.js';
import type { Survivor } from './session.js';

/** Why a run ended: it exited by itself, we stopped it, it never got going, or it was found gone. */
/**
 * 'exited' (seen by a dashboard), 'stopped', 'failed-to-start'; for a run that ended while no dashboard
 * watched: 'complete' or 'ended' as its log says, 'gone' when the log has no run for it. A Cloud Run execution the
 * region stopped listing while it ran is 'gone' too, at the last proof of its life (its end not known).
 */
export type EndReason = 'exited' | 'stopped' | 'failed-to-start' | 'gone' | 'ended' | 'complete';

/**
 * Written (and synced) before the process is spawned, with pid null; written again with the same id once the
 * pid is known (the later one wins when folding). A run whose pid never got recorded stays pid null.
 */
export interface LaunchRecord {
  type: 'launch';
  id: string;
  label: RunLabel;
  argv: string[];
  cwd: string;
  keysFile: string | null;
  keyCount: number;
  /** The workers and timeout (s) the launch asked for, where recorded (Cloud Run launches, local ones since U19). */
  workers?: number;
  timeout?: number;
  pid: number | null;
  /** When the process started (see ProcStart): with the pid, names this process and no later one. Null proves nothing. */
  procStart: ProcStart | null;
  log: string;
  /** Epoch milliseconds. */
  startedAt: number;
  /** A Cloud Run run: the execution's resource name (it names the run as a pid does a local one). */
  execution?: string;
  /** Keys present in storage at the launch (a Cloud Run run's end may be recorded by another dashboard). */
  storageBefore?: number | null;
}

/** Written when a run is known to have ended; more than one may exist (see {@link foldRuns}). */
export interface EndRecord {
  type: 'end';
  id: string;
  endedAt: number;
  /** Known only when this dashboard's own child handle saw the exit. */
  exitCode: number | null;
  signal: string | null;
  reason: EndReason;
  /** Final tallies from the log summary, e.g. { succeeded, failed, skipped }. */
  counts?: Record<string, number>;
  /** Failed-to-start detail: the error and the child's first output. */
  message?: string;
}

/**
 * Written by the dashboard that stops a run, before its first signal: whichever dashboard then sees the run
 * end (the one that launched it, watching its child) knows it was stopped on someone's word, not that it died
 * (tester V8: it wrote `exited` beside the stopper's `stopped` and alerted "ended without a summary").
 */
export interface StopRecord {
  type: 'stop';
  id: string;
  /** When the stop was asked for (epoch ms), or when `signal` was sent. */
  at: number;
  /**
   * Absent: the stop asked for (its SIGINT goes in the same moment). `SIGTERM`: the stop's next step sent, by the
   * dashboard or by the carrier it handed the stop to when it was left (tester Y9): a dashboard opened later goes on
   * from there, never back to the start.
   */
  signal?: 'SIGTERM';
  /**
   * On a `SIGTERM` record: the stop's SIGINT was never sent, as every process of the run ignored it (stop.ts onSkip), so
   * this SIGTERM was its first signal. A dashboard that joins the stop says what was sent (h74's note: one said `SIGINT
   * at …` where the stopping one had said `SIGINT not sent`).
   */
  skipped?: 'SIGINT';
  /**
   * The detached process standing to send this stop's SIGTERM when due (stop-carrier.ts): its pid and start time (so a
   * pid reused since is never taken for it) and when it is due. Written with the stop by the dashboard that stops the
   * run, or (with `at` the stop's own time) by a dashboard that carries the stop on and found no live carrier: every
   * dashboard defers to a live one, so a stop gets one SIGTERM whatever dashboards come and go.
   */
  carrier?: StopCarrier;
}

/** A stop's carrier as recorded (see StopRecord.carrier). */
export interface StopCarrier {
  pid: number;
  procStart: number;
  /** When it sends SIGTERM if the run still goes (epoch ms). */
  dueAt: number;
}

/**
 * Written when the launched command exited and left processes of its session running (a wrapper that starts the
 * backfill with `nohup … &` and returns: tester W24), and again whenever all those recorded have gone while others
 * of the session go on. Not an end: the run ends when its session is empty. The pids with their start times let a
 * dashboard started later prove the session is still the run's (src/runner/session.ts).
 */
export interface LeftRecord {
  type: 'left';
  id: string;
  /** When the exit was seen (epoch ms). */
  at: number;
  /** How the launched command exited, where known (our own child handle). */
  exitCode: number | null;
  signal: string | null;
  pids: Survivor[];
}

/** A run as the dashboard sees it: the launch, and how it ended if it has. */
export interface RunRecord extends Omit<LaunchRecord, 'type'> {
  end: Omit<EndRecord, 'type' | 'id'> | null;
  /** When a dashboard asked it to stop (a stop record), if one did. */
  stopAskedAt?: number;
  /** When its stop sent SIGTERM (a stop record with `signal`), if it did. */
  stopTermAt?: number;
  /** Its stop sent no SIGINT, every process ignoring it (a SIGTERM record's `skipped`). */
  stopSkipped?: 'SIGINT';
  /** The newest carrier recorded for its stop (a stop record with `carrier`), if one was. */
  stopCarrier?: StopCarrier;
  /** The launched command exited leaving these running (the newest `left` record), if it did. */
  left?: Omit<LeftRecord, 'type' | 'id'>;
}

/**
 * Written by a dashboard that watched a writer not started here (no launch of ours) and saw it go: when its run ended
 * as that dashboard says it (the look that found it gone, or the last that saw it when looks were far apart). A
 * dashboard opened later and `status` have only the run's lines, which end where its last line was written, before a
 * hang (tester AI4: `ended · 0:21` on the watching dashboard, `0:07` beside it and in `status`): they read this.
 */
export interface WriterEndRecord {
  type: 'writer-end';
  /** `writer-PID-ENDEDAT`: a name of its own, no launch's. */
  id: string;
  /** The log it wrote (runs-owner.ts: the job it belongs to). */
  log: string;
  pids: number[];
  /** Epoch ms, our clock. */
  endedAt: number;
}

/** Any line of runs.jsonl. */
export type AnyRunRecord = LaunchRecord | EndRecord | StopRecord | LeftRecord | WriterEndRecord;

/** Where runs are recorded. */
export function runsPath(stateDir: string): string {
  return join(stateDir, 'runs.jsonl');
}

/**
 * What `status` (a problem) and the dashboard (a notice) say of a runs.jsonl that is not a regular file, or null for
 * one that is: its readers take one they cannot read for no runs, so unsaid it reads as a job never launched from here.
 */
export function runsFileNotRegular(stateDir: string, st: Stats): string | null {
  return st.isFile() ? null : `run records ${runsPath(stateDir)} is ${kindOf(st)}, not a regular file: never opened; runs launched from here are not known`;
}

/**
 * How runs.jsonl is read (user-file.ts): a regular file only (a FIFO put there would block the read for good), and at
 * most 256 MB: a record is under 2 KB, so that is over 100,000 runs, while the file is held whole as one string.
 */
const RUNS_READ = { label: 'run records', maxBytes: 256_000_000 };

/** Appended to without blocking: a FIFO with no reader fails the open at once (ENXIO) instead of waiting for one. */
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK;

/** runs.jsonl that is not a regular file (a FIFO, a device, put there by someone): never written into. */
function notRegular(st: Stats): Error {
  return new Error(`it is ${kindOf(st)}, not a regular file: nothing written to it`);
}

/**
 * Appends one record as one line with a single O_APPEND write, so two dashboards never interleave, and syncs it
 * to disk before returning: a launch is recorded durably before its process exists.
 * If the file ends in a torn line (a crash mid-write) a newline goes first, or this record would be lost with it.
 * Failures (a full disk, a read-only directory) throw one Error naming the file and the reason in words.
 */
export async function appendRunRecord(stateDir: string, record: AnyRunRecord): Promise<void> {
  const path = runsPath(stateDir);
  try {
    await makeDirs(stateDir);
    const lead = (await endsTorn(path)) ? '\n' : '';
    // Non-blocking: a FIFO at the path (no reader) fails at once instead of waiting for one; then refused, unwritten.
    const handle = await open(path, APPEND_FLAGS, 0o644);
    let created = false;
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw notRegular(st);
      created = st.size === 0;
      await handle.write(`${lead}${JSON.stringify(record)}\n`, null, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (created) await syncDir(stateDir);
  } catch (err) {
    throw describeWriteError(err, `the run record ${path}`, stateDir);
  }
}

async function endsTorn(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw notRegular(st);
    const { size } = st;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await handle.close();
  }
}

/** Records how a run ended (another record for the same run merges: see foldRuns). */
export function recordEnd(stateDir: string, end: Omit<EndRecord, 'type'>): Promise<void> {
  return appendRunRecord(stateDir, { type: 'end', ...end });
}

/**
 * Records how a local run ended, once: a dashboard that finds an end already recorded (another dashboard watching the
 * same run saw it first) writes nothing. Two at the same moment are kept apart by a claim file made with
 * O_EXCL (STATEDIR/end-ID.claim, removed once the record is written; one older than a minute is left by a
 * dashboard that died mid-write and is taken over). Resolves true when this call wrote it. A stop record for
 * the run makes the reason `stopped` whoever writes it.
 */
export async function recordEndOnce(stateDir: string, end: Omit<EndRecord, 'type'>): Promise<boolean> {
  // Beside runs.jsonl, never in a folder of its own: a dashboard going away mid-write must not make folders.
  const dir = stateDir;
  const claim = join(dir, `end-${end.id.replace(/[^\w.-]/g, '_')}.claim`);
  const wrote = await withClaim(
    claim,
    async () => {
      const run = (await readRuns(stateDir, null)).find((r) => r.id === end.id);
      if (run?.end) return false;
      const stopped = run?.stopAskedAt !== undefined && STOPPABLE.has(end.reason);
      await recordEnd(stateDir, { ...end, ...(stopped ? { reason: 'stopped' as const } : {}) });
      return true;
    },
    (err) => describeWriteError(err, `the end claim ${claim}`, dir),
  );
  return wrote === true;
}

/**
 * Records that a dashboard is stopping run `id` (see StopRecord), before the first signal goes: synchronously, one
 * O_APPEND write readers see at once, so the signal can follow in the same tick (tester W25: a stop recorded while
 * its signal waited on the record's fsync, behind the dashboard's other file work, was never sent — the dashboard
 * quit first). Made durable by an fsync after the signal. Throws one Error naming the file when it cannot be written.
 */
export function recordStopNow(stateDir: string, id: string, at: number, carrier?: StopCarrier | null): { synced: Promise<void> } {
  return appendRunRecordNow(stateDir, { type: 'stop', id, at, ...(carrier ? { carrier } : {}) } satisfies StopRecord);
}

/**
 * Appends one record synchronously (one O_APPEND write readers see at once), its fsync after: for what must be on
 * disk before the next thing this process does can be interrupted (a stop before its signal, a pid right after its
 * spawn). Throws one Error naming the file when it cannot be written; `synced` never rejects.
 */
export function appendRunRecordNow(stateDir: string, record: AnyRunRecord): { synced: Promise<void> } {
  const path = runsPath(stateDir);
  let fd: number;
  try {
    makeDirsSync(stateDir);
    fd = openSync(path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o644);
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      throw notRegular(st);
    }
    const { size } = st;
    const last = Buffer.alloc(1);
    const torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
    writeSync(fd, `${torn ? '\n' : ''}${JSON.stringify(record)}\n`);
  } catch (err) {
    throw describeWriteError(err, `the run record ${path}`, stateDir);
  }
  const synced = new Promise<void>((resolve) => fsync(fd, () => close(fd, () => resolve())));
  return { synced };
}

/**
 * Records that the stop of run `id` sends SIGTERM at `at` (a StopRecord with `signal`), synchronously, before the signal
 * goes and before the dashboard's own carrier is ended: a dashboard deferring to that carrier that sees it gone reads
 * the SIGTERM as sent, never sends a second. Throws as appendRunRecordNow.
 */
export function recordStopTermNow(stateDir: string, id: string, at: number, skipped?: 'SIGINT'): { synced: Promise<void> } {
  return appendRunRecordNow(stateDir, { type: 'stop', id, at, signal: 'SIGTERM', ...(skipped ? { skipped } : {}) });
}

/**
 * The signals a stop sent by its records: SIGINT at the stop's time (unless every process ignored it and none went),
 * SIGTERM at its SIGTERM record's. In the order sent, as ProcessState.stopSignals holds them.
 */
export function recordedSignals(stop: { askedAt: number; termAt: number | null; skipped: boolean }): { signal: 'SIGINT' | 'SIGTERM'; at: number }[] {
  const int = stop.skipped && stop.termAt !== null ? [] : [{ signal: 'SIGINT' as const, at: stop.askedAt }];
  return [...int, ...(stop.termAt !== null ? [{ signal: 'SIGTERM' as const, at: stop.termAt }] : [])];
}

/** Whether runs.jsonl holds a stop record for run `id` (false when it cannot be read). */
export async function stopAsked(stateDir: string, id: string): Promise<boolean> {
  const run = (await readRuns(stateDir, null).catch(() => [] as RunRecord[])).find((r) => r.id === id);
  return run?.stopAskedAt !== undefined;
}

/**
 * Reads runs.jsonl into runs, oldest first. A missing file is no runs; lines that do not parse are skipped.
 * `owner` (runs-owner.ts runsOwner): only that job's runs, as a state folder may be two configs' (tester AH3: each
 * took the other's Cloud Run executions for its own, and `r` offered to retry another job's failures); null: every
 * run, for a record found by its own id.
 */
export async function readRuns(stateDir: string, owner: string | null): Promise<RunRecord[]> {
  let text: string;
  try {
    text = (await readUserText(runsPath(stateDir), RUNS_READ)).text;
  } catch (err) {
    if ((err as UserFileError).problem === 'missing') return [];
    throw err;
  }
  const runs = foldRuns(parseRunLines(text));
  if (owner === null) return runs;
  const seen = new Map<string, boolean>();
  const exists = (path: string) => seen.get(path) ?? (seen.set(path, existsSync(path)), seen.get(path)!);
  return runs.filter((r) => ownsRun(owner, r.log, exists));
}

/**
 * Records a writer's end once: two dashboards that watched it go each saw it at their own look, a second apart, and
 * wrote two ends (h84 on AI4: `ended · 0:15` beside `0:16`). Under a claim beside runs.jsonl (as recordEndOnce), one
 * finding the other's record of the same pids, as early as its own, writes none; every dashboard then says the earliest
 * (writer.ts). True when this call wrote it.
 */
export async function recordWriterEndOnce(stateDir: string, record: WriterEndRecord): Promise<boolean> {
  const claim = join(stateDir, `writer-end-${record.pids[0]}.claim`);
  await makeDirs(stateDir);
  const wrote = await withClaim(
    claim,
    async () => {
      const text = await readUserText(runsPath(stateDir), RUNS_READ).then((r) => r.text, () => '');
      // One already recorded as early (or earlier): that is the end every reader takes (the earliest after the run's
      // last line); a later one of ours would change nothing. An earlier one of ours is written: readers take it.
      const same = parseRunLines(text).some((r) => r.type === 'writer-end' && r.pids.some((p) => record.pids.includes(p)) && r.endedAt <= record.endedAt && record.endedAt - r.endedAt < 60_000);
      if (same) return false;
      await appendRunRecord(stateDir, record);
      return true;
    },
    (err) => describeWriteError(err, `the writer-end claim ${claim}`, stateDir),
  );
  return wrote === true;
}

/** When writers not started here were seen to go, as recorded for `owner`'s log (WriterEndRecord), oldest first; [] when none or unreadable. */
export async function readWriterEnds(stateDir: string, owner: string): Promise<number[]> {
  const text = await readUserText(runsPath(stateDir), RUNS_READ).then((r) => r.text, () => '');
  const seen = new Map<string, boolean>();
  const exists = (path: string) => seen.get(path) ?? (seen.set(path, existsSync(path)), seen.get(path)!);
  return parseRunLines(text)
    .filter((r): r is WriterEndRecord => r.type === 'writer-end' && ownsRun(owner, r.log, exists))
    .map((r) => r.endedAt)
    .sort((a, b) => a - b);
}

/**
 * The live-or-not carrier recorded for run `id`'s stop, read synchronously (a dashboard leaving hands its stop to it
 * in the same tick: see local-place.ts handOff); null when none is recorded or the file cannot be read.
 */
export function recordedCarrierNow(stateDir: string, id: string): StopCarrier | null {
  try {
    return foldRuns(parseRunLines(readUserTextSync(runsPath(stateDir), RUNS_READ).text)).find((r) => r.id === id)?.stopCarrier ?? null;
  } catch {
    return null;
  }
}

/**
 * Run `id`'s stop as recorded, read synchronously (a dashboard about to stop the run looks in the same tick as its
 * first signal): when it was asked, when its SIGTERM went, its carrier; null when none is recorded or the file cannot be
 * read.
 */
export function recordedStopNow(stateDir: string, id: string): { askedAt: number; termAt: number | null; skipped: boolean; carrier: StopCarrier | null } | null {
  try {
    const run = foldRuns(parseRunLines(readUserTextSync(runsPath(stateDir), RUNS_READ).text)).find((r) => r.id === id);
    if (!run || run.stopAskedAt === undefined || run.end) return null;
    const termAt = run.stopTermAt !== undefined && run.stopTermAt >= run.stopAskedAt ? run.stopTermAt : null;
    return { askedAt: run.stopAskedAt, termAt, skipped: termAt !== null && run.stopSkipped === 'SIGINT', carrier: run.stopCarrier ?? null };
  } catch {
    return null;
  }
}

/**
 * Parses JSONL, skipping blank, torn and foreign lines (a crash can leave half a line at the end), and records
 * whose fields are not what this dashboard writes (hand-edited, another tool or version: tester W16, a launch
 * without `label` crashed `h`). Each field is checked; optional ones of the wrong type are dropped.
 */
export function parseRunLines(text: string): AnyRunRecord[] {
  const out: AnyRunRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      continue; // torn or hand-edited line
    }
    const checked = checkedRecord(rec);
    if (checked) out.push(checked);
  }
  return out;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const orNull = <T>(v: unknown, is: (x: unknown) => x is T): v is T | null => v === null || is(v);
const END_REASONS = new Set<string>(['exited', 'stopped', 'failed-to-start', 'gone', 'ended', 'complete']);

/** The record as this dashboard writes it, or null when a required field is missing or of another type. */
function checkedRecord(raw: unknown): AnyRunRecord | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  if (!isStr(r.id)) return null;
  /** Optional fields: kept only when of their type. */
  const opt = (name: string, is: (x: unknown) => boolean) => (name in r && is(r[name]) ? { [name]: r[name] } : {});
  if (r.type === 'stop') {
    if (!isNum(r.at)) return null;
    const c = r.carrier as Partial<StopCarrier> | undefined;
    const carrier = c && typeof c === 'object' && isNum(c.pid) && isNum(c.procStart) && isNum(c.dueAt) ? { carrier: { pid: c.pid, procStart: c.procStart, dueAt: c.dueAt } } : {};
    return { type: 'stop', id: r.id, at: r.at, ...(r.signal === 'SIGTERM' ? { signal: 'SIGTERM' as const } : {}), ...(r.signal === 'SIGTERM' && r.skipped === 'SIGINT' ? { skipped: 'SIGINT' as const } : {}), ...carrier };
  }
  if (r.type === 'left') {
    const pids = Array.isArray(r.pids) ? r.pids.filter((p): p is Survivor => typeof p === 'object' && p !== null && isNum((p as Survivor).pid) && (isNum((p as Survivor).procStart) || isStr((p as Survivor).procStart))) : [];
    if (!isNum(r.at) || !orNull(r.exitCode, isNum) || !orNull(r.signal, isStr) || pids.length === 0) return null;
    return { type: 'left', id: r.id, at: r.at, exitCode: r.exitCode, signal: r.signal, pids: pids.map((p) => ({ pid: p.pid, procStart: p.procStart })) };
  }
  if (r.type === 'end') {
    if (!isNum(r.endedAt) || !orNull(r.exitCode, isNum) || !orNull(r.signal, isStr) || !isStr(r.reason) || !END_REASONS.has(r.reason)) return null;
    const counts = r.counts && typeof r.counts === 'object' && !Array.isArray(r.counts) ? Object.fromEntries(Object.entries(r.counts).filter(([, v]) => isNum(v))) : undefined;
    return { type: 'end', id: r.id, endedAt: r.endedAt, exitCode: r.exitCode, signal: r.signal, reason: r.reason as EndReason, ...(counts ? { counts: counts as Record<string, number> } : {}), ...opt('message', isStr) };
  }
  if (r.type === 'writer-end') {
    const pids = Array.isArray(r.pids) ? r.pids.filter(isNum) : [];
    if (!isStr(r.log) || !isNum(r.endedAt) || pids.length === 0) return null;
    return { type: 'writer-end', id: r.id, log: r.log, pids, endedAt: r.endedAt };
  }
  if (r.type !== 'launch') return null;
  const argvOk = Array.isArray(r.argv) && r.argv.every(isStr);
  if (!isStr(r.label) || !argvOk || !isStr(r.cwd) || !orNull(r.keysFile, isStr) || !isNum(r.keyCount) || !orNull(r.pid, isNum) || !orNull(r.procStart, (x): x is ProcStart => isNum(x) || isStr(x)) || !isStr(r.log) || !isNum(r.startedAt)) return null;
  return {
    type: 'launch', id: r.id, label: r.label as RunLabel, argv: r.argv as string[], cwd: r.cwd, keysFile: r.keysFile, keyCount: r.keyCount, pid: r.pid, procStart: r.procStart, log: r.log, startedAt: r.startedAt,
    ...opt('workers', isNum), ...opt('timeout', isNum), ...opt('execution', isStr), ...opt('storageBefore', (x) => orNull(x, isNum)),
  };
}

// A dashboard that only found a run gone knows less than the one that saw it exit or stopped it. A summary read
// says most of all: the run finished its keys, whether or not a stop was asked meanwhile (tester AA11: a run that
// ignored SIGINT and SIGTERM and then wrote its summary and exited 0 was recorded `stopped`).
const RANK: Record<EndReason, number> = { gone: 0, ended: 1, exited: 2, stopped: 3, complete: 4, 'failed-to-start': 5 };

/**
 * Folds records into runs. Several end records for one run (two dashboards, or a stop and the exit it caused)
 * merge: the most telling reason wins, exit code and signal come from whichever knew them, counts from the last.
 */
export function foldRuns(records: AnyRunRecord[]): RunRecord[] {
  const runs = new Map<string, RunRecord>();
  for (const rec of records) {
    if (rec.type === 'launch') {
      const { type: _type, ...launch } = rec;
      const before = runs.get(rec.id);
      runs.set(rec.id, { ...launch, end: before?.end ?? null, ...(before?.stopAskedAt !== undefined ? { stopAskedAt: before.stopAskedAt } : {}), ...(before?.stopTermAt !== undefined ? { stopTermAt: before.stopTermAt } : {}), ...(before?.stopSkipped ? { stopSkipped: before.stopSkipped } : {}), ...(before?.stopCarrier ? { stopCarrier: before.stopCarrier } : {}), ...(before?.left ? { left: before.left } : {}) });
      continue;
    }
    if (rec.type === 'left') {
      const run = runs.get(rec.id);
      const { type: _type, id: _id, ...left } = rec;
      // The first record says how the launched command exited; a later one only who is left.
      if (run) run.left = { ...left, exitCode: run.left?.exitCode ?? left.exitCode, signal: run.left?.signal ?? left.signal, at: run.left?.at ?? left.at };
      continue;
    }
    // A writer not started here is no run of ours (readWriterEnds).
    if (rec.type === 'writer-end') continue;
    if (rec.type === 'stop') {
      const run = runs.get(rec.id);
      if (run && rec.signal === 'SIGTERM') {
        run.stopTermAt = rec.at;
        if (rec.skipped === 'SIGINT') run.stopSkipped = 'SIGINT';
      } else if (run) run.stopAskedAt = rec.at;
      if (run && rec.carrier) run.stopCarrier = rec.carrier;
      continue;
    }
    const run = runs.get(rec.id);
    if (!run) continue;
    const { type: _t, id: _id, ...end } = rec;
    const prev = run.end;
    if (!prev) {
      run.end = end;
      continue;
    }
    const better = RANK[end.reason] > RANK[prev.reason] ? end : prev;
    const counts = end.counts ?? prev.counts;
    run.end = { ...better, exitCode: prev.exitCode ?? end.exitCode, signal: prev.signal ?? end.signal, ...(counts ? { counts } : {}) };
  }
  // A run a dashboard asked to stop that then exited or ended short of its summary was stopped, whoever saw the end
  // (tester Y1: `x` `y` then `q` before the script had finished its in-flight keys; the next dashboard found it gone
  // and recorded `ended`, and every dashboard and `status` said ended, not stopped). Also for such records written
  // before this rule.
  for (const run of runs.values()) {
    if (run.stopAskedAt !== undefined && run.end && STOPPABLE.has(run.end.reason)) run.end = { ...run.end, reason: 'stopped' };
  }
  return [...runs.values()];
}

/** End reasons that a stop asked before them makes `stopped`: not a summary (complete), not a start that failed. */
const STOPPABLE: ReadonlySet<EndReason> = new Set<EndReason>(['exited', 'ended']);
