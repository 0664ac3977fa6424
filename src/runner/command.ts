/** Values a command's placeholders can take: `keysFile`, `workers`, `timeout` and every config `vars` entry. */
export type CommandVars = Record<string, string | number>;

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Fills `{name}` placeholders inside each argument of an argument array. The result goes straight to
 * spawn, never to a shell, so a value with spaces or quotes stays one argument.
 * An unknown placeholder is an error naming it: launching with a literal `{serviceUrl}` would waste a run.
 */
export function expandCommand(command: string[], vars: CommandVars): string[] {
  const unknown = new Set<string>();
  const argv = command.map((arg) =>
    arg.replace(PLACEHOLDER, (whole, name: string) => {
      if (!Object.hasOwn(vars, name)) {
        unknown.add(name);
        return whole;
      }
      return String(vars[name]);
    }),
  );
  if (unknown.size > 0) {
    const names = [...unknown].map((n) => `{${n}}`).join(', ');
    const known = Object.keys(vars).map((n) => `{${n}}`).join(', ') || 'none';
    throw new Error(`Unknown placeholder ${names} in command (known: ${known}; add it under "vars" in the config)`);
  }
  return argv;
}

/**
 * The `{name}` placeholders of an argument array that none of `known` fills, in order of first use, each once.
 * Checked when the config is read, so a typo is exit 2 at start, not a refused launch after `y`.
 */
export function unknownPlaceholders(command: readonly string[], known: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const arg of command) for (const m of arg.matchAll(PLACEHOLDER)) if (!known.has(m[1])) out.add(m[1]);
  return [...out];
}

/** The variables a launch offers: config `vars` first, then the run's own values, which win. */
export function commandVars(
  vars: CommandVars,
  run: { keysFile: string | null; workers: number; timeout: number },
): CommandVars {
  const out: CommandVars = { ...vars, workers: run.workers, timeout: run.timeout };
  if (run.keysFile !== null) out.keysFile = run.keysFile;
  return out;
}

/** Whether the command is given the launch's keys (a `{keysFile}` in its arguments). */
export function takesKeysFile(command: string[]): boolean {
  return command.some((a) => a.includes('{keysFile}'));
}
