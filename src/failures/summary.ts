import { DEFAULT_LABEL, phaseOf, type PhaseCalendar } from '../phases/calendar.js';
import {
  type CurrentFailuresInput,
  type FailureSummary,
  NO_DATE,
  dayOf,
  errorGroups,
  errorLabel,
  groupsInOrder,
  isDateKey,
  monthOrder,
  phaseOrder,
} from './analysis.js';
import { isPersistent, statusOf, visitVerdicts, type KeyVerdict, type LogRunCounts } from './verdicts.js';

/**
 * The failures summary (`summarise(currentFailures(...))`) without building the table: no row objects,
 * no sort, no streak map. A long run lists up to 200,000 failed keys, and `status`, the dashboard's
 * summary line and the overview read only these counts, the dashboard after every batch. Each distinct
 * error text is classified once and each distinct date placed in its phase and month once. With
 * `verdictParts`, each part's sum is kept until the part changes (see `forEachVerdictPart`): a batch of
 * a long run costs the chunks of its store the batch touched, not the whole run.
 */
export function summariseFailures(input: CurrentFailuresInput, labels: string[] = []): FailureSummary {
  const ctx: TallyContext = { present: input.presentInStorage, dates: input.dates ?? null };
  const total = new Tally(ctx);
  if (input.verdictParts) {
    input.verdictParts((part, stamp, walk, counts) => {
      const kept = part ? partSums.get(part) : undefined;
      if (kept && kept.ctx.present === ctx.present && kept.ctx.dates === ctx.dates && sameStamp(kept.stamp, stamp)) return total.add(kept.tally);
      const tally = new Tally(ctx);
      // Without storage or expected dates a verdict's key says only whether it is a date: the part's sums do.
      if (counts && ctx.present === null && ctx.dates === null) tally.addRun(counts(isDateKey));
      else walk(tally.visit);
      if (part) partSums.set(part, { stamp, ctx, tally });
      total.add(tally);
    });
  } else {
    visitVerdicts(input.verdicts, total.visit);
  }
  return total.summary(input.calendar ?? null, labels);
}

/** Kept sums of parts (chunks of a run's store), by part; gone with the part. */
const partSums = new WeakMap<object, { stamp: readonly unknown[]; ctx: TallyContext; tally: Tally }>();

function sameStamp(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

interface TallyContext {
  present: ReadonlySet<string> | null;
  dates: ReadonlyMap<string, string> | null;
}

/** Keys still failing with one error text, and the group it falls in. */
interface Counter {
  label: string;
  count: number;
}

/** Keys still failing on one date ('' for none), and how many of them are persistent. */
interface DayCount {
  count: number;
  persistent: number;
}

/** Counts of a set of verdicts by error group and by date; summed with others, then grouped. */
class Tally {
  recovered = 0;
  private readonly counters = new Map<string, Map<string, Counter>>();
  private readonly days = new Map<string, DayCount>();
  private readonly undated: DayCount = { count: 0, persistent: 0 };
  /** Counts by error group from tallies added in. */
  private readonly addedLabels = new Map<string, number>();
  private lastStatus = '';
  private lastError = '';
  private last: Counter | null = null;

  constructor(private readonly ctx: TallyContext) {}

  /** One key's verdict. A run's keys repeat their error text: the last one is checked first. */
  readonly visit = (key: string, v: Readonly<KeyVerdict>): void => {
    const inStorage = this.ctx.present ? this.ctx.present.has(key) : null;
    if (!v.failing || inStorage === true) {
      this.recovered++;
      return;
    }
    const { status, error } = v;
    if (this.last === null || status !== this.lastStatus || error !== this.lastError) {
      let byText = this.counters.get(status);
      if (!byText) this.counters.set(status, (byText = new Map()));
      let counter = byText.get(error);
      if (counter === undefined) byText.set(error, (counter = { label: errorLabel({ status, error }), count: 0 }));
      this.last = counter;
      this.lastStatus = status;
      this.lastError = error;
    }
    this.last.count++;
    const day = dayOf(key, v.date, this.ctx.dates);
    let d = day ? this.days.get(day) : this.undated;
    if (d === undefined) this.days.set(day!, (d = { count: 0, persistent: 0 }));
    d.count++;
    if (isPersistent(v, inStorage)) d.persistent++;
  };

  /**
   * What `visit` of each verdict `counts` sums would leave (see LogRunCounts), without storage or expected dates:
   * each is failing and not persistent (storage not listed), in the order they were first met.
   */
  addRun(counts: LogRunCounts): void {
    for (const { failure, error, count } of counts.pairs) {
      const status = statusOf(failure);
      const text = error || failure;
      let byText = this.counters.get(status);
      if (!byText) this.counters.set(status, (byText = new Map()));
      let counter = byText.get(text);
      if (counter === undefined) byText.set(text, (counter = { label: errorLabel({ status, error: text }), count: 0 }));
      counter.count += count;
    }
    this.undated.count += counts.undated;
    for (const [day, n] of counts.dates) {
      let d = this.days.get(day);
      if (d === undefined) this.days.set(day, (d = { count: 0, persistent: 0 }));
      d.count += n;
    }
  }

  /** Adds another tally's counts into this one (the other is left as it was). */
  add(other: Tally): void {
    this.recovered += other.recovered;
    for (const [label, n] of other.labelCounts()) addTo(this.addedLabels, label, n);
    addDay(this.undated, other.undated);
    for (const [day, d] of other.days) {
      let mine = this.days.get(day);
      if (mine === undefined) this.days.set(day, (mine = { count: 0, persistent: 0 }));
      addDay(mine, d);
    }
  }

  summary(calendar: PhaseCalendar | null, labels: string[]): FailureSummary {
    const byPhase = new Map<string, number>();
    const byMonth = new Map<string, number>();
    const persistentByPhase = new Map<string, number>();
    let failing = 0;
    let persistent = 0;
    const place = (day: string | null, d: DayCount) => {
      if (d.count === 0) return;
      const phase = calendar ? phaseOf(calendar, day) : DEFAULT_LABEL;
      failing += d.count;
      addTo(byPhase, phase, d.count);
      addTo(byMonth, day ? day.slice(0, 7) : NO_DATE, d.count);
      if (d.persistent === 0) return;
      persistent += d.persistent;
      addTo(persistentByPhase, phase, d.persistent);
    };
    place(null, this.undated);
    for (const [day, d] of this.days) place(day, d);
    const inPhases = phaseOrder(labels);
    return {
      failing,
      recovered: this.recovered,
      // Storage not listed: no key is known to be persistent (see isPersistent), and the views say so.
      persistent: this.ctx.present === null && failing > 0 ? null : persistent,
      byError: errorGroups(this.labelCounts()),
      byPhase: groupsInOrder(byPhase, inPhases),
      byMonth: groupsInOrder(byMonth, monthOrder),
      persistentByPhase: groupsInOrder(persistentByPhase, inPhases),
    };
  }

  private labelCounts(): Map<string, number> {
    const out = new Map(this.addedLabels);
    for (const byText of this.counters.values()) for (const c of byText.values()) if (c.count) addTo(out, c.label, c.count);
    return out;
  }
}

function addTo(counts: Map<string, number>, label: string, n: number): void {
  counts.set(label, (counts.get(label) ?? 0) + n);
}

function addDay(into: DayCount, d: DayCount): void {
  into.count += d.count;
  into.persistent += d.persistent;
}
