import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { decodeExecution } from '../src/cloud-run/execution.js';
import { loadKept } from '../src/cloud-run/execution-outcomes.js';
import { compileGrammar } from '../src/parser/index.js';
import { createExecutionHistory } from '../src/run-place/execution-history.js';
import type { AppEvent } from '../src/state/events.js';
import { removeDir } from './support/remove-dir.js';

// Tester AD5: a kept execution file cut short (a full disk, a hand edit) was passed over without a word.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

function stateDir(): string {
  const base = mkdtempSync(path.join(os.tmpdir(), 'bt-kept-unread-'));
  dirs.push(base);
  const dir = path.join(base, '.backfill-tui');
  mkdirSync(path.join(dir, 'executions'), { recursive: true });
  return dir;
}

const whole = { id: 'j-good', startedAt: 1000, endedAt: 2000, failed: [{ key: '2022-01-03', status: 'failed', error: 'HTTP 500' }], tried: null, whole: true };

test('each kept file that cannot be read, and why in words; a good one read', async () => {
  const dir = stateDir();
  const put = (id: string, text: string) => writeFileSync(path.join(dir, 'executions', `${id}.json`), text);
  const good = JSON.stringify(whole);
  put('j-good', good);
  put('j-cut', good.slice(0, 40));
  put('j-empty', '');
  put('j-text', 'hello\n');
  put('j-other', '{"a":1}');
  const { outcomes, unread } = await loadKept(dir, 'projects/p/locations/r/jobs/j');
  expect(outcomes.map((o) => o.id)).toEqual(['j-good']);
  expect(Object.fromEntries(unread.map((u) => [u.id, u.reason]))).toEqual({
    'j-cut': 'incomplete JSON',
    'j-empty': 'empty',
    'j-text': 'not JSON',
    'j-other': "not an execution's outcomes: no id, failed keys, start or end",
  });
});

test('the dashboard says it once, naming the file, and never writes over it with what the log says now', async () => {
  const dir = stateDir();
  const file = path.join(dir, 'executions', 'j-1.json');
  const cut = JSON.stringify({ ...whole, id: 'j-1' }).slice(0, 50);
  writeFileSync(file, cut);
  const events: AppEvent[] = [];
  const ac = new AbortController();
  const history = createExecutionHistory({
    stateDir: dir,
    baseDir: path.dirname(dir),
    project: 'p',
    region: 'r',
    job: 'j',
    args: [],
    // Never asked here: only what was kept, and keeping the followed execution, are.
    feed: { follow: () => () => undefined } as never,
    grammar: compileGrammar(),
    dispatch: (e) => events.push(e),
    currentRun: () => null,
    now: () => 3000,
    logDeadlineMs: 1000,
    signal: ac.signal,
  });
  await history.start();
  const notices = events.filter((e) => e.type === 'ui/notice').map((e) => (e as { text: string }).text);
  expect(notices).toEqual(['kept outcomes .backfill-tui/executions/j-1.json cannot be read (incomplete JSON): left out, and left as it is']);
  expect(await history.keptUnread('j-1')).toBe(true);
  history.follow('j-1');
  const e = decodeExecution({ name: 'projects/p/locations/r/jobs/j/executions/j-1', createTime: '2026-03-01T12:00:00Z', startTime: '2026-03-01T12:00:00Z', completionTime: '2026-03-01T12:05:00Z', taskCount: 1, succeededCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_SUCCEEDED' }] });
  await history.keepFollowed(e, null, true);
  expect(readFileSync(file, 'utf8')).toBe(cut);
  ac.abort();
  await history.close();
});

// An earlier execution whose log Cloud Logging no longer has, read once: no entry is nothing read, never kept `whole`
// with 0 failures (its keys would read `recovered` where they are not known).
test('an earlier execution whose log gives no entry is not kept', async () => {
  const dir = stateDir();
  const ac = new AbortController();
  const history = createExecutionHistory({
    stateDir: dir,
    baseDir: path.dirname(dir),
    project: 'p',
    region: 'r',
    job: 'j',
    args: [],
    // Cloud Logging has nothing of it: the first pass reaches the end with no entry.
    feed: { follow: (o: { onRead: (at: number, pass: { caughtUp: boolean; passStartedAt: number }) => void }) => (queueMicrotask(() => o.onRead(3000, { caughtUp: true, passStartedAt: 3000 })), () => undefined) } as never,
    grammar: compileGrammar(),
    dispatch: () => undefined,
    currentRun: () => null,
    now: () => Date.parse('2026-03-02T00:00:00Z'),
    logDeadlineMs: 1000,
    signal: ac.signal,
  });
  await history.start();
  const e = decodeExecution({ name: 'projects/p/locations/r/jobs/j/executions/j-0', createTime: '2026-03-01T12:00:00Z', startTime: '2026-03-01T12:00:00Z', completionTime: '2026-03-01T12:05:00Z', taskCount: 1, succeededCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_SUCCEEDED' }] });
  history.listed([e], new Map());
  await history.close();
  expect(existsSync(path.join(dir, 'executions', 'j-0.json'))).toBe(false);
  ac.abort();
});
