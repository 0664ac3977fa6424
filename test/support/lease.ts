import { spawn, spawnSync } from 'node:child_process';
import { waitFor } from './wait-for.js';

/**
 * A read that does not return, on a regular file, as on a hung NFS or gcsfuse mount: a write lease another process
 * holds on the file (fcntl F_SETLEASE, taken here by python3) makes an open of it wait in the kernel until the holder
 * lets go (or the kernel's lease-break-time, 45 s by default, passes): an open held in libuv's pool, which Node's exit
 * waits for. The file must be the test's own (a lease needs its owner) and open nowhere else.
 */
export const HAS_LEASE = spawnSync('python3', ['-c', 'import fcntl; fcntl.F_SETLEASE']).status === 0;

const LEASE = `
import fcntl, os, signal, sys
signal.signal(signal.SIGIO, lambda *a: print('opened', flush=True))
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
print('leased', flush=True)
sys.stdin.read()
`;

export interface Lease {
  /** Resolves once someone's open of the file is held by the lease (the holder is told: SIGIO). */
  opened: Promise<void>;
  /** Whether the lease is still held (its holder alive). */
  holding(): boolean;
  /** Lets go: a held open goes on at once. */
  release(): void;
}

/** Takes a write lease on `file` (resolves once held). Release it in the test's clean-up. */
export async function lease(file: string): Promise<Lease> {
  const child = spawn('python3', ['-c', LEASE, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  let exited = false;
  child.on('exit', () => (exited = true));
  const release = () => {
    child.stdin.end();
    child.kill();
  };
  await waitFor(() => out.includes('leased') || exited, 'the lease', 20_000);
  if (exited) throw new Error('python3 could not take the lease');
  return { opened: waitFor(() => out.includes('opened'), 'an open held by the lease', 30_000).then(() => undefined), holding: () => !exited, release };
}
