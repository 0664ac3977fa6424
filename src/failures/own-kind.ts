import type { FailedFile } from './failed-file.js';

/**
 * The default `failed` glob reads every name the reference family writes beside the config: the date scripts'
 * failed_dates_ and retry_failed_dates_ (dates) and the team script's failed_games_ (game ids). A job is of one kind:
 * a file of the other kind beside it is another job's (h88 on AI10 h: a date job took a failed_games_ file's game ids
 * for its failures, `missing --from failures` printing 0022100001 among its dates, and r would retry them through the
 * date script). Such a file is left out, said, once the job's kind is known from its expected keys; an explicit glob
 * is the operator's word and is read whole.
 */

/** A key's kind, as expected-keys.ts guesses a list's format: YYYY-MM-DD is a date, anything else an id. */
export function keyKind(key: string): 'date' | 'id' {
  return /^\d{4}-\d{2}-\d{2}$/.test(key) ? 'date' : 'id';
}

/**
 * The files of the job's own kind (`kind`: its expected keys' format; null: not known, all kept) and a note for each
 * left out: one whose every key is of the other kind. A file of both kinds is kept (its bad keys are its own).
 */
export function ownKindFiles(files: FailedFile[], kind: 'date' | 'id' | null): { files: FailedFile[]; notes: string[] } {
  if (kind === null) return { files, notes: [] };
  const kept: FailedFile[] = [];
  const notes: string[] = [];
  for (const f of files) {
    const other = f.entries.length > 0 && f.entries.every((e) => keyKind(e.key) !== kind);
    if (!other) {
      kept.push(f);
      continue;
    }
    const theirs = kind === 'date' ? 'ids' : 'dates';
    notes.push(`${f.name}: its keys are ${theirs} (${f.entries[0].key}${f.entries.length > 1 ? ' …' : ''}), this job's expected keys ${kind === 'date' ? 'dates' : 'ids'}: another job's file, left out (set "failed" to read it)`);
  }
  return { files: kept, notes };
}

/** A read of failed-keys files (files newest first, the newest as `current`, notes) with the other kind left out. */
export function ownKind<T extends { files: FailedFile[]; current: FailedFile | null; notes: string[] }>(read: T, kind: 'date' | 'id' | null): T {
  const own = ownKindFiles(read.files, kind);
  if (own.notes.length === 0) return read;
  return { ...read, files: own.files, current: own.files[0] ?? null, notes: [...read.notes, ...own.notes] };
}
