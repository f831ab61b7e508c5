/**
 * Connection establishment and release: t_connect, t_rcvconnect, t_listen, t_accept,
 * t_snddis, t_rcvdis, t_sndrel, t_rcvrel (and the *reldata forms), on connect(2),
 * accept(2), shutdown(2) and an abortive close (SO_LINGER 0: TCP RST).
 *
 * t_listen over sockets: the kernel completes the handshake before the application sees
 * the indication, so connections are accept()ed eagerly into the endpoint's queue (at
 * most qlen) and numbered; t_accept hands one to the responding endpoint, t_snddis
 * resets it — as the BSD SVR4 emulation did.
 */
import type { XtiResult } from './fd.js';
import { constants as C } from '../constants.js';
import { POLL_IN, POLL_OUT, POLL_RDHUP } from '../readiness.js';
import { shown, type SystemError } from '../errors.js';
import type { Socket } from '../socket/socket.js';
import { T_CALL, T_DIS, T_CLTS, T_COTS_ORD, T_IDLE, T_INCON, T_OUTCON, T_INREL, T_OUTREL, T_UNBND } from './constants.js';
import {
  TBADDATA, TBADOPT, TBADQLEN, TBADSEQ, TINDOUT, TLOOK, TNODATA, TNODIS, TNOREL, TNOTSUPPORT,
  TOUTSTATE, TPROVMISMATCH, TQFULL, TRESQLEN, terror, mappedError,
} from './errors.js';
import { checkState } from './states.js';
import type { XtiCall } from './names.js';
import { endpointOf, toSockAddr, fromSockAddr, renewSocket, type Endpoint } from './endpoint.js';
import { structArg, contents, fill, overflow, type TCall, type TDiscon } from './structures.js';
import { refresh, currentEvent } from './look.js';
import { mayWait, now, waitAny } from './call.js';

