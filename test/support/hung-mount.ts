import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { waitFor } from './wait-for.js';

/**
 * A mount whose reads never return, as a hung NFS or gcsfuse mount's: a FUSE file system (the kernel's own protocol on
 * /dev/fuse, served by python3 with no library) holding one file, `bf.log`, whose opens and stats answer at once and
 * whose every read is held unanswered. A read can then be stuck in libuv's pool on any thread, as on the real thing
 * (a write lease, test/support/lease.ts, holds only an open). A process killed while its read is held is let go: the
 * kernel's interrupt for the fatal signal is answered with EINTR. Needs root and /dev/fuse (HAS_FUSE).
 */
export const HAS_FUSE = existsSync('/dev/fuse') && process.getuid?.() === 0;

const SERVER = String.raw`
import ctypes, errno, os, struct, sys
mnt, data = sys.argv[1], open(sys.argv[2], 'rb').read()
fd = os.open('/dev/fuse', os.O_RDWR)
libc = ctypes.CDLL(None, use_errno=True)
opts = ('fd=%d,rootmode=40000,user_id=0,group_id=0' % fd).encode()
if libc.mount(b'bt-hung', mnt.encode(), b'fuse.bt-hung', 0, opts) != 0:
    print('mount failed', os.strerror(ctypes.get_errno()), flush=True); sys.exit(1)
print('mounted', flush=True)
def attr(node):
    mode, size, nlink = (0o40755, 0, 2) if node == 1 else (0o100644, len(data), 1)
    return struct.pack('<QQQQQQIIIIIIIIII', node, size, (size + 511) // 512, 0, 0, 0, 0, 0, 0, mode, nlink, 0, 0, 0, 4096, 0)
def reply(unique, err=0, body=b''):
    os.write(fd, struct.pack('<IiQ', 16 + len(body), -err, unique) + body)
held = set()
while True:
    try:
        req = os.read(fd, 1 << 20)
    except OSError as e:
        if e.errno in (errno.ENODEV, errno.EBADF): break
        if e.errno == errno.EINTR: continue
        raise
    length, op, unique, node = struct.unpack_from('<IIQQ', req)
    arg = req[40:length]
    if op == 26:  # INIT
        major, minor, readahead, flags = struct.unpack_from('<IIII', arg)
        reply(unique, 0, struct.pack('<IIIIHHIIHHII24x', 7, min(minor, 31), readahead, 0, 16, 12, 131072, 1, 0, 0, 0, 0))
    elif op == 1:  # LOOKUP
        if node == 1 and arg.rstrip(b'\0') == b'bf.log': reply(unique, 0, struct.pack('<QQQQII', 2, 0, 0, 0, 0, 0) + attr(2))
        else: reply(unique, errno.ENOENT)
    elif op == 3:  # GETATTR
        reply(unique, 0, struct.pack('<QII', 0, 0, 0) + attr(node))
    elif op in (14, 27):  # OPEN, OPENDIR: reads bypass the page cache, each one comes here
        reply(unique, 0, struct.pack('<QII', 0, 1, 0))
    elif op == 15:  # READ: held, never answered
        held.add(unique)
        print('read held', flush=True)
    elif op == 36:  # INTERRUPT: the reader was signalled (killed): its read ends with EINTR
        target, = struct.unpack_from('<Q', arg)
        if target in held:
            held.discard(target)
            reply(target, errno.EINTR)
    elif op in (28,):  # READDIR: an empty folder
        reply(unique, 0)
    elif op in (18, 25, 29):  # RELEASE, FLUSH, RELEASEDIR
        reply(unique, 0)
    elif op in (2, 42):  # FORGET, BATCH_FORGET: no answer
        pass
    elif op == 38:  # DESTROY
        reply(unique, 0); break
    else:
        reply(unique, errno.ENOSYS)
`;

export interface HungMount {
  /** The file whose reads never return. */
  file: string;
  /** Resolves once some read of it is held. */
  readHeld: Promise<void>;
  /**
   * Unmounts (lazily: held reads end with an error) and stops the server; resolves once both are done, so the folder
   * it was mounted on can be removed (before, a removal right after the call met the mount: EBUSY under load).
   */
  close(): Promise<void>;
}

/** Mounts the hung file system at `mnt` (an empty folder) with `content` from the file at `from`. */
export async function hungMount(mnt: string, from: string): Promise<HungMount> {
  const server: ChildProcess = spawn('python3', ['-c', SERVER, mnt, from], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  server.stdout!.on('data', (d) => (out += d));
  let exited = false;
  server.on('exit', () => (exited = true));
  await waitFor(() => out.includes('mounted') || exited, 'the hung mount', 20_000);
  if (!out.includes('mounted')) throw new Error(`no hung mount: ${out.trim()}`);
  const close = () =>
    new Promise<void>((resolve) => {
      const stopped = () => (exited ? resolve() : server.once('exit', () => resolve()));
      spawn('umount', ['-l', mnt], { stdio: 'ignore' }).on('exit', () => {
        server.kill('SIGKILL');
        stopped();
      });
    });
  return { file: `${mnt}/bf.log`, readHeld: waitFor(() => out.includes('read held'), 'a read held', 20_000).then(() => undefined), close };
}
