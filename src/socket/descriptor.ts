/**
 * Descriptor-level calls the upper floors need besides the BSD calls: a poll(2) probe,
 * the bytes queued (FIONREAD), the pending error (SO_ERROR), moving a socket onto a chosen
 * descriptor number (dup3), and the few raw-fd operations on descriptors xsock owns but
 * that are not Sockets (pipe ends, inherited fds, fds handed to Node core).
 */
import { native } from '../binding.js';
import { constants as C } from '../constants.js';
import { check, intArg, systemError } from '../errors.js';
import type { SocketCore } from './core.js';
import { intOption } from './lifecycle.js';

/** poll(2) of one descriptor with timeout 0: the revents (POLLIN, POLLPRI, POLLRDHUP ...). */
export function pollFd(fd: number, events: number): number {
  return native.pollNow(fd, events);
}

/** ioctl(FIONREAD): bytes (stream) or the next datagram's size queued for reading. */
export function bytesQueued(c: SocketCore): number {
  return check(native.ioctlInt(c.live(), C.FIONREAD), 'ioctl');
}

/** getsockopt(SO_ERROR): the pending error (an errno, 0 for none); reading clears it. */
export function pendingError(c: SocketCore): number {
  return intOption(c.live(), C.SOL_SOCKET, C.SO_ERROR, 0);
}

/** dup3(2) with O_CLOEXEC: `fd`'s file now also lives under `target` (whatever that named is closed). */
export function dupOnto(fd: number, target: number): void {
  check(native.dup3(intArg('fd', fd, 0, 0x7fffffff), intArg('target', target, 0, 0x7fffffff)), 'dup3');
}

/** fcntl(F_DUPFD_CLOEXEC): a close-on-exec duplicate of `fd`. */
export function dupCloexec(fd: number): number {
  return check(native.dupCloexec(intArg('fd', fd, 0, 0x7fffffff)), 'fcntl');
}

/** fcntl(F_GETFD) & FD_CLOEXEC. */
export function isCloexec(fd: number): boolean {
  return check(native.getCloexec(intArg('fd', fd, 0, 0x7fffffff)), 'fcntl') !== 0;
}

/** fcntl(F_SETFL, O_NONBLOCK) on a descriptor xsock will wait on (pipe ends, adopted fds). */
export function setNonblocking(fd: number): void {
  const fl = check(native.getfl(fd), 'fcntl');
  if (!(fl & C.O_NONBLOCK)) check(native.setfl(fd, fl | C.O_NONBLOCK), 'fcntl');
}

/**
 * fcntl(F_SETFL) without O_NONBLOCK: plain read(2)/write(2) by others on the file block as
 * C's do (tirdwr). xsock's own calls on it stay non-blocking: the shim ORs MSG_DONTWAIT
 * into every send and receive.
 */
export function clearNonblocking(fd: number): void {
  const fl = check(native.getfl(intArg('fd', fd, 0, 0x7fffffff)), 'fcntl');
  if (fl & C.O_NONBLOCK) check(native.setfl(fd, fl & ~C.O_NONBLOCK), 'fcntl');
}

/**
 * close(2) of a raw descriptor the caller owns and nothing else watches (a received fd
 * being discarded, a duplicate made for a hand-off). Errors other than EBADF are ignored:
 * Linux has released the number whatever close returns.
 */
export function closeFd(fd: number): void {
  const rc = native.close(fd);
  if (rc === -C.EBADF) throw systemError(rc, 'close');
}
