/**
 * A socket as a relay channel. Byte streams move through one reusable buffer with
 * recv(2)/send(2); datagrams move in batches with recvmmsg(2)/sendmmsg(2), so one wake-up
 * relays many small messages and their boundaries are kept one for one.
 */
import { constants as C } from '../../constants.js';
import { encodeAddress, formatAddress, ADDR_BUF_SIZE, type SockAddr } from '../../address.js';
import { POLL_IN, POLL_PRI, type WaitOptions } from '../../readiness.js';
import { untilReady, batchSender, BATCH_ADDR_SLOT, MAX_FDS_PER_MESSAGE, type Socket } from '../../socket/index.js';
import type { Channel, Message, ZeroCopyEnd } from './channel.js';

/** How a socket channel reads and where its writes go. */
export interface SocketChannelOptions {
  /** Largest message (dgram/seqpacket) or read size (stream). */
  size: number;
  /** Unconnected sender: every write goes here. */
  to?: SockAddr | undefined;
  /** Unconnected receiver: writes answer the last sender. */
  replyToSender?: boolean;
  /** Messages already read (udp-listen's first datagram), delivered before any recv. */
  pending?: Message[];
  /** Bounds every wait (the idle timeout). */
  wait?: WaitOptions | undefined;
  /**
   * Read with recvmsg(2) and write with sendmsg(2), one message at a time, so rights and
   * credentials are seen (for traces) and passed on between unix sockets.
   */
  ancillary?: boolean;
  /** Decode every datagram's source address (traces); otherwise only what replies need. */
  senders?: boolean;
  /** Extra close work (unlinking the path this endpoint bound). */
  onClose?: (() => void) | undefined;
}

/** recvmmsg/sendmmsg batch size: enough to amortise a wake-up, small enough to stay fair. */
const BATCH = 64;

export class SocketChannel implements Channel {
  readonly name: string;
  readonly boundaries: boolean;
  readonly readable = true;
  readonly writable = true;
  readonly ends: boolean;
  readonly sock: Socket;
  private readonly opts: SocketChannelOptions;
  private readonly buf: Buffer;
  private readonly out = new Int32Array(BATCH * 4);
  private readonly addrs: Buffer;
  private readonly dest = Buffer.alloc(ADDR_BUF_SIZE);
  private destLen = 0;
  private lastFrom: SockAddr | null = null;
  private pending: Message[] | undefined;
  /** Out-of-band data is read and sent (stream sockets; off once the kernel says EOPNOTSUPP). */
  private oob: boolean;
  /** Datagram semantics: SOCK_DGRAM and SOCK_RAW (raw IP, packet, netlink) alike. */
  private readonly datagram: boolean;

  constructor(sock: Socket, name: string, opts: SocketChannelOptions) {
    this.sock = sock;
    this.name = name;
    this.opts = opts;
    this.datagram = sock.type === C.SOCK_DGRAM || sock.type === C.SOCK_RAW;
    this.boundaries = sock.type !== C.SOCK_STREAM;
    this.ends = !this.datagram;
    this.oob = sock.type === C.SOCK_STREAM;
    const slots = this.datagram ? BATCH : 1;
    this.buf = Buffer.allocUnsafe(opts.size * slots);
    this.addrs = Buffer.alloc(this.datagram ? BATCH * BATCH_ADDR_SLOT : 0);
    if (opts.to) this.destLen = encodeAddress(opts.to, this.dest);
    this.pending = opts.pending;
    if (opts.pending && opts.replyToSender) this.noteSender(opts.pending.at(-1)?.from);
  }

  /**
   * A plain byte stream whose ancillary data nobody needs to see may be spliced; urgent
   * data, where it is read, hands the stream back to read()/write() (see splice-pump.ts).
   */
  zeroCopy(): ZeroCopyEnd | null {
    if (this.sock.type !== C.SOCK_STREAM || this.opts.ancillary || this.pending) return null;
    return { kind: 'socket', socket: this.sock, urgent: this.oob, ...(this.opts.wait ? { wait: this.opts.wait } : {}) };
  }

  async read(): Promise<Message[] | null> {
    if (this.pending) {
      const p = this.pending;
      this.pending = undefined;
      return p;
    }
    const s = this.sock;
    if (s.type === C.SOCK_STREAM) return this.readStream();
    if (this.opts.ancillary) return this.retryRead(() => this.tryReadMsg());
    if (this.datagram) return untilReady(s, POLL_IN, () => this.tryReadBatch(), this.opts.wait);
    // recvmsg, not recv: only it tells an empty record from the end (Message.eof).
    const m = await s.recvmsg({ buffers: [this.buf] }, this.opts.wait);
    if (m.eof) return null;
    return [{ data: m.data, flags: m.flags & C.MSG_TRUNC }];
  }

  /**
   * A byte stream, with its out-of-band byte (TCP urgent data, unix stream MSG_OOB) read as
   * a message of its own flagged MSG_OOB, so the other side can send it urgent too. The
   * wait includes the priority event: urgent data alone makes no input readiness.
   */
  private readStream(): Promise<Message[] | null> {
    return this.retryRead(() => {
      if (this.oob) {
        const urgent = this.tryUrgent();
        if (urgent) return [urgent];
      }
      return this.opts.ancillary ? this.tryReadMsg() : this.tryReadBytes();
    }, this.oob ? POLL_IN | POLL_PRI : POLL_IN);
  }

