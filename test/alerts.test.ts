import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { recordAlertOnce, startAlertSink, SAME_OCCURRENCE_MS } from '../src/alerts/alert-sink.js';
import type { Alert } from '../src/alerts/alert-events.js';
import { desktopSequence, desktopStyleFor, oscSafe, tmuxPassthrough } from '../src/alerts/terminal-notify.js';
import { postWebhook } from '../src/alerts/webhook.js';
import { SourceError } from '../src/coverage/source.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import type { AppEvent } from '../src/state/events.js';
import { reduce } from '../src/state/reducer.js';
import { createStore } from '../src/store.js';
import { banner, logOf, T0 } from './support/log-text.js';
import { gameDates } from './support/screen-states.js';
import { waitFor } from './support/wait-for.js';

const grammar = compileGrammar();
const KEYS = gameDates(100);
const apply = (s: AppState, events: AppEvent[]) => events.reduce(reduce, s);
const kinds = (s: AppState) => s.alerts.recent.map((a) => a.kind);

/** A live run of 100 keys, history read, 60 s after its last line; timeout 60 s so it stalls after 5 min. */
function liveRun(extra: string[][] = []): AppState {
  const s = initialState({ job: 'job', log: '/x.log', now: T0, targets: [95, 100] });
  const records = [...banner(2, 60, 100), ...KEYS.slice(0, 10).map((k) => ['INFO', `  ✅ Scraped ${k}`]), ...extra];
  const last = T0 + (records.length - 1) * 1000;
  return apply(s, [
    { type: 'log/batch', batch: parseText(logOf(T0, records), grammar) },
    { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true },
    { type: 'process/update', patch: { writersChecked: true, writersCheckedAt: last, external: true, externalPids: [4242] } },
    { type: 'clock/tick', now: last + 60_000 },
    { type: 'expected/loaded', expected: { keys: KEYS, format: 'date', blank: 0, duplicates: 0, invalid: [], file: '/e' } },
  ]);
}

