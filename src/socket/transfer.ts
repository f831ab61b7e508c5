/**
 * Data transfer: send(2), recv(2), sendto(2), recvfrom(2) (and read/write-style use of a
 * connected stream). The try* forms never wait; the Promise forms go through the one retry
 * loop. recvInto fills the caller's buffer, so a busy reader allocates nothing.
 *
 * Sizes are read as `length`, never `byteLength`: the two are equal on the Uint8Arrays taken
 * here, and Node 20's optimiser inlines the first but leaves the second a generic property
 * load (a LoadIC call and the getter builtin, ~15 ns on every message). Buffer is imported,
 * not the global, for the same reason (a LoadGlobalIC per allocating receive).
 */
import { Buffer } from 'node:buffer';
import { constants as C } from '../constants.js';
import { argType, intArg } from '../errors.js';
import { POLL_IN, POLL_OUT, POLL_PRI, scratch, type WaitOptions } from '../readiness.js';
import { encodeAddress, ADDR_BUF_SIZE, type AddressLike, type SockAddr } from '../address.js';
import type { SocketCore } from './core.js';
import { attemptOrRetry, datagramOutputPace, type Waiting } from './retry.js';
import { rejectQueuedError } from './errqueue-wake.js';
import { AddressMemo } from './address-memo.js';
import { recvCall, recvfromCall, sendCall, sendtoCall } from './data-call.js';

/**
 * What recvfrom resolves to.
 * @property data The datagram's bytes (cut to the buffer size asked for).
 * @property from The sender's address, decoded from recvfrom(2)'s `src_addr`.
 */
export interface Datagram { data: Buffer; from: SockAddr }

const toAddr = Buffer.alloc(ADDR_BUF_SIZE);
const fromAddr = Buffer.alloc(ADDR_BUF_SIZE);
const senders = new AddressMemo();
const DEFAULT_SIZE = 65536;

/** string -> UTF-8 bytes; anything else but bytes is refused. */
export function bytesOf(data: unknown, name = 'data'): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  throw argType(name, 'a Buffer, Uint8Array or string', data);
}

/** Validates MSG_* flags. */
export function flagsArg(flags: unknown): number {
  return flags === undefined ? 0 : intArg('flags', flags, 0, 0x7fffffff);
}

function sizeArg(size: unknown): number {
  return size === undefined ? DEFAULT_SIZE : intArg('size', size, 0, 0x7fffffff);
}

function bufArg(buf: unknown): Uint8Array {
  if (!(buf instanceof Uint8Array)) throw argType('buf', 'a Buffer or Uint8Array', buf);
  return buf;
}

/** The readiness a call waits for: input, or priority for out-of-band. */
export function inputBit(flags: number): number {
  return flags & C.MSG_OOB ? POLL_PRI : POLL_IN;
}

/**
 * Waiting for `mask` readiness on `c`: made once per socket and mask and shared by every
 * call (it is never changed), so a call that waits allocates no Waiting of its own.
 * An input wait on an inet datagram socket also surfaces an error queued by IP_RECVERR
 * (the kernel keeps POLLERR up for it while the receive queue is empty): the receive
 * rejects with it rather than wait beside it.
 */
export function waitingFor(c: SocketCore, mask: number): Waiting {
  return (c.waitings ??= [])[mask] ??= makeWaiting(c, mask);
}

function makeWaiting(c: SocketCore, mask: number): Waiting {
  const pace = mask === POLL_OUT && c.type !== C.SOCK_STREAM ? datagramOutputPace : undefined;
  const input = mask === POLL_IN && (c.domain === C.AF_INET || c.domain === C.AF_INET6) && c.type !== C.SOCK_STREAM;
  const empty = input ? (woke: number, what: string) => rejectQueuedError(c, woke, what) : undefined;
  return Object.freeze({ wait: (o: WaitOptions | undefined) => c.readiness.wait(mask, o), pace, empty });
}

/** send(2) of buf[off, off+len), never waiting. */
export function trySend(c: SocketCore, b: Uint8Array, flags: number, off = 0, len = b.length - off): number | null {
  return c.settle(sendCall(c.live(), b, off, len, flags), POLL_OUT, 'send');
}

/** send(2) of data[off, off+len), never waiting, the range checked against the bytes. */
export function trySendRange(c: SocketCore, data: unknown, flags: unknown, off?: number, len?: number): number | null {
  const b = bytesOf(data);
  const o = off === undefined ? 0 : intArg('offset', off, 0, b.length);
  const n = len === undefined ? b.length - o : intArg('length', len, 0, b.length - o);
  return trySend(c, b, flagsArg(flags), o, n);
}

export function send(c: SocketCore, data: unknown, flags: unknown, opts?: WaitOptions): Promise<number> {
  const b = bytesOf(data);
  const f = flagsArg(flags);
  return attemptOrRetry(() => trySend(c, b, f), waitingFor(c, POLL_OUT), f, 'send', opts);
}

