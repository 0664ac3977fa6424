import { placeErrorSource, stuckOf } from '../state/place-state.js';
import { isActive } from '../cloud-run/execution.js';
import { cancelCommand } from '../state/place-view.js';
import type { AppState } from '../state/app-state.js';
import { commandRows, wrap } from '../text-width.js';
import { clockTime, signalsSent, STOP_GRACE_MS } from '../state/confirm-situation.js';

/**
 * What the dashboard says under its last frame when it leaves (W23: `q` did not say which runs go on; tester X9:
 * leaving from a box left the box drawn above the prompt, as if the question were still open). One line per
 * run that goes on, its handle to find it by; one per question left unanswered. Nothing when there is neither.
 * Lines are wrapped within `width` columns, hanging under their text, never cut: they stay in the shell to be read
 * after (tester AA2: the pid and `goes on` of a long line were cut off at 80 columns).
 */
export function leaveSummary(jobs: AppState[], width = 80): string[] {
  const lines: string[] = [];
  /** The lines that are a shell command, by index: on rows of their own, broken only with a trailing ` \` (see below). */
  const commands = new Set<number>();
  // Whether any run goes on without the dashboard: said once, after the lines (see `tail`).
  let going = false;
  for (const s of jobs) {
    const p = s.process;
    const e = s.place?.execution ?? null;
    // One line per run: our execution's run is not also a local process (tester AD6: `run … (pid ?) goes on` under it).
    // An execution's job is its execution (the run's process fields mirror it): going on only while Cloud Run says so.
    if (e !== null && isActive(e)) {
      // A stuck one says so, and how to cancel it from the shell: the screen that said it is gone (tester AC11).
      const stuck = stuckOf(s);
      // Cloud Run not answering, the last look is all that is known: no promise that it goes on (tester AE8: the demo's
      // region killed, `q` said `goes on` of an execution the region had cancelled with it).
      const unseen = unanswered(s);
      const whose = `${s.job}: execution ${e.id}${s.place?.ours ? (p.runId ? ` (run ${p.runId})` : '') : ' (started outside the dashboard)'}`;
      lines.push(unseen ? `${whose} was last seen running; ${unseen}` : `${whose} goes on${stuck ? `, stuck: ${stuck}` : ''}`);
      if (stuck) {
        // The command on rows of its own, as the job screen and `status` give it: a copy of its rows is the command,
        // never `backfill-tui:   to cancel it: gcloud …` (AI14's class).
        lines.push('  to cancel it, in a shell:');
        commands.add(lines.length);
        lines.push(cancelCommand(e));
      }
      going ||= !unseen;
    } else {
      // One line, wrapped under its text as the others are (tester AG6 b: its second line began `backfill-tui:` again).
      // What is not known is left out, never `run ? (pid ?)`.
      const ours = `run${p.runId !== null ? ` ${p.runId}` : ''}${p.pid !== null ? ` (pid ${p.pid})` : ''}`;
      if (p.alive && p.attached && p.stopping) lines.push(`${s.job}: ${ours} ${stopWords(p)}`);
      else if (p.alive && p.attached) lines.push(`${s.job}: ${ours} goes on`);
      else if (p.alive && p.external) lines.push(`${s.job}: pid ${p.externalPids.join(', ')} (not started here) goes on writing the log`);
      // A run being stopped is said by its own line: "open it again to stop them" is not about it.
      going ||= Boolean(p.alive && ((p.attached && p.stopping !== 'sigint' && p.stopping !== 'sigterm') || p.external));
    }
    if (s.ui.confirm) lines.push(`${s.job}: left unanswered, nothing done: ${s.ui.confirm.message}`);
  }
  if (lines.length === 0) return [];
  const tail = going ? ['runs go on without the dashboard; open it again to stop them'] : [];
  const prefix = 'backfill-tui: ';
  return [...lines, ...tail].flatMap((l, i) => {
    const indent = prefix.length + /^ */.exec(l)![0].length;
    if (!commands.has(i)) return wrap(`${prefix}${l}`, width, indent);
    // A command longer than a row (107 characters with a team's names) is broken with a trailing ` \`, so its rows
    // pasted are still one command (tester AH10: pasted, `gcloud run jobs executions cancel ID` ran without its
    // `--region`/`--project`, then `--region=…` as a command of its own). No `backfill-tui:` before it: under the line
    // that says what it is for, its rows are the command alone.
    const under = ' '.repeat(prefix.length + 4);
    return commandRows(`${under}${l}`, width, under.length + 2);
  });
}

/**
 * A stop under way as the dashboard leaves: what was sent and when (tester AG6 b: `SIGINT at …` was not said), what
 * comes next and who does it (tester Y9, Z1): the words never say `goes on` of a run being stopped, nor leave the
 * SIGKILL question unsaid.
 */
function stopWords(p: AppState['process']): string {
  const last = p.stopSignals.at(-1);
  const due = last ? clockTime(last.at + STOP_GRACE_MS) : '?';
  const sent = signalsSent(p);
  if (p.stopping === 'needs-kill') return `ignored ${p.stopSignals.length ? sent.replace(/, /g, ' and ') : 'the stop'}: it goes on; open the dashboard: x asks about SIGKILL`;
  // Plainly, as `status` says it (tester AI10 j: `running at 05:10:23?` read as a typo).
  if (p.stopping === 'sigterm') return `is stopping: ${sent}; if it still runs at ${due}, open the dashboard: x asks about SIGKILL`;
  return `is stopping: ${sent || 'nothing sent yet'}; ${p.stopCarrier ? `SIGTERM at ${due} if it still runs (pid ${p.stopCarrier} sends it)` : `SIGTERM due at ${due}: open the dashboard by then to send it`}`;
}

/** Why the job's Cloud Run figures are only its last look (the region down, denied, timing out), or null while it answers. */
function unanswered(s: AppState): string | null {
  const pl = s.place;
  // Cloud Logging's errors leave the execution's state fresh (place-view.ts): it goes on, as the region says.
  if (!pl?.error || placeErrorSource(pl.error) === 'Cloud Logging') return null;
  const since = pl.errorSince ?? pl.errorAt;
  return `Cloud Run cannot be read${since ? ` (since ${clockTime(since)})` : ''}`;
}
