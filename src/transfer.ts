/**
 * Data transfer on a Socket: send, recv, sendto, recvfrom (and read/write-style use of a
 * connected stream), each as a Promise form that waits and a try* form that never does.
 * recvInto/tryRecvInto fill the caller's buffer, so a busy reader allocates nothing.
 */
import { native } from './binding.js';
import { constants as C } from './constants.js';
import { argType, intArg, systemError } from './errors.js';
import { POLL_IN, POLL_OUT, POLL_PRI, scratch, type WaitOptions } from './readiness.js';
import { encodeAddress, decodeAddress, describeAddress, ADDR_BUF_SIZE, type AddressLike, type SockAddr } from './address.js';
import { Socket } from './socket.js';

/** What recvfrom resolves to. */
export interface Datagram { data: Buffer; from: SockAddr }

declare module './socket.js' {
  interface Socket {
    /** send(2) without waiting: bytes accepted, or null on EAGAIN. */
    trySend(data: Uint8Array | string, flags?: number): number | null;
    /** send(2): waits for room; resolves to the bytes accepted (streams may take part). */
    send(data: Uint8Array | string, flags?: number, opts?: WaitOptions): Promise<number>;
    /** send(2) until every byte is accepted (write(2) semantics on a stream). */
    sendAll(data: Uint8Array | string, opts?: WaitOptions): Promise<void>;
    /** recv(2) into `buf` without waiting: the kernel's count, or null on EAGAIN. */
    tryRecvInto(buf: Uint8Array, flags?: number): number | null;
    /** recv(2) into `buf`; 0 is end-of-file on a stream. With MSG_TRUNC the real length. */
    recvInto(buf: Uint8Array, flags?: number, opts?: WaitOptions): Promise<number>;
    /** recv(2) of at most `size` bytes without waiting; null on EAGAIN. */
    tryRecv(size?: number, flags?: number): Buffer | null;
    /** recv(2) of at most `size` bytes; an empty Buffer at end-of-file. */
    recv(size?: number, flags?: number, opts?: WaitOptions): Promise<Buffer>;
    /** sendto(2) without waiting; null on EAGAIN. */
    trySendto(data: Uint8Array | string, address: AddressLike, flags?: number): number | null;
    /** sendto(2). */
    sendto(data: Uint8Array | string, address: AddressLike, flags?: number, opts?: WaitOptions): Promise<number>;
    /** recvfrom(2) without waiting; null on EAGAIN. */
    tryRecvfrom(size?: number, flags?: number): Datagram | null;
    /** recvfrom(2): the message and the address it came from. */
    recvfrom(size?: number, flags?: number, opts?: WaitOptions): Promise<Datagram>;
  }
}

const toAddr = Buffer.alloc(ADDR_BUF_SIZE);
const fromAddr = Buffer.alloc(ADDR_BUF_SIZE);
const DEFAULT_SIZE = 65536;

/** @internal string -> UTF-8 bytes; anything else but bytes is refused. */
export function bytesOf(data: unknown, name = 'data'): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  throw argType(name, 'a Buffer, Uint8Array or string', data);
}

/** @internal Validates MSG_* flags. */
export function flagsArg(flags: unknown): number {
  return flags === undefined ? 0 : intArg('flags', flags, 0, 0x7fffffff);
}

/** @internal EAGAIN -> null (and tells readiness the direction drained), error -> throw. */
export function settle(s: Socket, rc: number, bit: number, syscall: string, address?: AddressLike): number | null {
  if (rc >= 0) return rc;
  if (rc === -C.EAGAIN) {
    s.readiness.drained(bit);
    return null;
  }
  throw systemError(rc, syscall, address === undefined ? undefined : describeAddress(address));
}

/** @internal MSG_DONTWAIT makes a Promise form fail with EAGAIN instead of waiting. */
export function waitOrFail<T>(s: Socket, mask: number, flags: number, syscall: string, attempt: () => T | null, opts?: WaitOptions): Promise<T> {
  const first = attempt();
  if (first !== null) return Promise.resolve(first);
  if (flags & C.MSG_DONTWAIT) return Promise.reject(systemError(-C.EAGAIN, syscall));
  return s.retry(mask, attempt, opts, true);
}

/**
 * @internal Wraps a Promise-form body so argument and syscall errors become rejections,
 * without the extra promise and microtask turns an async function would add per call.
 */
