/**
 * Connectionless data: t_sndudata, t_rcvudata, t_rcvuderr and the vector forms, on
 * sendto(2) and recvfrom(2). A datagram the kernel refuses or reports unreachable becomes
 * a stored unitdata error (T_UDERR) — on unix datagram sockets at sendto time, on UDP from
 * the IP_RECVERR error queue — as a TLI provider reports it after the send.
 */
import type { XtiResult } from './fd.js';
import { constants as C } from '../constants.js';
import { XsockError, systemError } from '../errors.js';
import { POLL_IN, POLL_OUT } from '../readiness.js';
import { datagramOutputPace, type Datagram } from '../socket/index.js';
import { T_CLTS, T_UNITDATA, T_UDERROR, T_SENDZERO, T_MORE } from './constants.js';
import { TBADDATA, TBADOPT, TFLOW, TLOOK, TNODATA, TNOTSUPPORT, TNOUDERR, terror } from './errors.js';
import { checkState } from './states.js';
import type { XtiCall } from './names.js';
import { endpointOf, toSockAddr, fromSockAddr, type Endpoint } from './endpoint.js';
import { structArg, contents, fill, overflow, type TUnitdata, type TUderr, type TIovec } from './structures.js';
import { refresh, drainErrorQueue } from './look.js';
import { mayWait, now, rc as sys } from './call.js';
import { gather, iovecs, scatter, type TFlags } from './data.js';

const UNREACHABLE = new Set([C.ECONNREFUSED, C.ENOENT, C.EHOSTUNREACH, C.ENETUNREACH, C.EHOSTDOWN]);
/** The largest datagram t_rcvudata takes in one piece (the rest is handed out with T_MORE). */
const MAX_DATAGRAM = 65536;

function connectionless(ep: Endpoint, call: XtiCall): void {
  if (ep.provider.info.servtype !== T_CLTS) throw terror(call, TNOTSUPPORT, `${ep.provider.name} is connection-mode: use t_snd`);
}

/** The shared body of t_sndudata and t_sndvudata. */
function sndudata(ep: Endpoint, call: 't_sndudata' | 't_sndvudata', ud: TUnitdata, data: Buffer): number | Promise<number> {
  // An unconnected sender is told POLLOUT right after EAGAIN: paced instead of spinning.
  return mayWait(ep, call, TFLOW, () => ep.sock.readiness.wait(POLL_OUT), () => {
    connectionless(ep, call);
    checkState(call, ep.state);
    const { tsdu, flags } = ep.provider.info;
    if (data.length === 0 && !(flags & T_SENDZERO)) throw terror(call, TBADDATA, 'zero-length datagrams are not supported');
    if (tsdu > 0 && data.length > tsdu) throw terror(call, TBADDATA, `${data.length} bytes exceed tsdu (${tsdu})`);
    if (ud.opt.len > 0) throw terror(call, TBADOPT, 'per-datagram options are not supported; use t_optmgmt');
    const destBytes = contents(ud.addr);
    const dest = toSockAddr(ep, destBytes, call);
    const rc = sys(() => ep.sock.trySendto(data, dest));
    if (rc >= 0) return 0;
    if (rc === -C.EAGAIN) {
      ep.sock.readiness.drained(POLL_OUT);
      return null;
    }
    if (rc === -C.EMSGSIZE) throw terror(call, TBADDATA, 'the datagram is too large');
    if (UNREACHABLE.has(-rc)) {
      ep.storeUderr(Buffer.from(destBytes), -rc);
      return 0;
    }
    throw systemError(rc, 'sendto');
  }, datagramOutputPace);
}

/** t_sndudata(3NSL): sends ud.udata to ud.addr. Non-blocking: TFLOW under flow control. */
export function t_sndudata<F extends number>(fd: F, unitdata: TUnitdata): XtiResult<F, number>;
export function t_sndudata(fd: number, unitdata: TUnitdata): number | Promise<number> {
  const ep = endpointOf(fd, 't_sndudata');
  const ud = structArg<TUnitdata>('unitdata', unitdata, T_UNITDATA, false)!;
  return sndudata(ep, 't_sndudata', ud, contents(ud.udata));
}

/** t_sndvudata(3NSL): t_sndudata gathering the data from iovcount t_iovec entries. */
export function t_sndvudata<F extends number>(fd: F, unitdata: TUnitdata, iov: readonly TIovec[], iovcount: number): XtiResult<F, number>;
export function t_sndvudata(fd: number, unitdata: TUnitdata, iov: readonly TIovec[], iovcount: number): number | Promise<number> {
  const ep = endpointOf(fd, 't_sndvudata');
  const ud = structArg<TUnitdata>('unitdata', unitdata, T_UNITDATA, false)!;
  return now('t_sndvudata', () => sndudata(ep, 't_sndvudata', ud, gather(iov, iovcount, 't_sndvudata')));
}

/**
 * The shared body of t_rcvudata and t_rcvvudata: the next datagram's address into
 * ud.addr and its data into `into` (the part that does not fit is returned by later calls
 * with T_MORE). Resolves to the bytes received.
 */
