import { expect, test } from 'vitest';
import { statusText } from '../src/app/status-text.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { banner, logOf, T0 } from './support/log-text.js';

// AI14's class: text status said a stop `waits for your decision` and not where it is taken (a shell has no `x`).
test('text status of a stop that needs the SIGKILL decision says where it is taken', () => {
  const records = [...banner(1, 60, 10), ['INFO', '  ✅ Scraped 2024-01-02']];
  let s = initialState({ job: 'ign', log: '/x/b.log', now: T0 + 30_000, targets: [95] });
  s = reduce(s, { type: 'log/batch', batch: parseText(logOf(T0, records), compileGrammar()), arrivedAt: T0 + 29_000 });
  s = reduce(s, { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true });
  s = reduce(s, { type: 'process/update', patch: { runId: 'resume-1', pid: 4242, alive: true, attached: true, stopping: 'needs-kill', stopSignals: [{ signal: 'SIGINT', at: T0 + 5_000 }, { signal: 'SIGTERM', at: T0 + 15_000 }] } });
  const stop = statusText(s).split('\n').find((l) => l.startsWith('stop      '));
  expect(stop).toMatch(/only SIGKILL is left, and it waits for your decision; open the dashboard: x asks about SIGKILL$/);
});