  /** The one retry loop over an attempt whose `undefined` means EAGAIN (null is end-of-file). */
  private async retryRead(attempt: () => Message[] | null | undefined, mask = POLL_IN): Promise<Message[] | null> {
    const r = await untilReady(this.sock, mask, () => {
      const got = attempt();
      return got === undefined ? null : { got };
    }, this.opts.wait);
    return r.got;
  }

  /** The urgent byte, if one is pending; turns OOB off where the kernel has none. */
  private tryUrgent(): Message | null {
    try {
      const b = this.sock.tryRecvOob();
      return b === null ? null : { data: Buffer.from([b]), flags: C.MSG_OOB };
    } catch (err) {
      if ((err as { code?: string }).code !== 'EOPNOTSUPP') throw err;
      this.oob = false;
      return null;
    }
  }

  /** recv(2) into the channel buffer: a message, null at end-of-file, undefined on EAGAIN. */
  private tryReadBytes(): Message[] | null | undefined {
    const n = this.sock.tryRecvInto(this.buf);
    if (n === null) return undefined;
    if (n === 0) return null;
    return [{ data: this.buf.subarray(0, n), flags: 0 }];
  }

  /** recvmsg(2) with ancillary data (rights, credentials): like tryReadBytes. */
  private tryReadMsg(): Message[] | null | undefined {
    const m = this.sock.tryRecvmsg({ buffers: [this.buf.subarray(0, this.opts.size)], fds: MAX_FDS_PER_MESSAGE });
    if (m === null) return undefined;
    if (m.eof) {
      m.fds.close();
      return null;
    }
    const msg: Message = { data: m.data, fds: m.fds.take(), flags: m.flags };
    if (m.from) msg.from = m.from;
    if (m.credentials) msg.credentials = m.credentials;
    if (m.bytes > m.data.length) msg.flags = (msg.flags ?? 0) | C.MSG_TRUNC;
    if (this.opts.replyToSender) this.noteSender(m.from);
    return [msg];
  }

  private tryReadBatch(): Message[] | null {
    const size = this.opts.size;
    const n = this.sock.tryRecvBatchInto(this.buf, size, BATCH, this.out, this.addrs);
    if (n === null) return null;
    const batch: Message[] = new Array(n);
    const senders = this.opts.senders === true;
    for (let i = 0; i < n; i++) {
      const len = this.out[i * 4]!;
      const m: Message = { data: this.buf.subarray(i * size, i * size + Math.min(len, size)), flags: this.out[i * 4 + 1]! };
      if (senders || (this.opts.replyToSender && i === n - 1)) m.from = this.senderOf(i);
      batch[i] = m;
    }
    if (this.opts.replyToSender) this.noteSender(batch[n - 1]?.from);
    return batch;
  }

  private senderOf(i: number): SockAddr {
    return batchSender(this.addrs, this.out, i);
  }

  private noteSender(from: SockAddr | undefined): void {
    // An unbound unix sender has no address to answer; keep the last one that had one.
    if (!from || (from.family === 'unix' && from.path === undefined && from.abstract === undefined)) return;
    if (this.lastFrom && formatAddress(this.lastFrom) === formatAddress(from)) return;
    this.lastFrom = from;
    this.destLen = encodeAddress(from, this.dest);
  }

  async write(batch: Message[]): Promise<void> {
    const s = this.sock;
    if (this.opts.ancillary || batch.some((m) => m.fds && m.fds.length > 0)) return this.writeEach(batch);
    if (s.type === C.SOCK_STREAM) {
      for (const m of batch) {
        if (m.data.length > 0) await this.sendStream(m);
      }
      return;
    }
    if (this.opts.replyToSender && this.destLen === 0) return; // nobody has written to us yet: nowhere to answer
    const to = this.destLen > 0 ? this.lastFrom ?? this.opts.to : undefined;
    await s.sendBatch(batch.map((m) => m.data), to, this.opts.wait);
  }

  /** A stream write; an urgent byte stays urgent where this side can carry it. */
  private async sendStream(m: Message): Promise<void> {
    if (m.flags !== undefined && (m.flags & C.MSG_OOB) !== 0 && this.oob) await this.sock.send(m.data, C.MSG_OOB, this.opts.wait);
    else await this.sock.sendAll(m.data, this.opts.wait);
  }

  /** sendmsg(2) per message, passing rights on where this is a unix socket. */
  private async writeEach(batch: Message[]): Promise<void> {
    const s = this.sock;
    if (this.opts.replyToSender && this.destLen === 0) return;
    const to = this.opts.to ?? (this.opts.replyToSender ? this.lastFrom ?? undefined : undefined);
    const unix = s.domain === C.AF_UNIX;
    for (const m of batch) {
      if (s.type === C.SOCK_STREAM && m.data.length === 0) continue;
      const fds = unix && m.fds && m.fds.length > 0 ? m.fds : undefined;
      if (s.type === C.SOCK_STREAM && !fds) {
        await this.sendStream(m);
        continue;
      }
      const sent = await s.sendmsg(to ? { data: m.data, fds, to } : { data: m.data, fds }, this.opts.wait);
      // The rights went with the first bytes; a stream may take the rest in more sends.
      if (sent < m.data.length) await s.sendAll(m.data.subarray(sent), this.opts.wait);
    }
  }

  endWrite(): void {
    if (this.sock.closed || this.datagram) return;
    try {
      this.sock.shutdown('write');
    } catch {
      // The peer may already be gone (ENOTCONN): nothing left to tell it.
    }
  }

  close(): void {
    this.sock.close();
    this.opts.onClose?.();
  }
}
