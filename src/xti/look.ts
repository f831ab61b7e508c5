/**
 * Events: what t_look reports, computed from the endpoint's stored events plus a
 * non-blocking poll(2) of its socket(s). Pulling kernel news into stored events happens
 * here only (refresh), so every call sees one consistent order of events:
 * disconnect first, then unitdata error, connect indication/confirmation, expedited data,
 * normal data, and orderly release (which the kernel queues behind the data).
 */
import { native } from '../binding.js';
import { constants as C } from '../constants.js';
import { scratch } from '../readiness.js';
import {
  T_IDLE, T_INCON, T_OUTCON, T_DATAXFER, T_OUTREL, T_INREL, T_CLTS, T_COTS_ORD,
  T_LISTEN, T_CONNECT, T_DATA, T_EXDATA, T_DISCONNECT, T_UDERR, T_ORDREL,
} from './constants.js';
import { endpointOf, type Endpoint } from './endpoint.js';

const POLL_ALL = C.POLLIN | C.POLLPRI | C.POLLRDHUP | C.POLLHUP | C.POLLERR;
const errBuf = Buffer.alloc(4);
const errqData = Buffer.alloc(64 * 1024);
const errqAddr = Buffer.alloc(C.SIZEOF_SOCKADDR_STORAGE);
const errqControl = Buffer.alloc(512);

/** Reads and clears SO_ERROR. */
export function soError(fd: number): number {
  const len = native.getsockopt(fd, C.SOL_SOCKET, C.SO_ERROR, errBuf);
  return len >= 4 ? errBuf.readInt32LE(0) : 0;
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
    ep.incoming.push(s);
  }
  // A caller who gave up before t_accept: never-reported ones vanish, reported ones
  // become a disconnect indication carrying their sequence number.
  ep.incoming = ep.incoming.filter((s) => {
    if (!gaveUp(s.fd)) return true;
    s.close();
    return false;
  });
  for (const ind of ep.outstanding.values()) {
    if (ind.gone || !gaveUp(ind.sock.fd)) continue;
    ind.gone = true;
    ep.discons.push({ reason: soError(ind.sock.fd) || C.ECONNRESET, sequence: ind.seq });
  }
}

/**
 * A queued connection whose caller went away: reset, or closed with nothing sent. (One
 * that sent data and then released is still a caller with something to say.)
 */
function gaveUp(fd: number): boolean {
  const rev = native.pollNow(fd, POLL_ALL);
  if (rev & (C.POLLERR | C.POLLHUP)) return true;
  return (rev & C.POLLRDHUP) !== 0 && native.ioctlInt(fd, C.FIONREAD) === 0;
}

function refreshConnecting(ep: Endpoint): void {
  if (ep.connected || ep.discons.length > 0 || !ep.connectTo) return;
  try {
    if (ep.sock.tryConnect(ep.connectTo)) ep.connected = true;
  } catch (err) {
    ep.discons.push({ reason: (err as { errno?: number }).errno ?? C.ECONNREFUSED, sequence: -1 });
  }
}

function refreshConnection(ep: Endpoint): void {
  if (ep.ended) return;
  const fd = ep.sock.fd;
  const rev = native.pollNow(fd, POLL_ALL);
  if (rev & C.POLLERR) {
    const err = soError(fd);
    if (err) {
      disconnected(ep, err);
      return;
    }
  }
  if (!(rev & (C.POLLRDHUP | C.POLLHUP)) || ep.rest) return;
  // The peer is gone or has released; the event is current only once its data is read.
  if (rev & C.POLLPRI) return;
  const queued = native.ioctlInt(fd, C.FIONREAD);
  if (queued > 0) return;
  if (ep.provider.info.servtype === T_COTS_ORD && ep.state !== T_INREL && (rev & C.POLLRDHUP)) {
    ep.ordrel = true;
    ep.ended = true;
  } else if (ep.provider.info.servtype !== T_COTS_ORD || (rev & C.POLLHUP)) {
    disconnected(ep, C.ECONNRESET);
  }
}

/** Stores the disconnect of the endpoint's own connection. */
export function disconnected(ep: Endpoint, reason: number): void {
  if (ep.discons.some((d) => d.sequence === -1)) return;
  ep.discons.push({ reason, sequence: -1 });
  ep.ordrel = false;
  ep.ended = true;
}

/**
 * Datagram errors the kernel queued (IP_RECVERR) become stored T_UDERR indications with
 * the destination that failed and the error.
 */
export function drainErrorQueue(ep: Endpoint): void {
  if (ep.provider.domain === 'unix') return;
  const fd = ep.sock.fd;
  if (!(native.pollNow(fd, C.POLLERR) & C.POLLERR)) return;
  for (;;) {
    const n = native.recvmsg(fd, [errqData], errqAddr, errqControl, C.MSG_ERRQUEUE);
    if (n < 0) break;
    const addrlen = scratch[0];
    const controllen = scratch[1];
    // struct cmsghdr { size_t len; int level; int type; } then struct sock_extended_err,
    // whose first field is ee_errno.
    const error = controllen >= 20 ? errqControl.readUInt32LE(16) : C.ECONNREFUSED;
    ep.uderrs.push({ addr: Buffer.from(errqAddr.subarray(0, addrlen)), error });
  }
  soError(fd);
}

/** The single current event of the endpoint, or 0. */
export function currentEvent(ep: Endpoint): number {
  refresh(ep);
  if (ep.discons.length > 0) return T_DISCONNECT;
  const fd = ep.sock.fd;
  if (ep.provider.info.servtype === T_CLTS) {
    if (ep.state !== T_IDLE) return 0;
    if (ep.uderrs.length > 0) return T_UDERR;
    return ep.rest || native.pollNow(fd, C.POLLIN) & C.POLLIN ? T_DATA : 0;
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
      const rev = native.pollNow(fd, C.POLLIN | C.POLLPRI);
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
