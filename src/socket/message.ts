/**
 * sendmsg(2) and recvmsg(2): gather and scatter, an address per transfer, ancillary data
 * (rights, credentials) and the MSG_ flags both ways. Each has a Promise form that waits
 * and a try* form that never does.
 *
 * Safety rules: copies are clamped to the caller's
 * buffers and the kernel's real length reported apart; every received descriptor is owned
 * (ReceivedFds) from the instant recvmsg returns, including the ones installed before a
 * MSG_CTRUNC and the duplicates a MSG_PEEK installs.
 */
import { recvFlags } from './recv-flags.js';
import { native } from '../binding.js';
import { constants as C } from '../constants.js';
import { XsockError, argType, intArg, systemError } from '../errors.js';
import { POLL_IN, POLL_OUT, scratch, type WaitOptions } from '../readiness.js';
import { encodeAddress, decodeAddress, ADDR_BUF_SIZE, type AddressLike, type SockAddr } from '../address.js';
import { domainName, typeName } from '../constants.js';
import { type Credentials } from './options.js';
import { encodeControl, decodeControl, controlSizeFor, extendedError, MAX_FDS_PER_MESSAGE, UNIX_CONTROL_SIZE, CREDENTIALS_CONTROL_SIZE, noRightsControlSize, rightsControlSize, type ControlItem, type ExtendedError } from './ancillary.js';
import { ReceivedFds } from './rights.js';
import type { SocketCore } from './core.js';
import { bytesOf, flagsArg, inputBit, waitingFor } from './transfer.js';
import { attemptOrRetry } from './retry.js';
import { receivedMessage, reapable } from './received.js';
import { copyOut } from './copied.js';

/** What sendmsg sends. */
export interface OutgoingMessage {
  /** The bytes; an array is gathered in order (writev-style). */
  data: Uint8Array | string | readonly Uint8Array[];
  /** Destination of an unconnected datagram socket. */
  to?: AddressLike | undefined;
  /** Descriptors to pass (SCM_RIGHTS, AF_UNIX only, at most 253). */
  fds?: readonly number[] | undefined;
  /** SCM_CREDENTIALS: true sends this process's own; explicit values need privilege. */
  credentials?: true | Credentials | undefined;
  /** MSG_OOB, MSG_EOR, MSG_DONTWAIT, MSG_MORE ... (MSG_NOSIGNAL is always added). */
  flags?: number | undefined;
}

/** Options of recvmsg. */
export interface RecvmsgOptions {
  /** Largest message to copy (default 65536); ignored when `buffers` is given. */
  size?: number | undefined;
  /** Scatter: the message is placed into these in order (readv-style). */
  buffers?: readonly Uint8Array[] | undefined;
  /** Control-buffer bytes; a smaller one than the ancillary data makes MSG_CTRUNC. */
  controlSize?: number | undefined;
  /** Most descriptors expected: sizes the control buffer (instead of controlSize). */
  fds?: number | undefined;
  /** MSG_PEEK, MSG_WAITALL, MSG_TRUNC, MSG_DONTWAIT, MSG_OOB ... */
  flags?: number | undefined;
  /** With MSG_PEEK: keep the duplicate descriptors the peek installs (else closed at once). */
  keepPeeked?: boolean | undefined;
}

/** What recvmsg resolves to. */
export interface Message {
  /** The bytes received, clamped to the buffers (a view of them when `buffers` was given). */
  data: Buffer;
  /** The kernel's count: with MSG_TRUNC it may exceed what the buffers hold. */
  bytes: number;
  /** Sender's address (datagram and seqpacket sockets that report one). */
  from?: SockAddr;
  /** Received rights; owned until take()n, closed on close() or garbage collection. */
  fds: ReceivedFds;
  /** SCM_CREDENTIALS (needs SO_PASSCRED on the receiver). */
  credentials?: Credentials;
  /** SCM_PIDFD (needs SO_PASSPIDFD), owned like fds. */
  pidfd?: ReceivedFds;
  /** Control items not decoded above. */
  control?: ControlItem[];
  /** MSG_TRUNC, MSG_CTRUNC, MSG_OOB, MSG_EOR as the kernel set them. */
  flags: number;
  /**
   * End-of-file (never on a datagram socket). On seqpacket a zero-length message also reads
   * as 0 bytes, so EOF is reported only when the peer has hung up too.
   */
  eof: boolean;
}

