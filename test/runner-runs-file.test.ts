import { afterEach, describe, expect, test } from 'vitest';
import { appendFileSync, readFileSync } from 'node:fs';
import { findAttachable } from '../src/runner/attach.js';
import { procStartOf } from '../src/runner/proc.js';
import {
  appendRunRecord, foldRuns, readRuns, recordEnd, runsPath,
  type EndRecord, type LaunchRecord, type RunRecord,
} from '../src/runner/runs-file.js';
import { cleanup, deadPid, tempDir } from './runner-support.js';

afterEach(cleanup);

const launchRec = (id: string, extra: Partial<LaunchRecord> = {}): LaunchRecord => ({
  type: 'launch', id, label: 'resume', argv: ['python', 'job.py', '--csv=/k'], cwd: '/w', keysFile: '/k',
  keyCount: 244, pid: 1234, procStart: 99, log: '/w/job.log', startedAt: 1_000, ...extra,
});
const endRec = (id: string, extra: Partial<EndRecord> = {}): EndRecord => ({
  type: 'end', id, endedAt: 2_000, exitCode: null, signal: null, reason: 'exited', ...extra,
});

describe('runs.jsonl', () => {
  test('a launch and its end fold into one run; a missing file is no runs', async () => {
    const state = tempDir();
    expect(await readRuns(state, null)).toEqual([]);
    await appendRunRecord(state, launchRec('a'));
    await recordEnd(state, { id: 'a', endedAt: 2_000, exitCode: 0, signal: null, reason: 'exited', counts: { succeeded: 42, failed: 202 } });
    const [run] = await readRuns(state, null);
    expect(run).toMatchObject({ id: 'a', pid: 1234, keyCount: 244, end: { exitCode: 0, reason: 'exited', counts: { failed: 202 } } });
  });

  test('records are appended: earlier bytes never change', async () => {
    const state = tempDir();
    await appendRunRecord(state, launchRec('a'));
    const before = readFileSync(runsPath(state), 'utf8');
    await appendRunRecord(state, launchRec('b'));
    await recordEnd(state, { id: 'a', endedAt: 3, exitCode: 1, signal: null, reason: 'exited' });
    const after = readFileSync(runsPath(state), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.trimEnd().split('\n')).toHaveLength(3);
  });

  test('a torn last line is skipped, and the next record still lands on its own line', async () => {
    const state = tempDir();
    await appendRunRecord(state, launchRec('a'));
    appendFileSync(runsPath(state), '{"type":"launch","id":"torn","arg'); // a crash mid-write
    expect((await readRuns(state, null)).map((r) => r.id)).toEqual(['a']);
    await recordEnd(state, { id: 'a', endedAt: 5, exitCode: null, signal: null, reason: 'gone' });
    const runs = await readRuns(state, null);
    expect(runs.map((r) => [r.id, r.end?.reason])).toEqual([['a', 'gone']]);
    expect(readFileSync(runsPath(state), 'utf8')).toContain('"arg\n{"type":"end"');
  });

  test('blank, foreign and orphan lines are ignored', () => {
    const runs = foldRuns([endRec('nobody'), launchRec('a')]);
    expect(runs.map((r) => [r.id, r.end])).toEqual([['a', null]]);
  });
});

describe('foldRuns: several end records for one run', () => {
  test.each<[string, EndRecord[], Partial<RunRecord['end']>]>([
    ['gone, then the owner saw it exit: exited with its code',
      [endRec('a', { reason: 'gone' }), endRec('a', { reason: 'exited', exitCode: 0 })], { reason: 'exited', exitCode: 0 }],
    ['exited with code, then found gone: still exited with the code',
      [endRec('a', { exitCode: 1 }), endRec('a', { reason: 'gone', endedAt: 9 })], { reason: 'exited', exitCode: 1, endedAt: 2_000 }],
    ['the stop, then the exit it caused: stopped, with the signal',
      [endRec('a', { reason: 'stopped' }), endRec('a', { signal: 'SIGINT' })], { reason: 'stopped', signal: 'SIGINT' }],
    ['a stop, then the run wrote its summary and exited 0 (tester AA11): complete, not stopped',
      [endRec('a', { reason: 'stopped' }), endRec('a', { reason: 'complete', exitCode: 0 })], { reason: 'complete', exitCode: 0 }],
    ['complete, then another dashboard found it exited: still complete',
      [endRec('a', { reason: 'complete' }), endRec('a', { reason: 'exited', exitCode: 0 })], { reason: 'complete', exitCode: 0 }],
    ['counts come from the last record that has them',
      [endRec('a', { counts: { failed: 1 } }), endRec('a', { counts: { failed: 2 } })], { counts: { failed: 2 } }],
  ])('%s', (_, ends, expected) => {
    const [run] = foldRuns([launchRec('a'), ...ends]);
    expect(run.end).toMatchObject(expected);
  });
});

