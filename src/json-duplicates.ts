/** A key written twice in one JSON object: its path (`storage.url`, `jobs.1.log`) and the lines of both. */
export interface DuplicateKey {
  path: string;
  lines: [number, number];
}

type Frame = { obj: true; keys: Map<string, number>; path: string; expectKey: boolean; lastKey: string } | { obj: false; path: string; index: number };

/**
 * The keys written twice in one object of a JSON text that parses (JSON.parse keeps the last silently; tester X9:
 * `{"log":"a.log","log":"b.log"}` read b.log and said nothing, where `--log` given twice is a usage error).
 * One pass over the text: strings are skipped whole, so a brace or quote inside one is never taken for structure.
 */
export function duplicateKeys(text: string): DuplicateKey[] {
  const out: DuplicateKey[] = [];
  const stack: Frame[] = [];
  let line = 1;
  const childPath = () => {
    const top = stack.at(-1);
    if (!top) return '';
    const part = top.obj ? top.lastKey : String(top.index);
    return top.path ? `${top.path}.${part}` : part;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line += 1;
    else if (c === '{') stack.push({ obj: true, keys: new Map(), path: childPath(), expectKey: true, lastKey: '' });
    else if (c === '[') stack.push({ obj: false, path: childPath(), index: 0 });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack.at(-1);
      if (top?.obj) top.expectKey = true;
      else if (top) top.index += 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      if (top?.obj && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        const first = top.keys.get(key);
        if (first !== undefined) out.push({ path: top.path ? `${top.path}.${key}` : key, lines: [first, line] });
        else top.keys.set(key, line);
        top.expectKey = false;
        top.lastKey = key;
      }
      i = j;
    }
  }
  return out;
}
