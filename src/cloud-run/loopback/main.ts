import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../../runner/atomic-write.js';
import { startLoopbackServer } from './server.js';
import { simTaskRunner } from './sim-task.js';

const USAGE =
  'usage: backfill-tui loopback-cloud-run --project P --region R --jobs JOB[,JOB]\n' +
  '           --scratch DIR [--port N] [--log-delay S] [--idle-exit MIN]\n' +
  '           [--state FILE] [--keep DIR]\n';

/**
 * `backfill-tui loopback-cloud-run`: the shipped loopback Cloud Run region as its own process (the demo starts it
 * detached, so a simulated execution outlives the dashboard as a real one does). Executions run the simulator;
 * their lines become log entries `--log-delay` seconds later. It exits on SIGTERM/SIGINT, or after
 * `--idle-exit` minutes with no request and no running execution. With `--keep DIR` its ended executions and their
 * entries are kept there and served again by the next region started on that directory. Returns the exit code.
 */
/** What --help adds to the usage line: each option, and what an execution's args may hold (tester AC7.3). */
const HELP = `${USAGE}
A Cloud Run region on 127.0.0.1 speaking the Run Admin v2 and Cloud Logging v2
REST APIs, whose executions run the simulated backfill (\`backfill-tui sim\`).
The demo starts one; a config reaches it through cloudRun.apiEndpoint and
cloudRun.loggingEndpoint set to the URL it prints
(\`listening http://127.0.0.1:PORT\`).

options:
  --project P        the project its jobs are in
  --region R         its region
  --jobs JOB[,JOB]   the jobs it holds
  --scratch DIR      where executions' tasks run (each its own folder: storage,
                     failed-keys files)
  --port N           the port to listen on (default 0: any free one)
  --log-delay S      seconds before a line of an execution reaches Cloud Logging
                     (default 5; one in twenty 3×)
  --idle-exit MIN    exit after MIN minutes with no request and no running
                     execution (default 30)
  --state FILE       write {pid, url, startedAt} there once listening
                     (atomically)
  --keep DIR         keep ended executions and their entries there, served again
                     by the next region on DIR

An execution's args (the job's cloudRun.args) are the simulator's flags
(\`backfill-tui sim --help\`), and one that stands in for a keys file a
container would read: --keys=A,B,C (the keys themselves, as \`{keys}\` gives
them: \`"args": ["--keys={keys}"]\`). With more than one task, each task takes
every taskCount-th key from its index.
`;

export async function loopbackMain(argv: string[], write: (s: string) => void = (s) => void process.stdout.write(s)): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    write(HELP);
    return 0;
  }
  let o;
  try {
    o = parseArgs({
      args: argv,
      options: {
        project: { type: 'string' },
        region: { type: 'string' },
        jobs: { type: 'string' },
        scratch: { type: 'string' },
        port: { type: 'string', default: '0' },
        'log-delay': { type: 'string', default: '5' },
        'idle-exit': { type: 'string', default: '30' },
        state: { type: 'string' },
        keep: { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (err) {
    write(`${USAGE}${(err as Error).message}\n`);
    return 2;
  }
  if (!o.project || !o.region || !o.jobs || !o.scratch) {
    write(`${USAGE}--project, --region, --jobs and --scratch are required\n`);
    return 2;
  }
  // Numbers as numbers, said as the missing options are (tester AG6 j: `--idle-exit abc` was taken without a word).
  const bad = [
    ['--port', o.port, (n: number) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port number (0: any free one)'],
    ['--log-delay', o['log-delay'], (n: number) => n >= 0, 'seconds, 0 or more'],
    ['--idle-exit', o['idle-exit'], (n: number) => n > 0, 'minutes, more than 0'],
  ].find(([, text, ok]) => (text as string).trim() === '' || !Number.isFinite(Number(text)) || !(ok as (n: number) => boolean)(Number(text)));
  if (bad) {
    write(`${USAGE}${bad[0]} ${bad[1]}: not ${bad[3]}\n`);
    return 2;
  }
  const delayMs = Number(o['log-delay']) * 1000;
  // `--keep DIR`: ended executions and their log entries outlive the process (keep.ts), as a real region's do.
  let keeper: { save(): Promise<void> } | null = null;
  let server: Awaited<ReturnType<typeof startLoopbackServer>>;
  try {
    server = await startLoopbackServer({
      onEnded: () => void keeper?.save().catch((err: Error) => process.stderr.write(`loopback-cloud-run: could not keep the executions: ${err.message}\n`)),
      project: o.project,
      region: o.region,
      jobs: o.jobs.split(',').map((name) => ({ name, timeoutSeconds: 3600 })),
      // Most lines take the delay; about one in twenty takes three times as long, as ingestion does.
      logDelayMs: (_line, i) => (i % 20 === 7 ? delayMs * 3 : delayMs),
      runTask: simTaskRunner({ scratchDir: o.scratch }),
      port: Number(o.port),
    });
  } catch (err) {
    // One line naming the port (tester AG6 j: a Node stack trace for a port another region holds).
    const code = (err as NodeJS.ErrnoException).code;
    write(code === 'EADDRINUSE' ? `loopback-cloud-run: port ${o.port} is in use (another region?): give another --port, or 0 for any free one\n` : `loopback-cloud-run: cannot listen on 127.0.0.1:${o.port}: ${(err as Error).message}\n`);
    return 1;
  }
  if (o.keep) {
    try {
      keeper = await (await import('./keep.js')).keepWorld(server.world, o.keep);
    } catch (err) {
      await server.close();
      write(`loopback-cloud-run: --keep ${o.keep}: ${(err as Error).message}\n`);
      return 1;
    }
  }
  if (o.state) await writeFileAtomic(o.state, `${JSON.stringify({ pid: process.pid, url: server.url, startedAt: Date.now() })}\n`);
  write(`listening ${server.url}\n`);
  const idleMs = Number(o['idle-exit']) * 60_000;
  const startedAt = Date.now();
  await new Promise<void>((resolve) => {
    // Checked every 10 s; the interval also keeps the process alive until it is done.
    const timer = setInterval(() => {
      const last = server.requests.at(-1)?.at ?? startedAt;
      const running = server.world.executions.some((e) => e.completionTime === null);
      if (!running && Date.now() - last > idleMs) done();
    }, 10_000);
    const done = () => {
      clearInterval(timer);
      process.off('SIGTERM', done);
      process.off('SIGINT', done);
      resolve();
    };
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  // Executions still running are cancelled by the close and end: kept as cancelled, which is what happened.
  await server.close();
  await keeper?.save();
  return 0;
}
