/**
 * The Socket: lifecycle, naming and options — socket, socketpair, bind, listen, accept,
 * connect, shutdown, close, getsockname, getpeername, setsockopt, getsockopt. Data
 * transfer lives in transfer.ts and message.ts, added to the same class.
 *
 * Every call has a Promise form that waits (tries the syscall; on EAGAIN waits for the
 * right readiness and tries again) and, where the call can wait, a try* form that never
 * waits and returns null/false on EAGAIN.
 */
import { lstatSync, unlinkSync, fstatSync } from 'node:fs';
import { native } from './binding.js';
import { constants as C, domainNumber, typeNumber, domainName, typeName } from './constants.js';
import { XsockError, check, intArg, systemError, argValue } from './errors.js';
import { Readiness, ensureInit, scratch, POLL_OUT, type WaitOptions } from './readiness.js';
import { encodeAddress, decodeAddress, describeAddress, ADDR_BUF_SIZE, type AddressLike, type SockAddr } from './address.js';
import { lookupOption, encodeOption, decodeOption } from './options.js';
import { deadlineOf, remaining, sleep } from './wait.js';

/** Address scratch for calls that hand an address to the kernel and return at once. */
const addrBuf = Buffer.alloc(ADDR_BUF_SIZE);
const optBuf = Buffer.alloc(256);

interface Holdings { fd: number; readiness: Readiness | null }
/** Sockets garbage-collected unclosed still give their descriptor back. */
const reaper = new FinalizationRegistry<Holdings>((h) => {
  h.readiness?.close();
  if (h.fd >= 0) {
    native.own(h.fd, 0);
    native.close(h.fd);
  }
});

/** Options for bind(). */
export interface BindOptions {
  /** Unix paths: remove a stale socket file (one nobody listens on) and bind again. */
  unlinkStale?: boolean;
}

/** A socket endpoint on a real kernel descriptor. */
export class Socket {
  /** Communication domain: AF_UNIX, AF_INET, AF_INET6 ... */
  readonly domain: number;
  /** SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET ... */
  readonly type: number;
  /** Protocol number as the kernel reports it. */
  readonly protocol: number;
  /** The peer address accept() reported, on sockets that accept() returned. */
  remoteAddress?: SockAddr;
  /** @internal */ protected _fd: number;
  /** @internal */ protected _held: Holdings;
  /** @internal destination of a non-blocking connect still in progress (text, for errors). */
  protected _connecting: string | null = null;

  /** @internal Use socket(), socketpair(), Socket.fromFd() or accept(). */
  constructor(fd: number, domain: number, type: number, protocol: number) {
    ensureInit(); // the shim's scratch must be ours before any call that writes out-params
    this._fd = fd;
    this.domain = domain;
    this.type = type;
    this.protocol = protocol;
    this._held = { fd, readiness: null };
    reaper.register(this, this._held, this);
    native.own(fd, 1);
  }

  /** The descriptor, or -1 once closed or detached. */
  get fd(): number {
    return this._fd;
  }

  get closed(): boolean {
    return this._fd < 0;
  }

  /** Domain and type by name, for messages and tools ('unix', 'seqpacket'). */
  get domainName(): string { return domainName(this.domain); }
  get typeName(): string { return typeName(this.type); }

  /**
   * Adopts an existing socket descriptor (inherited, passed over SCM_RIGHTS, from Node
   * core). Discovers domain/type/protocol with SO_DOMAIN/SO_TYPE/SO_PROTOCOL and makes it
   * non-blocking. The Socket owns the fd from then on (closes it).
   */
  static fromFd(fd: number): Socket {
    intArg('fd', fd, 0, 0x7fffffff);
    let isSocket: boolean;
    try {
      isSocket = fstatSync(fd).isSocket();
    } catch (err) {
      throw new XsockError('ERR_XSOCK_BAD_FD', `The "fd" argument ${fd} is not an open descriptor`, { cause: err });
    }
    if (!isSocket) throw new XsockError('ERR_XSOCK_NOT_A_SOCKET', `The "fd" argument ${fd} is not a socket`);
    const get = (name: number) => {
      const len = check(native.getsockopt(fd, C.SOL_SOCKET, name, optBuf), 'getsockopt');
      return len >= 4 ? optBuf.readInt32LE(0) : 0;
    };
    const domain = get(C.SO_DOMAIN);
    const type = get(C.SO_TYPE);
    const protocol = get(C.SO_PROTOCOL);
    const fl = check(native.getfl(fd), 'fcntl');
    if (!(fl & C.O_NONBLOCK)) check(native.setfl(fd, fl | C.O_NONBLOCK), 'fcntl');
    return new Socket(fd, domain, type, protocol);
  }

  /** @internal The fd, or throws ERR_XSOCK_CLOSED. */
  live(): number {
    if (this._fd < 0) throw new XsockError('ERR_XSOCK_CLOSED', 'the socket is closed');
    return this._fd;
  }

  /** The descriptor's readiness (watcher made on first wait). */
  get readiness(): Readiness {
    const fd = this.live();
    return this._held.readiness ??= new Readiness(fd);
  }