const DEFAULT_SIZE = 65536;
const MAX_IOV = 1024;
const MAX_CONTROL = 1 << 20;
/** Reused by every call that returns before anything else can run, so none allocates. */
const toAddr = Buffer.alloc(ADDR_BUF_SIZE);
const fromAddr = Buffer.alloc(ADDR_BUF_SIZE);
const sendControl = Buffer.alloc(controlSizeFor(MAX_FDS_PER_MESSAGE));
const recvControl = Buffer.alloc(UNIX_CONTROL_SIZE);
const recvData = Buffer.allocUnsafe(DEFAULT_SIZE);

/** A validated sendmsg, encoded again on each attempt because the scratch is shared. */
interface SendPlan {
  /** One view, or the gather list (the shim takes either). */
  iov: Uint8Array | Uint8Array[];
  bytes: number;
  to?: AddressLike | undefined;
  fds?: readonly number[] | undefined;
  credentials?: Credentials | undefined;
  flags: number;
}

function planSend(s: SocketCore, msg: OutgoingMessage): SendPlan {
  if (msg === null || typeof msg !== 'object') throw argType('msg', 'an object { data, to?, fds?, credentials?, flags? }', msg);
  const iov = iovOf(msg.data);
  let bytes = 0;
  if (iov instanceof Uint8Array) bytes = iov.byteLength;
  else for (const b of iov) bytes += b.byteLength;
  const flags = flagsArg(msg.flags);
  const fds = msg.fds === undefined ? undefined : fdsArg(msg.fds);
  const credentials = msg.credentials === undefined ? undefined : credentialsArg(msg.credentials);
  if ((fds && fds.length > 0) || credentials) {
    if (s.domain !== C.AF_UNIX) {
      throw new XsockError('ERR_XSOCK_WRONG_SOCKET_TYPE', `${fds?.length ? 'rights (fds)' : 'credentials'} can only be passed on unix sockets, not ${domainName(s.domain)}/${typeName(s.type)} (the kernel would drop them silently)`);
    }
    if (bytes === 0 && s.type === C.SOCK_STREAM) {
      throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', 'The "data" argument must hold at least one byte when fds or credentials are sent on a stream socket (the kernel would drop them silently)');
    }
  }
  if (msg.to !== undefined) encodeAddress(msg.to, toAddr, 'to');
  return { iov, bytes, to: msg.to, fds, credentials, flags };
}

function iovOf(data: unknown): Uint8Array | Uint8Array[] {
  if (Array.isArray(data)) {
    if (data.length > MAX_IOV) throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', `The "data" argument may gather at most ${MAX_IOV} buffers; received ${data.length}`);
    return data.map((b, i) => {
      if (!(b instanceof Uint8Array)) throw argType(`data[${i}]`, 'a Buffer or Uint8Array', b);
      return b;
    });
  }
  return bytesOf(data, 'data');
}

function fdsArg(fds: unknown): readonly number[] {
  if (!Array.isArray(fds)) throw argType('fds', 'an array of descriptors', fds);
  if (fds.length > MAX_FDS_PER_MESSAGE) {
    throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', `The "fds" argument may hold at most ${MAX_FDS_PER_MESSAGE} descriptors per message (SCM_MAX_FD); received ${fds.length}`);
  }
  for (let i = 0; i < fds.length; i++) {
    const fd: unknown = fds[i];
    // The argument's name is built only for the error: a valid list costs no string.
    if (!(typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 && fd <= 0x7fffffff)) intArg(`fds[${i}]`, fd, 0, 0x7fffffff);
  }
  return fds as number[];
}

