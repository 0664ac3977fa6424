import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CLI } from './support/cli.js';
import { banner, logOf, T0 } from './support/log-text.js';

// The dashboard from the built CLI in a real terminal (util-linux `script` gives it a pty): NO_COLOR and
// --no-color are honoured by the command line itself, not only by the component's prop.
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-color-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  path.join(dir, 'run.log'),
  logOf(T0, [...banner(6, 180, 3), ['INFO', '  ✅ Scraped 2021-10-19'], ['WARNING', '  ❌ Failed 2021-10-20: HTTP 500'], ['WARNING', '  ❌ Timeout 2021-10-21']]),
);

/** Everything the dashboard drew until its help bar showed, then `q`; resolves when it has left. */
function dashboard(args: string[], env: Record<string, string>): Promise<string> {
  // `script` gives the pty no size: set the 80×24 the layout is made for.
  const command = `stty cols 80 rows 24; ${[process.execPath, CLI, '--log', 'run.log', ...args].map((a) => `'${a}'`).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: dir,
    env: { ...process.env, TERM: 'xterm-256color', COLUMNS: '80', LINES: '24', FORCE_COLOR: '', NO_COLOR: '', ...env },
  });
  let out = '';
  let quit = false;
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no help bar within 30 s:\n${out.slice(-2000)}`));
    }, 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (!quit && out.includes('q quit')) {
        quit = true;
        child.stdin.write('q');
      }
    });
    child.on('close', () => {
      clearTimeout(deadline);
      resolve(out);
    });
  });
}

/** An SGR sequence that sets a foreground or background color (bold and dim are not colors). */
const COLOR = /\x1b\[(?:[0-9;]*;)?(?:3[0-79]|9[0-7]|4[0-79]|10[0-7]|38;|48;)[0-9;]*m/;

describe('colors from the command line', () => {
  test('by default the dashboard is in color', async () => {
    expect(await dashboard([], {})).toMatch(COLOR);
  });

  test('NO_COLOR=1: no color codes at all', async () => {
    const out = await dashboard([], { NO_COLOR: '1' });
    expect(out).toContain('q quit');
    const i = out.search(COLOR);
    expect(i < 0 ? "" : JSON.stringify(out.slice(Math.max(0, i - 150), i + 80))).toBe("");
  });

  test('--no-color: no color codes at all', async () => {
    const out = await dashboard(['--no-color'], {});
    expect(out).toContain('q quit');
    expect(out).not.toMatch(COLOR);
  });
});
