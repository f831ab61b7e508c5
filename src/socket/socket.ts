/**
 * The Socket, assembled in one place: every BSD call it offers is listed here, each a
 * short delegation to the module of its concern (lifecycle and naming, transfer,
 * messages, batches, out-of-band, options) working on the small core (descriptor,
 * ownership, readiness) through the one retry loop.
 *
 * Every call that can wait has a Promise form (tries the syscall; on EAGAIN waits for the
 * right readiness and tries again) and a try* form that never waits and returns
 * null/false on EAGAIN. Promise forms report every failure, bad arguments included, as a
 * rejection.
 */
import { XsockError, intArg } from '../errors.js';
import { constants as C, domainNumber, typeNumber, domainName, typeName, type DomainName, type TypeName } from '../constants.js';
import type { Readiness, WaitOptions } from '../readiness.js';
import type { AddressLike, SockAddr } from '../address.js';
import { SocketCore, ownerOf } from './core.js';
import { rejecting, retry } from './retry.js';
import * as life from './lifecycle.js';
import * as xfer from './transfer.js';
import * as msg from './message.js';
import * as batch from './batch.js';
import * as oob from './oob.js';
import * as urgent from './urgent.js';
import * as opt from './sockopt.js';
import * as chunk from './chunks.js';
import * as desc from './descriptor.js';
import type { Credentials, OptionName, OptionLevel, OptionInput, OptionValue, AnyOptionValue } from './options.js';
import type { ReceivedFds } from './rights.js';
import { SocketDuplex, type DuplexOptions } from '../duplex.js';
import { protocolNumber } from '../protocols.js';
import { MessageWriter, type MessageWriterOptions } from '../message-stream.js';

export type { BindOptions, AcceptOptions } from './lifecycle.js';
export type { Datagram } from './transfer.js';
export type { Message, OutgoingMessage, RecvmsgOptions, QueuedError } from './message.js';
export type { BatchOptions, MessagesOptions } from './batch.js';
export type { ChunksOptions } from './chunks.js';

/** A socket endpoint on a real kernel descriptor. */
export class Socket {
  /** @internal */
  readonly core: SocketCore;
  /** The peer address accept() reported, on sockets that accept() returned. */
  remoteAddress?: SockAddr;

  /** @internal Use socket(), socketpair(), Socket.fromFd() or accept(). */
  constructor(fd: number, domain: number, type: number, protocol: number) {
    this.core = new SocketCore(this, fd, domain, type, protocol);
  }

