import { SourceError } from './source.js';

/** Pages in a row that carry nothing yet ask for more: a real service does not do that for long. */
export const MAX_EMPTY_PAGES_IN_A_ROW = 5;
/** Objects (or result rows) one expected key can explain: a key's folder with hundreds of files is usual. */
export const ENTRIES_PER_KEY = 1_000;
/** The fewest pages a listing may take whatever the expected keys: room for folders that are not keys. */
export const MIN_PAGES = 100;
/** Pages a listing may take while the expected keys are not known (yet): 10 million entries at 1,000 a page. */
export const MAX_PAGES = 10_000;

/**
 * Pages one listing may take: what `expectedKeys` keys of up to {@link ENTRIES_PER_KEY} entries each fill at
 * `pageSize` entries a page, at least {@link MIN_PAGES}; {@link MAX_PAGES} while the expected keys are unknown.
 */
export function pageCap(expectedKeys: number | undefined, pageSize: number): number {
  if (expectedKeys === undefined) return MAX_PAGES;
  return Math.max(MIN_PAGES, Math.ceil((expectedKeys * ENTRIES_PER_KEY) / pageSize));
}

/** Where a guard's cap comes from, for its error message. */
export interface PageCapBasis {
  expectedKeys?: number;
  /** Entries one page holds at most (what the request asks for). */
  pageSize: number;
  /** 'objects' or 'rows'. */
  entries: string;
}

/**
 * Stops a page loop that would never end. Told, after each page, how many entries it held and what the next
 * request will ask for (its page token, or whatever else names the next page), it throws a SourceError naming
 * the service and the cause when the server sends a page state it already sent (a loop), keeps sending empty
 * pages that ask for more, or asks for more pages than the expected keys can explain ({@link pageCap}).
 */
export function createPageGuard(service: string, what: string, hint: string, basis: PageCapBasis) {
  const seen = new Set<string>();
  const cap = pageCap(basis.expectedKeys, basis.pageSize);
  let pages = 0;
  let emptyRun = 0;
  const stop = (cause: string) => new SourceError(`${service}: listing ${what} stopped after ${pages} pages: ${cause}`, hint, null);
  const tooMany = () => {
    const n = (x: number) => x.toLocaleString('en-US');
    const size = `${n(basis.pageSize)} ${basis.entries} a page`;
    if (basis.expectedKeys === undefined) return `more than ${n(cap)} pages (${n(cap * basis.pageSize)} ${basis.entries} at ${size}), more than any backfill's keys can explain`;
    return `more pages than the ${n(basis.expectedKeys)} expected keys can explain (at most ${n(ENTRIES_PER_KEY)} ${basis.entries} a key at ${size}, at least ${MIN_PAGES} pages: ${n(cap)})`;
  };
  return {
    get pages() {
      return pages;
    },
    /** The most pages this listing may take. */
    cap,
    /** After a page with `entries` entries; `next` names the next request, null when the listing is complete. */
    page(entries: number, next: string | null): void {
      pages += 1;
      emptyRun = entries === 0 ? emptyRun + 1 : 0;
      if (next === null) return;
      if (seen.has(next)) throw stop('the server sent a page token it had already sent, so the listing would loop forever');
      seen.add(next);
      if (emptyRun >= MAX_EMPTY_PAGES_IN_A_ROW) throw stop(`${emptyRun} empty pages in a row, each asking for another`);
      if (pages >= cap) throw stop(tooMany());
    },
  };
}
