/**
 * SIGURG for Node: a notification when the kernel learns of urgent data on a TCP socket —
 * from the urgent pointer, even while the byte itself is held back by a closed receive
 * window (POLLPRI, and so the readiness, fires only once the byte is in).
 *
 * Linux tells only through SIGURG, sent to the socket's owner (fcntl F_SETOWN) and carrying
 * no descriptor. Each subscribed socket is owned by this process; every environment (the
 * main thread, each worker) with subscriptions is told of each SIGURG on its own loop and
 * asks its subscribed sockets recv(MSG_OOB|MSG_PEEK) — EAGAIN: announced, a byte: arrived,
 * EINVAL: none — then calls the subscribers of the sockets whose urgent data is new: that
 * became pending, or announced anew after its byte had arrived, since the last signal. A
 * signal that finds nothing new here (another urgent pointer on a socket whose earlier
 * urgent data is still held back; signals coalesce; or a signal about another thread's
 * socket) calls every subscriber whose socket still has urgent data pending.
 */
import { XsockError, argType } from './errors.js';
import { constants as C } from './constants.js';
import { Socket, listenSigurg } from './socket/index.js';
import type { UrgentState } from './socket/urgent.js';

/** What a subscriber is told: the socket and whether its urgent byte is in yet. */
export type UrgentHandler = (sock: Socket, state: 'announced' | 'arrived') => void;

interface Watch { sock: Socket; fns: UrgentHandler[]; last: UrgentState }

const watched = new Map<Socket, Watch>();
let stop: (() => void) | null = null;

/**
 * Calls `fn(sock, state)` whenever the kernel announces urgent data on `sock` (a TCP
 * socket): fcntl(F_SETOWN, process.pid) and SIGURG, on the main thread or in a worker.
 * Returns the unsubscribe function, which gives up the ownership with the last subscriber.
 * A subscription alone does not keep the process or worker alive, as process.on('SIGURG')
 * does not.
 */
export function onUrgent(sock: Socket, fn: UrgentHandler): () => void {
  if (!(sock instanceof Socket)) throw argType('sock', 'a Socket', sock);
  if (typeof fn !== 'function') throw argType('fn', 'a function', fn);
  if (sock.closed) throw new XsockError('ERR_XSOCK_CLOSED', 'the socket is closed');
  if (sock.type !== C.SOCK_STREAM || (sock.domain !== C.AF_INET && sock.domain !== C.AF_INET6)) {
    throw new XsockError('ERR_XSOCK_WRONG_SOCKET_TYPE', 'urgent-data notification (SIGURG) needs a TCP socket');
  }
  let w = watched.get(sock);
  if (!w) {
    sock.setOwner(process.pid);
    w = { sock, fns: [], last: sock.urgentState() };
    watched.set(sock, w);
  }
  w.fns.push(fn);
  listen();
  const entry = w;
  return () => {
    const i = entry.fns.indexOf(fn);
    if (i < 0) return;
    entry.fns.splice(i, 1);
    if (entry.fns.length === 0) {
      watched.delete(entry.sock);
      if (!entry.sock.closed) entry.sock.setOwner(0);
    }
    listen();
  };
}

/** Keeps one SIGURG listener while anything is subscribed (it does not hold the loop, as Node's signal handles do not). */
function listen(): void {
  if (watched.size > 0 && !stop) {
    stop = listenSigurg(onSignal);
  } else if (watched.size === 0 && stop) {
    stop();
    stop = null;
  }
}

function onSignal(): void {
  const fresh: [Watch, 'announced' | 'arrived'][] = [];
  const still: [Watch, 'announced' | 'arrived'][] = [];
  for (const w of [...watched.values()]) {
    if (w.sock.closed) {
      watched.delete(w.sock);
      continue;
    }
    let state;
    try {
      state = w.sock.urgentState();
    } catch {
      continue; // the connection failed: its reads report that
    }
    const was = w.last;
    w.last = state;
    if (state === 'none') continue;
    // A new urgent pointer behind a byte already in makes it announced again.
    const isNew = was === 'none' || (was === 'arrived' && state === 'announced');
    (isNew ? fresh : still).push([w, state]);
  }
  listen();
  for (const [w, state] of fresh.length > 0 ? fresh : still) {
    for (const fn of [...w.fns]) {
      try {
        fn(w.sock, state);
      } catch (err) {
        queueMicrotask(() => { throw err; });
      }
    }
  }
}
