/**
 * Connection-mode data: t_snd, t_rcv and the vector forms t_sndv, t_rcvv, on send(2) and
 * recv(2). Expedited data is out-of-band data (TCP urgent, unix stream MSG_OOB); on the
 * TSDU provider (/dev/ticots, SOCK_SEQPACKET) T_MORE fragments are gathered into one
 * record on send and a record larger than the caller's buffer is handed out in pieces
 * with T_MORE on receive; on a byte stream T_MORE marks the rest of an arrival (arrival.ts).
 */
import type { XtiResult } from './fd.js';
import { constants as C } from '../constants.js';
import { XsockError, bytesArg, intArg, systemError, shown } from '../errors.js';
import { POLL_IN, POLL_OUT, POLL_PRI } from '../readiness.js';
import type { Message } from '../socket/index.js';
import { T_CLTS, T_COTS_ORD, T_EXPEDITED, T_MORE, T_PUSH, T_SENDZERO, T_INVALID, T_IOV_MAX } from './constants.js';
import { TBADDATA, TBADFLAG, TFLOW, TLOOK, TNODATA, TNOTSUPPORT, terror } from './errors.js';
import { checkState } from './states.js';
import type { XtiCall } from './names.js';
import { endpointOf, type Endpoint } from './endpoint.js';
import { refresh } from './look.js';
import { mayWait, rc as sys } from './call.js';
import { arrivalBytes, arrivalMore } from './arrival.js';
import type { TIovec } from './structures.js';

/**
 * The out-parameter of t_rcv/t_rcvudata: `flags` receives T_MORE / T_EXPEDITED.
 * @property flags Set by the call: T_MORE when the TSDU (or datagram) continues, T_EXPEDITED for expedited data.
 */
export interface TFlags { flags: number }

const RESETS = new Set([C.EPIPE, C.ECONNRESET, C.ENOTCONN]);

function isRecord(ep: Endpoint): boolean {
  return ep.provider.type === 'seqpacket';
}

/** A send/recv error that means the connection is gone: stored as T_DISCONNECT, TLOOK. */
function lost(ep: Endpoint, call: XtiCall, rc: number, syscall: string): never {
  if (RESETS.has(-rc)) {
    ep.storeDisconnect(-rc === C.ENOTCONN ? C.ECONNRESET : -rc);
    throw terror(call, TLOOK, 'the connection was lost');
  }
  throw systemError(rc, syscall);
}

function sendChecks(ep: Endpoint, call: 't_snd' | 't_sndv', n: number, flags: number): void {
  if (!Number.isInteger(flags) || (flags & ~(T_MORE | T_EXPEDITED | T_PUSH)) !== 0) throw terror(call, TBADFLAG, `unknown flags ${shown(flags)}`);
  if (ep.provider.info.servtype === T_CLTS) throw terror(call, TNOTSUPPORT, `${ep.provider.name} is connectionless: use t_sndudata`);
  checkState(call, ep.state);
  refresh(ep);
  if (ep.discons.length > 0) throw terror(call, TLOOK, 'a disconnect indication is pending');
  const { tsdu, etsdu } = ep.provider.info;
  if (n === 0 && !(ep.provider.info.flags & T_SENDZERO)) throw terror(call, TBADDATA, 'zero-length sends are not supported by this provider');
  if (flags & T_EXPEDITED) {
    if (etsdu === T_INVALID) throw terror(call, TBADDATA, `${ep.provider.name} has no expedited data`);
    if (etsdu > 0 && n > etsdu) throw terror(call, TBADDATA, `more than etsdu (${etsdu}) bytes`);
  } else if (tsdu > 0) {
    const total = ep.sndMore.reduce((a, b) => a + b.length, 0) + n;
    if (total > tsdu) throw terror(call, TBADDATA, `more than tsdu (${tsdu}) bytes`);
  }
}

/** The shared body of t_snd and t_sndv. */
function snd(ep: Endpoint, call: 't_snd' | 't_sndv', data: Buffer, flags: number): number | Promise<number> {
  let off = 0;
  let checked = false;
  return mayWait(ep, call, TFLOW, () => ep.sock.readiness.wait(POLL_OUT), () => {
    if (!checked) {
      sendChecks(ep, call, data.length, flags);
      checked = true;
      if (isRecord(ep) && flags & T_MORE) {
        ep.holdFragment(data);
        return data.length;
      }
    }
    const sock = ep.sock;
    if (isRecord(ep)) {
      const record = ep.sndMore.length > 0 ? Buffer.concat([...ep.sndMore, data]) : data;
      const rc = sys(() => sock.trySend(record));
      if (rc === -C.EAGAIN) return flow(ep);
      if (rc < 0) lost(ep, call, rc, 'send');
      ep.fragmentsSent();
      return data.length;
    }
    const oob = flags & T_EXPEDITED ? C.MSG_OOB : 0;
    for (;;) {
      const rc = sys(() => sock.trySend(data.subarray(off), oob));
      if (rc === -C.EAGAIN) {
        if (off > 0 && ep.nonblock) return off; // partial acceptance: TFLOW only when nothing went
        return flow(ep);
      }
      if (rc < 0) lost(ep, call, rc, 'send');
      off += rc;
      if (off >= data.length) return data.length;
    }
  });
}

