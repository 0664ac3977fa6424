/**
 * The part of the Cloud Logging filter language the dashboard sends (and a person would try by hand):
 * comparisons joined by AND, on `resource.type`, `resource.labels.job_name`, `labels."run.googleapis.com/…"`,
 * `timestamp` (=, >=, >, <=, <) and `textPayload` (`:` substring, `=`). Anything else is rejected with the
 * position, as the real API answers 400 to a filter it cannot parse.
 */

/** One entry as the loopback server stores it: the fields a filter can look at. */
export interface FilterableEntry {
  timestamp: string;
  resource: { type: string; labels: Record<string, string> };
  labels: Record<string, string>;
  textPayload?: string;
}

type Test = (e: FilterableEntry) => boolean;

const TERM = /^\s*([A-Za-z_.]+(?:\."[^"]+")?)\s*(>=|<=|!=|=|>|<|:)\s*"((?:[^"\\]|\\.)*)"\s*/;

/** Compiles a filter into a predicate; throws an Error whose message names what it could not read. */
export function compileFilter(filter: string): Test {
  const tests: Test[] = [];
  let rest = filter.trim();
  while (rest.length > 0) {
    const m = TERM.exec(rest);
    if (!m) throw new Error(`Unparseable filter near: ${rest.slice(0, 40)}`);
    tests.push(term(m[1], m[2], m[3].replace(/\\(.)/g, '$1')));
    rest = rest.slice(m[0].length);
    const and = /^AND\s+/.exec(rest);
    if (and) rest = rest.slice(and[0].length);
    else if (rest.length > 0) throw new Error(`Unparseable filter near: ${rest.slice(0, 40)} (only AND is supported here)`);
  }
  return (e) => tests.every((t) => t(e));
}

function term(field: string, op: string, value: string): Test {
  const get = getter(field);
  if (field === 'timestamp') {
    const at = Date.parse(value);
    if (Number.isNaN(at)) throw new Error(`Invalid timestamp in filter: ${value}`);
    return (e) => compare(Date.parse(e.timestamp), at, op);
  }
  if (op === ':') return (e) => (get(e) ?? '').includes(value);
  if (op === '=') return (e) => get(e) === value;
  if (op === '!=') return (e) => get(e) !== value;
  throw new Error(`Operator ${op} is not supported on ${field} here`);
}

function getter(field: string): (e: FilterableEntry) => string | undefined {
  const label = /^labels\."([^"]+)"$/.exec(field);
  if (label) return (e) => e.labels[label[1]];
  const resLabel = /^resource\.labels\.([A-Za-z_]+)$/.exec(field);
  if (resLabel) return (e) => e.resource.labels[resLabel[1]];
  if (field === 'resource.type') return (e) => e.resource.type;
  if (field === 'textPayload') return (e) => e.textPayload;
  if (field === 'timestamp') return (e) => e.timestamp;
  throw new Error(`Unknown filter field: ${field}`);
}

function compare(a: number, b: number, op: string): boolean {
  switch (op) {
    case '>=': return a >= b;
    case '>': return a > b;
    case '<=': return a <= b;
    case '<': return a < b;
    case '=': return a === b;
    case '!=': return a !== b;
    default: throw new Error(`Operator ${op} is not supported on timestamp`);
  }
}