function credentialsArg(c: unknown): Credentials {
  if (c === true) return { pid: process.pid, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  if (c === null || typeof c !== 'object') throw argType('credentials', 'true or { pid, uid, gid }', c);
  const o = c as Record<string, unknown>;
  return {
    pid: intArg('credentials.pid', o.pid, 0, 0x7fffffff),
    uid: intArg('credentials.uid', o.uid, 0, 0xffffffff),
    gid: intArg('credentials.gid', o.gid, 0, 0xffffffff),
  };
}

function sendOnce(s: SocketCore, p: SendPlan): number | null {
  const fd = s.live();
  const addrlen = p.to === undefined ? 0 : encodeAddress(p.to, toAddr, 'to');
  const clen = p.fds || p.credentials ? encodeControl(sendControl, p.fds, p.credentials) : 0;
  const rc = native.sendmsg(fd, p.iov, addrlen ? toAddr : null, addrlen, clen ? sendControl : null, clen, p.flags);
  return s.settle(rc, POLL_OUT, 'sendmsg', p.to);
}

/** sendmsg(2), never waiting: bytes sent, or null on EAGAIN. */
export function trySendmsg(c: SocketCore, msg: OutgoingMessage): number | null {
  return sendOnce(c, planSend(c, msg));
}

/** sendmsg(2): waits for room. */
export function sendmsg(c: SocketCore, msg: OutgoingMessage, opts?: WaitOptions): Promise<number> {
  const plan = planSend(c, msg);
  return attemptOrRetry(() => sendOnce(c, plan), waitingFor(c, POLL_OUT), plan.flags, 'sendmsg', opts);
}

/** A validated recvmsg. */
interface RecvPlan {
  size: number;
  buffers?: Uint8Array[] | undefined;
  controlSize: number;
  flags: number;
  keepPeeked: boolean;
}

function planRecv(s: SocketCore, o: RecvmsgOptions | undefined): RecvPlan {
  if (o === undefined) o = {};
  else if (o === null || typeof o !== 'object') throw argType('options', 'an object', o);
  let buffers: Uint8Array[] | undefined;
  let size = DEFAULT_SIZE;
  if (o.buffers !== undefined) {
    if (!Array.isArray(o.buffers)) throw argType('buffers', 'an array of Buffers', o.buffers);
    if (o.buffers.length > MAX_IOV) throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', `The "buffers" argument may scatter into at most ${MAX_IOV} buffers`);
    buffers = o.buffers.map((b, i) => {
      if (!(b instanceof Uint8Array)) throw argType(`buffers[${i}]`, 'a Buffer or Uint8Array', b);
      return b;
    });
    size = buffers.reduce((n, b) => n + b.byteLength, 0);
  } else if (o.size !== undefined) size = intArg('size', o.size, 0, 0x7fffffff);
  let controlSize: number;
  if (o.controlSize !== undefined) controlSize = intArg('controlSize', o.controlSize, 0, MAX_CONTROL);
  else if (o.fds !== undefined) controlSize = rightsControlSize(intArg('fds', o.fds, 0, MAX_FDS_PER_MESSAGE), s.passcred, s.passpidfd);
  // Rights are opt-in: without `fds` there is no room for them, so the kernel discards
  // (closes) any a peer sends rather than install them here (MSG_CTRUNC tells they came).
  else controlSize = s.domain === C.AF_UNIX ? noRightsControlSize(s.passcred, s.passpidfd) : 256;
  return { size, buffers, controlSize, flags: flagsArg(o.flags), keepPeeked: o.keepPeeked === true };
}

function recvOnce(s: SocketCore, p: RecvPlan): Message | null {
  const fd = s.live();
  if (s.readAhead.length > 0 && (p.flags & (C.MSG_OOB | C.MSG_ERRQUEUE)) === 0) return fromReadAhead(s, p);
  s.releaseUntaken();
  const own = p.buffers === undefined && p.size > recvData.length ? Buffer.allocUnsafe(p.size) : null;
  const iov = p.buffers ?? own ?? dataIov(p.size);
  // An empty record reads as 0 bytes, exactly like end-of-file: see recordProbe.
  const probe = isUnixSeqpacket(s) && (p.flags & C.MSG_OOB) === 0 ? recordProbe(s, fd) : null;
  if (probe === 'empty') {
    s.recordRun = 0;
    s.drained(POLL_IN);
    return null;
  }
  const known = s.recordBytes;
  const csize = probe?.borrowed ? p.controlSize + CREDENTIALS_CONTROL_SIZE : p.controlSize;
  const control = csize === 0 ? null
    : csize <= recvControl.length ? controlView(csize) : Buffer.alloc(csize);
  // Connection-oriented sockets have one fixed peer (getpeername): skip the per-read copy.
  const wantsAddr = s.type !== C.SOCK_STREAM && s.type !== C.SOCK_SEQPACKET;
  let rc: number | null;
  try {
    rc = s.settle(native.recvmsg(fd, iov, wantsAddr ? fromAddr : null, control, recvFlags(s.domain, p.flags)), inputBit(p.flags), 'recvmsg');
  } finally {
    probe?.restore();
  }
  if (rc === null) {
    if (probe !== null) s.recordRun = 0;
    return null;
  }
  const addrlen = scratch[0]!;
  const controllen = scratch[1]!;
  const flags = scratch[2]!;
  if (probe !== null) countRecord(s, known, rc, flags, p.flags);
  const anc = control !== null && controllen > 0 ? decodeControl(control, controllen) : null;
  const copied = Math.min(rc, p.size);
  const data = p.buffers ? placed(p.buffers, copied) : own ? own.subarray(0, copied) : copyOut(recvData, 0, copied);
  const from = wantsAddr && addrlen > 0 ? decodeAddress(fromAddr, Math.min(addrlen, fromAddr.length)) : undefined;
  const m = receivedMessage(data, rc, flags, anc, (p.flags & C.MSG_PEEK) !== 0 && !p.keepPeeked, from);
  if (probe) {
    if (probe.borrowed) delete m.credentials; // asked for by us, not by the caller
    m.eof = rc === 0 && probe.hungUp && anc?.hadCredentials !== true;
  } else if (rc === 0 && (p.flags & C.MSG_OOB) === 0 && m.fds.length === 0 && isEof(s, fd, p.size)) {
    m.eof = true;
    delete m.credentials; // SO_PASSCRED attaches the kernel's "none" even to a stream's EOF read
  }
  if (!m.eof) s.keepUntaken(m);
  else reapable(m);
  return m;
}

/** A unix seqpacket socket, whose empty records read like end-of-file. */
export function isUnixSeqpacket(s: SocketCore): boolean {
  return s.type === C.SOCK_SEQPACKET && s.domain === C.AF_UNIX;
}

/** SO_PASSCRED turned on for one read and given back after it (when the caller had it off). */
export interface BorrowedCredentials { borrowed: boolean; restore(): void }

/**
 * With SO_PASSCRED on, every record a unix seqpacket read returns carries SCM_CREDENTIALS
 * and the end-of-file read carries none: the one thing that tells an empty record from
 * end-of-file after the fact.
 */
export function borrowCredentials(fd: number): BorrowedCredentials {
  const borrowed = !passcred(fd);
  if (borrowed) setPasscred(fd, 1);
  return { borrowed, restore: () => { if (borrowed) setPasscred(fd, 0); } };
}

/**
 * Before a unix seqpacket read: is a record queued? Bytes counted queued by SIOCINQ and not
 * yet read say yes with no system call; in a drain (two records in a row) SIOCINQ is asked
 * again, once for the whole queue, instead of a poll per record. Otherwise poll(2) says
 * whether the queue holds a record (POLLIN without POLLRDHUP: the read returns it, however
 * empty) or is empty with the peer still there ('empty': no read, as EAGAIN, so a shutdown
 * racing the read cannot pass for an empty record). Once the peer has shut down the queue
 * only shrinks, and credentials borrowed for the read tell the records from the end.
 */
function recordProbe(s: SocketCore, fd: number): 'empty' | { hungUp: boolean; borrowed: boolean; restore(): void } {
  if (s.recordBytes > 0) return RECORD_QUEUED;
  if (s.recordRun >= 2) {
    const q = native.ioctlInt(fd, C.SIOCINQ);
    if (q > 0) {
      s.recordBytes = q;
      return RECORD_QUEUED;
    }
  }
  const rev = native.pollNow(fd, C.POLLIN | C.POLLRDHUP | C.POLLHUP);
  const hungUp = (rev & (C.POLLRDHUP | C.POLLHUP)) !== 0;
  if (!hungUp && (rev & C.POLLIN) === 0) return 'empty';
  if (!hungUp) return RECORD_QUEUED;
  return { hungUp, ...borrowCredentials(fd) };
}

/**
 * After a unix seqpacket read that found a record: what is left of the bytes SIOCINQ
 * counted. A record cut short (MSG_TRUNC) hides its length, and a read of nothing from
 * the count may be a record or an end-of-file the count was wrong about (another reader
 * of the same socket): either way the count is dropped and the next read asks again.
 */
function countRecord(s: SocketCore, known: number, rc: number, flags: number, asked: number): void {
  s.recordRun++;
  if ((asked & C.MSG_PEEK) !== 0) s.recordBytes = known;
  else s.recordBytes = rc === 0 || (flags & C.MSG_TRUNC) !== 0 || rc > known ? 0 : known - rc;
}

function noop(): void { /* nothing borrowed */ }

/** The probe's usual answer (a record queued, the peer still there): one shared object, none made per read. */
const RECORD_QUEUED = Object.freeze({ hungUp: false, borrowed: false, restore: noop });

const intBuf = Buffer.alloc(4);
function passcred(fd: number): boolean {
  return native.getsockopt(fd, C.SOL_SOCKET, C.SO_PASSCRED, intBuf) >= 4 && intBuf.readInt32LE(0) !== 0;
}
function setPasscred(fd: number, on: number): void {
  intBuf.writeInt32LE(on, 0);
  native.setsockopt(fd, C.SOL_SOCKET, C.SO_PASSCRED, intBuf, 4);
}

/** The oldest message an iterator read ahead, as this receive would have returned it. */
function fromReadAhead(s: SocketCore, p: RecvPlan): Message {
  const peek = (p.flags & C.MSG_PEEK) !== 0;
  const m = peek ? s.readAhead[0]! : s.readAhead.shift()!;
  let data = m.data;
  if (p.buffers) data = placed(p.buffers, scatterInto(p.buffers, m.data));
  else if (data.length > p.size) data = data.subarray(0, p.size);
  const flags = data.length < m.data.length ? m.flags | C.MSG_TRUNC : m.flags;
  if (peek) return { ...m, data, flags, fds: m.fds.length > 0 ? ReceivedFds.closedCount(m.fds.length) : m.fds };
  s.keepUntaken(m);
  return data === m.data ? m : { ...m, data, flags };
}

function scatterInto(views: readonly Uint8Array[], from: Buffer): number {
  let off = 0;
  for (const v of views) {
    if (off >= from.length) break;
    off += from.copy(v, 0, off);
  }
  return off;
}

/** Views of the shared scratch, remembered for the last size asked (callers repeat sizes). */
let dataView = recvData;
let controlCache = recvControl;
function dataIov(size: number): Buffer {
  if (dataView.length !== size) dataView = recvData.subarray(0, size);
  return dataView;
}
function controlView(size: number): Buffer {
  if (controlCache.length !== size) controlCache = recvControl.subarray(0, size);
  return controlCache;
}

/** Zero bytes is EOF on a stream; on seqpacket only when poll reports the hangup too. */
export function isEof(s: SocketCore, fd: number, capacity: number): boolean {
  if (s.type === C.SOCK_STREAM) return capacity > 0;
  if (s.type === C.SOCK_SEQPACKET) return (native.pollNow(fd, C.POLLRDHUP | C.POLLHUP) & (C.POLLRDHUP | C.POLLHUP)) !== 0;
  return false;
}

/** The first `n` bytes scattered over `buffers`: a view when one buffer holds them all. */
function placed(buffers: Uint8Array[], n: number): Buffer {
  const first = buffers[0];
  if (first !== undefined && n <= first.byteLength) return Buffer.from(first.buffer, first.byteOffset, n);
  const parts: Uint8Array[] = [];
  let left = n;
  for (const b of buffers) {
    if (left <= 0) break;
    const k = Math.min(left, b.byteLength);
    parts.push(b.subarray(0, k));
    left -= k;
  }
  return Buffer.concat(parts, n);
}

/** recvmsg(2), never waiting: the message, or null on EAGAIN. */
export function tryRecvmsg(c: SocketCore, options?: RecvmsgOptions): Message | null {
  return recvOnce(c, planRecv(c, options));
}

/** recvmsg(2): waits for a message (or urgent data with MSG_OOB). */
export function recvmsg(c: SocketCore, options?: RecvmsgOptions, opts?: WaitOptions): Promise<Message> {
  const plan = planRecv(c, options);
  return attemptOrRetry(() => recvOnce(c, plan), waitingFor(c, inputBit(plan.flags)), plan.flags, 'recvmsg', opts);
}

/** getsockopt(SO_PEERPIDFD): a pidfd of the peer, owned like received rights; null where the kernel has none. */
export function peerPidfd(c: SocketCore): ReceivedFds | null {
  const fd = c.live();
  if (C.SO_PEERPIDFD === undefined) return null;
  const rc = native.getsockopt(fd, C.SOL_SOCKET, C.SO_PEERPIDFD, pidfdBuf);
  if (rc === -C.ENOPROTOOPT || rc === -C.ENODATA || rc === -C.EINVAL) return null;
  if (rc < 0) throw systemError(rc, 'getsockopt');
  return rc >= 4 ? ReceivedFds.adopt([pidfdBuf.readInt32LE(0)]) : null;
}

const pidfdBuf = Buffer.alloc(4);

/** One entry of the socket's error queue (IP_RECVERR): the failed datagram and why. */
export interface QueuedError extends ExtendedError {
  /** The datagram (or its head) whose sending failed. */
  payload: Buffer;
  /** Where it was sent (the original destination), as address bytes and decoded. */
  addr: Buffer;
  /** `addr` decoded; absent when the kernel gave no address. */
  to?: SockAddr;
}

const errqData = Buffer.alloc(65536);
const errqControl = Buffer.alloc(512);

/** recvmsg(2) with MSG_ERRQUEUE, never waiting: the oldest queued error, or null when none. */
export function tryRecvErrqueue(c: SocketCore): QueuedError | null {
  const fd = c.live();
  const rc = native.recvmsg(fd, [errqData], fromAddr, errqControl, recvFlags(c.domain, C.MSG_ERRQUEUE));
  if (rc === -C.EAGAIN) return null;
  if (rc < 0) throw systemError(rc, 'recvmsg');
  const addrlen = Math.min(scratch[0]!, fromAddr.length);
  const anc = decodeControl(errqControl, scratch[1]!);
  // Never any rights on an error queue, but own whatever came rather than leak it.
  for (const f of anc.fds) native.close(f);
  const ee = extendedError(anc.other) ?? { errno: C.ECONNREFUSED, origin: 0, type: 0, code: 0, info: 0, data: 0, offender: Buffer.alloc(0) };
  const q: QueuedError = { ...ee, payload: Buffer.from(errqData.subarray(0, Math.min(rc, errqData.length))), addr: Buffer.from(fromAddr.subarray(0, addrlen)) };
  if (addrlen > 0) q.to = decodeAddress(fromAddr, addrlen);
  return q;
}