function flow(ep: Endpoint): null {
  ep.sock.readiness.drained(POLL_OUT);
  return null;
}

/**
 * t_snd(3NSL): sends nbytes of buf; flags T_MORE, T_EXPEDITED (out-of-band), T_PUSH.
 * Returns the bytes accepted (non-blocking may accept part; TFLOW when none).
 */
export function t_snd<F extends number>(fd: F, buf: Uint8Array, nbytes: number, flags?: number): XtiResult<F, number>;
export function t_snd(fd: number, buf: Uint8Array, nbytes: number, flags = 0): number | Promise<number> {
  const ep = endpointOf(fd, 't_snd');
  const b = bytesArg('buf', buf);
  const n = intArg('nbytes', nbytes, 0, b.byteLength);
  return snd(ep, 't_snd', Buffer.from(b.buffer, b.byteOffset, n), flags);
}

/** t_sndv(3NSL): t_snd gathering from iovcount t_iovec entries (1 .. T_IOV_MAX). */
export function t_sndv<F extends number>(fd: F, iov: readonly TIovec[], iovcount: number, flags?: number): XtiResult<F, number>;
export function t_sndv(fd: number, iov: readonly TIovec[], iovcount: number, flags = 0): number | Promise<number> {
  const ep = endpointOf(fd, 't_sndv');
  return snd(ep, 't_sndv', gather(iov, iovcount, 't_sndv'), flags);
}

/** Validates a t_iovec array; count 0 or above T_IOV_MAX: TBADDATA. */
export function iovecs(iov: unknown, iovcount: unknown, call: XtiCall): Buffer[] {
  if (!Array.isArray(iov)) throw new XsockError('ERR_XSOCK_INVALID_ARG_TYPE', 'The "iov" argument must be an array of { iov_base, iov_len }');
  const n = intArg('iovcount', iovcount, 0, 0x7fffffff);
  if (n === 0 || n > T_IOV_MAX) throw terror(call, TBADDATA, `iovcount must be 1 to T_IOV_MAX (${T_IOV_MAX}); received ${n}`);
  if (n > iov.length) throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', `The "iovcount" (${n}) exceeds the iov array (${iov.length})`);
  return iov.slice(0, n).map((v: TIovec, i: number) => {
    const base = bytesArg(`iov[${i}].iov_base`, v?.iov_base);
    const len = intArg(`iov[${i}].iov_len`, v.iov_len, 0, base.byteLength);
    return Buffer.from(base.buffer, base.byteOffset, len);
  });
}

export function gather(iov: unknown, iovcount: unknown, call: XtiCall): Buffer {
  return Buffer.concat(iovecs(iov, iovcount, call));
}

/** Copies `from` across the views, in order; returns bytes copied. */
export function scatter(views: Buffer[], from: Buffer): number {
  let off = 0;
  for (const v of views) {
    if (off >= from.length) break;
    off += from.copy(v, 0, off);
  }
  return off;
}

