/**
 * Endpoint lifecycle and information: t_open, t_bind, t_unbind, t_close, t_getinfo,
 * t_getstate, t_sync, t_getprotaddr, t_alloc, t_sysconf, and fcntl(F_GETFL/F_SETFL) for
 * the endpoint's O_NONBLOCK.
 */
import { modePinned } from './fd.js';
import { fstatSync } from 'node:fs';
import { constants as C } from '../constants.js';
import { XsockError, argType, intArg, systemError, shown } from '../errors.js';
import { Socket, socketOwning } from '../socket/socket.js';
import { lookup } from '../socket/descriptors.js';
import { clearNonblocking, setNonblocking } from '../socket/index.js';
import {
  T_UNBND, T_IDLE, T_DATAXFER, T_OUTCON, T_OUTREL, T_INREL, T_CLTS, T_BIND, T_OPTMGMT, T_CALL, T_DIS, T_UNITDATA, T_UDERROR, T_INFO,
  O_RDWR, O_NONBLOCK, F_GETFL, F_SETFL, _SC_T_IOV_MAX, T_IOV_MAX,
} from './constants.js';
import { TBADF, TBADFLAG, TBADNAME, TLOOK, terror, mappedError } from './errors.js';
import { findProvider, providerFor, type TInfo } from './providers.js';
import { checkState } from './states.js';
import type { XtiCall } from './names.js';
import {
  endpointOf, findEndpoint, addEndpoint, removeEndpoint, providerSocket, bindSocket,
  fromSockAddr, type Endpoint,
} from './endpoint.js';
import { structArg, allocStruct, contents, fill, overflow, type TBind, type TCall, type TDiscon, type TUnitdata, type TUderr, type TOptmgmtStruct, type TStruct } from './structures.js';
import { currentEvent } from './look.js';
import { now } from './call.js';
import { reuseForListener } from './reuse.js';

/** Most outstanding connect indications a provider allows (tl: 128; TCP: somaxconn). */
function maxQlen(ep: Endpoint): number {
  return ep.provider.domain === 'unix' ? 128 : C.SOMAXCONN > 0 ? 4096 : 128;
}

