/**
 * Preloaded into a measured `node` (`node -r bench/main-thread-cpu.cjs …`): at exit, writes the CPU time of
 * the process's main thread (user + system, from /proc/self/task/<pid>/stat, 10 ms steps) to stderr as
 * `main-thread-cpu-ms N`. On a busy machine wall time mostly measures waiting; the main thread's CPU is
 * what the wall time comes down to when a core is free for V8's compiler and collector threads.
 * Writes nothing where /proc is not there.
 */
const { readFileSync, writeSync } = require('node:fs');

process.on('exit', () => {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (Number.isFinite(ticks)) writeSync(2, `main-thread-cpu-ms ${ticks * 10}\n`);
  } catch {
    // no /proc: nothing to say
  }
});
