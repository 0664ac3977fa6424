import { isCalendarDate } from '../coverage/expected-keys.js';
import { NBA_PRESET } from './nba.js';

/** One named stretch of days, both ends inclusive, as YYYY-MM-DD. */
export interface PhaseRange {
  label: string;
  from: string;
  to: string;
}

/** A shipped calendar: its ranges, the label of every other day, and the order labels are shown in. */
export interface PhasePreset {
  name: string;
  defaultLabel: string;
  labels: string[];
  ranges: PhaseRange[];
}

/**
 * Key phases: sorted, non-overlapping ranges (lookup is a binary search) and the label of every day
 * outside them. `labels` is the display order: the default first, then first appearance.
 */
export interface PhaseCalendar {
  ranges: PhaseRange[];
  defaultLabel: string;
  labels: string[];
  /** `"phases": null`: no phases at all; failures are never grouped by phase (tester U16: they read `Other 3`). */
  none?: boolean;
}

/** The config's `phases`: a preset name, a list of ranges, or a preset extended by a list. */
export type PhasesSetting = string | PhaseRange[] | { preset?: string; ranges?: PhaseRange[]; default?: string } | null;

/** A bad `phases` setting; `field` is the config path to fix, e.g. `phases.ranges[2].from`. */
export class PhasesError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'PhasesError';
  }
}

const PRESETS: Record<string, PhasePreset> = { nba: NBA_PRESET };

/** The label of keys outside every range when no preset gives one. */
export const DEFAULT_LABEL = 'Other';

/**
 * Builds the calendar a `phases` setting describes; throws PhasesError naming the field for an unknown
 * preset, a date that is not a calendar date, `from` after `to`, or two ranges with different labels
 * sharing a day (equal labels may overlap: they merge). Absent (undefined) means the `nba` preset;
 * null means no phases (every key is one group, the default label).
 */
export function resolvePhases(setting: PhasesSetting | undefined, field = 'phases'): PhaseCalendar {
  if (setting === undefined) return resolvePhases('nba', field);
  if (setting === null) return { ranges: [], defaultLabel: DEFAULT_LABEL, labels: [DEFAULT_LABEL], none: true };
  if (typeof setting === 'string') return build(preset(setting, field), [], field, null);
  if (Array.isArray(setting)) return build(null, setting, field, null);
  const base = setting.preset === undefined ? null : preset(setting.preset, `${field}.preset`);
  return build(base, setting.ranges ?? [], `${field}.ranges`, setting.default ?? null);
}

function preset(name: string, field: string): PhasePreset {
  const p = PRESETS[name];
  if (!p) throw new PhasesError(field, `unknown preset ${JSON.stringify(name)} (known: ${Object.keys(PRESETS).join(', ')})`);
  return p;
}

function build(base: PhasePreset | null, own: PhaseRange[], field: string, defaultLabel: string | null): PhaseCalendar {
  const tagged = [
    ...(base?.ranges ?? []).map((r, i) => ({ ...r, field: `preset ${base!.name} range ${i + 1}` })),
    ...own.map((r, i) => ({ ...r, field: `${field}[${i}]` })),
  ];
  for (const r of tagged) {
    if (!r.label || !r.label.trim()) throw new PhasesError(`${r.field}.label`, 'a label is required');
    for (const end of ['from', 'to'] as const) {
      if (!isCalendarDate(r[end])) throw new PhasesError(`${r.field}.${end}`, `${JSON.stringify(r[end])} is not a date YYYY-MM-DD`);
    }
    if (r.from > r.to) throw new PhasesError(`${r.field}.from`, `${r.from} is after to ${r.to}`);
  }
  const sorted = [...tagged].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const merged: (PhaseRange & { field: string })[] = [];
  for (const r of sorted) {
    const prev = merged.at(-1);
    if (prev && r.from <= prev.to) {
      if (prev.label !== r.label) {
        throw new PhasesError(r.field, `${r.from}..${r.to} (${r.label}) overlaps ${prev.from}..${prev.to} (${prev.label}, ${prev.field})`);
      }
      if (r.to > prev.to) prev.to = r.to;
      continue;
    }
    merged.push({ ...r });
  }
  const def = defaultLabel ?? base?.defaultLabel ?? DEFAULT_LABEL;
  const labels = [...new Set([def, ...(base?.labels ?? []), ...own.map((r) => r.label)])];
  return { ranges: merged.map(({ label, from, to }) => ({ label, from, to })), defaultLabel: def, labels };
}

/** The group of keys whose date is not known (ids without a date column): in no month, and in no phase. */
export const NO_DATE = 'no date';

/**
 * The phase of a date (YYYY-MM-DD), the default label for a day outside every range, and NO_DATE for a key
 * with no known date when the calendar has phases (tester W8: 200,002 undated ids read "Regular season",
 * which told the operator the Playoffs were clean).
 */
export function phaseOf(calendar: PhaseCalendar, date: string | null | undefined): string {
  if (!date) return calendar.ranges.length === 0 ? calendar.defaultLabel : NO_DATE;
  const { ranges } = calendar;
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = ranges[mid];
    if (date < r.from) hi = mid - 1;
    else if (date > r.to) lo = mid + 1;
    else return r.label;
  }
  return calendar.defaultLabel;
}

/** The calendar of the `nba` preset: what a config without `phases` gets. */
export const NBA_CALENDAR: PhaseCalendar = resolvePhases('nba');
