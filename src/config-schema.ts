import { isCalendarDate } from './coverage/expected-keys.js';
import { isValidZone } from './parser/log-clock.js';
import * as z from 'zod';

/** Backfill scripts in the reference family; each field a regular expression (named groups, see README). */
export const grammarSchema = z
  .object({
    start: z.string(),
    complete: z.string(),
    loaded: z.string(),
    queued: z.string(),
    processing: z.string(),
    succeeded: z.string(),
    failed: z.string(),
    skipped: z.string(),
    progress: z.string(),
    failedSaved: z.string(),
  })
  .partial()
  .strict();

export const expectedSchema = z
  .object({
    file: z.string().min(1),
    /** CSV column holding the key when the file has a header (e.g. game_date, game_id). */
    column: z.string().min(1).optional(),
    /** 'date' keys must be real calendar dates YYYY-MM-DD; 'id' any non-blank token. Default: guessed from the first key. */
    format: z.enum(['date', 'id']).optional(),
    /** CSV column holding each id key's date (for phases and months); default a header cell named like *date*. */
    dateColumn: z.string().min(1).optional(),
  })
  .strict();

export const storageSchema = z
  .object({
    /** gs://BUCKET/PREFIX/ or a local directory path. */
    url: z.string().min(1),
    keyPattern: z.string().optional(),
    apiEndpoint: z.string().optional(),
    projectId: z.string().optional(),
    pollSeconds: z.number().positive().default(60),
  })
  .strict();

/** A real calendar date (2021-13-45 and 2023-02-29 are refused at start, not at the first poll: tester W3). */
const calendarDate = z.string().refine(isCalendarDate, 'not a date: write it as YYYY-MM-DD');

/** Coverage targets in percent, each once (a target listed twice drew twice and said twice: tester W3). */
export const targetsSchema = z
  .array(z.number().gt(0).max(100))
  .min(1)
  .refine((t) => new Set(t).size === t.length, 'each target once: a percent is listed twice');

export const warehouseSchema = z
  .object({
    table: z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_$-]+$/, 'project.dataset.table'),
    column: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a column name'),
    since: calendarDate.optional(),
    until: calendarDate.optional(),
    location: z.string().optional(),
    projectId: z.string().optional(),
    apiEndpoint: z.string().optional(),
    pollSeconds: z.number().positive().default(300),
    /** Local stand-in used by the demo: a directory whose KEY/ folders mean "loaded". */
    dir: z.string().optional(),
  })
  .strict()
  // An empty window would count nothing and read as 0 % loaded (tester W3).
  .refine((w) => w.since === undefined || w.until === undefined || w.since <= w.until, { message: 'since is after until', path: ['until'] });

const phaseRangeSchema = z.object({ label: z.string().min(1), from: z.string(), to: z.string() }).strict();

/** Key phases: a preset name ("nba"), a list of ranges, or a preset extended by ranges (checked in phases/calendar.ts). */
const phasesSchema = z.union([
  z.string().min(1),
  z.array(phaseRangeSchema),
  z.object({ preset: z.string().min(1).optional(), ranges: z.array(phaseRangeSchema).optional(), default: z.string().min(1).optional() }).strict(),
  z.null(),
]);
/** A job that runs as a Cloud Run Job (instead of `command` + `log`): where it is and what a launch overrides. */
const cloudRunSchema = z
  .object({
    project: z.string().regex(/^[a-z][a-z0-9.:-]{2,62}$/, 'not a Google Cloud project id: a lower-case letter, then 2 to 62 lower-case letters, digits, "-", "." or ":" (e.g. nba-props-platform)'),
    region: z.string().regex(/^[a-z]+-[a-z]+\d+$/, 'not a Cloud Run region: one such as us-west2'),
    job: z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'not a Cloud Run job name: lower-case letters, digits and "-", up to 63, starting with a letter'),
    /** The container's args for a launch: the same placeholders as `command`, plus {keys} and {keysUri}. */
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    taskCount: z.number().int().min(1).max(10_000).optional(),
    /** Task timeout for a launch, seconds (Cloud Run allows up to 168 h). */
    timeout: z.number().positive().max(168 * 3600).optional(),
    apiEndpoint: z.string().url().optional(),
    loggingEndpoint: z.string().url().optional(),
    /** gs://BUCKET/PREFIX/ the dashboard owns: {keysUri} objects are written there, never over another object. */
    keysPrefix: z.string().regex(/^gs:\/\/[^/]+\/(.+\/)?$/, 'gs://BUCKET/PREFIX/ ending in /').optional(),
    /** An execution running longer than this (seconds) is stuck; the team's monitors use 2 h. */
    stuckAfter: z.number().positive().default(7200),
    /** How often a running execution is read, seconds (the Run API's read quota is per minute per region). */
    pollSeconds: z.number().min(1).default(5),
    /** How long after an execution ends its last log entries are waited for, seconds. */
    logDeadline: z.number().positive().default(300),
  })
  .strict();


/** The whole config file, `backfill-tui.config.json`. Unknown keys are errors (typos must not pass silently). */
export const configSchema = z
  .object({
    // The job's name also names its state folder: . and .. would put runs.jsonl and keys/ beside the config.
    job: z.string().min(1).refine((s) => s !== '.' && s !== '..', 'not . or .. (the name is also its state folder\'s)').default('backfill'),
    /** Required unless the job runs on Cloud Run (`cloudRun`): then its log is Cloud Logging's. */
    log: z.string().min(1).optional(),
    /** Default DEFAULT_FAILED_GLOB beside the config for a local job; none for a Cloud Run job (config-base.ts). */
    failed: z.string().min(1).optional(),
    expected: z.union([z.string().min(1), expectedSchema]).optional(),
    storage: storageSchema.optional(),
    warehouse: warehouseSchema.nullable().optional(),
    targets: targetsSchema.default([95, 98, 100]),
    grammar: grammarSchema.optional(),
    /** IANA zone the log's times are written in (Python writes local time without a zone); default the system's. */
    timezone: z.string().refine(isValidZone, 'an IANA time zone such as America/New_York or Europe/Berlin').optional(),
    command: z.array(z.string()).min(1).optional(),
    cloudRun: cloudRunSchema.optional(),
    cwd: z.string().optional(),
    /** Added to the launched command's environment, on top of PYTHONUNBUFFERED=1 (a buffered log would look stalled). */
    env: z.record(z.string(), z.string()).default({}),
    vars: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
    workers: z.number().int().positive().default(6),
    timeout: z.number().positive().default(180),
    // Either setting alone takes the other's default (tester U10: {"workers": 2} alone was an error).
    retry: z.object({ workers: z.number().int().positive().default(3), timeout: z.number().positive().default(300) }).strict().default({ workers: 3, timeout: 300 }),
    stateDir: z.string().default('.backfill-tui'),
    keepAwake: z.boolean().default(true),
    /** How the dashboard calls the operator (stalled, ended, complete, target met, source failing, stop needs a decision). */
    alerts: z
      .object({
        bell: z.boolean().default(true),
        /** Desktop notification by the terminal's escape sequence: true (its convention), 'osc9', 'osc777', or false. */
        desktop: z.union([z.boolean(), z.enum(['osc9', 'osc777'])]).default(true),
        webhook: z.object({ url: z.string().url() }).strict().nullable().optional(),
      })
      .strict()
      .default({ bell: true, desktop: true }),
    /** Named date ranges failures are grouped by; default the `nba` preset, null for none. */
    phases: phasesSchema.optional(),
  })
  .strict();

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type CloudRunConfig = z.output<typeof cloudRunSchema>;
export type GrammarConfig = z.output<typeof grammarSchema>;