describe('alert events: each fires once per occurrence', () => {
  test('stalled fires when the run goes quiet, not again while it stays stalled, and again after it stalls anew', () => {
    let s = liveRun();
    expect(kinds(s)).toEqual([]);
    const last = s.log.current!.lastActivityAt!;
    s = apply(s, [{ type: 'clock/tick', now: last + 5 * 60_000 + 1000 }, { type: 'clock/tick', now: last + 6 * 60_000 }, { type: 'clock/tick', now: last + 7 * 60_000 }]);
    expect(kinds(s)).toEqual(['stalled']);
    expect(s.alerts.recent[0].text).toMatch(/^job: run stalled: no log line for over 5 min/);
    // A line comes: running again; quiet again: a second occurrence.
    s = apply(s, [{ type: 'log/batch', batch: parseText(logOf(last + 7 * 60_000, [['INFO', `  ✅ Scraped ${KEYS[20]}`]]), grammar) }, { type: 'clock/tick', now: last + 7 * 60_000 + 1000 }]);
    s = apply(s, [{ type: 'clock/tick', now: last + 13 * 60_000 }]);
    expect(kinds(s)).toEqual(['stalled', 'stalled']);
  });

  test('a run\'s end is told once: a log read again that passes through a state without its summary fires nothing more (tester W17)', () => {
    const s = liveRun();
    const summary = [['INFO', '='.repeat(70)], ['INFO', 'BACKFILL COMPLETE'], ['INFO', 'Total dates: 100'], ['INFO', '✅ Processed: 10'], ['INFO', '⏭️  Skipped: 0'], ['INFO', '❌ Failed: 0']];
    const records = [...banner(2, 60, 100), ...KEYS.slice(0, 10).map((k) => ['INFO', `  ✅ Scraped ${k}`])];
    let t = apply(s, [{ type: 'log/batch', batch: parseText(logOf(s.now, summary), grammar) }, { type: 'process/update', patch: { external: false, externalPids: [], writersCheckedAt: s.now } }]);
    expect(kinds(t)).toEqual(['completed']);
    // Read again from its start, in two parts: the first without the summary (a run that looks ended), then the rest.
    t = apply(t, [{ type: 'log/batch', batch: parseText(logOf(T0, records), grammar), replace: true }]);
    expect(t.log.current?.complete).toBe(false);
    t = apply(t, [{ type: 'log/batch', batch: parseText(logOf(s.now, summary), grammar) }]);
    expect(t.log.current?.complete).toBe(true);
    expect(kinds(t)).toEqual(['completed']);
  });

  test('a run that completes fires with its counts; one whose writer goes without a summary fires ended', () => {
    const s = liveRun();
    const done = apply(s, [{ type: 'log/batch', batch: parseText(logOf(s.now, [['INFO', '='.repeat(70)], ['INFO', 'BACKFILL COMPLETE'], ['INFO', 'Total dates: 100'], ['INFO', '✅ Processed: 10'], ['INFO', '⏭️  Skipped: 0'], ['INFO', '❌ Failed: 0']]), grammar) }]);
    expect(kinds(done)).toEqual(['completed']);
    expect(done.alerts.recent[0].text).toBe('job: run complete: 10 scraped, 0 failed, 0 skipped');
    const gone = apply(s, [{ type: 'process/update', patch: { external: false, externalPids: [], writersCheckedAt: s.now } }]);
    expect(kinds(gone)).toEqual(['ended-without-summary']);
    // Seen again, nothing new.
    expect(kinds(apply(gone, [{ type: 'clock/tick', now: gone.now + 1000 }]))).toEqual(['ended-without-summary']);
  });

  test('nothing fires while the history is read', () => {
    const s = initialState({ job: 'job', log: '/x.log', now: T0 + 3_600_000, targets: [95] });
    const read = apply(s, [{ type: 'log/batch', batch: parseText(logOf(T0, [...banner(2, 60, 3), ['INFO', 'BACKFILL COMPLETE']]), grammar) }, { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true }]);
    expect(kinds(read)).toEqual([]);
  });

  test('a target met fires on the crossing seen live, never on the first look; a source failing 3 polls in a row fires once', () => {
    let s = apply(liveRun(), [{ type: 'coverage/configured', source: 'storage', label: 'gs://b/p/' }]);
    const listed = (n: number, at: number): AppEvent => ({ type: 'coverage/result', source: 'storage', result: { keys: new Set(KEYS.slice(0, n)), bytesBilled: null, method: 'prefixes', requests: 1 }, at });
    s = apply(s, [listed(96, s.now)]);
    expect(kinds(s)).toEqual([]);
    s = apply(liveRun(), [{ type: 'coverage/configured', source: 'storage', label: 'gs://b/p/' }, listed(90, 1), listed(94, 2), listed(96, 3), listed(97, 4), listed(100, 5)]);
    expect(s.alerts.recent.map((a) => a.text)).toEqual(['job: storage reached 95 %: 96 of 100 expected keys', 'job: storage reached 100 %: 100 of 100 expected keys']);
    const err: AppEvent = { type: 'coverage/error', source: 'storage', error: new SourceError('HTTP 403: denied', null, 403), at: 9 };
    s = apply(s, [err, err]);
    expect(kinds(s).filter((k) => k === 'source-failing')).toEqual([]);
    s = apply(s, [err, err, err]);
    expect(s.alerts.recent.filter((a) => a.kind === 'source-failing').map((a) => a.text)).toEqual(['job: storage failed 3 polls in a row: HTTP 403: denied']);
  });

  // Tester AC18: with no log yet (a job watched before its first run) the history is never read, and a source failing
  // poll after poll never alerted.
  test('a source failing 3 polls in a row fires with no log read yet', () => {
    const err: AppEvent = { type: 'coverage/error', source: 'storage', error: new SourceError('HTTP 403: denied', null, 403), at: 9 };
    const s = apply(initialState({ job: 'job', log: '/x/bf.log', now: T0, targets: [95] }), [{ type: 'coverage/configured', source: 'storage', label: 'gs://b/p/' }, err, err, err, err]);
    expect(s.log.historyDone).toBe(false);
    expect(s.alerts.recent.filter((a) => a.kind === 'source-failing').map((a) => a.text)).toEqual(['job: storage failed 3 polls in a row: HTTP 403: denied']);
  });

  test('a stop that needs a decision fires once', () => {
    const s = apply(liveRun(), [{ type: 'process/update', patch: { runId: 'r1', stopping: 'sigterm' } }, { type: 'process/update', patch: { stopping: 'needs-kill' } }, { type: 'process/update', patch: { stopping: 'needs-kill' } }]);
    expect(kinds(s)).toEqual(['stop-needs-decision']);
    // Read away from the dashboard (a webhook, alerts.jsonl): the key said as its dashboard's, and what it does.
    expect(s.alerts.recent.at(-1)?.text).toBe('job: run r1 ignored SIGINT and SIGTERM: the stop needs your decision (x on its dashboard asks about SIGKILL)');
  });
});

