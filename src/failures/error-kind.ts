/** Where an HTTP status code stands in an error text, the code the first group; the first that matches is taken. */
const HTTP_WORDINGS = [
  /\bHTTP(?:\s+Error)?\s*(\d{3})\b/i,
  /(?:^|[\s:])([1-5]\d{2}) (?:Client|Server) Error\b/,
  // A 4xx or 5xx code before the start of a reason phrase: 'Service Unavailable', 'Too Many Requests', 'Bad Gateway'.
  /(?:^|[\s:(])([45]\d{2}) (?:[A-Z][a-z]+)(?: [A-Z][A-Za-z-]+)*(?:$|[\s:.,;)])/,
  /\bstatus(?:[ _-]?code)?\s*[=:]\s*([1-5]\d{2})\b/i,
  /\b(?:returned|responded with|got|received)\s+(?:status\s+)?([45]\d{2})\b/i,
];

/**
 * The error a failure is grouped under: 'HTTP 500' for any HTTP code whatever the wording, 'timeout'
 * whatever its seconds, else the status ('failed', 'error', 'exception'). The one classifier (tester U11:
 * the run's kinds and the failures table had one each, and the Run section read 'failed 3' where the
 * table said 'HTTP 502 1 · HTTP 503 1 · timeout 1'): the parser's run kinds (Run section, `run.failures`,
 * the overview), the failures table and `failures.byError` all use it.
 */
export function errorLabel(f: { status: string; error: string }): string {
  // 'HTTP 500' (the scripts), 'HTTP Error 503: ...' (urllib), '502 Server Error: ...' (requests, also behind its class
  // name: 'HTTPError: 500 Server Error: ...'), a code with its reason phrase ('503 Service Unavailable', '500 Internal
  // Server Error'), or named a status ('status=503', 'Unexpected status code: 504', 'Server returned 502'): tester AJ6,
  // each grouped as 'failed' beside 'HTTP 500', so R could not retry only the 503s.
  for (const re of HTTP_WORDINGS) {
    const m = re.exec(f.error);
    if (m) return `HTTP ${m[1]}`;
  }
  if (f.status === 'timeout' || /\btime(d\s*)?out\b/i.test(f.error)) return 'timeout';
  return f.status || 'other';
}

// A log repeats its few error texts (a run's timeouts all read the same): each is classified once.
const kinds = new Map<string, string>();

/** `errorLabel` for the parser, each distinct (status, error) classified once (at most 4,096 kept). */
export function errorKind(f: { status: string; error: string }): string {
  const id = `${f.status}\u0000${f.error}`;
  let kind = kinds.get(id);
  if (kind === undefined) {
    if (kinds.size >= 4096) kinds.clear();
    kinds.set(id, (kind = errorLabel(f)));
  }
  return kind;
}
