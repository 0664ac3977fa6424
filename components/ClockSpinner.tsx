import { Text } from 'ink';

/** The frames of the "dots" spinner (cli-spinners). */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The spinner's frame at `now` (epoch ms, the state's clock): one step a second. */
export function spinnerFrame(now: number): string {
  return FRAMES[Math.floor(now / 1000) % FRAMES.length];
}

/**
 * A spinner that turns with the state's clock, not a timer of its own: a quiet live run redraws once a second,
 * when its elapsed time changes anyway (tester X17: an 80 ms timer redrew the whole screen about 6 times a
 * second beside a run waiting on one slow key, 7.7 % of a core and ~6.7 kB/s of terminal output over SSH).
 */
export function ClockSpinner({ now }: { now: number }) {
  return <Text>{spinnerFrame(now)}</Text>;
}
