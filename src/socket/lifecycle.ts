/**
 * Lifecycle and naming: socket(2), socketpair(2), bind(2), listen(2), accept4(2),
 * connect(2), shutdown(2), getsockname(2), getpeername(2), and the discovery of an adopted
 * descriptor's domain, type and protocol.
 */
import { lstatSync, unlinkSync, fstatSync } from 'node:fs';
import { native } from '../binding.js';
import { constants as C } from '../constants.js';
import { XsockError, argType, check, intArg, systemError, argValue, shown } from '../errors.js';
import { POLL_IN, POLL_OUT, scratch, ensureInit, type WaitOptions } from '../readiness.js';
import { encodeAddress, decodeAddress, describeAddress, ADDR_BUF_SIZE, type AddressLike, type SockAddr } from '../address.js';
import type { SocketCore } from './core.js';
import { attemptOrRetry, unixBacklogPace, descriptorPace } from './retry.js';
import { shed } from './reserve.js';
import { onDescriptorFreed } from './core.js';
import { sleep, pauseUntil } from '../wait.js';
import { explainDomainError } from '../domain-errors.js';
import { destination, peer } from './address-slots.js';

/** Options for bind(). */
export interface BindOptions {
  /** Unix paths: remove a stale socket file (one nobody listens on) and bind again. */
  unlinkStale?: boolean | undefined;
}

/** Address scratch for calls that hand an address to the kernel and return at once. */
const addrBuf = Buffer.alloc(ADDR_BUF_SIZE);
const intBuf = Buffer.alloc(4);

/** socket(2) with SOCK_NONBLOCK|SOCK_CLOEXEC: the new fd. */
export function openSocket(domain: number, type: number, protocol: number): number {
  const fd = native.socket(domain, type, protocol);
  if (fd < 0) throw explainDomainError(systemError(fd, 'socket'), domain);
  return fd;
}

/** A packet socket's host-order ethertype: sll_protocol of getsockname(2) (SO_PROTOCOL is 0). */
export function packetProtocol(fd: number): number {
  const len = check(native.getsockname(fd, addrBuf), 'getsockname');
  return len >= 4 ? addrBuf.readUInt16BE(2) : 0;
}

/** socketpair(2) with SOCK_NONBLOCK|SOCK_CLOEXEC: the two fds. */
export function openPair(domain: number, type: number, protocol: number): [number, number] {
  ensureInit(); // scratch receives the pair
  check(native.socketpair(domain, type, protocol), 'socketpair');
  return [scratch[0]!, scratch[1]!];
}

/** An int socket option read with getsockopt(2), or `fallback` when the kernel has none. */
export function intOption(fd: number, level: number, name: number, fallback: number): number {
  const len = native.getsockopt(fd, level, name, intBuf);
  return len >= 4 ? intBuf.readInt32LE(0) : fallback;
}

/** What an adopted descriptor is: SO_DOMAIN/SO_TYPE/SO_PROTOCOL; made non-blocking. */
export function discover(fd: number): { domain: number; type: number; protocol: number } {
  intArg('fd', fd, 0, 0x7fffffff);
  let isSocket: boolean;
  try {
    isSocket = fstatSync(fd).isSocket();
  } catch (err) {
    throw new XsockError('ERR_XSOCK_BAD_FD', `The "fd" argument ${fd} is not an open descriptor`, { cause: err });
  }
  if (!isSocket) throw new XsockError('ERR_XSOCK_NOT_A_SOCKET', `The "fd" argument ${fd} is not a socket`);
  const get = (name: number): number => {
    const len = check(native.getsockopt(fd, C.SOL_SOCKET, name, intBuf), 'getsockopt');
    return len >= 4 ? intBuf.readInt32LE(0) : 0;
  };
  const domain = get(C.SO_DOMAIN);
  const r = { domain, type: get(C.SO_TYPE), protocol: domain === C.AF_PACKET ? packetProtocol(fd) : get(C.SO_PROTOCOL) };
  const fl = check(native.getfl(fd), 'fcntl');
  if (!(fl & C.O_NONBLOCK)) check(native.setfl(fd, fl | C.O_NONBLOCK), 'fcntl');
  return r;
}

