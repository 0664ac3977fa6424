/**
 * The file-name part of a `failed` glob: `*` any run of characters, `?` one, `{a,b}` one of its words (as a shell
 * reads it), anything else itself. The braces let one glob name the files several scripts write: the default
 * `{failed_dates,retry_failed_dates,failed_games}_*.json` (config-base.ts DEFAULT_FAILED_GLOB). A `{` with no `}`
 * after it, or with no `,` inside, is a character of the name.
 */

/** A `{…}` holding a `,` and no other brace or slash. */
const GROUP = /\{([^{}/]*,[^{}/]*)\}/;

/** The patterns without braces the name pattern stands for: `{a,b}_*` is `a_*` and `b_*`. */
export function nameAlternatives(pattern: string): string[] {
  const m = GROUP.exec(pattern);
  if (!m) return [pattern];
  const head = pattern.slice(0, m.index);
  const tail = pattern.slice(m.index + m[0].length);
  return m[1].split(',').flatMap((word) => nameAlternatives(head + word + tail));
}

/**
 * A regular expression's source matching the name pattern whole (no anchors): `star` and `one` are what `*` and `?`
 * stand for (`.*` on disk, `[^/]*` in a bucket's object names).
 */
export function nameRegexSource(pattern: string, star: string, one: string): string {
  const body = (p: string) =>
    p
      .split('')
      .map((c) => (c === '*' ? star : c === '?' ? one : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
  const alternatives = nameAlternatives(pattern);
  return alternatives.length === 1 ? body(pattern) : `(?:${alternatives.map(body).join('|')})`;
}

/** The part of the name pattern before its first wildcard or alternative: every name it matches starts with it. */
export function literalStart(pattern: string): string {
  const alternatives = nameAlternatives(pattern);
  const starts = alternatives.map((a) => a.split(/[*?]/)[0]);
  let common = starts[0];
  for (const s of starts) while (!s.startsWith(common)) common = common.slice(0, -1);
  return common;
}
