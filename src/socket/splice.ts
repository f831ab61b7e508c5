/**
 * Zero-copy transfers between descriptors: splice(2), tee(2), sendfile(2) and
 * copy_file_range(2), with the library's two forms — try* never waits (null on EAGAIN),
 * the Promise form waits for the side that is not ready and tries again.
 *
 * Endpoints are Sockets (always non-blocking) or raw descriptor numbers for pipes and
 * regular files. A raw pipe should be non-blocking (makePipe() gives such pairs): the splice
 * family passes SPLICE_F_NONBLOCK, which covers the pipe side, but sendfile(2) into a
 * blocking pipe would block the event loop, so that is refused. A raw pipe is watched with
 * a watcher of its own only while a Promise form waits on it; it must not be watched by
 * anything else on this event loop meanwhile (libuv allows one poll handle per descriptor).
 */
import { fstatSync, readFileSync } from 'node:fs';
import { native } from '../binding.js';
import { constants as C } from '../constants.js';
import { argType, argValue, check, intArg, systemError } from '../errors.js';
import { Readiness, POLL_IN, POLL_OUT, type WaitOptions } from '../readiness.js';
import { Socket } from './socket.js';
import { pipe } from './pipe.js';
import { retry as retryLoop, spliceRoomPace } from './retry.js';
import { sleep } from '../wait.js';

/** A Socket, or the number of a pipe or regular file descriptor. */
export type SpliceEndpoint = Socket | number;

export interface SpliceOptions extends WaitOptions {
  /** Read position in `from` when it is a file (default: its file position, which advances). */
  fromOffset?: number;
  /** Write position in `to` when it is a file (default: its file position). */
  toOffset?: number;
  /** SPLICE_F_MORE: more data follows (a TCP destination may hold back a partial segment). */
  more?: boolean;
  /** SPLICE_F_MOVE: ask the kernel to move pages rather than copy (a hint; default true). */
  move?: boolean;
}

export interface SendfileOptions extends WaitOptions {
  /** Where to read `from` (default: its file position, which advances). */
  offset?: number;
}

const MAX_LEN = Number.MAX_SAFE_INTEGER;

/**
 * pipe2(2) with O_NONBLOCK|O_CLOEXEC: [readFd, writeFd], the in-kernel buffer splice(2)
 * needs between two sockets. `capacity` (bytes) is applied with fcntl(F_SETPIPE_SZ); the
 * kernel rounds it up. Above /proc/sys/fs/pipe-max-size an unprivileged process is refused
 * (EPERM): the pipe then gets that maximum instead, and keeps its default size when even
 * that fails (EBUSY, EPERM past the per-user limit): still a pipe. The caller closes both
 * (fs.closeSync).
 */
export function makePipe(capacity?: number): [number, number] {
  const cap = capacity === undefined ? 0 : intArg('capacity', capacity, 0, 0x7fffffff);
  const fds = pipe();
  if (cap > 0 && native.setPipeSize(fds[1], cap) === -C.EPERM) {
    const max = pipeMaxSize();
    if (max > 0 && max < cap) native.setPipeSize(fds[1], max);
  }
  return fds;
}

let maxPipe: number | undefined;

/** /proc/sys/fs/pipe-max-size, read once (0 when unreadable). */
function pipeMaxSize(): number {
  if (maxPipe === undefined) {
    try {
      maxPipe = Number.parseInt(readFileSync('/proc/sys/fs/pipe-max-size', 'utf8'), 10) || 0;
    } catch {
      maxPipe = 0;
    }
  }
  return maxPipe;
}

/**
 * splice(2) without waiting: bytes moved, 0 at end of input, null on EAGAIN. Allocates
 * nothing: a relay calls it several times per wake-up.
 */
export function trySplice(from: SpliceEndpoint, to: SpliceEndpoint, len: number, opts?: SpliceOptions): number | null {
  const i = fdOf('from', from);
  const o = fdOf('to', to);
  const n = intArg('len', len, 0, MAX_LEN);
  const rc = opts === undefined
    ? native.splice(i, -1, o, -1, n, C.SPLICE_F_MOVE)
    : native.splice(i, offsetArg('fromOffset', opts.fromOffset), o, offsetArg('toOffset', opts.toOffset), n, spliceFlags(opts));
  return settle(rc, from, to, 'splice');
}

