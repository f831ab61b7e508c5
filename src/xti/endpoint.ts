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
import { XsockError, shown } from '../errors.js';
import { socket, closeFd, type Socket } from '../socket/index.js';
import { register, unregister } from '../socket/descriptors.js';
import { encodeAddress, decodeAddress, ADDR_BUF_SIZE, type SockAddr } from '../address.js';
import { T_UNBND } from './constants.js';
import { nextState } from './states.js';
import type { XtiCall, XtiState, StateEvent } from './names.js';
import { TBADADDR, TBADF, TPROTO, terror } from './errors.js';
import type { Provider } from './providers.js';

/** A connect indication taken from the kernel (accept(2)), numbered for t_listen/t_accept. */
export interface Indication { readonly seq: number; readonly sock: Socket; readonly addr: Buffer; readonly gone: boolean }
/** A stored disconnect indication (reason is an errno, as Solaris TCP reports it). */
export interface Disconnect { readonly reason: number; readonly sequence: number }
/** A stored unitdata error. */
export interface Uderr { readonly addr: Buffer; readonly error: number }
/** An indication as the endpoint keeps it: only the endpoint marks one gone. */
type HeldIndication = { -readonly [K in keyof Indication]: Indication[K] };

/**
 * One XTI endpoint. Its record is read freely but changed only through the methods below,
 * each one step of the state machine or one stored event, so the invariants between the
 * fields (ocnt and the state, a disconnect ending an orderly release ...) live here.
 */
export class Endpoint {
  readonly fd: number;
  readonly provider: Provider;
  #sock: Socket;
  #state: XtiState = T_UNBND;
  #nonblock: boolean;
  #qlen = 0;
  /** Address bytes given to t_bind (null: provider-chosen), for rebinding fresh sockets. */
  #bindReq: Buffer | null = null;
  /** Kernel connections accepted but not yet reported by t_listen. */
  #incoming: Socket[] = [];
  /** Indications reported by t_listen and not yet accepted or disconnected (ocnt). */
  readonly #outstanding = new Map<number, HeldIndication>();
  #nextSeq = 1;
  #qfullReported = false;
  #discons: Disconnect[] = [];
  /** The peer's orderly release (EOF) is the current event. */
  #ordrel = false;
  /** EOF or reset already turned into an event: don't report it twice. */
  #ended = false;
  /** T_OUTCON: where to, and whether the confirmation (T_CONNECT) is in. */
  #connectTo: SockAddr | null = null;
  #connected = false;
  #uderrs: Uderr[] = [];
  /** The unread tail of a TSDU (t_rcv) or datagram (t_rcvudata) larger than the caller's buffer. */
  #rest: Buffer | null = null;
  /** T_MORE fragments of a TSDU being sent on a record provider. */
  #sndMore: Buffer[] = [];
  /** The STREAMS modules pushed on the endpoint (I_PUSH/I_POP): t_* calls need timod on top. */
  readonly modules: string[] = ['timod'];

  constructor(sock: Socket, provider: Provider, nonblock: boolean) {
    this.#sock = sock;
    this.fd = sock.fd;
    this.provider = provider;
    this.#nonblock = nonblock;
  }