describe('findAttachable', () => {
  test('attaches to the latest live run with a matching start time; a reused pid or a dead one is ended', async () => {
    const me = { pid: process.pid, procStart: procStartOf(process.pid) };
    const dead = await deadPid();
    const runs = foldRuns([
      launchRec('old-dead', { pid: dead, procStart: 1, startedAt: 1 }),
      launchRec('reused', { pid: process.pid, procStart: (me.procStart as number) + 7, startedAt: 2 }),
      launchRec('live', { ...me, startedAt: 3 }),
      launchRec('finished', { ...me, startedAt: 4 }),
      endRec('finished'),
    ]);
    const found = findAttachable(runs);
    expect(found.attachable?.id).toBe('live');
    expect(found.ended.map((r) => r.id).sort()).toEqual(['old-dead', 'reused']);
  });

  test('a launch recorded before its spawn and never completed with a pid is unproven, not ended', () => {
    const runs = foldRuns([launchRec('a', { pid: null, procStart: null })]);
    expect(findAttachable(runs)).toEqual({ attachable: null, ended: [], unproven: [runs[0]] });
  });

  test('the record written after the spawn completes the one written before it', () => {
    const runs = foldRuns([launchRec('a', { pid: null, procStart: null }), launchRec('a', { pid: 77, procStart: 5 })]);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: 'a', pid: 77, procStart: 5, end: null });
  });
});

// Tester W16: a launch record without `label` (hand-edited, another tool) crashed the dashboard on `h`
// (`r.label.padEnd`): every field is checked when read, a record that is not what a dashboard writes is skipped.
describe('records are checked field by field when read', () => {
  test('a record missing or mistyping a required field is skipped; optional fields of another type are dropped; h draws', async () => {
    const dir = tempDir();
    const good = launchRec('good', { workers: 3 });
    const { label: _label, ...noLabel } = launchRec('no-label');
    const lines = [
      good,
      noLabel,
      launchRec('argv-string', { argv: 'python job.py' as unknown as string[] }),
      launchRec('pid-string', { pid: '1234' as unknown as number }),
      launchRec('bad-optional', { workers: 'six' as unknown as number, timeout: 60 }),
      endRec('good', { counts: { succeeded: 3, failed: 'x' as unknown as number } }),
      endRec('good', { reason: 'exploded' as EndRecord['reason'] }),
      { type: 'stop', id: 'good', at: 'now' },
    ];
    appendFileSync(runsPath(dir), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const runs = await readRuns(dir, null);
    expect(runs.map((r) => r.id)).toEqual(['good', 'bad-optional']);
    expect(runs[0]).toMatchObject({ workers: 3, end: { reason: 'exited', counts: { succeeded: 3 } } });
    expect(runs[0].end!.counts).toEqual({ succeeded: 3 });
    expect(runs[0].stopAskedAt).toBeUndefined();
    expect(runs[1]).toMatchObject({ timeout: 60 });
    expect(runs[1]).not.toHaveProperty('workers');
    // The history view over what was read draws (it threw on the record without a label).
    const { recordedRuns } = await import('../src/app/process-info.js');
    const { historyLines } = await import('../src/state/history-lines.js');
    const { initialState } = await import('../src/state/app-state.js');
    const state = initialState({ job: 'j', log: '/x.log', now: 10_000, targets: [95] });
    const lines2 = historyLines({ ...state, process: { ...state.process, history: recordedRuns(runs) } }).map((l) => l.text);
    expect(lines2.some((t) => t.includes('resume'))).toBe(true);
  });
});
