import { DEFAULT_LABEL, phaseOf } from '../phases/calendar.js';
import {
  type CurrentFailuresInput,
  type FailureSummary,
  NO_DATE,
  dayOf,
  errorGroups,
  errorLabel,
  groupsInOrder,
  monthOrder,
  phaseOrder,
} from './analysis.js';
import { isPersistent, visitVerdicts } from './verdicts.js';

/**
 * The failures summary (`summarise(currentFailures(...))`) in one pass, without building the table: no
 * row objects, no sort, no streak map. A long run lists up to 200,000 failed keys and `status`, the
 * dashboard's summary line and the overview read only these counts, on every batch; building the rows
 * for them was most of `status` on a million-key log. Each distinct error text is classified once and
 * each distinct date placed in its phase and month once; per key there remain a few map lookups (with
 * `forEachVerdict` as the source, nothing is allocated per key).
 */
export function summariseFailures(input: CurrentFailuresInput, labels: string[] = []): FailureSummary {
  const present = input.presentInStorage;
  const calendar = input.calendar ?? null;
  const byError = new Map<string, number>();
  const byPhase = new Map<string, number>();
  const byMonth = new Map<string, number>();
  const persistentByPhase = new Map<string, number>();
  const labelsOf = new Map<string, Map<string, string>>();
  const places = new Map<string, Place>();
  const undated: Place = { phase: calendar ? phaseOf(calendar, null) : DEFAULT_LABEL, month: NO_DATE };
  let failing = 0;
  let recovered = 0;
  let persistent = 0;
  visitVerdicts(input.verdicts, (key, v) => {
    const inStorage = present?.has(key) ?? false;
    if (!v.failing || inStorage) {
      recovered++;
      return;
    }
    failing++;
    const { status, error } = v;
    let byText = labelsOf.get(status);
    if (!byText) labelsOf.set(status, (byText = new Map()));
    let label = byText.get(error);
    if (label === undefined) byText.set(error, (label = errorLabel({ status, error })));
    bump(byError, label);
    const day = dayOf(key, v.date, input.dates);
    let place = day ? places.get(day) : undated;
    if (place === undefined) {
      place = { phase: calendar ? phaseOf(calendar, day) : DEFAULT_LABEL, month: day!.slice(0, 7) };
      places.set(day!, place);
    }
    bump(byPhase, place.phase);
    bump(byMonth, place.month);
    if (isPersistent(v, inStorage)) {
      persistent++;
      bump(persistentByPhase, place.phase);
    }
  });
  const inPhases = phaseOrder(labels);
  return {
    failing,
    recovered,
    persistent,
    byError: errorGroups(byError),
    byPhase: groupsInOrder(byPhase, inPhases),
    byMonth: groupsInOrder(byMonth, monthOrder),
    persistentByPhase: groupsInOrder(persistentByPhase, inPhases),
  };
}

interface Place {
  phase: string;
  month: string;
}

function bump(counts: Map<string, number>, label: string): void {
  counts.set(label, (counts.get(label) ?? 0) + 1);
}