function rcvudata(ep: Endpoint, call: 't_rcvudata' | 't_rcvvudata', ud: TUnitdata, into: Buffer, out: TFlags | undefined): number | Promise<number> {
  if (out !== undefined && (out === null || typeof out !== 'object')) {
    throw new XsockError('ERR_XSOCK_INVALID_ARG_TYPE', 'The "flags" argument must be an object { flags } receiving T_MORE');
  }
  const set = (f: number) => { if (out) out.flags = f; };
  return mayWait(ep, call, TNODATA, () => ep.sock.readiness.wait(POLL_IN), () => {
    connectionless(ep, call);
    checkState(call, ep.state);
    refresh(ep);
    if (ep.uderrs.length > 0) throw terror(call, TLOOK, 'a unitdata error indication is pending');
    ud.opt.len = 0;
    if (ep.rest) {
      const n = ep.takeRest(into);
      if (ud.addr.maxlen > 0) ud.addr.len = 0;
      set(ep.rest ? T_MORE : 0);
      return n;
    }
    let got: Datagram | null = null;
    const rc = sys(() => {
      got = ep.sock.tryRecvfrom(MAX_DATAGRAM);
      return got === null ? null : got.data.length;
    });
    if (rc === -C.EAGAIN) {
      ep.sock.readiness.drained(POLL_IN);
      return null;
    }
    if (rc === -C.ECONNREFUSED || rc === -C.EHOSTUNREACH || rc === -C.ENETUNREACH) {
      drainErrorQueue(ep);
      if (ep.uderrs.length > 0) throw terror(call, TLOOK, 'a unitdata error indication is pending');
      return null;
    }
    if (rc < 0) throw systemError(rc, 'recvfrom');
    const d = got as Datagram | null;
    if (d === null) return null;
    const from = fromSockAddr(ep, d.from);
    if (!fill(ud.addr, from)) throw overflow(call, 'unitdata.addr'); // the datagram is discarded
    const n = Math.min(d.data.length, into.length);
    d.data.copy(into, 0, 0, n);
    ep.keepRest(n < d.data.length ? Buffer.from(d.data.subarray(n)) : null);
    set(ep.rest ? T_MORE : 0);
    return n;
  });
}

/**
 * t_rcvudata(3NSL): the next datagram into unitdata (addr, opt, udata); `flags.flags`
 * gets T_MORE when udata.maxlen was too small for all of it. Resolves to 0.
 * Non-blocking: TNODATA when none is queued; a datagram error first: TLOOK.
 */
export function t_rcvudata<F extends number>(fd: F, unitdata: TUnitdata, flags?: TFlags): XtiResult<F, number>;
export function t_rcvudata(fd: number, unitdata: TUnitdata, flags?: TFlags): number | Promise<number> {
  const ep = endpointOf(fd, 't_rcvudata');
  const ud = structArg<TUnitdata>('unitdata', unitdata, T_UNITDATA, false)!;
  const r = rcvudata(ep, 't_rcvudata', ud, ud.udata.buf.subarray(0, ud.udata.maxlen), flags);
  const done = (n: number) => { ud.udata.len = n; return 0; };
  return typeof r === 'number' ? done(r) : r.then(done);
}

/** t_rcvvudata(3NSL): t_rcvudata scattering the data; resolves to the bytes received. */
export function t_rcvvudata<F extends number>(fd: F, unitdata: TUnitdata, iov: TIovec[], iovcount: number, flags?: TFlags): XtiResult<F, number>;
export function t_rcvvudata(fd: number, unitdata: TUnitdata, iov: TIovec[], iovcount: number, flags?: TFlags): number | Promise<number> {
  const ep = endpointOf(fd, 't_rcvvudata');
  const ud = structArg<TUnitdata>('unitdata', unitdata, T_UNITDATA, false)!;
  const views = now('t_rcvvudata', () => iovecs(iov, iovcount, 't_rcvvudata'));
  const tmp = Buffer.alloc(views.reduce((a, v) => a + v.length, 0));
  const r = rcvudata(ep, 't_rcvvudata', ud, tmp, flags);
  return typeof r === 'number' ? scatter(views, tmp.subarray(0, r)) : r.then((n) => scatter(views, tmp.subarray(0, n)));
}

/**
 * t_rcvuderr(3NSL): takes the pending unitdata error (destination address and error,
 * an errno). uderr null just clears it. None: TNOUDERR.
 */
export function t_rcvuderr(fd: number, uderr?: TUderr | null): number {
  return now('t_rcvuderr', () => {
    const ep = endpointOf(fd, 't_rcvuderr');
    connectionless(ep, 't_rcvuderr');
    checkState('t_rcvuderr', ep.state);
    const u = structArg<TUderr>('uderr', uderr, T_UDERROR, true);
    refresh(ep);
    const e = ep.takeUderr();
    if (!e) throw terror('t_rcvuderr', TNOUDERR, 'no unitdata error is pending');
    if (u) {
      u.error = e.error;
      u.opt.len = 0;
      if (!fill(u.addr, e.addr)) throw overflow('t_rcvuderr', 'uderr.addr');
    }
    return 0;
  });
}
