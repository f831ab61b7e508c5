/**
 * The per-descriptor record an XTI library keeps (libnsl's _ti_user): the Socket under the
 * endpoint, its provider, state, qlen and outstanding connect indications, stored events,
 * and the O_NONBLOCK flag. Endpoints are named by the Socket's real fd, registered in the
 * shared descriptor table so STREAMS ioctls (I_SETSIG) reach the same Socket.
 *
 * A descriptor keeps its number for life, but a socket cannot be unbound, nor can an
 * accepted connection be born under a chosen number; when the endpoint needs a different
 * kernel socket (t_unbind, t_accept onto resfd, after a disconnect) the new socket is
 * moved onto the old number (see moveTo).
 */
import { constants as C } from '../constants.js';
import { XsockError } from '../errors.js';
import { socket, closeFd, type Socket } from '../socket/index.js';
import { register, unregister } from '../socket/descriptors.js';
import { encodeAddress, decodeAddress, ADDR_BUF_SIZE, type SockAddr } from '../address.js';
import { T_UNBND } from './constants.js';
import { TBADADDR, TBADF, TPROTO, terror } from './errors.js';
import type { Provider } from './providers.js';

/** A connect indication taken from the kernel (accept(2)), numbered for t_listen/t_accept. */
export interface Indication { seq: number; sock: Socket; addr: Buffer; gone: boolean }
/** A stored disconnect indication (reason is an errno, as Solaris TCP reports it). */
export interface Disconnect { reason: number; sequence: number }
/** A stored unitdata error. */
export interface Uderr { addr: Buffer; error: number }

/** One XTI endpoint. */
export class Endpoint {
  readonly fd: number;
  sock: Socket;
  readonly provider: Provider;
  state = T_UNBND;
  nonblock: boolean;
  qlen = 0;
  /** Address bytes given to t_bind (null: provider-chosen), for rebinding fresh sockets. */
  bindReq: Buffer | null = null;
  /** Kernel connections accepted but not yet reported by t_listen. */
  incoming: Socket[] = [];
  /** Indications reported by t_listen and not yet accepted or disconnected (ocnt). */
  outstanding = new Map<number, Indication>();
  nextSeq = 1;
  qfullReported = false;
  discons: Disconnect[] = [];
  /** The peer's orderly release (EOF) is the current event. */
  ordrel = false;
  /** EOF or reset already turned into an event: don't report it twice. */
  ended = false;
  /** T_OUTCON: where to, and whether the confirmation (T_CONNECT) is in. */
  connectTo: SockAddr | null = null;
  connected = false;
  uderrs: Uderr[] = [];
  /** The unread tail of a TSDU (t_rcv) or datagram (t_rcvudata) larger than the caller's buffer. */
  rest: Buffer | null = null;
  /** T_MORE fragments of a TSDU being sent on a record provider. */
  sndMore: Buffer[] = [];
  /** The STREAMS modules pushed on the endpoint (I_PUSH/I_POP): t_* calls need timod on top. */
  modules: string[] = ['timod'];

  constructor(sock: Socket, provider: Provider, nonblock: boolean) {
    this.sock = sock;
    this.fd = sock.fd;
    this.provider = provider;
    this.nonblock = nonblock;
  }

  get ocnt(): number {
    return this.outstanding.size;
  }

  /** Forgets every stored event and indication of a connection (closing their sockets). */
  clearConnection(): void {
    for (const s of this.incoming) s.close();
    for (const i of this.outstanding.values()) i.sock.close();
    this.incoming = [];
    this.outstanding.clear();
    this.discons = [];
    this.ordrel = false;
    this.ended = false;
    this.connectTo = null;
    this.connected = false;
    this.rest = null;
    this.sndMore = [];
    this.qfullReported = false;
  }
}

const endpoints = new Map<number, Endpoint>();
/** The calls that work whatever modules are pushed (tirdwr in the way of the others). */
const ALWAYS = new Set(['t_close', 't_look', 't_getstate']);

/** The endpoint behind `fd`, or TBADF (closed, never opened, or not an XTI endpoint). */
export function endpointOf(fd: unknown, call: string): Endpoint {
  const ep = typeof fd === 'number' ? endpoints.get(fd) : undefined;
  if (!ep || ep.sock.closed) throw terror(call, TBADF, `${String(fd)} is not an open XTI endpoint`);
  if (ep.modules.at(-1) !== 'timod' && !ALWAYS.has(call)) {
    throw terror(call, TPROTO, `timod is not on top of the endpoint's modules (${ep.modules.join(', ') || 'none'}): pop them first`);
  }
  return ep;
}

/** The endpoint for fd, if it is one. */
export function findEndpoint(fd: number): Endpoint | undefined {
  return endpoints.get(fd);
}

/** A new kernel socket for the provider, set up as the provider needs it. */
export function providerSocket(p: Provider): Socket {
  const s = socket(p.domain, p.type);
  try {
    // Datagram errors (ICMP unreachable) become T_UDERR: ask for them on the error queue.
    if (p.domain === 'inet' && p.type === 'dgram') s.setsockopt('IPPROTO_IP', 'IP_RECVERR', true);
    if (p.domain === 'inet6' && p.type === 'dgram') s.setsockopt('IPPROTO_IPV6', 'IPV6_RECVERR', true);
  } catch (err) {
    s.close();
    throw err;
  }
  return s;
}

