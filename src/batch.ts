/**
 * Batching for datagram and seqpacket sockets: recvmmsg(2)/sendmmsg(2) as batch calls,
 * and the async iterator of messages built on them, so a busy receiver pays one crossing
 * into native code per batch rather than per message. The iterator caps the messages it
 * delivers per wakeup and then yields to the event loop, so one busy socket cannot
 * starve the rest.
 */
import { native } from './binding.js';
import { constants as C } from './constants.js';
import { XsockError, argType, intArg, systemError } from './errors.js';
import { POLL_IN, POLL_OUT, type WaitOptions } from './readiness.js';
import { encodeAddress, decodeAddress, describeAddress, ADDR_BUF_SIZE, type AddressLike } from './address.js';
import { decodeControl, controlSizeFor, MAX_FDS_PER_MESSAGE, UNIX_CONTROL_SIZE } from './ancillary.js';
import { ReceivedFds, NO_FDS } from './rights.js';
import { isEof, type Message } from './message.js';
import { Socket } from './socket.js';
import { bytesOf, flagsArg, promised, waitOrFail } from './transfer.js';

/** Options of recvBatch and messages(). */
export interface BatchOptions {
  /** Most messages per recvmmsg(2) (default 32, at most 1024). */
  count?: number;
  /** Largest message copied (default 65536); longer ones arrive with MSG_TRUNC. */
  size?: number;
  /** Control bytes per message (default: room for 253 fds and credentials on unix sockets). */
  controlSize?: number;
  /** Most descriptors expected per message: sizes the control space instead. */
  fds?: number;
  /** MSG_ flags for recvmmsg (MSG_PEEK is refused: it would return one message n times). */
  flags?: number;
}

/** Options of the async iterator. */
export interface MessagesOptions extends BatchOptions {
  /** Messages delivered before yielding to the event loop (default 256). */
  maxPerWakeup?: number;
  /** Ends the iteration (with ERR_XSOCK_ABORTED) when aborted while waiting. */
  signal?: AbortSignal;
}

declare module './socket.js' {
  interface Socket {
    /** recvmmsg(2) without waiting: up to `count` messages, or null on EAGAIN. */
    tryRecvBatch(options?: BatchOptions): Message[] | null;
    /** recvmmsg(2): waits for at least one message, returns every one already queued (up to count). */
    recvBatch(options?: BatchOptions, opts?: WaitOptions): Promise<Message[]>;
    /** sendmmsg(2) without waiting: how many messages were sent (a prefix), or null on EAGAIN. */
    trySendBatch(messages: readonly (Uint8Array | string)[], to?: AddressLike): number | null;
    /** sendmmsg(2) until every message is sent; resolves to the count. */
    sendBatch(messages: readonly (Uint8Array | string)[], to?: AddressLike, opts?: WaitOptions): Promise<number>;
    /** Messages as they arrive (recvmmsg underneath); ends at EOF or when the socket closes. */
    messages(options?: MessagesOptions): AsyncGenerator<Message, void, undefined>;
    /** Same as messages() with defaults: `for await (const m of sock)`. */
    [Symbol.asyncIterator](): AsyncGenerator<Message, void, undefined>;
  }
}

const MAX_BATCH = 1024;
const ADDR_SLOT = 128;
const toAddr = Buffer.alloc(ADDR_BUF_SIZE);
/** One growing slab each: calls copy their results out before returning, so sharing is safe. */
let sharedSlab: Buffer = Buffer.alloc(0);
let dataSlab: Buffer = sharedSlab;
const VIEW_SLAB_MAX = 16384;
let controlSlab: Buffer = Buffer.alloc(0);
let addrSlab: Buffer = Buffer.alloc(0);
const out = new Int32Array(MAX_BATCH * 4);

interface BatchPlan { count: number; size: number; controlSize: number; flags: number }

