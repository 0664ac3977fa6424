import { isValidZone } from '../parser/log-clock.js';

/** Everything `backfill-tui sim` can be told: the real script's flags plus the simulation's knobs. */
export interface SimOptions {
  csv: string | null;
  serviceUrl: string;
  workers: number;
  timeout: number;
  dryRun: boolean;
  /** 0 = no limit, like the script's `if self.limit:`. */
  limit: number;
  startDate: string | null;
  /** 0 = every season. */
  season: number;
  storage: string;
  seed: number;
  /** Simulated seconds per real second. */
  speed: number;
  failedDir: string;
  failMonths: number[];
  failRate: number;
  playoffFailRate: number;
  timeoutRate: number;
  exceptionRate: number;
  meanSeconds: number;
  /** Log times in this IANA zone instead of the system's (`--timezone`). */
  timezone: string | null;
  /** The simulated clock starts at this instant (ISO 8601) and runs at `speed` (`--clock-start`). */
  clockStart: string | null;
  /** The run's first record comes after this many NUL bytes, as after a copytruncate (`--nul-prefix`). */
  nulPrefix: number;
  /** Each outcome record follows a `\r`-redrawn progress bar on its line (`--cr-prefix`). */
  crPrefix: boolean;
  /** Non-ASCII written as Python's backslashreplace does (`--escaped-emoji`). */
  escapedEmoji: boolean;
  /** Every record written twice, as by a logger with two handlers (`--doubled`). */
  doubled: boolean;
}

/** Defaults: the script's own, then rates close to the real recovery run's (most Apr-Jun dates fail). */
export const defaultSimOptions: SimOptions = {
  csv: null,
  serviceUrl: 'https://scrapers.sim.invalid',
  workers: 1,
  timeout: 60,
  dryRun: false,
  limit: 0,
  startDate: null,
  season: 0,
  storage: 'sim-storage',
  seed: 1,
  speed: 1,
  failedDir: '.',
  failMonths: [4, 5, 6],
  failRate: 0.03,
  playoffFailRate: 0.8,
  timeoutRate: 0.04,
  exceptionRate: 0.005,
  meanSeconds: 8,
  timezone: null,
  clockStart: null,
  nulPrefix: 0,
  crPrefix: false,
  escapedEmoji: false,
  doubled: false,
};

type Kind = 'string' | 'int' | 'count' | 'number' | 'rate' | 'months' | 'date' | 'flag' | 'zone' | 'instant';

const flags: Record<string, [keyof SimOptions, Kind]> = {
  '--csv': ['csv', 'string'],
  '--service-url': ['serviceUrl', 'string'],
  '--workers': ['workers', 'count'],
  '--timeout': ['timeout', 'count'],
  '--dry-run': ['dryRun', 'flag'],
  '--limit': ['limit', 'int'],
  '--start-date': ['startDate', 'date'],
  '--season': ['season', 'int'],
  '--storage': ['storage', 'string'],
  '--seed': ['seed', 'int'],
  '--speed': ['speed', 'number'],
  '--failed-dir': ['failedDir', 'string'],
  '--fail-months': ['failMonths', 'months'],
  '--fail-rate': ['failRate', 'rate'],
  '--playoff-fail-rate': ['playoffFailRate', 'rate'],
  '--timeout-rate': ['timeoutRate', 'rate'],
  '--exception-rate': ['exceptionRate', 'rate'],
  '--mean-seconds': ['meanSeconds', 'number'],
  '--timezone': ['timezone', 'zone'],
  '--clock-start': ['clockStart', 'instant'],
  '--nul-prefix': ['nulPrefix', 'int'],
  '--cr-prefix': ['crPrefix', 'flag'],
  '--escaped-emoji': ['escapedEmoji', 'flag'],
  '--doubled': ['doubled', 'flag'],
};

/** Converts one flag value, or returns why it is not acceptable (argparse's wording). */
function convert(kind: Kind, raw: string): unknown {
  const num = Number(raw);
  switch (kind) {
    case 'string':
      return raw;
    case 'int':
      return /^-?\d+$/.test(raw.trim()) ? num : new Error(`invalid int value: '${raw}'`);
    case 'count':
      return /^\d+$/.test(raw.trim()) && num >= 1 ? num : new Error(`expected a whole number >= 1: '${raw}'`);
    case 'number':
      return raw.trim() !== '' && Number.isFinite(num) && num > 0 ? num : new Error(`expected a number > 0: '${raw}'`);
    case 'rate':
      return raw.trim() !== '' && num >= 0 && num <= 1 ? num : new Error(`expected a probability 0..1: '${raw}'`);
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(raw) ? raw : new Error(`expected YYYY-MM-DD: '${raw}'`);
    case 'months': {
      const months = raw.split(',').filter((s) => s.trim() !== '').map(Number);
      const ok = months.every((m) => Number.isInteger(m) && m >= 1 && m <= 12);
      return ok ? months : new Error(`expected months 1-12 like 4,5,6: '${raw}'`);
    }
    case 'flag':
      return true;
    case 'zone':
      return isValidZone(raw) ? raw : new Error(`not an IANA time zone: '${raw}'`);
    case 'instant':
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw) && Number.isFinite(Date.parse(raw))
        ? raw
        : new Error(`expected an ISO 8601 instant like 2025-11-02T05:30:00Z: '${raw}'`);
  }
}

/** Parses argv (`--flag value` or `--flag=value`). Returns the options, or an argparse-style error message. */
export function parseSimArgs(argv: string[]): SimOptions | { error: string } {
  const opts: Record<string, unknown> = { ...defaultSimOptions };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = flags[name];
    if (!spec) return { error: `unrecognized arguments: ${arg}` };
    const [field, kind] = spec;
    let raw: string;
    if (kind === 'flag') {
      if (eq > 0) return { error: `argument ${name}: ignored explicit argument '${arg.slice(eq + 1)}'` };
      raw = '';
    } else if (eq > 0) {
      raw = arg.slice(eq + 1);
    } else {
      if (i + 1 >= argv.length) return { error: `argument ${name}: expected one argument` };
      raw = argv[++i];
    }
    const value = convert(kind, raw);
    if (value instanceof Error) return { error: `argument ${name}: ${value.message}` };
    opts[field] = value;
  }
  return opts as unknown as SimOptions;
}