  /** bind(2). For unix paths `unlinkStale` removes a socket file nobody listens on first. */
  bind(address: AddressLike, options: BindOptions = {}): void {
    const fd = this.live();
    const len = encodeAddress(address, addrBuf);
    const rc = native.bind(fd, addrBuf, len);
    if (rc === -C.EADDRINUSE && options.unlinkStale && typeof pathOf(address) === 'string' && isStale(pathOf(address)!, this.type)) {
      unlinkSync(pathOf(address)!);
      check(native.bind(fd, addrBuf, encodeAddress(address, addrBuf)), 'bind', describeAddress(address));
      return;
    }
    check(rc, 'bind', describeAddress(address));
  }

  /** listen(2). Backlogs above net.core.somaxconn are capped by the kernel. */
  listen(backlog = 511): void {
    check(native.listen(this.live(), intArg('backlog', backlog, -1, 0x7fffffff)), 'listen');
  }

  /** accept4(2), never waiting: the connected socket, or null when none is queued. */
  tryAccept(): Socket | null {
    const fd = this.live();
    for (;;) {
      const nfd = native.accept(fd, addrBuf);
      if (nfd >= 0) {
        const s = new Socket(nfd, this.domain, this.type, this.protocol);
        s.remoteAddress = decodeAddress(addrBuf, scratch[0]);
        return s;
      }
      if (nfd === -C.ECONNABORTED) continue; // the peer gave up before we took it
      if (nfd === -C.EAGAIN) {
        this._held.readiness?.drained(1);
        return null;
      }
      throw systemError(nfd, 'accept');
    }
  }

  /** accept4(2): waits for a connection; the new socket's remoteAddress is the peer. */
  async accept(opts?: WaitOptions): Promise<Socket> {
    return this.retry(1, () => this.tryAccept(), opts);
  }

  /**
   * connect(2), never waiting. true: connected. false: in progress (TCP EINPROGRESS, or a
   * unix listener whose backlog is full); call again (it never repeats connect(2) while
   * one is in progress, it reads SO_ERROR once the socket is writable) or await connect().
   */
  tryConnect(address: AddressLike): boolean {
    const fd = this.live();
    if (this._connecting !== null) return this.connectOutcome(true);
    const len = encodeAddress(address, addrBuf);
    const rc = native.connect(fd, addrBuf, len);
    if (rc === 0) return true;
    if (rc === -C.EINPROGRESS) {
      this._connecting = describeAddress(address);
      return false;
    }
    if (rc === -C.EAGAIN) return false; // AF_UNIX: backlog full, nothing in progress
    throw systemError(rc, 'connect', describeAddress(address));
  }

  /** connect(2): resolves once connected; rejects with the kernel's error (SO_ERROR). */
  async connect(address: AddressLike, opts?: WaitOptions): Promise<void> {
    const deadline = deadlineOf(opts);
    let backoff = 1;
    for (;;) {
      if (this.tryConnect(address)) return;
      if (this._connecting !== null) {
        await this.readiness.wait(POLL_OUT, remaining(deadline, opts));
        if (this.connectOutcome(false)) return;
      } else {
        // A full unix backlog gives no readiness to wait for: back off and try again.
        await sleep(backoff, remaining(deadline, opts));
        backoff = Math.min(backoff * 2, 50);
      }
    }
  }

  /** After EINPROGRESS: SO_ERROR read exactly once, when the socket is writable. */
  private connectOutcome(pollFirst: boolean): boolean {
    const fd = this.live();
    if (pollFirst && !(native.pollNow(fd, C.POLLOUT | C.POLLERR | C.POLLHUP) & (C.POLLOUT | C.POLLERR | C.POLLHUP))) return false;
    const len = check(native.getsockopt(fd, C.SOL_SOCKET, C.SO_ERROR, optBuf), 'getsockopt');
    const err = len >= 4 ? optBuf.readInt32LE(0) : 0;
    const where = this._connecting ?? undefined;
    if (err === 0 && native.getpeername(fd, addrBuf) < 0) return false; // spurious wake-up
    this._connecting = null;
    if (err !== 0) throw systemError(-err, 'connect', where);
    return true;
  }

  /** shutdown(2): 'read' | 'write' | 'both' or SHUT_RD/SHUT_WR/SHUT_RDWR. */
  shutdown(how: 'read' | 'write' | 'both' | number = 'both'): void {
    const h = how === 'read' ? C.SHUT_RD : how === 'write' ? C.SHUT_WR : how === 'both' ? C.SHUT_RDWR
      : typeof how === 'number' && (how === C.SHUT_RD || how === C.SHUT_WR || how === C.SHUT_RDWR) ? how : -1;
    if (h < 0) throw argValue('how', `must be 'read', 'write', 'both' or SHUT_RD/SHUT_WR/SHUT_RDWR; received ${String(how)}`);
    check(native.shutdown(this.live(), h), 'shutdown');
  }

