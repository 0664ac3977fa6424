import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
}

/** The alerts file in the state directory: one JSON object a line, appended, never rewritten. */
export function alertsPath(stateDir: string): string {
  return join(stateDir, 'alerts.jsonl');
}

/** The newest `limit` alerts recorded by earlier sessions (for the history view); [] when none. */
export async function readPastAlerts(stateDir: string, limit = 20): Promise<Alert[]> {
  const text = await readFile(alertsPath(stateDir), 'utf8').catch(() => '');
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

/**
 * The alert sink, outside React: it watches the store for alerts the reducer fired and sends each once
 * (by `seq`) to every channel that is on: bell and desktop bytes to the terminal, a line to alerts.jsonl,
 * and the webhook in the background (a failure comes back as a notice, never blocking the screen).
 * Returns the function that stops it.
 */
export function startAlertSink(store: Store, opts: AlertSinkOptions): () => void {
  const env = opts.env ?? process.env;
  const desktop: DesktopStyle | null = opts.channels.desktop === true ? desktopStyleFor(env) : opts.channels.desktop || null;
  const tmux = insideTmux(env);
  let sent = store.getState().alerts.seq;
  let fileReady: Promise<unknown> | null = null;
  let chain: Promise<unknown> = Promise.resolve();

  const send = (alert: Alert) => {
    const bytes = terminalBytes({ bell: opts.channels.bell, desktop, tmux }, 'backfill-tui', alert.text);
    if (bytes) opts.write(bytes);
    fileReady ??= mkdir(opts.stateDir, { recursive: true });
    // One append per alert, in order; the file is ours (we create it) and only ever grows.
    chain = chain
      .then(() => fileReady)
      .then(() => appendFile(alertsPath(opts.stateDir), JSON.stringify(alert) + '\n', 'utf8'))
      .catch((err: Error) => store.dispatch({ type: 'ui/notice', text: `could not record the alert in ${alertsPath(opts.stateDir)}: ${err.message}`, tone: 'warn' }));
    const url = opts.channels.webhook?.url;
    if (url) {
      void postWebhook(url, alert.text, opts.webhook).then((failed) => {
        if (failed) store.dispatch({ type: 'ui/notice', text: `alert webhook failed: ${failed}`, tone: 'warn' });
      });
    }
  };

  const check = () => {
    const { alerts } = store.getState();
    if (alerts.seq === sent) return;
    const fresh = alerts.recent.slice(Math.max(0, alerts.recent.length - (alerts.seq - sent)));
    sent = alerts.seq;
    fresh.forEach(send);
  };
  const unsubscribe = store.subscribe(check);
  void readPastAlerts(opts.stateDir).then((past) => past.length && store.dispatch({ type: 'alerts/past', alerts: past }));
  return () => {
    check();
    unsubscribe();
  };
}
