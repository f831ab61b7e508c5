/**
 * A connected stream socket as a Node Duplex, so it plugs into stream.pipeline, pipe()
 * and every library that speaks Node streams.
 *
 * Backpressure both ways: the readable side reads (recv(2)) only while Node's buffer is
 * below its high-water mark and otherwise leaves the bytes in the kernel, which closes
 * the peer's window; the writable side completes a write only once the kernel accepted
 * every byte (send(2), waiting for POLLOUT on EAGAIN), so a slow peer holds writers back.
 * end() is a half-close (shutdown(SHUT_WR)): the peer reads EOF and may still answer.
 */
import { Duplex } from 'node:stream';
import { constants as C } from './constants.js';
import { XsockError, intArg } from './errors.js';
import { POLL_IN } from './readiness.js';
import { Socket, untilReady } from './socket/socket.js';

/** Options of toDuplex(). */
export interface DuplexOptions {
  /** Close the socket when the stream is destroyed (default true: the stream owns it). */
  close?: boolean | undefined;
  /** Bytes read per recv(2) (default 65536). */
  readSize?: number | undefined;
  /** Node's buffering thresholds (defaults 64 KiB each way). */
  readableHighWaterMark?: number | undefined;
  /** Bytes Node buffers for writing before write() returns false (default 64 KiB). */
  writableHighWaterMark?: number | undefined;
  /** Keep the writable side open after the peer's EOF (default true, as net.Socket's allowHalfOpen). */
  allowHalfOpen?: boolean | undefined;
}

/** Reads smaller than this are copied out so the read slab can be reused. */
const COPY_BELOW = 4096;

/** The Duplex over a connected SOCK_STREAM socket; recv(2)/send(2)/shutdown(2)/close(2) underneath. */
export class SocketDuplex extends Duplex {
  /** The socket underneath; closed with the stream unless toDuplex() was given `close: false`. */
  readonly socket: Socket;
  private readonly owns: boolean;
  private readonly readSize: number;
  private slab: Buffer;
  private pumping = false;

  constructor(sock: Socket, options: DuplexOptions = {}) {
    if (options === null || typeof options !== 'object') throw new XsockError('ERR_XSOCK_INVALID_ARG_TYPE', 'The "options" argument must be an object');
    const readSize = options.readSize === undefined ? 65536 : intArg('options.readSize', options.readSize, 1, 1 << 30);
    if (!(sock instanceof Socket)) throw new XsockError('ERR_XSOCK_INVALID_ARG_TYPE', 'The "socket" argument must be an xsock Socket');
    sock.live();
    if (sock.type !== C.SOCK_STREAM) {
      throw new XsockError('ERR_XSOCK_WRONG_SOCKET_TYPE', `a Duplex needs a connected stream socket, not ${sock.domainName}/${sock.typeName} (use messages() and messageWriter())`);
    }
    super({
      allowHalfOpen: options.allowHalfOpen ?? true,
      readableHighWaterMark: options.readableHighWaterMark ?? 65536,
      writableHighWaterMark: options.writableHighWaterMark ?? 65536,
    });
    this.socket = sock;
    this.owns = options.close ?? true;
    this.readSize = readSize;
    this.slab = Buffer.allocUnsafe(this.readSize);
  }

  /** Node's read hook: recv(2) until Node's buffer is full, EOF, or EAGAIN (then waits for POLLIN). Not for application code. */
  override _read(): void {
    if (this.pumping) return;
    this.pumping = true;
    this.pump().catch((err: unknown) => this.fail(err));
  }

  /** Reads until Node's buffer is full, EOF, or the kernel has nothing (then waits for POLLIN). */
  private async pump(): Promise<void> {
    const sock = this.socket;
    for (;;) {
      if (this.destroyed) return;
      const n = sock.tryRecvInto(this.slab) ?? await untilReady(sock, POLL_IN, () => sock.tryRecvInto(this.slab), undefined, true);
      if (n === 0) {
        this.pumping = false;
        this.push(null);
        return;
      }
      let chunk: Buffer;
      if (n < COPY_BELOW) {
        chunk = Buffer.from(this.slab.subarray(0, n));
      } else {
        chunk = this.slab.subarray(0, n);
        this.slab = Buffer.allocUnsafe(this.readSize);
      }
      if (!this.push(chunk)) {
        this.pumping = false;
        return;
      }
    }
  }

  /**
   * `for await (const chunk of duplex)`: Buffers until the peer's EOF. At that end the
   * stream follows allowHalfOpen (default true): the writable side stays open, so a server
   * can read a request to its end and then write() and end() its reply. (net.Socket's
   * iterator destroys the socket at the end even with allowHalfOpen, unless iterated
   * through `iterator({ destroyOnReturn: false })`; here that is the default at EOF.) With
   * allowHalfOpen false, and whenever the loop is left early (break, return, throw) or
   * fails, the stream is destroyed as Node's iterator does, closing the socket it owns.
   */
  override async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    let ended = false;
    try {
      for await (const chunk of this.iterator({ destroyOnReturn: false })) yield chunk as Buffer;
      ended = true;
    } finally {
      if (!ended || !this.allowHalfOpen) this.destroy();
    }
  }

  /** Node's write hook: send(2) until the kernel took every byte, waiting for POLLOUT on EAGAIN. Not for application code. */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.sendAll(chunk).then(() => callback(), (err: Error) => callback(this.closedByUs(err) ? null : err));
  }

  /** Node's batched write hook: the queued chunks are joined and sent as one buffer (send(2) until all is taken). Not for application code. */
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    // One send for many small writes: fewer syscalls, same bytes in the same order.
    const data = Buffer.concat(chunks.map((c) => c.chunk));
    this.socket.sendAll(data).then(() => callback(), (err: Error) => callback(this.closedByUs(err) ? null : err));
  }

  /** Node's end() hook: shutdown(2) SHUT_WR, so the peer reads EOF and may still answer. Not for application code. */
  override _final(callback: (error?: Error | null) => void): void {
    shutdownOnFinal(this.socket, callback);
  }

  /** Node's destroy() hook: close(2) when the stream owns the socket. Not for application code. */
  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (this.owns) this.socket.close();
    callback(err);
  }

  /** A wait rejected because destroy() closed the socket is not an error of the stream. */
  private closedByUs(err: unknown): boolean {
    return this.destroyed && (err as { code?: string }).code === 'ERR_XSOCK_CLOSED';
  }

  private fail(err: unknown): void {
    this.pumping = false;
    if (!this.closedByUs(err) && !this.destroyed) this.destroy(err as Error);
  }
}

/** A connected stream socket as a Node Duplex: recv(2) feeds reads, send(2) takes writes, end() is shutdown(SHUT_WR). */
export function toDuplex(sock: Socket, options?: DuplexOptions): SocketDuplex {
  return new SocketDuplex(sock, options);
}

/**
 * _final of a socket-backed Writable: the orderly release, shutdown(SHUT_WR). A peer that
 * already went away (ENOTCONN) leaves nobody to tell about our EOF, so that is no error.
 */
export function shutdownOnFinal(socket: Socket, callback: (error?: Error | null) => void): void {
  try {
    if (!socket.closed) socket.shutdown('write');
    callback();
  } catch (err) {
    callback((err as { code?: string }).code === 'ENOTCONN' ? null : err as Error);
  }
}