function planBatch(s: Socket, o: BatchOptions | undefined): BatchPlan {
  if (s.type === C.SOCK_STREAM) {
    throw new XsockError('ERR_XSOCK_WRONG_SOCKET_TYPE', `message batches need a datagram or seqpacket socket, not ${s.domainName}/${s.typeName}`);
  }
  if (o === undefined) o = {};
  else if (o === null || typeof o !== 'object') throw argType('options', 'an object', o);
  const count = o.count === undefined ? 32 : intArg('count', o.count, 1, MAX_BATCH);
  const size = o.size === undefined ? 65536 : intArg('size', o.size, 0, 1 << 24);
  let controlSize: number;
  if (o.controlSize !== undefined) controlSize = intArg('controlSize', o.controlSize, 0, 1 << 16);
  else if (o.fds !== undefined) controlSize = controlSizeFor(intArg('fds', o.fds, 0, MAX_FDS_PER_MESSAGE));
  else controlSize = s.domain === C.AF_UNIX ? UNIX_CONTROL_SIZE : 0;
  const flags = flagsArg(o.flags);
  if (flags & C.MSG_PEEK) throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', 'The "flags" argument must not include MSG_PEEK for a batch (use recvmsg)');
  return { count, size, controlSize, flags };
}

function grown(slab: Buffer, need: number): Buffer {
  return slab.length >= need ? slab : Buffer.alloc(need);
}

function batchOnce(s: Socket, p: BatchPlan): Message[] | null {
  const fd = s.live();
  // Small batches land in a fresh slab the messages keep as views (no copy per message);
  // big slots go to the shared slab and are copied out at their real length.
  const small = p.size * p.count <= VIEW_SLAB_MAX;
  dataSlab = small ? Buffer.allocUnsafe(p.size * p.count) : grown(sharedSlab, p.size * p.count);
  if (!small) sharedSlab = dataSlab;
  const cslot = p.controlSize;
  if (cslot > 0) controlSlab = grown(controlSlab, cslot * p.count);
  addrSlab = grown(addrSlab, ADDR_SLOT * p.count);
  const n = native.recvmmsg(fd, dataSlab, p.size, p.count, out, addrSlab, cslot > 0 ? controlSlab : null, cslot, p.flags);
  if (n < 0) {
    if (n === -C.EAGAIN) {
      s.readiness.drained(POLL_IN);
      return null;
    }
    throw systemError(n, 'recvmmsg');
  }
  // Own every descriptor of the batch before building anything that could throw.
  const fdsOf: ReceivedFds[] = [];
  const ancs = [];
  for (let i = 0; i < n; i++) {
    const clen = out[i * 4 + 3];
    const anc = clen > 0 ? decodeControl(controlSlab.subarray(i * cslot, (i + 1) * cslot), clen) : null;
    ancs.push(anc);
    fdsOf.push(anc && anc.fds.length > 0 ? ReceivedFds.adopt(anc.fds) : NO_FDS);
  }
  const msgs: Message[] = [];
  for (let i = 0; i < n; i++) {
    const len = out[i * 4];
    const anc = ancs[i];
    const alen = out[i * 4 + 2];
    const copied = Math.min(len, p.size);
    const m: Message = {
      data: small ? dataSlab.subarray(i * p.size, i * p.size + copied) : copyOut(i * p.size, copied),
      bytes: len, fds: fdsOf[i], flags: out[i * 4 + 1], eof: false,
    };
    if (alen > 0) m.from = decodeAddress(addrSlab.subarray(i * ADDR_SLOT, (i + 1) * ADDR_SLOT), Math.min(alen, ADDR_SLOT));
    if (anc?.credentials) m.credentials = anc.credentials;
    if (anc?.pidfd !== undefined) m.pidfd = ReceivedFds.adopt([anc.pidfd]);
    if (anc?.other) m.control = anc.other;
    // At seqpacket EOF recvmmsg fills every slot with an empty read: one EOF ends the batch.
    if (len === 0 && m.fds.length === 0 && isEof(s, fd, p.size)) {
      m.eof = true;
      delete m.credentials; // the kernel's empty SO_PASSCRED record on the EOF read
      msgs.push(m);
      break;
    }
    msgs.push(m);
  }
  return msgs;
}

