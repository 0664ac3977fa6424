/**
 * The writer of the append-latency bench, run as its own process: appends reference-format
 * `✅ Scraped` lines to FILE at RATE lines a second for SECONDS, in a batch every BATCH_MS.
 * Each line's key is `w<write time>_<n>` (epoch ms with microseconds, performance.timeOrigin + now(),
 * taken just before the append; n makes every key distinct, as a run counts each key once) so the
 * reader can tell each line's age from the line alone.
 * Usage: node bench/append-writer.js FILE RATE SECONDS BATCH_MS; prints {"written":N,...} at the end.
 */
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [file, rateArg, secondsArg, batchArg] = process.argv.slice(2);
const rate = Number(rateArg);
const total = Math.round(rate * Number(secondsArg));
const batchMs = Number(batchArg);
const now = () => performance.timeOrigin + performance.now();
const pad = (n, w = 2) => String(n).padStart(w, '0');

/** logging's asctime, local time: `2025-11-26 23:17:12,345`. */
function asctime(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
}

const start = now();
let written = 0;
let batches = 0;
function step() {
  const due = Math.min(total, Math.floor(((now() - start) * rate) / 1000));
  if (due > written) {
    const t = now();
    const head = `${asctime(t)} - INFO -   ✅ Scraped w${t.toFixed(3)}_`;
    let text = '';
    for (let n = written; n < due; n++) text += `${head}${n}\n`;
    appendFileSync(file, text);
    written = due;
    batches++;
  }
  if (written < total) setTimeout(step, batchMs);
  else process.stdout.write(`${JSON.stringify({ written, batches, ms: now() - start })}\n`);
}
setTimeout(step, batchMs);