/**
 * splice(2): moves up to `len` bytes from `from` to `to`, one of which must be a pipe,
 * without copying them through user space. Waits (input readiness of `from`, output
 * readiness of `to`, whichever is missing) when the kernel says EAGAIN; resolves to the
 * bytes moved, 0 at end of input.
 */
export function splice(from: SpliceEndpoint, to: SpliceEndpoint, len: number, opts?: SpliceOptions): Promise<number> {
  try {
    const a = spliceArgs(from, to, len, opts);
    return retry(from, to, () => settle(native.splice(a.in, a.offIn, a.out, a.offOut, a.len, a.flags), from, to, 'splice'), opts);
  } catch (err) {
    return Promise.reject(err);
  }
}

/** tee(2) without waiting: bytes duplicated from pipe `from` into pipe `to` (not consumed), null on EAGAIN. */
export function tryTee(from: number, to: number, len: number): number | null {
  const a = teeArgs(from, to, len);
  return settle(native.tee(a.in, a.out, a.len, 0), from, to, 'tee');
}

/** tee(2): like tryTee, waiting for data in `from` or room in `to`; 0 when `from` has ended. */
export function tee(from: number, to: number, len: number, opts?: WaitOptions): Promise<number> {
  try {
    const a = teeArgs(from, to, len);
    return retry(from, to, () => settle(native.tee(a.in, a.out, a.len, 0), from, to, 'tee'), opts);
  } catch (err) {
    return Promise.reject(err);
  }
}

/** sendfile(2) without waiting: bytes of file `from` sent to `to`, 0 at end of file, null on EAGAIN. */
export function trySendfile(to: SpliceEndpoint, from: number, len: number, opts?: SendfileOptions): number | null {
  const a = sendfileArgs(to, from, len, opts);
  return settle(native.sendfile(a.out, a.in, a.offset, a.len), from, to, 'sendfile');
}

/**
 * sendfile(2): sends up to `len` bytes of the regular file `from` to `to` (a socket, a
 * non-blocking pipe, or a file), waiting for output room when the kernel says EAGAIN.
 * With `offset` the file position is neither used nor changed.
 */
export function sendfile(to: SpliceEndpoint, from: number, len: number, opts?: SendfileOptions): Promise<number> {
  try {
    const a = sendfileArgs(to, from, len, opts);
    return retry(from, to, () => settle(native.sendfile(a.out, a.in, a.offset, a.len), from, to, 'sendfile'), opts);
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * copy_file_range(2) between two regular files (in-kernel, reflinked where the filesystem
 * can). Regular files never say EAGAIN, so there is one form; it returns the bytes copied
 * (0 at end of `from`). EXDEV, EINVAL or EOPNOTSUPP mean "copy another way".
 */
export function copyFileRange(from: number, to: number, len: number, opts?: { fromOffset?: number; toOffset?: number }): number {
  const i = fdArg('from', from);
  const o = fdArg('to', to);
  const n = intArg('len', len, 0, MAX_LEN);
  const offIn = offsetArg('fromOffset', opts?.fromOffset);
  const offOut = offsetArg('toOffset', opts?.toOffset);
  return check(native.copyFileRange(i, offIn, o, offOut, n), 'copy_file_range');
}

function fdOf(name: string, e: unknown): number {
  if (e instanceof Socket) return e.live();
  if (typeof e === 'number') return fdArg(name, e);
  throw argType(name, 'a Socket or a descriptor number', e);
}

function fdArg(name: string, fd: unknown): number {
  return intArg(name, fd, 0, 0x7fffffff);
}

function offsetArg(name: string, v: unknown): number {
  return v === undefined ? -1 : intArg(name, v, 0, MAX_LEN);
}

function spliceFlags(opts: SpliceOptions | undefined): number {
  return (opts?.move === false ? 0 : C.SPLICE_F_MOVE) | (opts?.more ? C.SPLICE_F_MORE : 0);
}

function spliceArgs(from: unknown, to: unknown, len: unknown, opts?: SpliceOptions) {
  const flags = spliceFlags(opts);
  return {
    in: fdOf('from', from), out: fdOf('to', to), len: intArg('len', len, 0, MAX_LEN), flags,
    offIn: offsetArg('fromOffset', opts?.fromOffset), offOut: offsetArg('toOffset', opts?.toOffset),
  };
}

function teeArgs(from: unknown, to: unknown, len: unknown) {
  return { in: fdArg('from', from), out: fdArg('to', to), len: intArg('len', len, 0, MAX_LEN) };
}

function sendfileArgs(to: unknown, from: unknown, len: unknown, opts?: SendfileOptions) {
  const out = fdOf('to', to);
  // sendfile(2) has no SPLICE_F_NONBLOCK: a blocking pipe or socket as `to` would block
  // the event loop when full. Regular files (never "full") are fine.
  if (typeof to === 'number' && !(native.getfl(out) & C.O_NONBLOCK) && !isFile(out)) {
    throw argValue('to', `(descriptor ${out}) must be non-blocking (O_NONBLOCK) or a regular file`);
  }
  return { out, in: fdArg('from', from), len: intArg('len', len, 0, MAX_LEN), offset: offsetArg('offset', opts?.offset) };
}

function isFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false; // EBADF: the syscall will say so
  }
}

