/*
 * Stops of this process (Ctrl-Z, then `fg`; `kill -STOP`, then `-CONT`): a call in flight across one can fail for the
 * stop itself (its connection closed by the other end meanwhile, its deadline passed while nothing ran here), which
 * says nothing of the service it called (tester AG6 k: 6 s of `Cloud Logging: connection … closed before the answer …
 * → check cloudRun.loggingEndpoint` after `fg`). A reader compares the count before and after its call.
 */

let wakes = 0;
let listening = false;

/** How many times this process was continued (SIGCONT) since it first asked; 0 where the signal does not exist. */
export function processWakes(): number {
  if (!listening) {
    listening = true;
    // A signal listener keeps nothing alive; Windows has no SIGCONT.
    if (process.platform !== 'win32') process.on('SIGCONT', () => void (wakes += 1));
  }
  return wakes;
}
