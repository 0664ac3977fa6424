/**
 * A line of groups (`2021: Oct 3 Nov 8 · 2022: Feb 2 Apr 3 May 1`, `… (All-Star 8 · Play-In 12 · Playoffs 15):
 * a gentler retry will not help`) laid out on rows of `width` columns, broken only between groups (at ` · `):
 * a terminal's own wrap broke inside a year and left `May 1` at the start of a row, where it reads as a date
 * (tester U10). A group wider than a row is broken between its words, its later rows indented under its
 * text. Rows after the first are indented by two columns. `measure`: columns a text takes (the views pass
 * their display width; default one a character).
 */
export function packGroups(text: string, width: number, measure: (s: string) => number = (s) => s.length): string[] {
  const rows: string[] = [];
  let row = '';
  const indent = '  ';
  const fits = (s: string) => measure(s) <= width;
  const groups = text.split(' · ');
  // A sentence after the list (`Playoffs 181): a gentler retry will not help`) goes on where the list ends, broken
  // between its words: as one group it took a row of its own and left the one before a third full (tester AF8 d).
  const last = groups.length - 1;
  const after = /^(.*?\)):\s(.+)$/.exec(groups[last]);
  const prose = after && groups.length > 1 ? after[2].split(' ') : [];
  if (prose.length) groups[last] = `${after![1]}:`;
  groups.forEach((group, i) => {
    // A row broken between groups ends with ` ·`, so the reader sees the list goes on: room is kept for it.
    const room = i < groups.length - 1 ? 2 : 0;
    const joined = row ? `${row} · ${group}` : group;
    if (measure(joined) + room <= width) {
      row = joined;
      return;
    }
    if (row) rows.push(`${row} ·`);
    row = `${indent}${group}`;
    if (measure(row) + room <= width) return;
    // Wider than a row: break between words, later rows under the group's text (after `2022: `).
    // Only a label's colon (`2022: `) hangs the rows: one inside a sentence (`Playoffs 5): a gentler`) would leave
    // its last word alone far to the right (seen at 50 columns).
    const colon = group.indexOf(': ');
    const label = colon > 0 && colon < 12 && !/[\s)]/.test(group.slice(0, colon));
    const hang = indent + ' '.repeat(label ? colon + 2 : 0);
    row = '';
    // A count stays with the word it counts (`Jun 1`, `(All-Star 8`): broken between them, `1` read alone on a row
    // (tester h88 at 40 columns: `2025: Feb 2 Apr 5 May 3 Jun` / `1`). The group's last word keeps room for the ` ·`
    // that follows it, or that ` ·` was left to a row of its own by the wrap after (`(All-Star 8` / `·`).
    const words = withCounts(group.split(' '));
    words.forEach((word, k) => {
      const next = row ? `${row} ${word}` : `${indent}${word}`;
      if (measure(next) + (k === words.length - 1 ? room : 0) <= width || !row.trim()) row = next;
      else {
        rows.push(row);
        row = `${hang}${word}`;
      }
    });
  });
  for (const word of withCounts(prose)) {
    if (fits(`${row} ${word}`)) row = `${row} ${word}`;
    else {
      rows.push(row);
      row = `${indent}${word}`;
    }
  }
  if (row) rows.push(row);
  // The first row is not indented: it follows its label.
  if (rows.length) rows[0] = rows[0].replace(/^ {2}/, '');
  return rows;
}

/** A count (`1`, `1,204`, `15):`) joined to the word before it: the two are broken apart by no row. */
function withCounts(words: string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    if (out.length && /^\d[\d,.]*[)%:;,]*$/.test(w)) out[out.length - 1] += ` ${w}`;
    else out.push(w);
  }
  return out;
}