/** Enters a new endpoint into the tables. */
export function addEndpoint(sock: Socket, p: Provider, nonblock: boolean): Endpoint {
  const ep = new Endpoint(sock, p, nonblock);
  endpoints.set(ep.fd, ep);
  register(sock);
  return ep;
}

/** t_close's work: closes every socket of the endpoint and forgets it. */
export function removeEndpoint(ep: Endpoint): void {
  ep.clearConnection();
  endpoints.delete(ep.fd);
  unregister(ep.fd);
  ep.sock.close();
}

/**
 * Puts `fresh` under the endpoint's descriptor number in place of its current socket: the
 * number is what the caller holds, so it must not change. dup3 swaps the file under the
 * number atomically (closing the old one), after the old socket's watcher is stopped.
 */
export function replaceSocket(ep: Endpoint, fresh: Socket): void {
  unregister(ep.fd);
  if (fresh.fd === ep.fd) {
    ep.sock = fresh;
  } else {
    const target = ep.sock.detach();
    try {
      ep.sock = fresh.moveTo(target);
    } catch (err) {
      closeFd(target);
      fresh.close();
      throw err;
    }
  }
  register(ep.sock);
}

/** Binds `s` to the endpoint's t_bind address, or the provider's choice. */
export function bindSocket(ep: Endpoint, s: Socket, bytes: Buffer | null): void {
  const a = bytes && bytes.length > 0 ? toSockAddr(ep, bytes, 't_bind') : anyAddress(ep.provider);
  s.bind(a);
}

/** The address a provider picks when the caller gives none. */
export function anyAddress(p: Provider): SockAddr {
  if (p.domain === 'inet') return { family: 'inet', address: '0.0.0.0', port: 0 };
  if (p.domain === 'inet6') return { family: 'inet6', address: '::', port: 0 };
  return { family: 'unix' }; // autobind: an abstract name of 5 hex digits
}

/**
 * Replaces the socket of an endpoint whose connection ended by a fresh one bound as the
 * endpoint was (rebinding the same port needs SO_REUSEADDR after TIME_WAIT), listening
 * again when it has a qlen: the endpoint is back in T_IDLE.
 */
export function renewSocket(ep: Endpoint): void {
  const fresh = providerSocket(ep.provider);
  replaceSocket(ep, fresh);
  ep.clearConnection();
  if (ep.provider.domain !== 'unix') ep.sock.setsockopt('SOL_SOCKET', 'SO_REUSEADDR', true);
  try {
    bindSocket(ep, ep.sock, ep.bindReq);
  } catch {
    bindSocket(ep, ep.sock, null);
  }
  if (ep.qlen > 0) ep.sock.listen(ep.qlen);
}

const scratchAddr = Buffer.alloc(ADDR_BUF_SIZE);

/**
 * Address bytes of a netbuf -> socket address. inet providers take struct sockaddr_in(6)
 * bytes of their own family, as C callers fill them; loopback providers take any bytes as
 * the abstract name. Anything else: TBADADDR.
 */
export function toSockAddr(ep: Endpoint, bytes: Buffer, call: string): SockAddr {
  const p = ep.provider;
  if (p.domain === 'unix') {
    if (bytes.length === 0 || bytes.length > p.info.addr) throw terror(call, TBADADDR, `a ${p.name} address is 1 to ${p.info.addr} bytes; got ${bytes.length}`);
    return { family: 'unix', abstract: Buffer.from(bytes) };
  }
  const want = p.domain === 'inet' ? C.AF_INET : C.AF_INET6;
  const size = p.domain === 'inet' ? C.SIZEOF_SOCKADDR_IN : C.SIZEOF_SOCKADDR_IN6;
  if (bytes.length < size || bytes.readUInt16LE(0) !== want) {
    throw terror(call, TBADADDR, `a ${p.name} address is a struct sockaddr_${p.domain === 'inet' ? 'in' : 'in6'} (${size} bytes, family ${want})`);
  }
  return decodeAddress(bytes, size);
}

/** Socket address -> the bytes a netbuf returns for this provider. */
export function fromSockAddr(ep: Endpoint, a: SockAddr | undefined): Buffer {
  if (!a) return Buffer.alloc(0);
  if (a.family === 'unix') {
    if (a.abstract === undefined) return Buffer.alloc(0);
    return Buffer.isBuffer(a.abstract) ? Buffer.from(a.abstract) : Buffer.from(a.abstract, 'utf8');
  }
  const len = encodeAddress(a, scratchAddr);
  return Buffer.from(scratchAddr.subarray(0, len));
}

/**
 * The netbuf bytes for a text or object address on this provider's family — a helper
 * for callers who would fill a struct sockaddr_in in C ('127.0.0.1:7' -> 16 bytes;
 * loopback providers: the name's bytes).
 */
export function addressBytes(a: SockAddr | string): Buffer {
  if (typeof a === 'string' && !a.startsWith('@') && !a.includes(':') && !a.startsWith('/')) return Buffer.from(a, 'utf8');
  const len = encodeAddress(a, scratchAddr, 'address');
  if (scratchAddr.readUInt16LE(0) === C.AF_UNIX) {
    const off = C.OFFSETOF_SUN_PATH;
    if (len <= off || scratchAddr[off] !== 0) throw new XsockError('ERR_XSOCK_BAD_ADDRESS', 'The "address" argument must be an abstract name (@name) or bytes for a loopback provider');
    return Buffer.from(scratchAddr.subarray(off + 1, len));
  }
  return Buffer.from(scratchAddr.subarray(0, len));
}
