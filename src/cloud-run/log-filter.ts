/** Quotes a value for the Cloud Logging filter language. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The `entries:list` filter for one execution's log from `since` on (epoch ms): the job's resource, the
 * execution's label, and a time bound, so each call reads only what is new (and the API adds no 24 h default).
 */
export function executionLogFilter(job: string, execution: string, since: number): string {
  return [
    'resource.type="cloud_run_job"',
    `resource.labels.job_name=${quote(job)}`,
    `labels."run.googleapis.com/execution_name"=${quote(execution)}`,
    `timestamp>=${quote(new Date(since).toISOString())}`,
  ].join(' AND ');
}

/** One entry's line of text: textPayload, or a JSON payload's message (structured logging). */
export function entryText(e: { textPayload?: string; jsonPayload?: Record<string, unknown> }): string {
  if (typeof e.textPayload === 'string') return e.textPayload.replace(/\r?\n$/, '');
  const message = e.jsonPayload?.message;
  return typeof message === 'string' ? message : JSON.stringify(e.jsonPayload ?? {});
}
