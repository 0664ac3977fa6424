/** The script's key filters; zero/empty values mean "no filter", as Python's truthiness does. */
export interface KeyFilter {
  startDate: string | null;
  season: number;
  limit: number;
}

/**
 * Keys from a CSV's text, as `load_game_dates` reads them: a first line that does not start with `20`
 * is a header; blank lines are ignored; a row's key is its first comma field.
 */
export function parseKeyList(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const first = (lines[0] ?? '').trim();
  const rows = first !== '' && !first.startsWith('20') ? lines.slice(1) : lines;
  return rows.map((line) => line.split(',')[0].trim()).filter((key) => key !== '');
}

/** `--start-date` (string comparison), `--season` (Oct..Sep by start year), then `--limit`, in the script's order. */
export function filterKeys(keys: string[], filter: KeyFilter): string[] {
  const kept = keys.filter((key) => {
    if (filter.startDate && key < filter.startDate) return false;
    if (filter.season) {
      const year = Number.parseInt(key.slice(0, 4), 10);
      const month = Number.parseInt(key.slice(5, 7), 10);
      if ((month >= 10 ? year : year - 1) !== filter.season) return false;
    }
    return true;
  });
  return filter.limit ? kept.slice(0, filter.limit) : kept;
}
