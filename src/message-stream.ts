/**
 * The writable side of a datagram or seqpacket socket as a Node Writable in object mode:
 * each written chunk is one message, its boundary kept. The readable side is the socket's
 * own async iterator (messages(), batch.ts); this is its counterpart.
 *
 * Writes queued while a send is in flight leave together through one sendmmsg(2)
 * (sendBatch), so a fast producer pays one crossing per batch. A write completes only
 * when the kernel took the message; a full socket buffer (EAGAIN) waits for POLLOUT, and
 * Node's highWaterMark (messages, default 64) then holds the producer back.
 */
import { Writable } from 'node:stream';
import { constants as C } from './constants.js';
import { XsockError, argType } from './errors.js';
import { encodeAddress, ADDR_BUF_SIZE, type AddressLike } from './address.js';
import { Socket } from './socket/socket.js';
import { shutdownOnFinal } from './duplex.js';

/** Options of messageWriter(). */
export interface MessageWriterOptions {
  /** Destination of every message, for an unconnected datagram socket (sendmmsg's msg_name). */
  to?: AddressLike | undefined;
  /** Messages buffered before write() returns false (default 64). */
  highWaterMark?: number | undefined;
  /** Close the socket when the stream is destroyed (default false: the socket may still be read). */
  close?: boolean | undefined;
  /** Shut the sending side down at end() (seqpacket: the peer reads EOF; default true for connected sockets). */
  shutdownOnEnd?: boolean | undefined;
}

type Chunk = Uint8Array | string;

/** Messages out of a datagram/seqpacket socket; one chunk, one message. */
export class MessageWriter extends Writable {
  /** The socket the messages leave through; closed with the stream only when `close: true` was given. */
  readonly socket: Socket;
  private readonly to: AddressLike | undefined;
  private readonly owns: boolean;
  private readonly shutdownOnEnd: boolean;

  constructor(sock: Socket, options: MessageWriterOptions = {}) {
    if (options === null || typeof options !== 'object') throw argType('options', 'an object', options);
    // Checked now, not at the first write: a bad destination must fail where it was given.
    if (options.to !== undefined) encodeAddress(options.to, Buffer.alloc(ADDR_BUF_SIZE), 'options.to');
    if (!(sock instanceof Socket)) throw argType('socket', 'an xsock Socket', sock);
    sock.live();
    if (sock.type !== C.SOCK_DGRAM && sock.type !== C.SOCK_SEQPACKET) {
      throw new XsockError('ERR_XSOCK_WRONG_SOCKET_TYPE', `a message writer needs a datagram or seqpacket socket, not ${sock.domainName}/${sock.typeName} (use toDuplex())`);
    }
    super({ objectMode: true, highWaterMark: options.highWaterMark ?? 64 });
    this.socket = sock;
    this.to = options.to;
    this.owns = options.close ?? false;
    this.shutdownOnEnd = options.shutdownOnEnd ?? options.to === undefined;
  }

  /** Node's write hook: one message through sendmmsg(2), waiting for POLLOUT on EAGAIN. Not for application code. */
  override _write(chunk: Chunk, _enc: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sendAll([chunk], callback);
  }

  /** Node's batched write hook: the queued messages leave through one sendmmsg(2) batch, boundaries kept. Not for application code. */
  override _writev(chunks: { chunk: Chunk }[], callback: (error?: Error | null) => void): void {
    this.sendAll(chunks.map((c) => c.chunk), callback);
  }

  private sendAll(msgs: Chunk[], callback: (error?: Error | null) => void): void {
    for (const m of msgs) {
      if (!(m instanceof Uint8Array) && typeof m !== 'string') {
        callback(argType('chunk', 'a Buffer, Uint8Array or string (one message)', m));
        return;
      }
    }
    this.socket.sendBatch(msgs, this.to).then(() => callback(), (err: Error) => {
      callback(this.destroyed && (err as { code?: string }).code === 'ERR_XSOCK_CLOSED' ? null : err);
    });
  }

  /** Node's end() hook: shutdown(2) SHUT_WR when `shutdownOnEnd` (the peer reads EOF), else nothing. Not for application code. */
  override _final(callback: (error?: Error | null) => void): void {
    if (this.shutdownOnEnd) shutdownOnFinal(this.socket, callback);
    else callback();
  }

  /** Node's destroy() hook: close(2) when the stream owns the socket. Not for application code. */
  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (this.owns) this.socket.close();
    callback(err);
  }
}

/** A Writable of messages for a datagram or seqpacket socket: sendmmsg(2) underneath. */
export function messageWriter(sock: Socket, options?: MessageWriterOptions): MessageWriter {
  return new MessageWriter(sock, options);
}
