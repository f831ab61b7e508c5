/**
 * Batching for datagram and seqpacket sockets: recvmmsg(2)/sendmmsg(2) as batch calls,
 * and the async iterator of messages built on them, so a busy receiver pays one crossing
 * into native code per batch rather than per message. The iterator caps the messages it
 * delivers per wakeup and then yields to the event loop, so one busy socket cannot
 * starve the rest.
 */
import { recvFlags } from './recv-flags.js';
import { native } from '../binding.js';
import { constants as C, domainName, typeName } from '../constants.js';
import { XsockError, argType, intArg } from '../errors.js';
import { POLL_IN, POLL_OUT, type WaitOptions } from '../readiness.js';
import { encodeAddress, decodeAddress, ADDR_BUF_SIZE, type AddressLike, type SockAddr } from '../address.js';
import { decodeControl, MAX_FDS_PER_MESSAGE, CREDENTIALS_CONTROL_SIZE, noRightsControlSize, rightsControlSize, type Ancillary } from './ancillary.js';
import { isEof, isUnixSeqpacket, borrowCredentials, type Message } from './message.js';
import type { SocketCore } from './core.js';
import { bytesOf, flagsArg, waitingFor } from './transfer.js';
import { attemptOrRetry, retry } from './retry.js';
import { copyOut } from './copied.js';
import { receivedMessage, reapable } from './received.js';
import { AddressMemo } from './address-memo.js';

/** Options of recvBatch and messages(). */
export interface BatchOptions {
  /** Most messages per recvmmsg(2) (default 32, at most 1024). */
  count?: number | undefined;
  /** Largest message copied (default 65536); longer ones arrive with MSG_TRUNC. */
  size?: number | undefined;
  /** Control bytes per message (default: room for 253 fds and credentials on unix sockets). */
  controlSize?: number | undefined;
  /** Most descriptors expected per message: sizes the control space instead. */
  fds?: number | undefined;
  /** MSG_ flags for recvmmsg (MSG_PEEK is refused: it would return one message n times). */
  flags?: number | undefined;
}