/** The side the last EAGAIN was found blocked on (read at once by the Promise loop). */
let lastBlocked: 'from' | 'to' | null = null;

/**
 * EAGAIN -> null, after marking the blocked direction drained: a wait for it then parks
 * until the next edge (see readiness.ts), while the other side, which poll(2) found
 * ready, keeps its news. Errors throw.
 */
function settle(rc: number, from: SpliceEndpoint, to: SpliceEndpoint, syscall: string): number | null {
  if (rc >= 0) return rc;
  if (rc !== -C.EAGAIN) throw systemError(rc, syscall);
  lastBlocked = blocked(from, to);
  if (lastBlocked === 'from') readinessOf(from)?.drained(POLL_IN);
  else if (lastBlocked === 'to') readinessOf(to)?.drained(POLL_OUT);
  return null;
}

/** The readiness to mark: a Socket's, or whatever already watches a raw descriptor. */
function readinessOf(e: SpliceEndpoint): Readiness | undefined {
  return e instanceof Socket ? e.readiness : Readiness.existing(e);
}

const IN_READY = C.POLLIN | C.POLLHUP | C.POLLERR | C.POLLRDHUP;
const OUT_READY = C.POLLOUT | C.POLLHUP | C.POLLERR;

/**
 * Which side made the call say EAGAIN: poll(2) with timeout 0, a Socket first — between a
 * socket and a pipe the socket is the usual cause (nothing to read, no room), so one probe
 * mostly settles it.
 */
function blocked(from: SpliceEndpoint, to: SpliceEndpoint): 'from' | 'to' | null {
  const i = from instanceof Socket ? from.fd : from;
  const o = to instanceof Socket ? to.fd : to;
  if (to instanceof Socket && !(from instanceof Socket)) {
    if (o >= 0 && !(native.pollNow(o, C.POLLOUT) & OUT_READY)) return 'to';
    if (i >= 0 && !(native.pollNow(i, C.POLLIN | C.POLLRDHUP) & IN_READY)) return 'from';
    return null;
  }
  if (i >= 0 && !(native.pollNow(i, C.POLLIN | C.POLLRDHUP) & IN_READY)) return 'from';
  if (o >= 0 && !(native.pollNow(o, C.POLLOUT) & OUT_READY)) return 'to';
  return null;
}

/**
 * The Promise forms go through the one retry loop: on EAGAIN wait for the side poll(2)
 * says is not ready. When both look ready yet the kernel said EAGAIN (a pipe with room for
 * less than a page, a socket under its low-water mark), the named pace backs off instead
 * of spinning.
 */
function retry(from: SpliceEndpoint, to: SpliceEndpoint, attempt: () => number | null, opts?: WaitOptions): Promise<number> {
  let quiet = 0;
  return retryLoop(attempt, {
    wait: (w) => {
      const side = lastBlocked;
      if (side === 'from') { quiet = 0; return waitOn(from, POLL_IN, w); }
      if (side === 'to') { quiet = 0; return waitOn(to, POLL_OUT, w); }
      return sleep(spliceRoomPace(quiet++), w);
    },
  }, opts);
}

/** Waits for `mask` on a Socket, or on a raw pipe with a watcher made for this wait. */
async function waitOn(e: SpliceEndpoint, mask: number, opts?: WaitOptions): Promise<void> {
  if (e instanceof Socket) {
    await e.readiness.wait(mask, opts);
    return;
  }
  if (isFile(e)) return; // a regular file is always ready (and cannot be polled)
  // A raw pipe: share the registration if something watches it already; otherwise make
  // one for this wait only, since the caller may close the descriptor at any time after.
  const live = Readiness.existing(e);
  const r = live ?? new Readiness(e);
  try {
    await r.wait(mask, opts);
  } finally {
    if (!live) r.close();
  }
}