function copyOut(off: number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  dataSlab.copy(b, 0, off, off + n);
  return b;
}

const P = Socket.prototype;

P.tryRecvBatch = function (this: Socket, options) {
  return batchOnce(this, planBatch(this, options));
};

P.recvBatch = promised(function (options, opts) {
  const plan = planBatch(this, options);
  return waitOrFail(this, POLL_IN, plan.flags, 'recvmmsg', () => batchOnce(this, plan), opts);
});

function batchArg(messages: unknown): Uint8Array[] {
  if (!Array.isArray(messages)) throw argType('messages', 'an array of Buffers or strings', messages);
  return messages.map((m, i) => bytesOf(m, `messages[${i}]`));
}

function sendBatchOnce(s: Socket, msgs: Uint8Array[], start: number, to: AddressLike | undefined): number | null {
  const fd = s.live();
  const addrlen = to === undefined ? 0 : encodeAddress(to, toAddr, 'to');
  const count = Math.min(msgs.length - start, MAX_BATCH);
  const n = native.sendmmsg(fd, msgs, start, count, addrlen ? toAddr : null, addrlen, 0);
  if (n >= 0) return n;
  if (n === -C.EAGAIN) {
    s.readiness.drained(POLL_OUT);
    return null;
  }
  throw systemError(n, 'sendmmsg', to === undefined ? undefined : describeAddress(to));
}

P.trySendBatch = function (this: Socket, messages, to) {
  if (this.type === C.SOCK_STREAM) throw new XsockError('ERR_XSOCK_WRONG_SOCKET_TYPE', 'message batches need a datagram or seqpacket socket');
  const msgs = batchArg(messages);
  if (msgs.length === 0) return 0;
  return sendBatchOnce(this, msgs, 0, to);
};

P.sendBatch = async function (this: Socket, messages, to, opts) {
  if (this.type === C.SOCK_STREAM) throw new XsockError('ERR_XSOCK_WRONG_SOCKET_TYPE', 'message batches need a datagram or seqpacket socket');
  const msgs = batchArg(messages);
  if (to !== undefined) encodeAddress(to, toAddr, 'to');
  let sent = 0;
  while (sent < msgs.length) {
    sent += await waitOrFail(this, POLL_OUT, 0, 'sendmmsg', () => sendBatchOnce(this, msgs, sent, to), opts);
  }
  return sent;
};

P.messages = function (this: Socket, options: MessagesOptions = {}) {
  // Checked here, not in the generator, so bad arguments throw at the call.
  const plan = planBatch(this, options);
  const cap = options.maxPerWakeup === undefined ? 256 : intArg('maxPerWakeup', options.maxPerWakeup, 1, 1 << 20);
  const wait: WaitOptions | undefined = options.signal ? { signal: options.signal } : undefined;
  return iterate(this, plan, cap, wait);
};

async function* iterate(s: Socket, plan: BatchPlan, cap: number, wait: WaitOptions | undefined): AsyncGenerator<Message, void, undefined> {
  let batch: Message[] = [];
  let next = 0;
  let delivered = 0;
  try {
    for (;;) {
      if (s.closed) return;
      const got = batchOnce(s, plan);
      if (got === null) {
        delivered = 0;
        try {
          await s.readiness.wait(POLL_IN, wait);
        } catch (err) {
          if ((err as XsockError).code === 'ERR_XSOCK_CLOSED') return;
          throw err;
        }
        continue;
      }
      batch = got;
      for (next = 0; next < batch.length;) {
        const m = batch[next++];
        if (m.eof) return;
        yield m;
      }
      delivered += batch.length;
      if (delivered >= cap) {
        delivered = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    // Messages received but never handed out: their descriptors are still ours.
    for (let i = next; i < batch.length; i++) {
      batch[i].fds.close();
      batch[i].pidfd?.close();
    }
  }
}

P[Symbol.asyncIterator] = function (this: Socket) {
  return this.messages();
};