export function promised<A extends unknown[], T>(body: (this: Socket, ...args: A) => Promise<T>): (this: Socket, ...args: A) => Promise<T> {
  return function (this: Socket, ...args: A): Promise<T> {
    try {
      return body.apply(this, args);
    } catch (err) {
      return Promise.reject(err);
    }
  };
}

const P = Socket.prototype;

P.trySend = function (this: Socket, data, flags) {
  const b = bytesOf(data);
  return settle(this, native.send(this.live(), b, 0, b.byteLength, flagsArg(flags)), POLL_OUT, 'send');
};

P.send = promised(function (data, flags, opts) {
  const b = bytesOf(data);
  const f = flagsArg(flags);
  return waitOrFail(this, POLL_OUT, f, 'send', () => settle(this, native.send(this.live(), b, 0, b.byteLength, f), POLL_OUT, 'send'), opts);
});

P.sendAll = async function (this: Socket, data, opts) {
  const b = bytesOf(data);
  this.live(); // a closed socket fails even when there is nothing to send
  for (let off = 0; off < b.byteLength;) {
    off += await waitOrFail(this, POLL_OUT, 0, 'send', () => settle(this, native.send(this.live(), b, off, b.byteLength - off, 0), POLL_OUT, 'send'), opts);
  }
};

P.tryRecvInto = function (this: Socket, buf, flags) {
  if (!(buf instanceof Uint8Array)) throw argType('buf', 'a Buffer or Uint8Array', buf);
  const f = flagsArg(flags);
  return settle(this, native.recv(this.live(), buf, 0, buf.byteLength, f), f & C.MSG_OOB ? POLL_PRI : POLL_IN, 'recv');
};

P.recvInto = promised(function (buf, flags, opts) {
  if (!(buf instanceof Uint8Array)) throw argType('buf', 'a Buffer or Uint8Array', buf);
  const f = flagsArg(flags);
  const bit = f & C.MSG_OOB ? POLL_PRI : POLL_IN;
  return waitOrFail(this, bit, f, 'recv', () => settle(this, native.recv(this.live(), buf, 0, buf.byteLength, f), bit, 'recv'), opts);
});

function sizeArg(size: unknown): number {
  return size === undefined ? DEFAULT_SIZE : intArg('size', size, 0, 0x7fffffff);
}

P.tryRecv = function (this: Socket, size, flags) {
  const buf = Buffer.allocUnsafe(sizeArg(size));
  const n = this.tryRecvInto(buf, flags);
  return n === null ? null : buf.subarray(0, Math.min(n, buf.length));
};

P.recv = async function (this: Socket, size, flags, opts) {
  const buf = Buffer.allocUnsafe(sizeArg(size));
  const n = await this.recvInto(buf, flags, opts);
  return buf.subarray(0, Math.min(n, buf.length));
};

P.trySendto = function (this: Socket, data, address, flags) {
  const b = bytesOf(data);
  const len = encodeAddress(address, toAddr);
  return settle(this, native.sendto(this.live(), b, 0, b.byteLength, flagsArg(flags), toAddr, len), POLL_OUT, 'sendto', address);
};

P.sendto = promised(function (data, address, flags, opts) {
  const b = bytesOf(data);
  const f = flagsArg(flags);
  encodeAddress(address, toAddr); // validate before any wait
  return waitOrFail(this, POLL_OUT, f, 'sendto', () => {
    const len = encodeAddress(address, toAddr);
    return settle(this, native.sendto(this.live(), b, 0, b.byteLength, f, toAddr, len), POLL_OUT, 'sendto', address);
  }, opts);
});

function recvfromOnce(s: Socket, size: number, f: number): Datagram | null {
  const buf = Buffer.allocUnsafe(size);
  const n = settle(s, native.recvfrom(s.live(), buf, 0, size, f, fromAddr), f & C.MSG_OOB ? POLL_PRI : POLL_IN, 'recvfrom');
  if (n === null) return null;
  return { data: buf.subarray(0, Math.min(n, size)), from: decodeAddress(fromAddr, scratch[0]) };
}

P.tryRecvfrom = function (this: Socket, size, flags) {
  return recvfromOnce(this, sizeArg(size), flagsArg(flags));
};

P.recvfrom = promised(function (size, flags, opts) {
  const n = sizeArg(size);
  const f = flagsArg(flags);
  return waitOrFail(this, f & C.MSG_OOB ? POLL_PRI : POLL_IN, f, 'recvfrom', () => recvfromOnce(this, n, f), opts);
});

