import { rmSync } from 'node:fs';

/**
 * Removes a test's folder that a runtime, a dashboard or a launched run may still write into: one closed a moment
 * ago may still record the end of the run just killed into `.backfill-tui` (ENOTEMPTY in full suites under load).
 * Retried 10 times with Node's linear backoff (100, 200, … ms: 5.5 s in all; 50 retries would be 127 s, which once
 * hid a writer for two minutes).
 */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}
