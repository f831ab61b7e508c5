/**
 * I_SENDFD / I_RECVFD over a STREAMS pipe (an AF_UNIX socket): descriptor passing with
 * the sender's uid/gid taken from kernel credentials (SCM_CREDENTIALS), never from
 * anything the sender writes.
 *
 * A passed descriptor travels as one marker byte carrying SCM_RIGHTS (a stream socket
 * needs at least one data byte for ancillary data). Ancillary data is a read barrier on a
 * stream socket, so the marker stays a message of its own at the head of the queue; and
 * a short MSG_PEEK tells a passed descriptor (one byte, rights attached) from plain data,
 * which is left unread for read(2) — STREAMS' EBADMSG.
 */
import { constants as C } from '../constants.js';
import { intArg, systemError } from '../errors.js';
import { POLL_IN, POLL_OUT } from '../readiness.js';
import { untilReady, closeFd as closeOwned, type Socket } from '../socket/index.js';
import { isNonblocking } from './pipe.js';

/** struct strrecvfd: the received descriptor and the sender's credentials. */
export interface StrRecvFd {
  /** The descriptor, installed in this process close-on-exec; the caller closes it. */
  fd: number;
  /** The sender's uid as the kernel reported it. */
  uid: number;
  /** The sender's gid as the kernel reported it. */
  gid: number;
}

const MARKER = Buffer.from([0xfd]);
/** How many rights one message may bring that I_RECVFD will accept and close the rest of. */
const MAX_RIGHTS = 16;

/** A system error of the ioctl, whatever call inside met it. */
function ioctlError(errno: number): Error {
  return systemError(-errno, 'ioctl');
}

/** The socket errors a hung-up STREAMS pipe reports as ENXIO. */
function asIoctlError(err: unknown): unknown {
  const e = err as { errno?: unknown; syscall?: unknown };
  if (typeof e?.errno !== 'number' || typeof e.syscall !== 'string') return err;
  const errno = Math.abs(e.errno); // system errors carry it negative, as Node's do
  if (errno === C.EPIPE || errno === C.ECONNRESET || errno === C.ENOTCONN) return ioctlError(C.ENXIO);
  return ioctlError(errno);
}

function requireStreamPipe(s: Socket): void {
  // Rights only travel on AF_UNIX: anything else is "not a stream pipe".
  if (s.domain !== C.AF_UNIX) throw ioctlError(C.EINVAL);
}

/** I_SENDFD without waiting: true when queued, null when the pipe is full (EAGAIN). */
function trySendfd(s: Socket, fd: number): true | null {
  try {
    return s.trySendmsg({ data: MARKER, fds: [fd], credentials: true }) === null ? null : true;
  } catch (err) {
    throw asIoctlError(err);
  }
}

/**
 * ioctl(fd, I_SENDFD, sendfd): queues `sendfd` (and this process's uid/gid) at the other
 * end. Waits while the pipe is full, unless the descriptor is O_NONBLOCK (then EAGAIN).
 * EBADF for a bad `sendfd`, EINVAL on a non-unix endpoint, ENXIO after hangup.
 */
export async function sendfd(s: Socket, fd: number): Promise<void> {
  requireStreamPipe(s);
  intArg('arg', fd, -0x80000000, 0x7fffffff);
  if (fd < 0) throw ioctlError(C.EBADF);
  if (trySendfd(s, fd)) return;
  if (isNonblocking(s)) throw ioctlError(C.EAGAIN);
  await untilReady(s, POLL_OUT, () => (trySendfd(s, fd) ? true : null), undefined, true);
}

/**
 * I_RECVFD without waiting: the passed descriptor, or null when nothing is queued.
 * EBADMSG (and nothing consumed) when data is at the head, ENXIO after hangup.
 */
export function tryRecvfd(s: Socket): StrRecvFd | null {
  requireStreamPipe(s);
  try {
    // Two bytes, not one: a stream peek that fills its buffer still walks on to the next
    // message and reports that message's rights. Only a lone marker byte is a passed fd.
    const head = s.tryRecvmsg({ size: 2, fds: MAX_RIGHTS, flags: C.MSG_PEEK });
    if (head === null) return null;
    if (head.bytes === 0 && s.type === C.SOCK_STREAM) throw ioctlError(C.ENXIO);
    if (head.bytes !== 1 || (head.fds.length === 0 && !(head.flags & C.MSG_CTRUNC))) throw ioctlError(C.EBADMSG);
    const m = s.tryRecvmsg({ size: 1, fds: MAX_RIGHTS });
    if (m === null) return null; // another reader took it between the two calls
    const fds = m.fds.take();
    for (const extra of fds.slice(1)) closeFd(extra);
    if (fds.length === 0) throw ioctlError(C.EMFILE); // the kernel could not install it
    const uid = m.credentials?.uid ?? -1;
    const gid = m.credentials?.gid ?? -1;
    return { fd: fds[0]!, uid, gid };
  } catch (err) {
    throw asIoctlError(err);
  }
}

/**
 * ioctl(fd, I_RECVFD): resolves to { fd, uid, gid } once a passed descriptor is at the
 * head. Waits unless the descriptor is O_NONBLOCK (then EAGAIN). EBADMSG when data is at
 * the head (left unread), ENXIO after hangup, EMFILE when no descriptor slot is free.
 */
export async function recvfd(s: Socket): Promise<StrRecvFd> {
  const r = tryRecvfd(s);
  if (r) return r;
  if (isNonblocking(s)) throw ioctlError(C.EAGAIN);
  return untilReady(s, POLL_IN, () => tryRecvfd(s), undefined, true);
}

/**
 * ioctl(fd, I_NREAD): bytes queued for reading (FIONREAD) and how many messages that is
 * — a byte stream has no boundaries, so 1 when anything is queued, else 0.
 */
export function nread(s: Socket): { count: number; bytes: number } {
  const n = fionread(s);
  return { count: n > 0 ? 1 : 0, bytes: n };
}

function fionread(s: Socket): number {
  try {
    return s.bytesQueued();
  } catch (err) {
    throw asIoctlError(err);
  }
}

function closeFd(fd: number): void {
  if (fd < 0) return;
  try {
    closeOwned(fd);
  } catch { /* already gone: nothing left to release */ }
}