  /** close(2). Idempotent; pending waits reject with ERR_XSOCK_CLOSED. */
  close(): void {
    const fd = this.release();
    if (fd >= 0) native.close(fd);
  }

  /**
   * Gives up ownership without closing: stops watching and returns the descriptor
   * (to hand it to Node core, an XTI endpoint or a child process).
   */
  detach(): number {
    const fd = this.release();
    if (fd < 0) throw new XsockError('ERR_XSOCK_CLOSED', 'the socket is closed');
    return fd;
  }

  private release(): number {
    const fd = this._fd;
    if (fd < 0) return -1;
    this._held.readiness?.close();
    this._held.readiness = null;
    this._held.fd = -1;
    this._fd = -1;
    reaper.unregister(this);
    native.own(fd, 0);
    return fd;
  }

  /** getsockname(2). */
  getsockname(): SockAddr {
    return decodeAddress(addrBuf, check(native.getsockname(this.live(), addrBuf), 'getsockname'));
  }

  /** getpeername(2). */
  getpeername(): SockAddr {
    return decodeAddress(addrBuf, check(native.getpeername(this.live(), addrBuf), 'getpeername'));
  }

  /**
   * setsockopt(2). level/name as C names ('SOL_SOCKET', 'SO_REUSEADDR') or numbers; the
   * value typed by the option table (boolean, number, { onoff, linger }, ms for
   * timevals, string) or a raw Buffer.
   */
  setsockopt(level: string | number | null, name: string | number, value: unknown): void {
    const fd = this.live();
    const spec = lookupOption(level, name);
    const len = encodeOption(spec, value, optBuf);
    check(native.setsockopt(fd, spec.level, spec.optname, optBuf, len), 'setsockopt');
  }

  /**
   * getsockopt(2): the typed value for a known option (SO_PEERCRED: { pid, uid, gid } or
   * null where the kernel has none); a Buffer of up to `length` bytes otherwise.
   */
  getsockopt(level: string | number | null, name: string | number, length?: number): unknown {
    const fd = this.live();
    const spec = lookupOption(level, name);
    const size = length === undefined ? optBuf.length : intArg('length', length, 0, optBuf.length);
    optBuf.fill(0, 0, size);
    const len = check(native.getsockopt(fd, spec.level, spec.optname, optBuf.subarray(0, size)), 'getsockopt');
    if (length !== undefined) return Buffer.from(optBuf.subarray(0, Math.min(len, size)));
    return decodeOption(spec, optBuf, len);
  }

  /**
   * @internal Runs `attempt` (a try* call) until it yields non-null, waiting for `mask`
   * after each EAGAIN. Datagram senders whose wake-up repeats EAGAIN back off instead of
   * spinning (an unconnected sender is told POLLOUT right after EAGAIN).
   */
  async retry<T>(mask: number, attempt: () => T | null, opts?: WaitOptions, tried = false): Promise<T> {
    const deadline = deadlineOf(opts);
    let backoff = 0;
    for (let woken = false; ; woken = true) {
      // `tried`: the caller's own attempt just met EAGAIN; another at once would too.
      const r = tried && !woken ? null : attempt();
      if (r !== null) return r;
      if (woken && mask === POLL_OUT && this.type !== C.SOCK_STREAM) {
        backoff = Math.min(backoff ? backoff * 2 : 1, 32);
        await sleep(backoff, remaining(deadline, opts));
      }
      await this.readiness.wait(mask, remaining(deadline, opts));
    }
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Socket<${this.domainName}/${this.typeName} fd=${this._fd}>`;
  }
}

/** socket(2): a new non-blocking, close-on-exec socket. */
export function socket(domain: 'unix' | 'inet' | 'inet6' | number, type: 'stream' | 'dgram' | 'seqpacket' | number, protocol = 0): Socket {
  const d = domainNumber(domain);
  const t = typeNumber(type);
  const p = intArg('protocol', protocol, 0, 255);
  const fd = check(native.socket(d, t, p), 'socket');
  return new Socket(fd, d, t, p === 0 ? protocolOf(fd, p) : p);
}

/** socketpair(2): two connected sockets (AF_UNIX). */
export function socketpair(domain: 'unix' | number = 'unix', type: 'stream' | 'dgram' | 'seqpacket' | number = 'stream', protocol = 0): [Socket, Socket] {
  const d = domainNumber(domain);
  const t = typeNumber(type);
  const p = intArg('protocol', protocol, 0, 255);
  ensureInit(); // scratch receives the pair
  check(native.socketpair(d, t, p), 'socketpair');
  const a = scratch[0];
  const b = scratch[1];
  return [new Socket(a, d, t, p), new Socket(b, d, t, p)];
}

function protocolOf(fd: number, fallback: number): number {
  const len = native.getsockopt(fd, C.SOL_SOCKET, C.SO_PROTOCOL, optBuf);
  return len >= 4 ? optBuf.readInt32LE(0) : fallback;
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
    const rc = native.connect(fd, addrBuf, encodeAddress({ family: 'unix', path }, addrBuf));
    return rc === -C.ECONNREFUSED;
  } finally {
    native.close(fd);
  }
}
