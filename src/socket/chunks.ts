/**
 * A connected stream socket as an async iterable of byte chunks, as `for await` over a
 * net.Socket gives: recv(2) underneath, waiting for POLLIN between arrivals.
 */
import { constants as C } from '../constants.js';
import { XsockError, argType, intArg } from '../errors.js';
import type { WaitOptions } from '../readiness.js';
import type { SocketCore } from './core.js';
import { tryRecvInto, recvInto } from './transfer.js';

/** Options of chunks(). */
export interface ChunksOptions {
  /** Most bytes per chunk, one recv(2) each (default 65536). */
  size?: number | undefined;
  /** Ends the iteration (with an AbortError) when aborted while waiting. */
  signal?: AbortSignal | undefined;
}

/** Chunks smaller than this are copied out so the read slab can be reused. */
const COPY_BELOW = 4096;

/**
 * Byte chunks as they arrive; ends at EOF (the peer's shutdown(SHUT_WR) or close) or when
 * the socket is closed. Neither the end nor a `break` closes or shuts down the socket.
 */
export function chunks(c: SocketCore, options: ChunksOptions = {}): AsyncGenerator<Buffer, void, undefined> {
  // Checked here, not in the generator, so bad arguments throw at the call.
  if (c.type !== C.SOCK_STREAM) throw new XsockError('ERR_XSOCK_WRONG_SOCKET_TYPE', 'byte chunks need a stream socket (use messages() for datagram and seqpacket sockets)');
  if (options === null || typeof options !== 'object') throw argType('options', 'an object', options);
  const size = options.size === undefined ? 65536 : intArg('options.size', options.size, 1, 1 << 30);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw argType('options.signal', 'an AbortSignal', options.signal);
  return iterate(c, size, options.signal ? { signal: options.signal } : undefined);
}

async function* iterate(c: SocketCore, size: number, wait: WaitOptions | undefined): AsyncGenerator<Buffer, void, undefined> {
  let slab = Buffer.allocUnsafe(size);
  for (;;) {
    if (c.fd < 0) return;
    let n: number | null;
    try {
      n = tryRecvInto(c, slab, 0) ?? await recvInto(c, slab, 0, wait);
    } catch (err) {
      if ((err as XsockError).code === 'ERR_XSOCK_CLOSED') return;
      throw err;
    }
    if (n === 0) return;
    if (n < COPY_BELOW) {
      yield Buffer.from(slab.subarray(0, n));
    } else {
      const chunk = slab.subarray(0, n);
      slab = Buffer.allocUnsafe(size);
      yield chunk;
    }
  }
}
