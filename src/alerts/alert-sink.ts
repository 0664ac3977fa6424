import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { makeDirs } from '../runner/make-dirs.js';
import { appendRegular, readUserText } from '../user-file.js';
import { join } from 'node:path';
import { withClaim } from '../runner/claim-file.js';
import type { Store } from '../store.js';
import type { Alert } from './alert-events.js';
import { desktopStyleFor, insideTmux, terminalBytes, type DesktopStyle } from './terminal-notify.js';
import { postWebhook, type WebhookOptions } from './webhook.js';

/** Config `alerts`: each channel switchable. */
export interface AlertChannels {
  bell: boolean;
  /** true: the terminal's own convention (OSC 9, or OSC 777 on VTE/urxvt); or a style; false: off. */
  desktop: boolean | DesktopStyle;
  webhook?: { url: string } | null;
}

/** Where alerts go; everything injectable for tests. */
export interface AlertSinkOptions {
  channels: AlertChannels;
  stateDir: string;
  /** The terminal: bell and OSC bytes are written here. */
  write: (bytes: string) => void;
  env?: NodeJS.ProcessEnv;
  webhook?: WebhookOptions;
  /** The machine's clock: an alert is stamped when it is raised (epoch ms). Default Date.now. */
  now?: () => number;
}

/** The alerts file in the state directory: one JSON object a line, appended, never rewritten. */
export function alertsPath(stateDir: string): string {
  return join(stateDir, 'alerts.jsonl');
}

/** The newest `limit` alerts recorded by earlier sessions (for the history view); [] when none. */
export async function readPastAlerts(stateDir: string, limit = 20): Promise<Alert[]> {
  // A regular file only, to a bound (user-file.ts): a FIFO put there would block the read for good.
  const text = await readUserText(alertsPath(stateDir), { label: 'alerts file', maxBytes: 64_000_000 }).then((r) => r.text, () => '');
  const out: Alert[] = [];
  for (const line of text.split('\n').slice(-limit - 1)) {
    try {
      const a = JSON.parse(line) as Alert;
      if (a && typeof a.text === 'string' && typeof a.at === 'number') out.push(a);
    } catch {
      // a torn or foreign line: skipped
    }
  }
  return out.slice(-limit);
}

/** An occurrence recorded in alerts.jsonl this recently (by another dashboard of the state directory) is not sent again. */
export const SAME_OCCURRENCE_MS = 10 * 60_000;
/** How much of alerts.jsonl's end is read for an occurrence already recorded (a few hundred alerts). */
const TAIL_BYTES = 128 * 1024;

/**
 * Records `alert` in alerts.jsonl unless another dashboard of the same state directory already recorded the same
 * occurrence within SAME_OCCURRENCE_MS; resolves true when this dashboard recorded it (and so sends it out).
 * Two at one instant are kept apart by a claim file (withClaim: STATEDIR/alert-HASH.claim), as a run's end record is.
 * An alert without an occurrence (none today) is always recorded. Throws an Error naming the file it could not write.
 */
export async function recordAlertOnce(stateDir: string, alert: Alert): Promise<boolean> {
  const file = alertsPath(stateDir);
  if (alert.occurrence === undefined) {
    await appendRegular(file, JSON.stringify(alert) + '\n');
    return true;
  }
  const claim = join(stateDir, `alert-${createHash('sha1').update(alert.occurrence).digest('hex').slice(0, 16)}.claim`);
  const wrote = await withClaim(claim, async () => {
    if (await recordedLately(file, alert)) return false;
    await appendRegular(file, JSON.stringify(alert) + '\n');
    return true;
  });
  return wrote === true;
}

/** Whether alerts.jsonl's end holds `alert`'s occurrence at a time within SAME_OCCURRENCE_MS of its own. */
async function recordedLately(file: string, alert: Alert): Promise<boolean> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => null);
  if (!handle) return false;
  try {
    const st = await handle.stat();
    if (!st.isFile()) return false; // a FIFO put there: never read (appendRegular refuses to write it, said)
    const { size } = st;
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    for (const line of buf.toString('utf8').split('\n')) {
      if (!line.includes(alert.occurrence!)) continue;
      try {
        const a = JSON.parse(line) as Alert;
        if (a.occurrence === alert.occurrence && Math.abs(a.at - alert.at) < SAME_OCCURRENCE_MS) return true;
      } catch {
        // a torn or foreign line (the first one of the tail, cut): not this occurrence
      }
    }
    return false;
  } finally {
    await handle.close();
  }
}

/**
 * The alert sink, outside React: it watches the store for alerts the reducer fired and sends each once
 * (by `seq`) to every channel that is on: bell and desktop bytes to this terminal (each dashboard's operator is
 * told), then once per occurrence across the dashboards of one state directory (recordAlertOnce) a line to
 * alerts.jsonl and the webhook, in the background (a failure comes back as a notice, never blocking the screen).
 * Returns the function that stops it, which resolves once what was raised is recorded.
 */
export function startAlertSink(store: Store, opts: AlertSinkOptions): () => Promise<void> {
  const env = opts.env ?? process.env;
  const desktop: DesktopStyle | null = opts.channels.desktop === true ? desktopStyleFor(env) : opts.channels.desktop || null;
  const tmux = insideTmux(env);
  let sent = store.getState().alerts.seq;
  let fileReady: Promise<unknown> | null = null;
  let chain: Promise<unknown> = Promise.resolve();

  const send = (alert: Alert) => {
    const bytes = terminalBytes({ bell: opts.channels.bell, desktop, tmux }, 'backfill-tui', alert.text);
    if (bytes) opts.write(bytes);
    fileReady ??= makeDirs(opts.stateDir);
    // One append per alert, in order; the file is ours (we create it) and only ever grows. An occurrence another
    // dashboard recorded first is theirs to send (tester X7: two dashboards posted every alert to the webhook twice).
    const url = opts.channels.webhook?.url;
    chain = chain
      .then(() => fileReady)
      .then(() => recordAlertOnce(opts.stateDir, alert))
      // The file could not be written: the webhook still goes (an alert lost is worse than one told twice).
      .catch((err: Error) => {
        store.dispatch({ type: 'ui/notice', text: `could not record the alert in ${alertsPath(opts.stateDir)}: ${err.message}`, tone: 'warn' });
        return true;
      })
      .then((mine) => {
        if (!mine || !url) return;
        void postWebhook(url, alert.text, opts.webhook).then((failed) => {
          if (failed) store.dispatch({ type: 'ui/notice', text: `alert webhook failed: ${failed}`, tone: 'warn' });
        });
      });
  };

  const check = () => {
    const { alerts } = store.getState();
    if (alerts.seq === sent) return;
    const fresh = alerts.recent.slice(Math.max(0, alerts.recent.length - (alerts.seq - sent)));
    sent = alerts.seq;
    // Stamped when raised: the state's clock is its last tick, seconds old when idle (tester X9: a run done in 50 ms
    // got a `completed` stamped 4.5 s before its first line). Never earlier than the reducer's own time.
    const at = (opts.now ?? Date.now)();
    fresh.forEach((a) => send({ ...a, at: Math.max(a.at, at) }));
  };
  const unsubscribe = store.subscribe(check);
  void readPastAlerts(opts.stateDir).then((past) => past.length && store.dispatch({ type: 'alerts/past', alerts: past }));
  // Resolves once every alert raised is recorded: a dashboard leaving awaits it (bounded), so an alert claimed as it
  // left is written, never a claim file left behind with no record (tester Z1).
  return () => {
    check();
    unsubscribe();
    return chain.then(() => undefined, () => undefined);
  };
}
