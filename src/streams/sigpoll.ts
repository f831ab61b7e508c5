/**
 * I_SETSIG / I_GETSIG: the SIGPOLL analogue. Node cannot run a JS handler from a real
 * signal, so the handler is called from the event loop by the descriptor's readiness
 * watcher (one watcher per descriptor, shared with every other user of the Socket).
 *
 * As with SIGPOLL, one call may stand for several messages: notifications are edge-like,
 * and the next one comes only after the handler has drained the descriptor (a try* call
 * or a non-blocking I_RECVFD met EAGAIN / TNODATA).
 */
import { constants as C } from '../constants.js';
import { argType, intArg, systemError } from '../errors.js';
import { POLL_IN, POLL_OUT, POLL_PRI, POLL_RDHUP, POLL_ERR } from '../readiness.js';
import type { Socket } from '../socket/socket.js';
import { S_ALL, S_INPUT, S_HIPRI, S_OUTPUT, S_ERROR, S_HANGUP, S_RDNORM, S_RDBAND, S_WRBAND } from './constants.js';

/** Called with the S_* events that occurred (only those registered). */
export type SigpollHandler = (events: number, fd: number) => void;

interface Registration { mask: number; handler: SigpollHandler; unsubscribe: () => void }
const registered = new WeakMap<Socket, Registration>();

/** S_* mask -> readiness bits to watch. */
function pollBits(mask: number): number {
  let bits = 0;
  // Urgent data is input too: Solaris TCP hands expedited data up where S_INPUT and
  // S_RDNORM see it, and a lone urgent byte does not raise POLLIN on Linux.
  if (mask & (S_INPUT | S_RDNORM)) bits |= POLL_IN | POLL_PRI;
  if (mask & (S_HIPRI | S_RDBAND)) bits |= POLL_PRI;
  if (mask & (S_OUTPUT | S_WRBAND)) bits |= POLL_OUT;
  if (mask & S_HANGUP) bits |= POLL_RDHUP;
  return bits;
}

/** Readiness events -> the S_* bits of `mask` they stand for. */
function streamEvents(events: number, mask: number): number {
  let s = 0;
  if (events & POLL_IN) s |= S_INPUT | S_RDNORM;
  if (events & POLL_PRI) s |= S_HIPRI | S_RDBAND | S_INPUT | S_RDNORM;
  if (events & POLL_OUT) s |= S_OUTPUT | S_WRBAND;
  if (events & POLL_RDHUP) s |= S_HANGUP;
  if (events & POLL_ERR) s |= S_ERROR;
  return s & mask;
}

/**
 * ioctl(fd, I_SETSIG, mask): calls `handler` from the event loop when an event of `mask`
 * occurs. A mask of 0 unregisters (EINVAL when nothing is registered). Setting again
 * replaces the mask; the previous handler is kept when none is given.
 */
export function setsig(s: Socket, mask: number, handler?: SigpollHandler): number {
  intArg('arg', mask, 0, S_ALL);
  if (handler !== undefined && typeof handler !== 'function') throw argType('handler', 'a function', handler);
  const prev = registered.get(s);
  if (mask === 0) {
    if (!prev) throw systemError(-C.EINVAL, 'ioctl');
    prev.unsubscribe();
    registered.delete(s);
    return 0;
  }
  const fn = handler ?? prev?.handler;
  if (!fn) throw argType('handler', 'a function (no I_SETSIG handler is registered yet)', handler);
  prev?.unsubscribe();
  const fd = s.live();
  // POLL_ERR is always reported to subscribers; S_ERROR only filters what the handler sees.
  const unsubscribe = s.readiness.subscribe(pollBits(mask), (events) => {
    const hit = streamEvents(events, mask);
    if (hit) fn(hit, fd);
  });
  registered.set(s, { mask, handler: fn, unsubscribe });
  return 0;
}

/** ioctl(fd, I_GETSIG): the registered S_* mask; EINVAL when none is registered. */
export function getsig(s: Socket): number {
  const r = registered.get(s);
  if (!r) throw systemError(-C.EINVAL, 'ioctl');
  return r.mask;
}