function copyInfo(info: unknown, from: Readonly<TInfo>, call: XtiCall): void {
  if (info === null || info === undefined) return;
  if (typeof info !== 'object') throw argType('info', 'a t_info object', info);
  // Checked before anything happens, so a frozen or getter-only object fails t_open
  // before it makes a socket (which would then leak).
  if (Object.isFrozen(info) || Object.keys(from).some((k) => !writable(info, k))) {
    throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "info" argument of ${call} must be a writable t_info object`);
  }
  Object.assign(info, from);
}

function writable(o: object, key: string): boolean {
  for (let p: object | null = o; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, key);
    if (d) return d.writable === true || d.set !== undefined;
  }
  return Object.isExtensible(o);
}

/**
 * t_open(3NSL): opens a transport endpoint on provider `name` ('/dev/tcp' ...) — a new
 * kernel socket(2). oflag must include O_RDWR (else TBADFLAG); O_NONBLOCK makes every call
 * non-waiting. Fills `info`. Returns the descriptor, in T_UNBND.
 */
export function t_open(name: string, oflag: number, info?: TInfo | null): number {
  return now('t_open', () => {
    if (typeof name !== 'string') throw argType('name', 'a provider name string', name);
    const p = findProvider(name);
    if (!p) throw terror('t_open', TBADNAME, `no transport provider ${name}`);
    if (!Number.isInteger(oflag) || (oflag & 3) !== O_RDWR || (oflag & ~(O_RDWR | O_NONBLOCK | C.O_CLOEXEC)) !== 0) {
      throw terror('t_open', TBADFLAG, `oflag must be O_RDWR, optionally | O_NONBLOCK; received ${shown(oflag)}`);
    }
    if (info !== undefined && info !== null && typeof info !== 'object') throw argType('info', 'a t_info object', info);
    copyInfo(info, p.info, 't_open'); // before the socket exists: a bad info leaks nothing
    const ep = addEndpoint(providerSocket(p), p, (oflag & O_NONBLOCK) !== 0);
    return ep.fd;
  });
}

function bindError(err: unknown): unknown {
  return mappedError('t_bind', err) ?? err;
}

/**
 * t_bind(3NSL): bind(2) to req.addr (absent or len 0: the provider picks) and, with
 * req.qlen > 0 on a connection-mode provider, listen(2). ret gets the bound address and
 * the qlen granted. T_UNBND -> T_IDLE. A TCP listener gets SO_REUSEADDR (see reuse.ts).
 */
export function t_bind(fd: number, req?: TBind | null, ret?: TBind | null): number {
  return now('t_bind', () => {
    const ep = endpointOf(fd, 't_bind');
    checkState('t_bind', ep.state);
    const rq = structArg<TBind>('req', req, T_BIND, true);
    const rt = structArg<TBind>('ret', ret, T_BIND, true);
    const bytes = rq ? Buffer.from(contents(rq.addr)) : null;
    const qlen = rq ? intArg('req.qlen', rq.qlen, 0, 0x7fffffff) : 0;
    const granted = ep.provider.info.servtype === T_CLTS ? 0 : Math.min(qlen, maxQlen(ep));
    try {
      reuseForListener(ep, granted);
      bindSocket(ep, ep.sock, bytes && bytes.length > 0 ? bytes : null);
      if (granted > 0) ep.sock.listen(granted);
    } catch (err) {
      // A socket that bound but could not listen is bound for good: start afresh.
      ep.replaceSocket(providerSocket(ep.provider));
      throw bindError(err);
    }
    ep.bound(bytes && bytes.length > 0 ? bytes : null, granted);
    if (rt) {
      rt.qlen = granted;
      if (!fill(rt.addr, fromSockAddr(ep, ep.sock.getsockname()))) throw overflow('t_bind', 'ret.addr');
    }
    return 0;
  });
}

/** t_unbind(3NSL): T_IDLE -> T_UNBND (a fresh, unbound socket); TLOOK if an event is pending. */
export function t_unbind(fd: number): number {
  return now('t_unbind', () => {
    const ep = endpointOf(fd, 't_unbind');
    checkState('t_unbind', ep.state);
    if (currentEvent(ep) !== 0) throw terror('t_unbind', TLOOK, 'an event is pending');
    ep.replaceSocket(providerSocket(ep.provider));
    ep.unbound();
    return 0;
  });
}

/** t_close(3NSL): closes the endpoint and its descriptor (any indications are reset). */
export function t_close(fd: number): number {
  return now('t_close', () => {
    removeEndpoint(endpointOf(fd, 't_close'));
    return 0;
  });
}

/** t_getinfo(3NSL): the provider's t_info into `info`. */
export function t_getinfo(fd: number, info: TInfo): number {
  return now('t_getinfo', () => {
    const ep = endpointOf(fd, 't_getinfo');
    if (info === null || typeof info !== 'object') throw argType('info', 'a t_info object', info);
    copyInfo(info, ep.provider.info, 't_getinfo');
    return 0;
  });
}

/** t_getstate(3NSL): the endpoint's state (T_UNBND ... T_INREL). */
export function t_getstate(fd: number): number {
  return now('t_getstate', () => endpointOf(fd, 't_getstate').state);
}

/**
 * t_sync(3NSL): the library record for fd — its state. A socket descriptor xsock did not
 * open as an endpoint (inherited, passed, or an xsock Socket) is taken over: provider
 * from its domain and type, state from the kernel (listening, connected, bound).
 */
export function t_sync(fd: number): number {
  return now('t_sync', () => {
    const ep = findEndpoint(fd);
    if (ep && !ep.sock.closed) return ep.state;
    if (!Number.isInteger(fd) || fd < 0) throw terror('t_sync', TBADF, `${shown(fd)} is not a descriptor`);
    let isSocket = false;
    try {
      isSocket = fstatSync(fd).isSocket();
    } catch {
      throw terror('t_sync', TBADF, `${fd} is not an open descriptor`);
    }
    if (!isSocket) throw terror('t_sync', TBADF, `${fd} is not a transport endpoint`);
    const sock = lookup(fd) ?? socketOwning(fd) ?? Socket.fromFd(fd);
    const p = providerFor(sock.domain, sock.type);
    if (!p) throw terror('t_sync', TBADF, `${fd} is a socket no provider runs on`);
    const adopted = addEndpoint(sock, p, false);
    const listening = sock.getsockopt('SOL_SOCKET', 'SO_ACCEPTCONN') === true;
    let connected = false;
    try {
      sock.getpeername();
      connected = true;
    } catch { /* not connected */ }
    const name = fromSockAddr(adopted, sock.getsockname());
    const bound = name.length > 0 && !(sock.domain !== C.AF_UNIX && (sock.getsockname() as { port: number }).port === 0);
    adopted.adopt(connected && p.info.servtype !== T_CLTS ? T_DATAXFER : bound || listening || connected ? T_IDLE : T_UNBND, listening ? 128 : adopted.qlen);
    return adopted.state;
  });
}

/**
 * t_getprotaddr(3NSL): the local address into bound.addr (len 0 in T_UNBND) and the
 * peer's into peer.addr (len 0 unless connected or connecting).
 */
export function t_getprotaddr(fd: number, boundaddr?: TBind | null, peeraddr?: TBind | null): number {
  return now('t_getprotaddr', () => {
    const ep = endpointOf(fd, 't_getprotaddr');
    const b = structArg<TBind>('boundaddr', boundaddr, T_BIND, true);
    const p = structArg<TBind>('peeraddr', peeraddr, T_BIND, true);
    let ok = true;
    if (b) ok = fill(b.addr, ep.state === T_UNBND ? Buffer.alloc(0) : fromSockAddr(ep, ep.sock.getsockname())) && ok;
    if (p) {
      let peer: Buffer = Buffer.alloc(0);
      if (ep.state === T_OUTCON && ep.connectTo) peer = fromSockAddr(ep, ep.connectTo);
      else if (ep.state === T_DATAXFER || ep.state === T_OUTREL || ep.state === T_INREL) {
        try {
          peer = fromSockAddr(ep, ep.sock.remoteAddress ?? ep.sock.getpeername());
        } catch { /* reset by the peer: no address to report */ }
      }
      ok = fill(p.addr, peer) && ok;
    }
    if (!ok) throw overflow('t_getprotaddr', 'addr');
    return 0;
  });
}

/**
 * t_alloc(3NSL): a structure of `struct_type` (T_BIND ... T_INFO) with the `fields`
 * (T_ADDR | T_OPT | T_UDATA, T_ALL) given buffers sized from the endpoint's t_info.
 */
export function t_alloc(fd: number, struct_type: typeof T_BIND, fields: number): TBind;
export function t_alloc(fd: number, struct_type: typeof T_OPTMGMT, fields: number): TOptmgmtStruct;
export function t_alloc(fd: number, struct_type: typeof T_CALL, fields: number): TCall;
export function t_alloc(fd: number, struct_type: typeof T_DIS, fields: number): TDiscon;
export function t_alloc(fd: number, struct_type: typeof T_UNITDATA, fields: number): TUnitdata;
export function t_alloc(fd: number, struct_type: typeof T_UDERROR, fields: number): TUderr;
export function t_alloc(fd: number, struct_type: typeof T_INFO, fields: number): TInfo;
export function t_alloc(fd: number, struct_type: number, fields: number): TStruct;
export function t_alloc(fd: number, struct_type: number, fields: number): TStruct {
  return now('t_alloc', () => {
    const ep = endpointOf(fd, 't_alloc');
    intArg('fields', fields, 0, 0x7fffffff);
    return allocStruct(struct_type, fields, ep.provider.info) as TStruct;
  });
}

/** t_sysconf(3NSL): _SC_T_IOV_MAX -> T_IOV_MAX; any other name: TBADFLAG. */
export function t_sysconf(name: number): number {
  if (name !== _SC_T_IOV_MAX) throw terror('t_sysconf', TBADFLAG, `unknown name ${shown(name)}`);
  return T_IOV_MAX;
}

/**
 * fcntl(2) for XTI endpoints: F_GETFL gives O_RDWR | O_NONBLOCK as set; F_SETFL sets or
 * clears the endpoint's O_NONBLOCK (the kernel descriptor itself always stays
 * non-blocking: the event loop never blocks). Other descriptors: EBADF.
 */
export function fcntl(fd: number, cmd: number, arg = 0): number {
  const ep = typeof fd === 'number' ? findEndpoint(fd) : undefined;
  if (!ep || ep.sock.closed) throw systemError(-C.EBADF, 'fcntl');
  if (cmd === F_GETFL) return O_RDWR | (ep.nonblock ? O_NONBLOCK : 0);
  if (cmd === F_SETFL) {
    intArg('arg', arg, 0, 0x7fffffff);
    const nonblock = (arg & O_NONBLOCK) !== 0;
    // A SyncFd/AsyncFd promised its holder how calls complete; keep that promise.
    if (nonblock !== ep.nonblock && modePinned(ep)) throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "arg" argument would change O_NONBLOCK of ${fd}, whose mode syncFd()/asyncFd() pinned`);
    ep.setNonblock(nonblock);
    // With tirdwr pushed, read(2)/write(2) by the program see the file's own flag.
    if (ep.modules.includes('tirdwr')) {
      if (ep.nonblock) setNonblocking(ep.fd);
      else clearNonblocking(ep.fd);
    }
    return 0;
  }
  throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "cmd" argument must be F_GETFL (${F_GETFL}) or F_SETFL (${F_SETFL}); received ${shown(cmd)}`);
}