  get sock(): Socket { return this.#sock; }
  get state(): XtiState { return this.#state; }
  get nonblock(): boolean { return this.#nonblock; }
  get qlen(): number { return this.#qlen; }
  get bindReq(): Buffer | null { return this.#bindReq; }
  get incoming(): readonly Socket[] { return this.#incoming; }
  get outstanding(): ReadonlyMap<number, Indication> { return this.#outstanding; }
  get qfullReported(): boolean { return this.#qfullReported; }
  get discons(): readonly Disconnect[] { return this.#discons; }
  get ordrel(): boolean { return this.#ordrel; }
  get ended(): boolean { return this.#ended; }
  get connectTo(): SockAddr | null { return this.#connectTo; }
  get connected(): boolean { return this.#connected; }
  get uderrs(): readonly Uderr[] { return this.#uderrs; }
  get rest(): Buffer | null { return this.#rest; }
  get sndMore(): readonly Buffer[] { return this.#sndMore; }

  get ocnt(): number {
    return this.#outstanding.size;
  }

  /** Moves along the state table on `event`; `ocnt` is the count before the call changed it. */
  transition(event: StateEvent, ocnt = 0): void {
    this.#state = nextState(event, this.#state, ocnt);
  }

  /** O_NONBLOCK as set by fcntl(F_SETFL). */
  setNonblock(on: boolean): void {
    this.#nonblock = on;
  }

  /** t_sync's take-over of a descriptor: the state and qlen the kernel reports. */
  adopt(state: XtiState, qlen: number): void {
    this.#state = state;
    this.#qlen = qlen;
  }

  /** t_bind succeeded: remember how, for sockets renewed later (T_UNBND -> T_IDLE). */
  bound(bindReq: Buffer | null, qlen: number): void {
    this.#bindReq = bindReq;
    this.#qlen = qlen;
    this.transition('bind');
  }

  /** t_unbind: the endpoint (already on a fresh socket) forgets its binding (T_IDLE -> T_UNBND). */
  unbound(): void {
    this.clearConnection();
    this.#uderrs = [];
    this.#qlen = 0;
    this.#bindReq = null;
    this.transition('unbind');
  }

  /**
   * Puts `fresh` under the endpoint's descriptor number in place of its current socket: the
   * number is what the caller holds, so it must not change. dup3 swaps the file under the
   * number atomically (closing the old one), after the old socket's watcher is stopped.
   */
  replaceSocket(fresh: Socket): void {
    unregister(this.fd);
    if (fresh.fd === this.fd) {
      this.#sock = fresh;
    } else {
      const target = this.#sock.detach();
      try {
        this.#sock = fresh.moveTo(target);
      } catch (err) {
        closeFd(target);
        fresh.close();
        throw err;
      }
    }
    register(this.#sock);
  }

  /** A connect(2) was started to `to` (T_IDLE -> T_OUTCON); `done`: it already completed. */
  beginConnect(to: SockAddr, done: boolean): void {
    this.transition('connect_pending');
    this.#connectTo = to;
    this.#connected = done;
  }

  /** The kernel completed the pending connect: T_CONNECT is current. */
  connectCompleted(): void {
    this.#connected = true;
  }

  /** The confirmation was taken (T_OUTCON -> T_DATAXFER). */
  confirmConnect(): void {
    this.transition('rcvconnect');
    this.#connectTo = null;
    this.#connected = false;
  }

  /** A connection the kernel accepted, queued for t_listen. */
  queueIncoming(s: Socket): void {
    this.#incoming.push(s);
  }

  /** Drops (closing them) queued connections whose caller gave up before t_listen saw them. */
  dropIncoming(gaveUp: (s: Socket) => boolean): void {
    this.#incoming = this.#incoming.filter((s) => {
      if (!gaveUp(s)) return true;
      s.close();
      return false;
    });
  }

  /** t_listen: the next queued connection becomes numbered indication (-> T_INCON), or null. */
  takeIncoming(addrOf: (s: Socket) => Buffer): Indication | null {
    const s = this.#incoming.shift();
    if (!s) return null;
    const seq = this.#nextSeq++;
    const ind: HeldIndication = { seq, sock: s, addr: addrOf(s), gone: false };
    this.#outstanding.set(seq, ind);
    this.transition('listen');
    return ind;
  }

  /** TQFULL is reported once per full queue: true the first time. */
  reportQueueFull(): boolean {
    if (this.#qfullReported) return false;
    this.#qfullReported = true;
    return true;
  }

  /** A reported indication whose caller went away: a disconnect carrying its sequence. */
  indicationGone(ind: Indication, reason: number): void {
    const held = this.#outstanding.get(ind.seq);
    if (held) held.gone = true;
    this.#discons.push({ reason, sequence: ind.seq });
  }

  /** Removes indication `seq`; returns ocnt before, for the state table. */
  #forget(seq: number): number {
    const ocnt = this.ocnt;
    this.#outstanding.delete(seq);
    this.#qfullReported = false;
    return ocnt;
  }

  /**
   * t_accept: indication `ind` becomes the connection of `res` (this endpoint itself when
   * it is the only one: T_INCON -> T_DATAXFER; otherwise res -> T_DATAXFER and this one
   * stays in T_INCON while others are outstanding).
   */
  accept(ind: Indication, res: Endpoint): void {
    const ocnt = this.#forget(ind.seq);
    if (res === this) {
      for (const s of this.#incoming) s.close();
      this.#incoming = [];
      this.replaceSocket(ind.sock);
      this.transition('accept_self', ocnt);
    } else {
      res.replaceSocket(ind.sock);
      res.clearConnection();
      res.transition('accept_res');
      this.transition('accept_other', ocnt);
    }
  }

  /** t_snddis in T_INCON: indication `ind` (its socket already reset) is rejected. */
  rejectIndication(ind: Indication): void {
    const ocnt = this.#forget(ind.seq);
    this.#discons = this.#discons.filter((d) => d.sequence !== ind.seq);
    this.transition('snddis', ocnt);
  }

  /** t_rcvdis of indication `seq`'s disconnect: its socket is closed and it is forgotten. */
  indicationDisconnected(seq: number): void {
    const ocnt = this.ocnt;
    this.#outstanding.get(seq)?.sock.close();
    this.#forget(seq);
    this.transition('rcvdis', ocnt);
  }

  /** Stores the disconnect of the endpoint's own connection (once); it ends any orderly release. */
  storeDisconnect(reason: number): void {
    if (this.#discons.some((d) => d.sequence === -1)) return;
    this.#discons.push({ reason, sequence: -1 });
    this.#ordrel = false;
    this.#ended = true;
  }

  /** t_rcvdis: the oldest stored disconnect, removed. */
  takeDisconnect(): Disconnect | undefined {
    return this.#discons.shift();
  }

  /** The peer released (EOF read or seen): T_ORDREL is current. */
  storeOrderlyRelease(): void {
    this.#ordrel = true;
    this.#ended = true;
  }

  /** t_rcvrel: takes the current orderly release; false when none is. */
  takeOrderlyRelease(): boolean {
    if (!this.#ordrel) return false;
    this.#ordrel = false;
    return true;
  }

  /** Stores a unitdata error (T_UDERR). */
  storeUderr(addr: Buffer, error: number): void {
    this.#uderrs.push({ addr, error });
  }

  /** t_rcvuderr: the oldest stored unitdata error, removed. */
  takeUderr(): Uderr | undefined {
    return this.#uderrs.shift();
  }

  /** Keeps the unread tail of a TSDU or datagram (null: nothing left over). */
  keepRest(tail: Buffer | null): void {
    this.#rest = tail;
  }

  /** Copies as much of the kept tail into `into` as fits; what is left stays kept. */
  takeRest(into: Buffer): number {
    const rest = this.#rest;
    if (!rest) return 0;
    const n = rest.copy(into, 0);
    this.#rest = n < rest.length ? rest.subarray(n) : null;
    return n;
  }

  /** A T_MORE fragment of a TSDU, held until the last one (a copy: the caller may reuse it). */
  holdFragment(data: Buffer): void {
    this.#sndMore.push(Buffer.from(data));
  }

  /** The held fragments went out as one record. */
  fragmentsSent(): void {
    this.#sndMore = [];
  }

  /** Forgets every stored event and indication of a connection (closing their sockets). */
  clearConnection(): void {
    for (const s of this.#incoming) s.close();
    for (const i of this.#outstanding.values()) i.sock.close();
    this.#incoming = [];
    this.#outstanding.clear();
    this.#discons = [];
    this.#ordrel = false;
    this.#ended = false;
    this.#connectTo = null;
    this.#connected = false;
    this.#rest = null;
    this.#sndMore = [];
    this.#qfullReported = false;
  }
}

const endpoints = new Map<number, Endpoint>();
/** The calls that work whatever modules are pushed (tirdwr in the way of the others). */
const ALWAYS = new Set(['t_close', 't_look', 't_getstate']);

/** The endpoint behind `fd`, or TBADF (closed, never opened, or not an XTI endpoint). */
export function endpointOf(fd: unknown, call: XtiCall): Endpoint {
  const ep = typeof fd === 'number' ? endpoints.get(fd) : undefined;
  if (!ep || ep.sock.closed) throw terror(call, TBADF, `${shown(fd)} is not an open XTI endpoint`);
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
  ep.replaceSocket(fresh);
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
export function toSockAddr(ep: Endpoint, bytes: Buffer, call: XtiCall): SockAddr {
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