/** send(2) until every byte is accepted (write(2) semantics on a stream). */
export async function sendAll(c: SocketCore, data: unknown, opts?: WaitOptions): Promise<void> {
  const b = bytesOf(data);
  c.live(); // a closed socket fails even when there is nothing to send
  const how = waitingFor(c, POLL_OUT);
  for (let off = 0; off < b.length;) {
    const at = off;
    off += await attemptOrRetry(() => trySend(c, b, 0, at), how, 0, 'send', opts);
  }
}

/** recv(2) into buf[off, off+len), never waiting: the kernel's count, or null. */
export function tryRecvInto(c: SocketCore, buf: unknown, flags: unknown, off?: number, len?: number): number | null {
  const b = bufArg(buf);
  const f = flagsArg(flags);
  const o = off === undefined ? 0 : intArg('offset', off, 0, b.length);
  const n = len === undefined ? b.length - o : intArg('length', len, 0, b.length - o);
  if (c.readAhead.length > 0 && (f & C.MSG_OOB) === 0) return readAheadInto(c, b, o, n, f);
  return c.settle(recvCall(c.live(), b, o, n, f), inputBit(f), 'recv');
}

/** recv(2) semantics over a message an iterator read ahead: copied (truncated), its length. */
function readAheadInto(c: SocketCore, b: Uint8Array, off: number, len: number, f: number): number {
  const m = (f & C.MSG_PEEK) ? c.readAhead[0]! : c.readAhead.shift()!;
  if (!(f & C.MSG_PEEK)) m.fds.close(); // recv(2) takes no rights: the kernel would have discarded them
  b.set(m.data.subarray(0, Math.min(len, m.data.length)), off);
  return f & C.MSG_TRUNC ? m.bytes : Math.min(len, m.data.length);
}

export function recvInto(c: SocketCore, buf: unknown, flags: unknown, opts?: WaitOptions): Promise<number> {
  const b = bufArg(buf);
  const f = flagsArg(flags);
  const bit = inputBit(f);
  return attemptOrRetry(() => c.settle(recvCall(c.live(), b, 0, b.length, f), bit, 'recv'), waitingFor(c, bit), f, 'recv', opts);
}

export function tryRecv(c: SocketCore, size: unknown, flags: unknown): Buffer | null {
  const buf = Buffer.allocUnsafe(sizeArg(size));
  const n = tryRecvInto(c, buf, flags);
  return n === null ? null : n >= buf.length ? buf : buf.subarray(0, n);
}

export async function recv(c: SocketCore, size: unknown, flags: unknown, opts?: WaitOptions): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(sizeArg(size));
  const n = await recvInto(c, buf, flags, opts);
  return buf.subarray(0, Math.min(n, buf.length));
}

function sendtoOnce(c: SocketCore, b: Uint8Array, address: AddressLike, f: number): number | null {
  const len = encodeAddress(address, toAddr);
  return c.settle(sendtoCall(c.live(), b, 0, b.length, f, toAddr, len), POLL_OUT, 'sendto', address);
}

export function trySendto(c: SocketCore, data: unknown, address: AddressLike, flags: unknown): number | null {
  return sendtoOnce(c, bytesOf(data), address, flagsArg(flags));
}

export function sendto(c: SocketCore, data: unknown, address: AddressLike, flags: unknown, opts?: WaitOptions): Promise<number> {
  const b = bytesOf(data);
  const f = flagsArg(flags);
  encodeAddress(address, toAddr); // validate before any wait
  return attemptOrRetry(() => sendtoOnce(c, b, address, f), waitingFor(c, POLL_OUT), f, 'sendto', opts);
}

function recvfromOnce(c: SocketCore, size: number, f: number): Datagram | null {
  const buf = Buffer.allocUnsafe(size);
  if (c.readAhead.length > 0 && (f & C.MSG_OOB) === 0) {
    const from = c.readAhead[0]!.from ?? { family: 'unix' as const };
    const n = readAheadInto(c, buf, 0, size, f & ~C.MSG_TRUNC);
    return { data: buf.subarray(0, n), from };
  }
  const n = c.settle(recvfromCall(c.live(), buf, 0, size, f, fromAddr), inputBit(f), 'recvfrom');
  if (n === null) return null;
  return { data: n >= size ? buf : buf.subarray(0, n), from: senders.decode(fromAddr, 0, Math.min(scratch[0]!, fromAddr.length)) };
}

export function tryRecvfrom(c: SocketCore, size: unknown, flags: unknown): Datagram | null {
  return recvfromOnce(c, sizeArg(size), flagsArg(flags));
}

export function recvfrom(c: SocketCore, size: unknown, flags: unknown, opts?: WaitOptions): Promise<Datagram> {
  const n = sizeArg(size);
  const f = flagsArg(flags);
  return attemptOrRetry(() => recvfromOnce(c, n, f), waitingFor(c, inputBit(f)), f, 'recvfrom', opts);
}
