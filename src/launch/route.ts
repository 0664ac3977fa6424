/**
 * Which commands the one-shot bundle serves (see src/bin.ts): `status`, `missing`, and `--version` /
 * `--help` typed before any command. Everything else goes to the full CLI, which can serve every command;
 * the route only chooses the faster way to start, never what a command does.
 *
 * The rule reads the words before the command the way the CLI does (src/cli.ts `addGlobals`): the global
 * options that take a value skip it (`--log FILE`, `--log=FILE`, `-cFILE`), the two switches are passed
 * over, and anything it does not know sends the command to the full CLI, which explains it.
 */
const WITH_VALUE = new Set(['-c', '--config', '--log', '--failed', '--expected', '--storage', '--job', '--state-dir']);
const SWITCHES = new Set(['--no-color', '--no-alerts']);
const INFO = new Set(['-V', '--version', '-h', '--help']);

/**
 * The command the one-shot bundle would serve for `argv` (process.argv: node, script, then the arguments):
 * 'status' or 'missing', 'info' for --version / --help typed before any command; null for the ES-module CLI.
 */
export function oneShotCommand(argv: readonly string[]): 'status' | 'missing' | 'info' | null {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i];
    if (WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (SWITCHES.has(arg)) continue;
    if (INFO.has(arg)) return 'info';
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 2 && WITH_VALUE.has(arg.slice(0, eq))) continue;
    if (arg.startsWith('-c') && arg.length > 2 && !arg.startsWith('--')) continue;
    return arg === 'status' || arg === 'missing' ? arg : null;
  }
  return null;
}

/** True when `argv` is a command the one-shot bundle serves. */
export function isOneShot(argv: readonly string[]): boolean {
  return oneShotCommand(argv) !== null;
}
