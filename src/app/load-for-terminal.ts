/**
 * Loads a module that brings in Ink for a live terminal.
 *
 * Ink decides once, when it is first loaded, whether it runs "in CI" (the `is-in-ci` package: `CI` or
 * `CONTINUOUS_INTEGRATION` set and not "0"/"false"), and in CI it draws nothing until it exits. The
 * dashboard only runs when stdout is a terminal, so a CI variable left in a shell (or set by a CI job that
 * drives the dashboard in tmux) must not blank it. The variables are hidden while the module loads and put
 * back at once, so a backfill launched later still gets the environment as it was.
 */
export async function loadForTerminal<T>(load: () => Promise<T>): Promise<T> {
  const names = ['CI', 'CONTINUOUS_INTEGRATION'] as const;
  const saved = names.map((name) => [name, process.env[name]] as const);
  for (const name of names) delete process.env[name];
  try {
    return await load();
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}