/** The shared body of t_rcv and t_rcvv: receives into `into`, sets out.flags. */
function rcv(ep: Endpoint, call: 't_rcv' | 't_rcvv', into: Buffer, out: TFlags | undefined): number | Promise<number> {
  if (out !== undefined && (out === null || typeof out !== 'object')) {
    throw new XsockError('ERR_XSOCK_INVALID_ARG_TYPE', 'The "flags" argument must be an object { flags } receiving T_MORE / T_EXPEDITED');
  }
  const set = (f: number) => { if (out) out.flags = f; };
  return mayWait(ep, call, TNODATA, () => ep.sock.readiness.wait(POLL_IN | POLL_PRI), () => {
    if (ep.provider.info.servtype === T_CLTS) throw terror(call, TNOTSUPPORT, `${ep.provider.name} is connectionless: use t_rcvudata`);
    checkState(call, ep.state);
    refresh(ep);
    if (ep.discons.length > 0) throw terror(call, TLOOK, 'a disconnect indication is pending');
    const sock = ep.sock;
    if (ep.rest) {
      const n = ep.takeRest(into);
      set(ep.rest ? T_MORE : 0);
      return n;
    }
    if (!isRecord(ep) && sock.poll(C.POLLPRI) & C.POLLPRI && into.length > 0) {
      const rc = sys(() => sock.tryRecvInto(into.subarray(0, 1), C.MSG_OOB));
      if (rc > 0) {
        set(T_EXPEDITED);
        return rc;
      }
    }
    if (ep.ordrel) throw terror(call, TLOOK, 'an orderly release indication is pending');
    if (isRecord(ep)) return rcvRecord(ep, call, into, set);
    const had = arrivalBytes(ep);
    const rc = sys(() => sock.tryRecvInto(into));
    if (rc === -C.EAGAIN) {
      ep.sock.readiness.drained(POLL_IN | POLL_PRI);
      return null;
    }
    if (rc < 0) lost(ep, call, rc, 'recv');
    if (rc === 0 && into.length > 0) return endOfFile(ep, call);
    set(rc > 0 && arrivalMore(ep, had, rc) ? T_MORE : 0);
    return rc;
  });
}

function endOfFile(ep: Endpoint, call: XtiCall): never {
  if (ep.provider.info.servtype === T_COTS_ORD) {
    ep.storeOrderlyRelease();
    throw terror(call, TLOOK, 'an orderly release indication is pending');
  }
  ep.storeDisconnect(C.ECONNRESET);
  throw terror(call, TLOOK, 'the peer disconnected');
}

function rcvRecord(ep: Endpoint, call: XtiCall, into: Buffer, set: (f: number) => void): number | null {
  const sock = ep.sock;
  // recvmsg tells an empty record (a TSDU of zero bytes) from end-of-file; recv cannot.
  let head: Message | null = null;
  const len = sys(() => {
    head = sock.tryRecvmsg({ size: 0, flags: C.MSG_PEEK | C.MSG_TRUNC });
    return head === null ? null : head.bytes;
  });
  if (len === -C.EAGAIN) {
    ep.sock.readiness.drained(POLL_IN);
    return null;
  }
  if (len < 0) lost(ep, call, len, 'recv');
  // A zero-length record and end-of-file both read as 0 bytes: only poll tells them apart.
  if (len === 0 && (head as Message | null)?.eof) return endOfFile(ep, call);
  if (len <= into.length) {
    const rc = sys(() => sock.tryRecvInto(into));
    if (rc < 0) lost(ep, call, rc, 'recv');
    set(0);
    return rc;
  }
  const whole = Buffer.allocUnsafe(len);
  const rc = sys(() => sock.tryRecvInto(whole));
  if (rc < 0) lost(ep, call, rc, 'recv');
  whole.copy(into, 0, 0, into.length);
  ep.keepRest(whole.subarray(into.length, rc));
  set(T_MORE);
  return into.length;
}

/**
 * t_rcv(3NSL): receives up to nbytes into buf; `flags.flags` gets T_MORE / T_EXPEDITED.
 * Non-blocking: TNODATA when nothing is there. A disconnect or orderly release: TLOOK.
 */
export function t_rcv<F extends number>(fd: F, buf: Uint8Array, nbytes: number, flags?: TFlags): XtiResult<F, number>;
export function t_rcv(fd: number, buf: Uint8Array, nbytes: number, flags?: TFlags): number | Promise<number> {
  const ep = endpointOf(fd, 't_rcv');
  const b = bytesArg('buf', buf);
  const n = intArg('nbytes', nbytes, 0, b.byteLength);
  return rcv(ep, 't_rcv', Buffer.from(b.buffer, b.byteOffset, n), flags);
}

/** t_rcvv(3NSL): t_rcv scattering into iovcount t_iovec entries. */
export function t_rcvv<F extends number>(fd: F, iov: TIovec[], iovcount: number, flags?: TFlags): XtiResult<F, number>;
export function t_rcvv(fd: number, iov: TIovec[], iovcount: number, flags?: TFlags): number | Promise<number> {
  const ep = endpointOf(fd, 't_rcvv');
  const views = iovecs(iov, iovcount, 't_rcvv');
  const tmp = Buffer.alloc(views.reduce((a, v) => a + v.length, 0));
  const r = rcv(ep, 't_rcvv', tmp, flags);
  return typeof r === 'number' ? scatter(views, tmp.subarray(0, r)) : r.then((n) => scatter(views, tmp.subarray(0, n)));
}