describe('terminal notification bytes', () => {
  test('OSC 9, OSC 777, tmux passthrough, and no escape injection from alert text', () => {
    expect(desktopSequence('osc9', 'backfill-tui', 'run complete')).toBe('\x1b]9;backfill-tui: run complete\x07');
    expect(desktopSequence('osc777', 'backfill-tui', 'a; b')).toBe('\x1b]777;notify;backfill-tui;a, b\x07');
    expect(tmuxPassthrough('\x1b]9;x\x07')).toBe('\x1bPtmux;\x1b\x1b]9;x\x07\x1b\\');
    expect(oscSafe('key\x1b]0;evil\x07 done')).toBe('key ]0;evil  done');
    expect(desktopStyleFor({ VTE_VERSION: '7600' })).toBe('osc777');
    expect(desktopStyleFor({ TERM: 'xterm-256color' })).toBe('osc9');
  });
});

describe('the alert sink', () => {
  let dir: string;
  let servers: Server[] = [];
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bt-alerts-'));
  });
  afterEach(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    servers = [];
    rmSync(dir, { recursive: true, force: true });
  });

  /** A loopback webhook receiver: `answer` decides per request (status, or 'hang'). */
  async function receiver(answer: (n: number) => number | 'hang' | { delayMs: number; status: number }) {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        bodies.push(body);
        const a = answer(bodies.length);
        if (a === 'hang') return;
        if (typeof a === 'number') return void res.writeHead(a).end();
        setTimeout(() => res.writeHead(a.status).end(), a.delayMs);
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
  }

  function stalledStore() {
    const store = createStore(liveRun(), { frameMs: 0 });
    const fire = () => store.dispatch({ type: 'clock/tick', now: store.getState().log.current!.lastActivityAt! + 6 * 60_000 });
    return { store, fire };
  }

  test('bell and OSC 9 (wrapped for tmux inside tmux) on the terminal, a line in alerts.jsonl, the webhook POSTs {"text"}', async () => {
    const hook = await receiver(() => 200);
    const { store, fire } = stalledStore();
    let written = '';
    const stop = startAlertSink(store, { channels: { bell: true, desktop: true, webhook: { url: hook.url } }, stateDir: dir, write: (b) => (written += b), env: { TMUX: '/tmp/tmux-0/default,1,0', TERM: 'screen' } });
    fire();
    store.flush();
    expect(written).toBe('\x07\x1bPtmux;\x1b\x1b]9;backfill-tui: job: run stalled: no log line for over 6 min\x07\x1b\\');
    await waitFor(() => hook.bodies.length === 1, 'the webhook POST');
    expect(JSON.parse(hook.bodies[0])).toEqual({ text: 'job: run stalled: no log line for over 6 min' });
    // The file exists before its line is whole (appendFile): wait for a line that ends.
    const lines = await waitFor(() => {
      const text = existsSync(path.join(dir, 'alerts.jsonl')) ? readFileSync(path.join(dir, 'alerts.jsonl'), 'utf8') : '';
      return text.endsWith('\n') ? text.trim().split('\n') : undefined;
    }, 'a whole line in alerts.jsonl');
    expect(JSON.parse(lines[0])).toMatchObject({ kind: 'stalled', job: 'job', text: 'job: run stalled: no log line for over 6 min' });
    // The same state again: nothing more on any channel.
    store.dispatch({ type: 'clock/tick', now: store.getState().now + 1000 });
    store.flush();
    expect(written.split('\x07').length - 1).toBe(2);
    stop();
  });

  // Tester X9: a run that completed in 50 ms got an alert stamped 4.5 s before its first line (the last idle tick).
  test('an alert is stamped when it is raised, not at the state\'s last tick', async () => {
    const { store, fire } = stalledStore();
    const raised = store.getState().log.current!.lastActivityAt! + 6 * 60_000 + 4_500;
    const stop = startAlertSink(store, { channels: { bell: false, desktop: false }, stateDir: dir, write: () => undefined, env: {}, now: () => raised });
    fire();
    store.flush();
    const lines = await waitFor(() => {
      const text = existsSync(path.join(dir, 'alerts.jsonl')) ? readFileSync(path.join(dir, 'alerts.jsonl'), 'utf8') : '';
      return text.endsWith('\n') ? text.trim().split('\n') : undefined;
    }, 'a whole line in alerts.jsonl');
    expect(JSON.parse(lines[0])).toMatchObject({ kind: 'stalled', at: raised });
    stop();
  });

  /** alerts.jsonl's whole lines, parsed. */
  const recorded = (): Alert[] => {
    const text = existsSync(path.join(dir, 'alerts.jsonl')) ? readFileSync(path.join(dir, 'alerts.jsonl'), 'utf8') : '';
    return text.split('\n').filter((l) => l.endsWith('}')).map((l) => JSON.parse(l) as Alert);
  };

  test('two dashboards of one state directory (tester X7): each terminal rings, the webhook and alerts.jsonl get each occurrence once', async () => {
    const hook = await receiver(() => 200);
    const sinks = [stalledStore(), stalledStore()].map((d) => {
      let written = '';
      const stop = startAlertSink(d.store, { channels: { bell: true, desktop: false, webhook: { url: hook.url } }, stateDir: dir, write: (b) => (written += b), env: {} });
      return { ...d, stop, written: () => written };
    });
    for (const d of sinks) d.fire();
    for (const d of sinks) d.store.flush();
    expect(sinks.map((d) => d.written())).toEqual(['\x07', '\x07']);
    await waitFor(() => recorded().length === 1 && hook.bodies.length >= 1, 'the stall recorded and posted');
    // A line comes, then quiet again: a new occurrence, again told once.
    for (const d of sinks) {
      const last = d.store.getState().now;
      d.store.dispatch({ type: 'log/batch', batch: parseText(logOf(last, [['INFO', `  ✅ Scraped ${KEYS[20]}`]]), grammar) });
      d.store.dispatch({ type: 'clock/tick', now: last + 1000 });
      d.store.dispatch({ type: 'clock/tick', now: last + 7 * 60_000 });
      d.store.flush();
    }
    expect(sinks.map((d) => d.written())).toEqual(['\x07\x07', '\x07\x07']);
    await waitFor(() => recorded().length === 2 && hook.bodies.length >= 2, 'the second stall recorded and posted');
    expect(recorded().map((a) => a.kind)).toEqual(['stalled', 'stalled']);
    expect(new Set(recorded().map((a) => a.occurrence)).size).toBe(2);
    expect(hook.bodies).toHaveLength(2);
    expect(existsSync(dir) && readdirSync(dir).filter((f) => f.endsWith('.claim'))).toEqual([]);
    for (const d of sinks) d.stop();
  });

  test('recordAlertOnce: one of two at one instant records; the same occurrence 10 min on, or a stale claim, records again', async () => {
    const alert: Alert = { kind: 'completed', at: T0, job: 'job', text: 'job: run complete', run: 'r1', occurrence: 'job|completed|r1' };
    const both = await Promise.all([recordAlertOnce(dir, alert), recordAlertOnce(dir, alert)]);
    expect(both.filter(Boolean)).toHaveLength(1);
    expect(await recordAlertOnce(dir, { ...alert, at: T0 + 60_000 })).toBe(false);
    expect(await recordAlertOnce(dir, { ...alert, occurrence: 'job|completed|r2' })).toBe(true);
    expect(await recordAlertOnce(dir, { ...alert, at: T0 + SAME_OCCURRENCE_MS })).toBe(true);
    expect(recorded().map((a) => a.occurrence)).toEqual(['job|completed|r1', 'job|completed|r2', 'job|completed|r1']);
    // A claim left by a dashboard that died mid-record: taken over once a minute old, never before.
    const left = { ...alert, occurrence: 'job|completed|r3' };
    writeFileSync(path.join(dir, `alert-${createHash('sha1').update(left.occurrence).digest('hex').slice(0, 16)}.claim`), '');
    expect(await recordAlertOnce(dir, left)).toBe(false);
    const stale = (Date.now() - 120_000) / 1000;
    utimesSync(path.join(dir, `alert-${createHash('sha1').update(left.occurrence).digest('hex').slice(0, 16)}.claim`), stale, stale);
    expect(await recordAlertOnce(dir, left)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.claim'))).toEqual([]);
  });

  test('channels switched off write nothing to the terminal; OSC 777 where chosen', () => {
    const { store, fire } = stalledStore();
    let written = '';
    startAlertSink(store, { channels: { bell: false, desktop: 'osc777' }, stateDir: dir, write: (b) => (written += b), env: {} });
    fire();
    store.flush();
    expect(written).toBe('\x1b]777;notify;backfill-tui;job: run stalled: no log line for over 6 min\x07');
    const quiet = stalledStore();
    let none = '';
    startAlertSink(quiet.store, { channels: { bell: false, desktop: false }, stateDir: dir, write: (b) => (none += b), env: {} });
    quiet.fire();
    quiet.store.flush();
    expect(none).toBe('');
  });

  test('a webhook answering 500 is tried twice, then a notice says so; the screen path never waits for it', async () => {
    const hook = await receiver(() => 500);
    const { store, fire } = stalledStore();
    let written = '';
    startAlertSink(store, { channels: { bell: true, desktop: false, webhook: { url: hook.url } }, stateDir: dir, write: (b) => (written += b), env: {} });
    fire();
    store.flush();
    // The bell is out before the webhook has even been answered.
    expect(written).toBe('\x07');
    const notice = await waitFor(() => store.getState().ui.notices.find((n) => n.text.startsWith('alert webhook failed')), 'the failure notice');
    expect(notice.text).toBe('alert webhook failed: HTTP 500 after 2 attempts');
    expect(hook.bodies).toHaveLength(2);
  });

  test('a webhook that never answers, or answers too slowly, times out per attempt, at most one retry', async () => {
    // Limits with room for a loaded machine: an attempt cut before its request reached the server proves nothing
    // (a 200 ms limit at load 18 cut one so: the server saw 1 body of 2).
    const never = await receiver(() => 'hang');
    expect(await postWebhook(never.url, 'x', { timeoutMs: 1500 })).toBe('no answer in 1.5 s after 2 attempts');
    await waitFor(() => never.bodies.length === 2, 'both attempts at the server');
    const slow = await receiver((n) => (n === 1 ? { delayMs: 10_000, status: 200 } : 200));
    // The first attempt is too slow; the retry gets through.
    expect(await postWebhook(slow.url, 'x', { timeoutMs: 1500 })).toBeNull();
    expect(slow.bodies).toHaveLength(2);
  });
});