const REFUSALS = new Set(['ECONNREFUSED', 'ENOENT', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNRESET']);

function connectionMode(ep: Endpoint, call: XtiCall): void {
  if (ep.provider.info.servtype === T_CLTS) throw terror(call, TNOTSUPPORT, `${ep.provider.name} is connectionless`);
}

function orderly(ep: Endpoint, call: XtiCall): void {
  if (ep.provider.info.servtype !== T_COTS_ORD) throw terror(call, TNOTSUPPORT, `${ep.provider.name} has no orderly release`);
}

function noUserData(call: XtiCall, nb: { len: number } | undefined, what: string): void {
  if (nb && nb.len > 0) throw terror(call, TBADDATA, `${what}: this provider carries no user data with connect/disconnect`);
}

function lookIfDisconnected(ep: Endpoint, call: XtiCall): void {
  refresh(ep);
  if (ep.discons.length > 0) throw terror(call, TLOOK, 'a disconnect indication is pending');
}

/** Fills a t_call for a connected peer; returns false on TBUFOVFLW. */
function fillCall(ep: Endpoint, c: TCall | null, peer: Buffer, sequence?: number): boolean {
  if (!c) return true;
  if (sequence !== undefined) c.sequence = sequence;
  c.opt.len = 0;
  c.udata.len = 0;
  return fill(c.addr, peer);
}

function peerBytes(ep: Endpoint, s: Socket): Buffer {
  try {
    return fromSockAddr(ep, s.remoteAddress ?? s.getpeername());
  } catch {
    return Buffer.alloc(0);
  }
}

/** Aborts a connection: SO_LINGER {on, 0} so close(2) sends RST. */
function abort(s: Socket): void {
  try {
    if (s.domain !== C.AF_UNIX) s.setsockopt('SOL_SOCKET', 'SO_LINGER', { onoff: true, linger: 0 });
  } catch { /* already reset by the peer: closing is all that is left */ }
  s.close();
}

/**
 * t_connect(3NSL): connect(2) to sndcall.addr. Blocking: resolves 0 once connected
 * (T_DATAXFER), rcvcall filled. Non-blocking: starts the connect and fails TNODATA in
 * T_OUTCON; t_rcvconnect completes. Refused: TLOOK in T_OUTCON (t_rcvdis tells why).
 */
export function t_connect<F extends number>(fd: F, sndcall: TCall, rcvcall?: TCall | null): XtiResult<F, number>;
export function t_connect(fd: number, sndcall: TCall, rcvcall?: TCall | null): number | Promise<number> {
  const ep = endpointOf(fd, 't_connect');
  let started = false;
  return mayWait(ep, 't_connect', TNODATA, () => ep.sock.readiness.wait(POLL_OUT), () => {
    if (!started) {
      connectionMode(ep, 't_connect');
      checkState('t_connect', ep.state);
      const sc = structArg<TCall>('sndcall', sndcall, T_CALL, false)!;
      structArg<TCall>('rcvcall', rcvcall, T_CALL, true);
      noUserData('t_connect', sc.udata, 'sndcall.udata');
      if (sc.opt.len > 0) throw terror('t_connect', TBADOPT, 'options are negotiated with t_optmgmt on this provider');
      const dest = toSockAddr(ep, contents(sc.addr), 't_connect');
      if (currentEvent(ep) !== 0) throw terror('t_connect', TLOOK, 'an event is pending');
      let done: boolean;
      try {
        done = ep.sock.tryConnect(dest);
      } catch (err) {
        const e = err as SystemError;
        const mapped = mappedError('t_connect', err);
        if (mapped) throw mapped;
        if (!REFUSALS.has(e.code)) throw err;
        ep.beginConnect(dest, false);
        ep.storeDisconnect(Math.abs(e.errno));
        throw terror('t_connect', TLOOK, `the connection was refused (${e.code})`);
      }
      started = true;
      ep.beginConnect(dest, done);
      if (ep.nonblock) return null;
    }
    return confirm(ep, 't_connect', rcvcall ?? null);
  });
}

/** Completes a connect in T_OUTCON: 0, null (not yet), or TLOOK on a disconnect. */
function confirm(ep: Endpoint, call: XtiCall, c: TCall | null): number | null {
  if (ep.state !== T_OUTCON) throw terror(call, TOUTSTATE, 'the connect was abandoned');
  lookIfDisconnected(ep, call);
  if (!ep.connected) return null;
  ep.confirmConnect();
  if (!fillCall(ep, c, peerBytes(ep, ep.sock))) throw overflow(call, 'call.addr');
  return 0;
}

/**
 * t_rcvconnect(3NSL): the confirmation of a connect started in non-blocking mode.
 * Non-blocking: TNODATA until it arrives; blocking: waits (poll for writability).
 */
export function t_rcvconnect<F extends number>(fd: F, call?: TCall | null): XtiResult<F, number>;
export function t_rcvconnect(fd: number, call?: TCall | null): number | Promise<number> {
  const ep = endpointOf(fd, 't_rcvconnect');
  return mayWait(ep, 't_rcvconnect', TNODATA, () => ep.sock.readiness.wait(POLL_OUT), () => {
    connectionMode(ep, 't_rcvconnect');
    checkState('t_rcvconnect', ep.state);
    const c = structArg<TCall>('call', call, T_CALL, true);
    return confirm(ep, 't_rcvconnect', c);
  });
}

/**
 * t_listen(3NSL): the next connect indication, numbered in call.sequence (T_INCON,
 * ocnt + 1). qlen 0: TBADQLEN; ocnt == qlen: TQFULL (once); a stored disconnect: TLOOK.
 */
export function t_listen<F extends number>(fd: F, call: TCall): XtiResult<F, number>;
export function t_listen(fd: number, call: TCall): number | Promise<number> {
  const ep = endpointOf(fd, 't_listen');
  const wait = () => waitAny([
    ...(ep.incoming.length + ep.ocnt < ep.qlen ? [{ readiness: ep.sock.readiness, mask: POLL_IN }] : []),
    ...[...ep.outstanding.values()].filter((i) => !i.gone).map((i) => ({ readiness: i.sock.readiness, mask: POLL_RDHUP })),
  ]);
  return mayWait(ep, 't_listen', TNODATA, wait, () => {
    connectionMode(ep, 't_listen');
    checkState('t_listen', ep.state);
    const c = structArg<TCall>('call', call, T_CALL, false)!;
    if (ep.qlen === 0) throw terror('t_listen', TBADQLEN, 'the endpoint was bound with qlen 0');
    lookIfDisconnected(ep, 't_listen');
    if (ep.ocnt >= ep.qlen) {
      if (ep.reportQueueFull()) {
        throw terror('t_listen', TQFULL, `${ep.ocnt} indications outstanding (qlen ${ep.qlen})`);
      }
      return null;
    }
    const ind = ep.takeIncoming((s) => peerBytes(ep, s));
    if (!ind) return null;
    if (!fillCall(ep, c, ind.addr, ind.seq)) throw overflow('t_listen', 'call.addr');
    return 0;
  });
}

/**
 * t_accept(3NSL): accepts indication call.sequence on `resfd` (a separately opened
 * endpoint in T_UNBND or T_IDLE with qlen 0, or fd itself when it is the only one).
 */
export function t_accept(fd: number, resfd: number, call: TCall): number {
  return now('t_accept', () => {
    const ep = endpointOf(fd, 't_accept');
    const res = endpointOf(resfd, 't_accept');
    connectionMode(ep, 't_accept');
    checkState('t_accept', ep.state);
    const c = structArg<TCall>('call', call, T_CALL, false)!;
    noUserData('t_accept', c.udata, 'call.udata');
    if (c.opt.len > 0) throw terror('t_accept', TBADOPT, 'options are negotiated with t_optmgmt on this provider');
    if (res !== ep) {
      if (res.provider !== ep.provider) throw terror('t_accept', TPROVMISMATCH, `${res.provider.name} cannot accept for ${ep.provider.name}`);
      if (res.state !== T_UNBND && res.state !== T_IDLE) throw terror('t_accept', TOUTSTATE, 'resfd must be in T_UNBND or T_IDLE');
      if (res.qlen > 0) throw terror('t_accept', TRESQLEN, 'resfd was bound with qlen > 0');
    } else if (ep.ocnt > 1) {
      throw terror('t_accept', TINDOUT, `${ep.ocnt} indications outstanding; accept on another endpoint`);
    }
    refresh(ep);
    const ind = Number.isInteger(c.sequence) ? ep.outstanding.get(c.sequence) : undefined;
    if (!ind || ind.gone) throw terror('t_accept', TBADSEQ, `no outstanding indication ${shown(c.sequence)}`);
    ep.accept(ind, res);
    return 0;
  });
}

/**
 * t_snddis(3NSL): abortive disconnect — TCP RST (SO_LINGER 0, close). In T_INCON it
 * rejects indication call.sequence instead. The endpoint returns to T_IDLE, bound.
 */
export function t_snddis(fd: number, call?: TCall | null): number {
  return now('t_snddis', () => {
    const ep = endpointOf(fd, 't_snddis');
    connectionMode(ep, 't_snddis');
    checkState('t_snddis', ep.state);
    const c = structArg<TCall>('call', call, T_CALL, true);
    if (c) noUserData('t_snddis', c.udata, 'call.udata');
    if (ep.state === T_INCON) {
      const ind = c && Number.isInteger(c.sequence) ? ep.outstanding.get(c.sequence) : undefined;
      if (!ind) throw terror('t_snddis', TBADSEQ, `no outstanding indication ${shown(c?.sequence)}`);
      abort(ind.sock);
      ep.rejectIndication(ind);
      return 0;
    }
    lookIfDisconnected(ep, 't_snddis');
    if (ep.sock.domain !== C.AF_UNIX) ep.sock.setsockopt('SOL_SOCKET', 'SO_LINGER', { onoff: true, linger: 0 });
    ep.transition('snddis');
    renewSocket(ep);
    return 0;
  });
}

/**
 * t_rcvdis(3NSL): takes the pending disconnect indication (reason = errno, sequence for a
 * connect indication that went away). None: TNODIS.
 */
export function t_rcvdis(fd: number, discon?: TDiscon | null): number {
  return now('t_rcvdis', () => {
    const ep = endpointOf(fd, 't_rcvdis');
    connectionMode(ep, 't_rcvdis');
    checkState('t_rcvdis', ep.state);
    const d = structArg<TDiscon>('discon', discon, T_DIS, true);
    refresh(ep);
    const dis = ep.takeDisconnect();
    if (!dis) throw terror('t_rcvdis', TNODIS, 'no disconnect indication is pending');
    if (d) {
      d.reason = dis.reason;
      d.sequence = dis.sequence >= 0 ? dis.sequence : 0;
      d.udata.len = 0;
    }
    if (dis.sequence >= 0) {
      ep.indicationDisconnected(dis.sequence);
    } else {
      ep.transition('rcvdis');
      renewSocket(ep);
    }
    return 0;
  });
}

/** t_sndrel(3NSL): orderly release, shutdown(SHUT_WR) — the peer reads EOF. */
export function t_sndrel(fd: number): number {
  return now('t_sndrel', () => sndrel(endpointOf(fd, 't_sndrel'), 't_sndrel'));
}

function sndrel(ep: Endpoint, call: XtiCall): number {
  orderly(ep, call);
  checkState('t_sndrel', ep.state);
  lookIfDisconnected(ep, call);
  ep.sock.shutdown('write');
  const was = ep.state;
  ep.transition('sndrel');
  if (was === T_INREL) renewSocket(ep);
  return 0;
}

/** t_rcvrel(3NSL): takes the peer's orderly release (EOF). None current: TNOREL. */
export function t_rcvrel(fd: number): number {
  return now('t_rcvrel', () => rcvrel(endpointOf(fd, 't_rcvrel'), 't_rcvrel'));
}

function rcvrel(ep: Endpoint, call: XtiCall): number {
  orderly(ep, call);
  checkState('t_rcvrel', ep.state);
  lookIfDisconnected(ep, call);
  const was = ep.state;
  if (!ep.takeOrderlyRelease()) throw terror(call, TNOREL, 'no orderly release indication is current');
  ep.transition('rcvrel');
  if (was === T_OUTREL) renewSocket(ep);
  return 0;
}

/** t_sndreldata(3NSL): t_sndrel with user data — which TCP and unix streams cannot carry (TBADDATA). */
export function t_sndreldata(fd: number, discon?: TDiscon | null): number {
  return now('t_sndreldata', () => {
    const ep = endpointOf(fd, 't_sndreldata');
    const d = structArg<TDiscon>('discon', discon, T_DIS, true);
    orderly(ep, 't_sndreldata');
    noUserData('t_sndreldata', d?.udata, 'discon.udata');
    return sndrel(ep, 't_sndreldata');
  });
}

/** t_rcvreldata(3NSL): t_rcvrel returning (empty) release data in discon. */
export function t_rcvreldata(fd: number, discon?: TDiscon | null): number {
  return now('t_rcvreldata', () => {
    const ep = endpointOf(fd, 't_rcvreldata');
    const d = structArg<TDiscon>('discon', discon, T_DIS, true);
    rcvrel(ep, 't_rcvreldata');
    if (d) {
      d.udata.len = 0;
      d.reason = 0;
    }
    return 0;
  });
}