/** bind(2). */
export function bind(c: SocketCore, address: AddressLike, options: BindOptions = {}): void {
  if (options === null || typeof options !== 'object') throw argType('options', 'an object { unlinkStale? }', options);
  const fd = c.live();
  const len = encodeAddress(address, addrBuf);
  const rc = native.bind(fd, addrBuf, len);
  const path = pathOf(address);
  if (rc === -C.EADDRINUSE && options.unlinkStale && path !== undefined && isStale(path, c.type)) {
    unlinkSync(path);
    check(native.bind(fd, addrBuf, encodeAddress(address, addrBuf)), 'bind', describeAddress(address));
    return;
  }
  if (rc < 0) throw explainDomainError(systemError(rc, 'bind', describeAddress(address)), c.domain);
}

/** listen(2). */
export function listen(c: SocketCore, backlog: unknown): void {
  check(native.listen(c.live(), intArg('backlog', backlog, -1, 0x7fffffff)), 'listen');
}

/** accept4(2), never waiting: the new fd and the peer's address, or null. */
export function tryAccept(c: SocketCore): { fd: number; from: SockAddr } | null {
  const fd = c.live();
  for (;;) {
    const nfd = native.acceptSlot(fd);
    if (nfd >= 0) return { fd: nfd, from: decodeAddress(peer, scratch[0]!) };
    if (nfd === -C.ECONNABORTED) continue; // the peer gave up before we took it
    if (c.settle(nfd, POLL_IN, 'accept') === null) return null;
  }
}

/** Options of the Promise form of accept(). */
export interface AcceptOptions extends WaitOptions {
  /**
   * What to do while the process is out of descriptors (EMFILE/ENFILE), the connection
   * still queued: 'wait' (the default) backs off — retries when a Socket frees a
   * descriptor or after 1, 2, 4 ... 100 ms — never rejecting and never spinning; 'shed'
   * also keeps one spare descriptor and uses it to accept and close such connections at
   * once (the client sees its connection end rather than hang in the backlog).
   */
  onEmfile?: 'wait' | 'shed' | undefined;
}

const SHED_PER_ROUND = 64;

/** accept4(2), waiting for a connection; EMFILE/ENFILE back off (and shed, if asked). */
export function accept<T>(c: SocketCore, wrap: (r: { fd: number; from: SockAddr }) => T, opts?: AcceptOptions): Promise<T> {
  const onEmfile = opts?.onEmfile;
  if (onEmfile !== undefined && onEmfile !== 'wait' && onEmfile !== 'shed') {
    throw argValue('options.onEmfile', `must be 'wait' or 'shed'; received ${String(onEmfile)}`);
  }
  if (onEmfile === 'shed') c.holdReserve();
  let starved = 0; // consecutive attempts that met EMFILE/ENFILE
  const attempt = (): T | null => {
    let r: { fd: number; from: SockAddr } | null;
    try {
      r = tryAccept(c);
    } catch (err) {
      const errno = Math.abs((err as { errno?: number }).errno ?? 0);
      if (errno !== C.EMFILE && errno !== C.ENFILE) throw err;
      if (onEmfile === 'shed' && shed(c.live(), SHED_PER_ROUND).drained) {
        c.drained(POLL_IN); // the queue is empty: the next connection is an edge
        starved = 0;
      } else {
        starved++;
      }
      return null;
    }
    starved = 0;
    return r === null ? null : wrap(r);
  };
  const wait = (o: WaitOptions | undefined): Promise<unknown> => (starved > 0
    ? pauseUntil(descriptorPace(starved - 1), o, onDescriptorFreed)
    : c.readiness.wait(POLL_IN, o));
  return attemptOrRetry(attempt, { wait }, 0, 'accept', opts);
}

/**
 * connect(2), never waiting. true: connected. false: in progress (EINPROGRESS, or a unix
 * listener whose backlog is full). Called again while in progress it never repeats
 * connect(2): it reads SO_ERROR once the socket is writable.
 */
