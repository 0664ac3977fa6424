import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startAlertSink } from '../src/alerts/alert-sink.js';
import { initialState } from '../src/state/app-state.js';
import { createStore } from '../src/store.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// Tester Z1: leaving right as `stop needs a decision` was raised left `alert-HASH.claim` (0 bytes) behind and no line
// in alerts.jsonl: the process exited between the claim and the record. Stopping the sink now waits for the record.
test('stopping the alert sink resolves once the alert raised just before is recorded, its claim file gone', async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-sink-stop-'));
  const s0 = initialState({ job: 'j', log: '/x.log', now: Date.now(), targets: [] });
  const store = createStore({ ...s0, log: { ...s0.log, historyDone: true }, process: { ...s0.process, runId: 'r1', pid: 42, attached: true, alive: true, stopping: 'sigterm', stopSignals: [{ signal: 'SIGINT', at: s0.now }, { signal: 'SIGTERM', at: s0.now }] } }, { frameMs: 0 });
  const stop = startAlertSink(store, { channels: { bell: false, desktop: false }, stateDir: dir, write: () => undefined });
  store.dispatch({ type: 'process/update', patch: { stopping: 'needs-kill' } });
  expect(store.getState().alerts.recent.map((a) => a.kind)).toEqual(['stop-needs-decision']);
  await stop();
  const file = path.join(dir, 'alerts.jsonl');
  expect(existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).kind) : []).toEqual(['stop-needs-decision']);
  expect(readdirSync(dir).filter((n) => n.endsWith('.claim'))).toEqual([]);
});
