/**
 * STREAMS pipes on Linux: SVR4 pipes are bidirectional STREAMS pipes, whose Linux
 * counterpart is a connected AF_UNIX stream socketpair. Descriptors are numbers, as in C;
 * the Sockets behind them live in the shared descriptor table (src/descriptors.ts), so an
 * XTI endpoint's number works with ioctl() here too.
 */
import { constants as C } from '../constants.js';
import { intArg, systemError, argValue, shown } from '../errors.js';
import { register, lookup, unregister } from '../socket/descriptors.js';
import { fstatSync } from 'node:fs';
import { Socket, socketpair, closeFd, socketOwning } from '../socket/index.js';
import { F_GETFL, F_SETFL, O_NONBLOCK } from './constants.js';

/**
 * O_NONBLOCK as the streams face sees it. The kernel descriptor is always non-blocking
 * (the event loop must never block); "blocking" here means a call returns a Promise that
 * waits, non-blocking means it fails with EAGAIN instead.
 */
const nonblocking = new WeakMap<Socket, boolean>();

/**
 * pipe(2) with SVR4 semantics: two connected, bidirectional descriptors (socketpair(2),
 * AF_UNIX, SOCK_STREAM, close-on-exec). SO_PASSCRED is set on both ends so that
 * I_RECVFD reports the sender's uid/gid from kernel credentials.
 *
 * Both are non-blocking at the kernel level (the open file description is shared with any
 * child given an end: Node and xsock children cope; a child doing blocking read(2) sees
 * EAGAIN).
 */
export function pipe(): [number, number] {
  const [a, b] = socketpair('unix', 'stream');
  try {
    for (const s of [a, b]) s.setsockopt('SOL_SOCKET', 'SO_PASSCRED', true);
  } catch (err) {
    a.close();
    b.close();
    throw err;
  }
  return [register(a), register(b)];
}

/**
 * The Socket behind an xsock descriptor, or the EBADF system error for `syscall`
 * (what the C call would return for a number that is not an open stream).
 */
export function endpoint(fd: unknown, syscall: string): Socket {
  intArg('fd', fd, -0x80000000, 0x7fffffff);
  return lookup(fd as number) ?? adopt(fd as number, syscall);
}

/**
 * A descriptor xsock did not create — typically a pipe end a parent process handed down
 * (spawn stdio) — becomes an xsock descriptor on first use, as any fd works with ioctl(2)
 * in C. It is made non-blocking (shared with whoever else holds it). Only AF_UNIX
 * sockets qualify: anything else is "not a stream" (EINVAL), a closed number EBADF.
 */
function adopt(fd: number, syscall: string): Socket {
  if (fd < 0) throw systemError(-C.EBADF, syscall);
  let st;
  try {
    st = fstatSync(fd);
  } catch {
    throw systemError(-C.EBADF, syscall);
  }
  if (!st.isSocket()) throw systemError(-C.EINVAL, syscall);
  const owned = socketOwning(fd);
  if (owned) {
    // A Socket of this program already owns the number: share it (one owner, one watcher).
    if (owned.domain !== C.AF_UNIX) throw systemError(-C.EINVAL, syscall);
    register(owned);
    return owned;
  }
  const s = Socket.fromFd(fd);
  if (s.domain !== C.AF_UNIX) {
    s.detach(); // not ours to close: hand it back untouched
    throw systemError(-C.EINVAL, syscall);
  }
  register(s);
  return s;
}

/** True when the descriptor's face is non-blocking (fcntl F_SETFL O_NONBLOCK). */
export function isNonblocking(s: Socket): boolean {
  return nonblocking.get(s) === true;
}

/**
 * close(2). An xsock descriptor — or any number a live Socket of this program owns — is
 * closed through its Socket (its watcher stopped first, the Socket marked closed so it can
 * never close the file that reuses the number); any other number, e.g. a descriptor
 * received by I_RECVFD, is closed directly.
 */
export function close(fd: number): void {
  intArg('fd', fd, 0, 0x7fffffff);
  const s = lookup(fd) ?? socketOwning(fd);
  if (s) {
    unregister(fd);
    s.close();
    return;
  }
  closeFd(fd);
}

/**
 * fcntl(2), F_GETFL / F_SETFL with O_NONBLOCK only: the waiting behaviour of ioctl
 * I_SENDFD / I_RECVFD on this descriptor. Returns the flags (F_GETFL) or 0.
 */
export function fcntl(fd: number, cmd: number, arg = 0): number {
  const s = endpoint(fd, 'fcntl');
  if (cmd === F_GETFL) return isNonblocking(s) ? O_NONBLOCK : 0;
  if (cmd === F_SETFL) {
    intArg('arg', arg, 0, 0x7fffffff);
    nonblocking.set(s, (arg & O_NONBLOCK) !== 0);
    return 0;
  }
  throw argValue('cmd', `must be F_GETFL (${F_GETFL}) or F_SETFL (${F_SETFL}); received ${shown(cmd)}`);
}