/** Options of the async iterator. */
export interface MessagesOptions extends BatchOptions {
  /** Messages delivered before yielding to the event loop (default 256). */
  maxPerWakeup?: number | undefined;
  /** Ends the iteration (with an AbortError) when aborted while waiting. */
  signal?: AbortSignal | undefined;
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

function planBatch(s: SocketCore, o: BatchOptions | undefined): BatchPlan {
  if (s.type === C.SOCK_STREAM) {
    throw new XsockError('ERR_XSOCK_WRONG_SOCKET_TYPE', `message batches need a datagram or seqpacket socket, not ${domainName(s.domain)}/${typeName(s.type)}`);
  }
  if (o === undefined) o = {};
  else if (o === null || typeof o !== 'object') throw argType('options', 'an object', o);
  const count = o.count === undefined ? 32 : intArg('count', o.count, 1, MAX_BATCH);
  const size = o.size === undefined ? 65536 : intArg('size', o.size, 0, 1 << 24);
  let controlSize: number;
  if (o.controlSize !== undefined) controlSize = intArg('controlSize', o.controlSize, 0, 1 << 16);
  else if (o.fds !== undefined) controlSize = rightsControlSize(intArg('fds', o.fds, 0, MAX_FDS_PER_MESSAGE), s.passcred, s.passpidfd);
  // Rights are opt-in (see recvmsg): by default there is room for credentials only.
  else controlSize = s.domain === C.AF_UNIX ? noRightsControlSize(s.passcred, s.passpidfd) : 0;
  const flags = flagsArg(o.flags);
  if (flags & C.MSG_PEEK) throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', 'The "flags" argument must not include MSG_PEEK for a batch (use recvmsg)');
  return { count, size, controlSize, flags };
}

/**
 * A fresh region for one small batch, carved from a pool the way Buffer.allocUnsafe
 * carves its own (whose pool takes nothing of 4 KiB or more, so a 64 x 64 batch cost a
 * new ArrayBuffer each). A region is never handed out twice: messages keep views of it.
 */
const VIEW_POOL = 4 * VIEW_SLAB_MAX;
let viewPool = Buffer.alloc(0);
let viewPoolUsed = 0;
function viewSlab(need: number): Buffer {
  if (viewPoolUsed + need > viewPool.length) {
    viewPool = Buffer.allocUnsafe(VIEW_POOL);
    viewPoolUsed = 0;
  }
  const b = viewPool.subarray(viewPoolUsed, viewPoolUsed + need);
  viewPoolUsed += (need + 7) & ~7;
  return b;
}

function grown(slab: Buffer, need: number): Buffer {
  return slab.length >= need ? slab : Buffer.alloc(need);
}

function batchOnce(s: SocketCore, p: BatchPlan): Message[] | null {
  const fd = s.live();
  if (s.readAhead.length > 0) return s.readAhead.splice(0, p.count);
  // Small batches land in a fresh slab the messages keep as views (no copy per message);
  // big slots go to the shared slab and are copied out at their real length.
  const small = p.size * p.count <= VIEW_SLAB_MAX;
  dataSlab = small ? viewSlab(p.size * p.count) : grown(sharedSlab, p.size * p.count);
  if (!small) sharedSlab = dataSlab;
  s.releaseUntaken();
  // Unix seqpacket: an empty record and end-of-file both read as 0 bytes, and a shutdown
  // can land in the middle of a batch; credentials borrowed for the batch tell them apart.
  const creds = isUnixSeqpacket(s) ? borrowCredentials(fd) : null;
  const cslot = creds?.borrowed ? p.controlSize + CREDENTIALS_CONTROL_SIZE : p.controlSize;
  if (cslot > 0) controlSlab = grown(controlSlab, cslot * p.count);
  addrSlab = grown(addrSlab, ADDR_SLOT * p.count);
  let n: number | null;
  try {
    n = s.settle(native.recvmmsg(fd, dataSlab, p.size, p.count, out, addrSlab, cslot > 0 ? controlSlab : null, cslot, recvFlags(s.domain, p.flags)), POLL_IN, 'recvmmsg');
  } finally {
    creds?.restore();
  }
  if (n === null) return null;
  // Own every descriptor of the batch before building anything that could throw.
  const ancs: (Ancillary | null)[] = [];
  for (let i = 0; i < n; i++) {
    const clen = out[i * 4 + 3]!;
    ancs.push(clen > 0 ? decodeControl(controlSlab.subarray(i * cslot, (i + 1) * cslot), clen) : null);
  }
  const msgs: Message[] = [];
  for (let i = 0; i < n; i++) {
    const len = out[i * 4]!;
    const alen = out[i * 4 + 2]!;
    const copied = Math.min(len, p.size);
    const data = small ? dataSlab.subarray(i * p.size, i * p.size + copied) : copyOut(dataSlab, i * p.size, copied);
    const from = alen > 0 ? senders.decode(addrSlab, i * ADDR_SLOT, Math.min(alen, ADDR_SLOT)) : undefined;
    const m = receivedMessage(data, len, out[i * 4 + 1]!, ancs[i]!, false, from);
    if (creds?.borrowed) delete m.credentials; // asked for by us, not by the caller
    // At seqpacket EOF recvmmsg fills every slot with an empty read: one EOF ends the batch.
    if (len === 0 && (creds ? ancs[i]?.hadCredentials !== true : m.fds.length === 0 && isEof(s, fd, p.size))) {
      m.eof = true;
      reapable(m);
      msgs.push(m);
      break;
    }
    s.keepUntaken(m);
    msgs.push(m);
  }
  return msgs;
}

/** Sender addresses, decoded once per distinct sender (the same few, mostly). */
const senders = new AddressMemo();

/** recvmmsg(2), never waiting: up to `count` messages, or null on EAGAIN. */
export function tryRecvBatch(c: SocketCore, options?: BatchOptions): Message[] | null {
  return batchOnce(c, planBatch(c, options));
}

/** recvmmsg(2): waits for at least one message, returns every one already queued (up to count). */
export function recvBatch(c: SocketCore, options?: BatchOptions, opts?: WaitOptions): Promise<Message[]> {
  const plan = planBatch(c, options);
  return attemptOrRetry(() => batchOnce(c, plan), waitingFor(c, POLL_IN), plan.flags, 'recvmmsg', opts);
}

/**
 * The messages as bytes. `mayShare`: a call that finishes before returning may use the
 * caller's own array when it holds only bytes (no copy per call); one that waits copies
 * it, so a change to the array while it waits cannot reach the kernel unchecked.
 */
function batchArg(messages: unknown, mayShare: boolean): Uint8Array[] {
  if (!Array.isArray(messages)) throw argType('messages', 'an array of Buffers or strings', messages);
  if (mayShare) {
    let i = 0;
    while (i < messages.length && messages[i] instanceof Uint8Array) i++;
    if (i === messages.length) return messages as Uint8Array[];
  }
  return messages.map((m, i) => bytesOf(m, `messages[${i}]`));
}

/**
 * Small messages travel packed back to back in one slab: copying them costs less than the
 * shim looking each view up (two Node-API calls per message). Big ones go as views.
 */
const PACK_MAX = 65536;
const packSlab = Buffer.allocUnsafe(PACK_MAX);
const packLens = new Int32Array(MAX_BATCH);

/** Packs msgs[start, start+count) into packSlab when they fit; false when they do not. */
function pack(msgs: Uint8Array[], start: number, count: number): boolean {
  let total = 0;
  for (let i = 0; i < count; i++) {
    total += msgs[start + i]!.byteLength;
    if (total > PACK_MAX) return false;
  }
  let off = 0;
  for (let i = 0; i < count; i++) {
    const m = msgs[start + i]!;
    packSlab.set(m, off);
    packLens[i] = m.byteLength;
    off += m.byteLength;
  }
  return true;
}

function sendBatchOnce(s: SocketCore, msgs: Uint8Array[], start: number, to: AddressLike | undefined): number | null {
  const fd = s.live();
  const addrlen = to === undefined ? 0 : encodeAddress(to, toAddr, 'to');
  // Right after a call the full queue stopped short, the next one most likely meets
  // EAGAIN: it offers one message, so finding that out costs no copy or lookup of the
  // rest (it is still a prefix sent, and after an EAGAIN the full batch goes again).
  const count = s.batchFilled ? 1 : Math.min(msgs.length - start, MAX_BATCH);
  const addr = addrlen ? toAddr : null;
  const rc = pack(msgs, start, count)
    ? native.sendmmsgPacked(fd, packSlab, packLens, count, addr, addrlen, 0)
    : native.sendmmsg(fd, msgs, start, count, addr, addrlen, 0);
  s.batchFilled = rc >= 0 && rc < count;
  return s.settle(rc, POLL_OUT, 'sendmmsg', to);
}

function messageSocket(c: SocketCore): void {
  if (c.type === C.SOCK_STREAM) throw new XsockError('ERR_XSOCK_WRONG_SOCKET_TYPE', 'message batches need a datagram or seqpacket socket');
}

/** sendmmsg(2), never waiting: how many messages were sent (a prefix), or null on EAGAIN. */
export function trySendBatch(c: SocketCore, messages: unknown, to?: AddressLike): number | null {
  messageSocket(c);
  const msgs = batchArg(messages, true);
  if (msgs.length === 0) return 0;
  return sendBatchOnce(c, msgs, 0, to);
}

/** sendmmsg(2) until every message is sent; resolves to the count. */
export async function sendBatch(c: SocketCore, messages: unknown, to?: AddressLike, opts?: WaitOptions): Promise<number> {
  messageSocket(c);
  const msgs = batchArg(messages, false);
  if (to !== undefined) encodeAddress(to, toAddr, 'to');
  const how = waitingFor(c, POLL_OUT);
  let sent = 0;
  const attempt = (): number | null => sendBatchOnce(c, msgs, sent, to); // one closure per call, not per sendmmsg
  while (sent < msgs.length) sent += await attemptOrRetry(attempt, how, 0, 'sendmmsg', opts);
  return sent;
}

/** Messages as they arrive (recvmmsg underneath); ends at EOF or when the socket closes. */
export function messages(c: SocketCore, options: MessagesOptions = {}): AsyncGenerator<Message, void, undefined> {
  // Checked here, not in the generator, so bad arguments throw at the call.
  const plan = planBatch(c, options);
  const cap = options.maxPerWakeup === undefined ? 256 : intArg('maxPerWakeup', options.maxPerWakeup, 1, 1 << 20);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw argType('options.signal', 'an AbortSignal', options.signal);
  const wait: WaitOptions | undefined = options.signal ? { signal: options.signal } : undefined;
  return iterate(c, plan, cap, wait);
}

async function* iterate(s: SocketCore, plan: BatchPlan, cap: number, wait: WaitOptions | undefined): AsyncGenerator<Message, void, undefined> {
  let batch: Message[] = [];
  let next = 0;
  let delivered = 0;
  try {
    for (;;) {
      if (s.fd < 0) return;
      let got = batchOnce(s, plan);
      if (got === null) {
        delivered = 0;
        try {
          got = await retry(() => batchOnce(s, plan), { ...waitingFor(s, POLL_IN), tried: true }, wait);
        } catch (err) {
          if ((err as XsockError).code === 'ERR_XSOCK_CLOSED') return;
          throw err;
        }
      }
      batch = got;
      for (next = 0; next < batch.length;) {
        const m = batch[next++]!;
        if (m.eof) return;
        yield m;
        // The loop moved on: rights the body did not take() are closed now.
        m.fds.close();
        m.pidfd?.close();
      }
      delivered += batch.length;
      if (delivered >= cap) {
        delivered = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    // Messages received but never handed out (the loop was left early) stay the socket's:
    // the next receive hands them out, rights and all.
    for (let i = next; i < batch.length; i++) {
      const m = batch[i]!;
      if (m.eof) break;
      s.keepReadAhead(m);
    }
  }
}

/**
 * recvmmsg(2) into the caller's buffers, never waiting: message i lands at
 * data[i*slot, (i+1)*slot) with out[i*4] = its length, out[i*4+1] = msg_flags and
 * out[i*4+2] = the sender's addrlen (its bytes at addrs[i*ADDR_BUF_SIZE] when `addrs` is
 * given; decode one with batchSender only when needed). No allocation per message.
 */
export function tryRecvBatchInto(c: SocketCore, data: Uint8Array, slot: number, count: number,
  out: Int32Array, addrs: Uint8Array | null): number | null {
  intArg('count', count, 1, MAX_BATCH);
  if (slot * count > data.byteLength) throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', `The "data" buffer holds fewer than count (${count}) slots of ${slot} bytes`);
  if (out.length < count * 4) throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', 'The "out" array needs 4 entries per message');
  if (addrs !== null && addrs.byteLength < count * ADDR_SLOT) throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', `The "addrs" buffer needs ${ADDR_SLOT} bytes per message`);
  return c.settle(native.recvmmsg(c.live(), data, slot, count, out, addrs, null, 0, recvFlags(c.domain, 0)), POLL_IN, 'recvmmsg');
}

/** The sender of message i of a tryRecvBatchInto batch. */
export function batchSender(addrs: Uint8Array, out: Int32Array, i: number): SockAddr {
  return decodeAddress(addrs.subarray(i * ADDR_SLOT, (i + 1) * ADDR_SLOT), Math.min(out[i * 4 + 2]!, ADDR_SLOT));
}

/** Bytes of sender address room per message in a tryRecvBatchInto batch. */
export const BATCH_ADDR_SLOT = ADDR_SLOT;
