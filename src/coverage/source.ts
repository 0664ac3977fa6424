/** What one look at a key source (Cloud Storage, BigQuery, or their local stand-ins) found. */
export interface SourceResult {
  /** Keys present in the source (not yet intersected with the expected keys). */
  keys: Set<string>;
  /** HTTP requests (or directory reads) it took: measured, shown in the bench. */
  requests: number;
  /** Bytes BigQuery said the query bills (dry run), when known. */
  bytesBilled: number | null;
  /** How the keys were counted, e.g. 'prefixes', 'objects', 'scan', 'partitions', 'directory'. */
  method: string;
  /** Why the count was taken this way when the usual way would be wrong, e.g. a streaming buffer. */
  note?: string | null;
}

/** What a listing got to, filled in while it runs: what a message says when its time runs out. */
export interface ListTrace {
  /** Requests handed to the client library (0: the source never got as far as asking, e.g. still loading). */
  asked: number;
  /** What the source was waiting for when last heard of, when it was not a plain answer (a job not complete). */
  waiting?: string;
  /** How far the listing is, where the source can tell: `done` of `of` `unit` (`folders`; `of` unknown for a bucket). */
  progress?: ListProgress;
}

/** How far a listing is: `done` of `of` `unit` (`folders`; `of` unknown for a bucket), and the objects listed so far. */
export interface ListProgress {
  done: number;
  of: number | null;
  unit: string;
  /** Objects the listing has read so far (a bucket's pages), where that is more than the keys found in them. */
  objects?: number;
}

/** What a caller knows that bounds a listing, and where it wants to hear how far the listing got. */
export interface ListOptions {
  /** How many keys the backfill expects: a listing taking more pages than they can explain stops (page-guard.ts). */
  expectedKeys?: number;
  trace?: ListTrace;
}

/** A place keys can be present in. `list` must honour the signal and never hang past its own time limit. */
export interface KeySource {
  readonly name: 'storage' | 'warehouse';
  /** Human label: gs://bucket/prefix/, project.dataset.table, or a directory. */
  readonly label: string;
  /** The service behind it, for messages: 'Cloud Storage', 'BigQuery', 'directory'. */
  readonly service?: string;
  /** What to check when it does not answer in time, for the timeout message. */
  readonly timeoutHint?: string;
  /** A custom endpoint (emulator, loopback) as http(s)://host:port, when one is configured: probed when a look times out. */
  readonly endpoint?: string;
  list(signal: AbortSignal, options?: ListOptions): Promise<SourceResult>;
}

/** An error from a source, explained for the operator: what went wrong and how to fix it, one line. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly hint: string | null,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}