export function tryConnect(c: SocketCore, address: AddressLike): boolean {
  const fd = c.live();
  if (c.connecting !== null) return connectOutcome(c, true);
  const rc = native.connectSlot(fd, destination.encode(address));
  if (rc === 0) return true;
  if (rc === -C.EINPROGRESS) {
    c.connecting = describeAddress(address);
    return false;
  }
  if (rc === -C.EAGAIN) return false; // AF_UNIX: backlog full, nothing in progress
  throw explainDomainError(systemError(rc, 'connect', describeAddress(address)), c.domain);
}

/** connect(2): resolves once connected; rejects with the kernel's error (SO_ERROR). */
export function connect(c: SocketCore, address: AddressLike, opts?: WaitOptions): Promise<void> {
  destination.encode(address); // validate before any wait
  return attemptOrRetry(() => (tryConnect(c, address) ? true : null), {
    // In progress: writability tells the outcome. A full unix backlog gives no readiness:
    // back off and try again.
    wait: (o, round) => (c.connecting !== null ? c.readiness.wait(POLL_OUT, o) : sleep(unixBacklogPace(round), o)),
  }, 0, 'connect', opts).then(() => undefined);
}

/** After EINPROGRESS: SO_ERROR read exactly once, when the socket is writable. */
function connectOutcome(c: SocketCore, pollFirst: boolean): boolean {
  const fd = c.live();
  const done = C.POLLOUT | C.POLLERR | C.POLLHUP;
  // Not there yet: the output direction has no news until the next edge.
  if (pollFirst && !(native.pollNow(fd, done) & done)) return notYet(c);
  const err = intOption(fd, C.SOL_SOCKET, C.SO_ERROR, 0);
  const where = c.connecting ?? undefined;
  // poll(2) said the attempt is over (a socket still connecting is neither writable nor
  // hung up), so no peer and no error is not a spurious wake-up: the attempt failed and an
  // earlier call (recv, send, getsockopt SO_ERROR) took its error. "Not yet" would send the
  // caller back to a wait the kernel answers "writable" at once, for ever, without a turn
  // of the event loop; the kernel's own word is ENOTCONN.
  const peer = err === 0 ? native.getpeername(fd, addrBuf) : 0;
  c.connecting = null;
  if (err !== 0) throw explainDomainError(systemError(-err, 'connect', where), c.domain);
  if (peer < 0) throw systemError(peer, 'connect', where);
  return true;
}

function notYet(c: SocketCore): false {
  c.drained(POLL_OUT);
  return false;
}

/** shutdown(2). */
export function shutdown(c: SocketCore, how: unknown): void {
  const h = how === 'read' ? C.SHUT_RD : how === 'write' ? C.SHUT_WR : how === 'both' ? C.SHUT_RDWR
    : typeof how === 'number' && (how === C.SHUT_RD || how === C.SHUT_WR || how === C.SHUT_RDWR) ? how : -1;
  if (h < 0) throw argValue('how', `must be 'read', 'write', 'both' or SHUT_RD/SHUT_WR/SHUT_RDWR; received ${shown(how)}`);
  check(native.shutdown(c.live(), h), 'shutdown');
}

/** getsockname(2). */
export function getsockname(c: SocketCore): SockAddr {
  return decodeAddress(addrBuf, check(native.getsockname(c.live(), addrBuf), 'getsockname'));
}

/** getpeername(2). */
export function getpeername(c: SocketCore): SockAddr {
  return decodeAddress(addrBuf, check(native.getpeername(c.live(), addrBuf), 'getpeername'));
}

function pathOf(address: AddressLike): string | undefined {
  if (typeof address === 'string') return address.startsWith('@') ? undefined : address.replace(/^unix:/, '');
  return address.family === 'unix' && address.abstract === undefined ? address.path : undefined;
}

/** A socket file is stale when it is a socket and connecting to it is refused. */
function isStale(path: string, type: number): boolean {
  try {
    if (!lstatSync(path).isSocket()) return false;
  } catch {
    return false;
  }
  const fd = native.socket(C.AF_UNIX, type, 0);
  if (fd < 0) return false;
  try {
    const rc = native.connectSlot(fd, destination.encode({ family: 'unix', path }));
    return rc === -C.ECONNREFUSED;
  } finally {
    native.close(fd);
  }
}
