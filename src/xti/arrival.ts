/**
 * T_MORE on a byte stream, as Solaris reports it. There t_rcv reads STREAMS messages:
 * what the transport handed up together is one message, and a buffer too small for it
 * gets T_MORE until its last byte (a 1-byte buffer over a 3-byte arrival: T_MORE, T_MORE,
 * 0). A socket keeps no message boundaries, so an arrival here is what was queued when
 * the first t_rcv of it ran; bytes that come in meanwhile make the next arrival. The
 * urgent mark ends an arrival too: what follows the expedited byte was a separate message.
 */
import type { Socket } from '../socket/index.js';
import type { Endpoint } from './endpoint.js';
import { queued } from './look.js';

// Keyed by the Socket: a new connection under the endpoint is a new Socket, and starts afresh.
const left = new WeakMap<Socket, number>();

/** Before reading normal data: the bytes of the current arrival (a new one when none is left). */
export function arrivalBytes(ep: Endpoint): number {
  const n = left.get(ep.sock) ?? 0;
  return n > 0 ? n : queued(ep.sock);
}

/** After reading `got` of the arrival's `had` bytes: whether some remain (T_MORE). */
export function arrivalMore(ep: Endpoint, had: number, got: number): boolean {
  const s = ep.sock;
  // The queue can hold less than we counted (an out-of-band urgent byte is counted until
  // passed), never more of this arrival.
  let rest = Math.min(had - got, queued(s));
  if (rest > 0 && atMark(s)) rest = 0;
  left.set(s, Math.max(rest, 0));
  return rest > 0;
}

/** SIOCATMARK; false where the socket type has no urgent mark (kernels without unix OOB). */
function atMark(s: Socket): boolean {
  try {
    return s.sockatmark();
  } catch {
    return false;
  }
}
