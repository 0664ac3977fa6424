import { countOf } from '../format.js';

/** Options for {@link postWebhook}; injectable so tests can use short limits. */
export interface WebhookOptions {
  /** Per attempt. Default 5 s. */
  timeoutMs?: number;
  /** Attempts in all: the first and at most one retry. */
  attempts?: number;
}

/**
 * POSTs `{"text": ...}` (the shape Slack's incoming webhooks take) to `url`: 5 s per attempt, at most one
 * retry, never throws. Resolves null on success or the reason it failed ("HTTP 500 after 2 attempts").
 * The caller never awaits it on the screen's path.
 */
export async function postWebhook(url: string, text: string, opts: WebhookOptions = {}): Promise<string | null> {
  const attempts = opts.attempts ?? 2;
  let reason = 'not sent';
  for (let i = 0; i < attempts; i++) {
    // A plain timer, not AbortSignal.timeout: Node 20 can collect that timer's signal and the limit never comes.
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error(`no answer in ${(opts.timeoutMs ?? 5000) / 1000} s`)), opts.timeoutMs ?? 5000);
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }), signal: ac.signal });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return null;
      reason = `HTTP ${res.status}`;
    } catch (err) {
      reason = ac.signal.aborted ? String((ac.signal.reason as Error)?.message ?? 'timed out') : ((err as Error).cause as Error)?.message ?? (err as Error).message;
    } finally {
      clearTimeout(timer);
    }
  }
  return `${reason} after ${countOf(attempts, 'attempt')}`;
}