  /**
   * Adopts an existing socket descriptor (inherited, passed over SCM_RIGHTS, from Node
   * core): SO_DOMAIN/SO_TYPE/SO_PROTOCOL tell what it is, fcntl(2) makes it non-blocking.
   * The Socket owns the fd from then on (closes it).
   */
  static fromFd(fd: number): Socket {
    if (socketOwning(fd) !== undefined) {
      // Two owners of one number would both close it: the second close would hit whatever
      // file reused the number meanwhile.
      throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "fd" argument ${fd} is already owned by a live Socket (use that Socket, or Socket.fromFd(dup(fd)))`);
    }
    const k = life.discover(fd);
    const s = new Socket(fd, k.domain, k.type, k.protocol);
    if (k.domain === C.AF_UNIX) {
      s.core.passcred = life.intOption(fd, C.SOL_SOCKET, C.SO_PASSCRED, 0) !== 0;
      s.core.passpidfd = life.intOption(fd, C.SOL_SOCKET, C.SO_PASSPIDFD, 0) !== 0;
    }
    return s;
  }

  /** The descriptor, or -1 once closed or detached. */
  get fd(): number { return this.core.fd; }
  /** Communication domain: AF_UNIX, AF_INET, AF_INET6 ... */
  get domain(): number { return this.core.domain; }
  /** SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET ... */
  get type(): number { return this.core.type; }
  /** Protocol number as the kernel reports it. */
  get protocol(): number { return this.core.protocol; }
  /** True once closed or detached. */
  get closed(): boolean { return this.core.fd < 0; }
  /** Domain by name, for messages and tools ('unix', 'inet' ...). */
  get domainName(): string { return domainName(this.core.domain); }
  /** Type by name ('stream', 'seqpacket' ...). */
  get typeName(): string { return typeName(this.core.type); }
  /** @internal The fd, or throws ERR_XSOCK_CLOSED. */
  live(): number { return this.core.live(); }
  /** The descriptor's readiness, shared with every other face that waits on this fd. */
  get readiness(): Readiness { return this.core.readiness; }

  // --- lifecycle and naming -------------------------------------------------------------

  /** bind(2). For unix paths `unlinkStale` first removes a socket file nobody listens on. */
  bind(address: AddressLike, options?: life.BindOptions): void { life.bind(this.core, address, options); }
  /** listen(2). Backlogs above net.core.somaxconn are capped by the kernel. */
  listen(backlog = 511): void { life.listen(this.core, backlog); }
  /** accept4(2), never waiting: the connected socket, or null when none is queued. */
  tryAccept(): Socket | null {
    const r = life.tryAccept(this.core);
    return r === null ? null : this.accepted(r);
  }
  /**
   * accept4(2): waits for a connection; the new socket's remoteAddress is the peer. Out of
   * descriptors (EMFILE/ENFILE) it backs off rather than reject; `onEmfile: 'shed'` keeps a
   * spare descriptor to accept-and-close the connections it cannot serve.
   */
  accept(opts?: life.AcceptOptions): Promise<Socket> {
    return rejecting(() => life.accept(this.core, (r) => this.accepted(r), opts));
  }
  /**
   * connect(2), never waiting. true: connected. false: in progress (TCP EINPROGRESS, or a
   * unix listener whose backlog is full); call again (it reads SO_ERROR once writable).
   */
  tryConnect(address: AddressLike): boolean { return life.tryConnect(this.core, address); }
  /** connect(2): resolves once connected; rejects with the kernel's error (SO_ERROR). */
  connect(address: AddressLike, opts?: WaitOptions): Promise<void> {
    return rejecting(() => life.connect(this.core, address, opts));
  }
  /** shutdown(2): 'read' | 'write' | 'both' or SHUT_RD/SHUT_WR/SHUT_RDWR. */
  shutdown(how: 'read' | 'write' | 'both' | number = 'both'): void { life.shutdown(this.core, how); }
  /** getsockname(2). */
  getsockname(): SockAddr { return life.getsockname(this.core); }
  /** getpeername(2). */
  getpeername(): SockAddr { return life.getpeername(this.core); }

  /** close(2). Idempotent; pending waits reject with ERR_XSOCK_CLOSED. */
  close(): void {
    const fd = this.core.release(this);
    if (fd >= 0) desc.closeFd(fd);
  }

  /**
   * Gives up ownership without closing (no syscall): stops watching and returns the
   * descriptor, to hand it to Node core, an XTI endpoint or a child process.
   */
  detach(): number {
    const fd = this.core.release(this);
    if (fd < 0) throw new XsockError('ERR_XSOCK_CLOSED', 'the socket is closed');
    return fd;
  }

  // --- options ----------------------------------------------------------------------------

  /**
   * setsockopt(2). level/name as C names ('SOL_SOCKET', 'SO_REUSEADDR') — the name must be
   * one of the option table's, and the value is typed by it (boolean, number, { onoff,
   * linger }, ms for timevals, string) or a raw Buffer — or as numbers for raw access.
   */
  setsockopt<N extends OptionName>(level: OptionLevel | number | null, name: N, value: OptionInput<N> | Uint8Array): void;
  setsockopt(level: number, name: number, value: number | boolean | Uint8Array): void;
  setsockopt(level: string | number | null, name: string | number, value: unknown): void {
    opt.setsockopt(this.core, level, name, value);
  }
  /**
   * getsockopt(2): the value typed by the option table for a known name (SO_REUSEADDR:
   * boolean, SO_PEERCRED: { pid, uid, gid } or null where the kernel has none ...); a
   * Buffer of up to `length` bytes when asked for; for a numeric (level, name) pair the
   * table's value when the pair is a known option, else a Buffer.
   */
  getsockopt<N extends OptionName>(level: OptionLevel | number | null, name: N): OptionValue<N>;
  getsockopt(level: OptionLevel | number | null, name: OptionName | number, length: number): Buffer;
  getsockopt(level: number, name: number): AnyOptionValue;
  getsockopt(level: string | number | null, name: string | number, length?: number): unknown {
    return opt.getsockopt(this.core, level, name, length);
  }
  /** getsockopt(SO_PEERCRED): the peer's credentials at connect()/socketpair() time, or null. */
  peerCredentials(): Credentials | null {
    return this.getsockopt('SOL_SOCKET', 'SO_PEERCRED');
  }
  /** getsockopt(SO_PEERPIDFD): a pidfd of the peer, owned like received rights; null where the kernel has none. */
  peerPidfd(): ReceivedFds | null { return msg.peerPidfd(this.core); }

  // --- data transfer ----------------------------------------------------------------------

  /**
   * send(2) of data[offset, offset+length) without waiting (the rest of a partial stream
   * write needs no subarray): bytes accepted, or null on EAGAIN.
   */
  trySend(data: Uint8Array | string, flags?: number, offset?: number, length?: number): number | null {
    return xfer.trySendRange(this.core, data, flags, offset, length);
  }
  /** send(2): waits for room; resolves to the bytes accepted (streams may take part). */
  send(data: Uint8Array | string, flags?: number, opts?: WaitOptions): Promise<number> {
    return rejecting(() => xfer.send(this.core, data, flags, opts));
  }
  /** send(2) until every byte is accepted (write(2) semantics on a stream). */
  sendAll(data: Uint8Array | string, opts?: WaitOptions): Promise<void> {
    return rejecting(() => xfer.sendAll(this.core, data, opts));
  }
  /** recv(2) into buf[offset, offset+length) without waiting: the kernel's count, or null on EAGAIN. */
  tryRecvInto(buf: Uint8Array, flags?: number, offset?: number, length?: number): number | null {
    return xfer.tryRecvInto(this.core, buf, flags, offset, length);
  }
  /** recv(2) into `buf`; 0 is end-of-file on a stream. With MSG_TRUNC the real length. */
  recvInto(buf: Uint8Array, flags?: number, opts?: WaitOptions): Promise<number> {
    return rejecting(() => xfer.recvInto(this.core, buf, flags, opts));
  }
  /** recv(2) of at most `size` bytes without waiting; null on EAGAIN. */
  tryRecv(size?: number, flags?: number): Buffer | null { return xfer.tryRecv(this.core, size, flags); }
  /** recv(2) of at most `size` bytes; an empty Buffer at end-of-file. */
  recv(size?: number, flags?: number, opts?: WaitOptions): Promise<Buffer> {
    return rejecting(() => xfer.recv(this.core, size, flags, opts));
  }
  /** sendto(2) without waiting; null on EAGAIN. */
  trySendto(data: Uint8Array | string, address: AddressLike, flags?: number): number | null {
    return xfer.trySendto(this.core, data, address, flags);
  }
  /** sendto(2). */
  sendto(data: Uint8Array | string, address: AddressLike, flags?: number, opts?: WaitOptions): Promise<number> {
    return rejecting(() => xfer.sendto(this.core, data, address, flags, opts));
  }
  /** recvfrom(2) without waiting; null on EAGAIN. */
  tryRecvfrom(size?: number, flags?: number): xfer.Datagram | null { return xfer.tryRecvfrom(this.core, size, flags); }
  /** recvfrom(2): the message and the address it came from. */
  recvfrom(size?: number, flags?: number, opts?: WaitOptions): Promise<xfer.Datagram> {
    return rejecting(() => xfer.recvfrom(this.core, size, flags, opts));
  }

  // --- messages ---------------------------------------------------------------------------

  /** sendmsg(2) without waiting: bytes sent, or null on EAGAIN. */
  trySendmsg(message: msg.OutgoingMessage): number | null { return msg.trySendmsg(this.core, message); }
  /** sendmsg(2): gather, an address, rights and credentials; waits for room. */
  sendmsg(message: msg.OutgoingMessage, opts?: WaitOptions): Promise<number> {
    return rejecting(() => msg.sendmsg(this.core, message, opts));
  }
  /** recvmsg(2) without waiting: the message, or null on EAGAIN. */
  tryRecvmsg(options?: msg.RecvmsgOptions): msg.Message | null { return msg.tryRecvmsg(this.core, options); }
  /** recvmsg(2): waits for a message (or urgent data with MSG_OOB). */
  recvmsg(options?: msg.RecvmsgOptions, opts?: WaitOptions): Promise<msg.Message> {
    return rejecting(() => msg.recvmsg(this.core, options, opts));
  }
  /** recvmsg(2) with MSG_ERRQUEUE, never waiting: the oldest queued error (IP_RECVERR), or null. */
  tryRecvErrqueue(): msg.QueuedError | null { return msg.tryRecvErrqueue(this.core); }

  // --- batches ----------------------------------------------------------------------------

  /** recvmmsg(2) without waiting: up to `count` messages, or null on EAGAIN. */
  tryRecvBatch(options?: batch.BatchOptions): msg.Message[] | null { return batch.tryRecvBatch(this.core, options); }
  /** recvmmsg(2): waits for at least one message, returns every one already queued (up to count). */
  recvBatch(options?: batch.BatchOptions, opts?: WaitOptions): Promise<msg.Message[]> {
    return rejecting(() => batch.recvBatch(this.core, options, opts));
  }
  /** sendmmsg(2) without waiting: how many messages were sent (a prefix), or null on EAGAIN. */
  trySendBatch(messages: readonly (Uint8Array | string)[], to?: AddressLike): number | null {
    return batch.trySendBatch(this.core, messages, to);
  }
  /** sendmmsg(2) until every message is sent; resolves to the count. */
  sendBatch(messages: readonly (Uint8Array | string)[], to?: AddressLike, opts?: WaitOptions): Promise<number> {
    return rejecting(() => batch.sendBatch(this.core, messages, to, opts));
  }
  /**
   * recvmmsg(2) into caller buffers, never waiting (see batch.ts): the message count, or
   * null on EAGAIN. Lengths and flags go to `out`, senders' bytes to `addrs` (decode one
   * with batchSender); nothing is allocated per message.
   */
  tryRecvBatchInto(data: Uint8Array, slot: number, count: number, out: Int32Array, addrs: Uint8Array | null = null): number | null {
    return batch.tryRecvBatchInto(this.core, data, slot, count, out, addrs);
  }
  /**
   * Messages as they arrive (recvmmsg(2) underneath); ends at EOF (an empty read from a
   * closed peer) or when the socket is closed. Leaving the loop early keeps messages
   * received but not yet handed out queued for the next receive; the socket stays open.
   */
  messages(options?: batch.MessagesOptions): AsyncGenerator<msg.Message, void, undefined> {
    return batch.messages(this.core, options);
  }
  /**
   * recv(2) as byte chunks of a connected stream socket: yields Buffers as they arrive
   * and ends at EOF (the peer's shutdown(SHUT_WR) or close) or when the socket is closed.
   * The end does not close or shut down the socket: a server may read to the end and still
   * reply. Datagram and seqpacket sockets: ERR_XSOCK_WRONG_SOCKET_TYPE (use messages()).
   */
  chunks(options?: chunk.ChunksOptions): AsyncGenerator<Buffer, void, undefined> {
    return chunk.chunks(this.core, options);
  }
  /**
   * `for await (const x of sock)` dispatches on the socket type: a stream socket yields
   * Buffers (chunks(), ending at EOF), a datagram or seqpacket socket yields Messages
   * (messages(), ending at EOF or close; messages received but not yet handed out when
   * the loop is left stay queued for the next receive). Neither closes the socket. The
   * element type is the union because a Socket's type is known only at run time; call
   * chunks() or messages() for the exact one.
   */
  [Symbol.asyncIterator](): AsyncGenerator<Buffer | msg.Message, void, undefined> {
    return this.core.type === C.SOCK_STREAM ? chunk.chunks(this.core) : batch.messages(this.core);
  }

  // --- out-of-band ------------------------------------------------------------------------

  /** sockatmark(3) via ioctl(SIOCATMARK): true when the next byte read is the urgent mark. */
  sockatmark(): boolean { return oob.sockatmark(this.core); }
  /** recv(2) with MSG_OOB, never waiting: the urgent byte, or null when none is pending. */
  tryRecvOob(): number | null { return oob.tryRecvOob(this.core); }
  /** Waits for the priority event (POLLPRI), then recv(2) with MSG_OOB: the urgent byte. */
  recvOob(opts?: WaitOptions): Promise<number> { return rejecting(() => oob.recvOob(this.core, opts)); }
  /** fcntl(F_SETOWN): the process (0: none) the kernel sends SIGURG when urgent data is announced. */
  setOwner(pid: number): void { urgent.setOwner(this.core, pid); }
  /** recv(2) with MSG_OOB|MSG_PEEK: 'announced' (urgent pointer in, byte held back), 'arrived' or 'none'. */
  urgentState(): urgent.UrgentState { return urgent.urgentState(this.core); }

  // --- descriptor-level -------------------------------------------------------------------

  /** poll(2) of this socket with timeout 0: the revents among `events` (POLLIN, POLLPRI ...). */
  poll(events: number): number { return desc.pollFd(this.core.live(), events); }
  /** ioctl(FIONREAD): bytes (stream) or the next datagram's size queued for reading. */
  bytesQueued(): number { return desc.bytesQueued(this.core); }
  /** getsockopt(SO_ERROR): the pending error as an errno (0: none); reading clears it. */
  pendingError(): number { return desc.pendingError(this.core); }
  /**
   * dup3(2): moves this socket onto descriptor number `target` (whatever `target` named
   * is closed) and returns the Socket now living there; this one is left closed.
   */
  moveTo(target: number): Socket {
    const remote = this.remoteAddress;
    const { domain, type, protocol } = this.core;
    if (target === this.core.fd) return this;
    desc.dupOnto(this.core.live(), target);
    this.close();
    const moved = new Socket(target, domain, type, protocol);
    if (remote !== undefined) moved.remoteAddress = remote;
    return moved;
  }

  // --- Node faces -------------------------------------------------------------------------

  /** This connected stream socket as a Node Duplex (recv(2)/send(2)/shutdown(2) underneath). */
  toDuplex(options?: DuplexOptions): SocketDuplex { return new SocketDuplex(this, options); }
  /** A Writable whose chunks are this datagram/seqpacket socket's outgoing messages (sendmmsg(2)). */
  messageWriter(options?: MessageWriterOptions): MessageWriter { return new MessageWriter(this, options); }

  private accepted(r: { fd: number; from: SockAddr }): Socket {
    const s = new Socket(r.fd, this.core.domain, this.core.type, this.core.protocol);
    s.remoteAddress = r.from;
    return s;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Socket<${this.domainName}/${this.typeName} fd=${this.core.fd}>`;
  }
}

/**
 * The live Socket of this environment that owns descriptor `fd`, if any (no syscall): lets
 * faces that name descriptors by number (STREAMS close, t_sync, ioctl) act on the Socket
 * itself rather than on the bare number behind its back.
 */
export function socketOwning(fd: number): Socket | undefined {
  const o = typeof fd === 'number' ? ownerOf(fd) : undefined;
  return o instanceof Socket ? o : undefined;
}

/**
 * socket(2): a new non-blocking, close-on-exec socket. `protocol` is a number or a name
 * for the domain: 'icmp', 'ipv6-icmp', 'mptcp' (inet/inet6, as getprotobyname), 'route',
 * 'kobject_uevent', 'generic' (netlink), or a host-order ethertype such as 0x88b5 or
 * 'all' (packet; xsock hands the kernel network order).
 */
export function socket(domain: DomainName | number, type: TypeName | number, protocol: number | string = 0): Socket {
  const d = domainNumber(domain);
  const t = typeNumber(type);
  const p = protocolNumber(d, protocol);
  const fd = life.openSocket(d, t, p);
  // The kernel's choice for protocol 0 is known without asking it for the common cases;
  // a packet socket's is its ethertype, which SO_PROTOCOL does not report.
  return new Socket(fd, d, t, d === C.AF_PACKET ? life.packetProtocol(fd) : p === 0 ? defaultProtocol(fd, d, t) : p);
}

/** socketpair(2): two connected sockets (AF_UNIX). */
export function socketpair(domain: 'unix' | number = 'unix', type: TypeName | number = 'stream', protocol = 0): [Socket, Socket] {
  const d = domainNumber(domain);
  const t = typeNumber(type);
  const p = intArg('protocol', protocol, 0, 255);
  const [a, b] = life.openPair(d, t, p);
  return [new Socket(a, d, t, p), new Socket(b, d, t, p)];
}

/** Protocol 0 means the domain's default: TCP for inet streams, UDP for datagrams, 0 for unix. */
function defaultProtocol(fd: number, domain: number, type: number): number {
  if (domain === C.AF_UNIX) return 0;
  if ((domain === C.AF_INET || domain === C.AF_INET6) && type === C.SOCK_STREAM) return C.IPPROTO_TCP;
  if ((domain === C.AF_INET || domain === C.AF_INET6) && type === C.SOCK_DGRAM) return C.IPPROTO_UDP;
  return life.intOption(fd, C.SOL_SOCKET, C.SO_PROTOCOL, 0);
}

/**
 * The one retry loop applied to any try* call on `sock`: runs `attempt` until non-null,
 * waiting for `mask` readiness between attempts (with the datagram-output pacing).
 */
export function untilReady<T>(sock: Socket, mask: number, attempt: () => T | null, opts?: WaitOptions, tried = false): Promise<T> {
  return rejecting(() => retry(attempt, { ...xfer.waitingFor(sock.core, mask), tried }, opts));
}
