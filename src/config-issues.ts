import type { z } from 'zod';

/** What a required setting is, for "required: …" (zod says only "Invalid input" of a missing union). */
const REQUIRED: Record<string, string> = {
  expected: 'the expected keys file (a path, or { "file", "column" })',
  stages: 'the list of stages, each with storage or warehouse',
  log: "the backfill's log file",
  project: 'the Google Cloud project id',
  region: 'the Cloud Run region, e.g. us-west2',
  job: 'the Cloud Run job name',
};

/** Options of {@link issueLines}. */
export interface IssueOptions {
  /** The object that was checked: a field absent from it is said as "required". */
  raw?: unknown;
  /**
   * Where a field's value was written, as a path in the file (a job of a `jobs` list: its entry, or `defaults`
   * when it inherited the value), so the error names the place the operator must edit (tester T11).
   */
  locate?: (path: string[]) => string[];
}

function valueAt(obj: unknown, path: PropertyKey[]): unknown {
  let v = obj;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/**
 * One line per problem zod found in a config, `  FIELD: message`, each field its full path from `prefix` on:
 * an unknown setting is named by its own path (`storage.pollSecs: unknown setting`), not only by its parent's.
 */
export function issueLines(issues: z.ZodError['issues'], prefix: string[] = [], top = '(top level)', opts: IssueOptions = {}): string[] {
  const name = (path: PropertyKey[]) => {
    const full = opts.locate ? opts.locate(path.map(String)) : [...prefix, ...path.map(String)];
    return full.length ? full.join('.') : top;
  };
  const message = (issue: z.ZodError['issues'][number]) => {
    const missing = opts.raw !== undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union') && valueAt(opts.raw, issue.path) === undefined;
    if (!missing) return issue.message;
    const what = REQUIRED[String(issue.path.at(-1))];
    return what ? `required: ${what}` : 'required';
  };
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? issue.keys.map((key) => `  ${name([...issue.path, key])}: unknown setting`) : [`  ${name(issue.path)}: ${message(issue)}`],
  );
}
