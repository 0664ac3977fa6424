// A dashboard without a terminal, in its own process: the tests SIGKILL it mid-run, or race two of them.
// argv: CONFIG_FILE INTENTS...  (e.g. resume confirm-yes). Prints one JSON line per notice and state change.
import { loadConfig } from '../../dist/src/config.js';
import { startRuntime } from '../../dist/src/app/runtime.js';

const [file, ...intents] = process.argv.slice(2);
const config = loadConfig({ file, cwd: process.cwd() });
const runtime = startRuntime(config, { exit: () => process.exit(0) });
const { store, controller } = runtime;
const printed = new WeakSet();
let lastPid = null;
store.subscribe(() => {
  const s = store.getState();
  // By identity, not count: a notice of work in progress is replaced by the next one with its key.
  for (const n of s.ui.notices) {
    if (printed.has(n)) continue;
    printed.add(n);
    console.log(JSON.stringify({ notice: n.text, tone: n.tone }));
  }
  if (s.process.pid !== lastPid) {
    lastPid = s.process.pid;
    console.log(JSON.stringify({ pid: s.process.pid, attached: s.process.attached }));
  }
  if (s.ui.confirm && intents[0] === 'confirm-yes') controller.onIntent(intents.shift());
});
// Wait until the expected keys and a storage listing are in, as an operator would see them before pressing s.
const ready = setInterval(() => {
  const s = store.getState();
  if (s.coverage.expected && s.coverage.storage?.checkedAt && intents.length && intents[0] !== 'confirm-yes') {
    clearInterval(ready);
    controller.onIntent(intents.shift());
  }
}, 20);
