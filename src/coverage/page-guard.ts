import { SourceError } from './source.js';

/** Pages in a row that carry nothing yet ask for more: a real service does not do that for long. */
export const MAX_EMPTY_PAGES_IN_A_ROW = 5;
/** Pages one listing may take at most: 10 million objects at 1,000 a page, far beyond any backfill's keys. */
export const MAX_PAGES = 10_000;

/**
 * Stops a page loop that would never end. Told, after each page, how many entries it held and what the next
 * request will ask for (its page token, or whatever else names the next page), it throws a SourceError naming
 * the service and the cause when the server sends a page state it already sent (a loop), keeps sending empty
 * pages that ask for more, or goes past MAX_PAGES.
 */
export function createPageGuard(service: string, what: string, hint: string) {
  const seen = new Set<string>();
  let pages = 0;
  let emptyRun = 0;
  const stop = (cause: string) => new SourceError(`${service}: listing ${what} stopped after ${pages} pages: ${cause}`, hint, null);
  return {
    get pages() {
      return pages;
    },
    /** After a page with `entries` entries; `next` names the next request, null when the listing is complete. */
    page(entries: number, next: string | null): void {
      pages += 1;
      emptyRun = entries === 0 ? emptyRun + 1 : 0;
      if (next === null) return;
      if (seen.has(next)) throw stop('the server sent a page token it had already sent, so the listing would loop forever');
      seen.add(next);
      if (emptyRun >= MAX_EMPTY_PAGES_IN_A_ROW) throw stop(`${emptyRun} empty pages in a row, each asking for another`);
      if (pages >= MAX_PAGES) throw stop(`more than ${MAX_PAGES} pages (10 million entries), more than any backfill's keys can explain`);
    },
  };
}
