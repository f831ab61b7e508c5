/**
 * Events: what t_look reports, computed from the endpoint's stored events plus a
 * non-blocking poll(2) of its socket(s). Pulling kernel news into stored events happens
 * here only (refresh), so every call sees one consistent order of events:
 * disconnect first, then unitdata error, connect indication/confirmation, expedited data,
 * normal data, and orderly release (which the kernel queues behind the data).
 */
import { constants as C } from '../constants.js';
import type { Socket } from '../socket/index.js';
import {
  T_IDLE, T_INCON, T_OUTCON, T_DATAXFER, T_OUTREL, T_INREL, T_CLTS, T_COTS_ORD,
  T_LISTEN, T_CONNECT, T_DATA, T_EXDATA, T_DISCONNECT, T_UDERR, T_ORDREL,
} from './constants.js';
import { endpointOf, type Endpoint } from './endpoint.js';
import type { XtiEvent } from './names.js';

const POLL_ALL = C.POLLIN | C.POLLPRI | C.POLLRDHUP | C.POLLHUP | C.POLLERR;
/** Reads and clears SO_ERROR (0 when none, or when the socket cannot say). */
export function soError(s: Socket): number {
  try {
    return s.pendingError();
  } catch {
    return 0;
  }
}

/** Bytes queued for reading (0 when the socket cannot say, e.g. a reset connection). */
export function queued(s: Socket): number {
  try {
    return s.bytesQueued();
  } catch {
    return 0;
  }
}

/** Pulls what the kernel knows into the endpoint's stored events. Never waits. */
export function refresh(ep: Endpoint): void {
  if (ep.provider.info.servtype === T_CLTS) {
    if (ep.state === T_IDLE) drainErrorQueue(ep);
    return;
  }
  if ((ep.state === T_IDLE || ep.state === T_INCON) && ep.qlen > 0) refreshListener(ep);
  else if (ep.state === T_OUTCON) refreshConnecting(ep);
  else if (ep.state === T_DATAXFER || ep.state === T_OUTREL || ep.state === T_INREL) refreshConnection(ep);
}

function refreshListener(ep: Endpoint): void {
  while (ep.incoming.length + ep.outstanding.size < ep.qlen) {
    const s = ep.sock.tryAccept();
    if (!s) break;
    ep.queueIncoming(s);
  }
  // A caller who gave up before t_accept: never-reported ones vanish, reported ones
  // become a disconnect indication carrying their sequence number.
  ep.dropIncoming(gaveUp);
  for (const ind of ep.outstanding.values()) {
    if (ind.gone || !gaveUp(ind.sock)) continue;
    ep.indicationGone(ind, soError(ind.sock) || C.ECONNRESET);
  }
}

/**
 * A queued connection whose caller went away: reset, or closed with nothing sent. (One
 * that sent data and then released is still a caller with something to say.)
 */
function gaveUp(s: Socket): boolean {
  const rev = s.poll(POLL_ALL);
  if (rev & (C.POLLERR | C.POLLHUP)) return true;
  return (rev & C.POLLRDHUP) !== 0 && queued(s) === 0;
}

function refreshConnecting(ep: Endpoint): void {
  if (ep.connected || ep.discons.length > 0 || !ep.connectTo) return;
  try {
    if (ep.sock.tryConnect(ep.connectTo)) ep.connectCompleted();
  } catch (err) {
    const errno = (err as { errno?: number }).errno;
    ep.storeDisconnect(errno === undefined ? C.ECONNREFUSED : Math.abs(errno));
  }
}

function refreshConnection(ep: Endpoint): void {
  if (ep.ended) return;
  const s = ep.sock;
  const rev = s.poll(POLL_ALL);
  if (rev & C.POLLERR) {
    const err = soError(s);
    if (err) {
      ep.storeDisconnect(err);
      return;
    }
  }
  if (!(rev & (C.POLLRDHUP | C.POLLHUP)) || ep.rest) return;
  // The peer is gone or has released; the event is current only once its data is read.
  if (rev & C.POLLPRI) return;
  if (queued(s) > 0) return;
  if (ep.provider.info.servtype === T_COTS_ORD && ep.state !== T_INREL && (rev & C.POLLRDHUP)) {
    ep.storeOrderlyRelease();
  } else if (ep.provider.info.servtype !== T_COTS_ORD || (rev & C.POLLHUP)) {
    ep.storeDisconnect(C.ECONNRESET);
  }
}

/**
 * Datagram errors the kernel queued (IP_RECVERR) become stored T_UDERR indications with
 * the destination that failed and the error.
 */
export function drainErrorQueue(ep: Endpoint): void {
  if (ep.provider.domain === 'unix') return;
  const s = ep.sock;
  if (!(s.poll(C.POLLERR) & C.POLLERR)) return;
  for (;;) {
    let q;
    try {
      q = s.tryRecvErrqueue();
    } catch {
      break;
    }
    if (q === null) break;
    ep.storeUderr(q.addr, q.errno);
  }
  soError(s);
}

/** The single current event of the endpoint, or 0. */
export function currentEvent(ep: Endpoint): XtiEvent | 0 {
  refresh(ep);
  if (ep.discons.length > 0) return T_DISCONNECT;
  const s = ep.sock;
  if (ep.provider.info.servtype === T_CLTS) {
    if (ep.state !== T_IDLE) return 0;
    if (ep.uderrs.length > 0) return T_UDERR;
    return ep.rest || s.poll(C.POLLIN) & C.POLLIN ? T_DATA : 0;
  }
  switch (ep.state) {
    case T_IDLE:
    case T_INCON:
      return ep.incoming.length > 0 ? T_LISTEN : 0;
    case T_OUTCON:
      return ep.connected ? T_CONNECT : 0;
    case T_DATAXFER:
    case T_OUTREL:
    case T_INREL: {
      if (ep.ordrel) return T_ORDREL;
      if (ep.state === T_INREL) return 0;
      const rev = s.poll(C.POLLIN | C.POLLPRI);
      if (rev & C.POLLPRI) return T_EXDATA;
      return ep.rest || rev & C.POLLIN ? T_DATA : 0;
    }
    default:
      return 0;
  }
}

/** t_look(3NSL): the current event on the endpoint (T_LISTEN ... T_ORDREL), or 0. Never waits. */
export function t_look(fd: number): number {
  return currentEvent(endpointOf(fd, 't_look'));
}
