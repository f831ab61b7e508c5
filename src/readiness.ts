/**
 * Readiness: the only place that waits on the kernel. Every descriptor is registered once
 * with the environment's edge-triggered epoll instance (native/watcher.c), which reports an
 * event for every arrival — a message, a connection, urgent data, a hangup — and for room
 * to write while a waiter or subscriber asks for it (a unix or UDP sender would otherwise
 * be woken each time its peer consumed a message).
 *
 * Waiters follow Go's netpoller: a caller waits only after its try* call met EAGAIN (which
 * clears the direction, `drained`), so the next edge is news and wakes it. An edge that
 * arrives while nobody waits is kept for the next waiter, which it wakes at once — one
 * wake per edge, so no sequence of waits and retries can ever spin.
 *
 * Subscribers (the SIGPOLL analogue) are called for every edge in their mask, however far
 * the handler read: notification is per arrival, as SIGIO/SIGPOLL are.
 */
import { native, POLL_IN, POLL_OUT, POLL_PRI, POLL_RDHUP, POLL_ERR, POLL_HUP } from './binding.js';
import { XsockError, argType, intArg, systemError } from './errors.js';
import { arm, deadlineOf, type WaitOptions } from './wait.js';
import { constants as C } from './constants.js';

export { POLL_IN, POLL_OUT, POLL_PRI, POLL_RDHUP, POLL_ERR, POLL_HUP };
export type { WaitOptions };
/** Every bit a waiter or subscriber may ask for. */
const ALL = POLL_IN | POLL_OUT | POLL_PRI | POLL_RDHUP | POLL_ERR | POLL_HUP;
/** Conditions that concern every direction: each waiter retries and learns what happened. */
const WAKES_ALL = POLL_ERR | POLL_HUP;

interface Waiter {
  mask: number;
  resolve(events: number): void;
  reject(err: Error): void;
  cleanup: (() => void) | null;
}

interface Subscriber {
  mask: number;
  fn: (events: number) => void;
}

/** The live Readiness of each descriptor in this environment, by fd and by watch id. */
const byFd = new Map<number, Readiness>();
const byId = new Map<number, Readiness>();
let nextId = 1;
let initialised = false;
/** How many Readiness objects have waiters or subscribers: while > 0 the loop stays alive. */
let active = 0;

/** The scratch array shared with the shim for out-parameters and the watcher's flags (see binding.ts). */
export const scratch = new Int32Array(new ArrayBuffer(64));
/** Events delivered by the watcher: (id, bits) pairs. */
const events = new Int32Array(512);

function dispatch(count: number): void {
  for (let i = 0; i < count; i++) byId.get(events[2 * i]!)?.onEvent(events[2 * i + 1]!);
}

/** Registers the dispatcher with the shim once per environment (main thread or worker). */
export function ensureInit(): void {
  if (initialised) return;
  native.init(dispatch, scratch, events);
  initialised = true;
}

// Made at load, so the epoll descriptor exists before any caller counts its descriptors.
ensureInit();

/** scratch slots of the watcher's flags (native/xsock.h XS_IN_DISPATCH, XS_WANT_REF). */
const IN_DISPATCH = 14;
const WANT_REF = 15;

/**
 * Keeps the loop alive while anyone waits. Inside the watcher's callback the wish is only
 * written down: a ping-pong's waiter is woken (no one waits) and waits again before the
 * callback returns, and the shim applies the net change then — no crossing per round trip.
 */
function activity(delta: number): void {
  const was = active;
  active += delta;
  if ((was > 0) === (active > 0)) return;
  const on = active > 0 ? 1 : 0;
  scratch[WANT_REF] = on;
  if (scratch[IN_DISPATCH] === 0) native.watchRef(on);
}

/**
 * The readiness of one descriptor. There is one per descriptor per environment: `new
 * Readiness(fd)` and `Readiness.of(fd)` return the live one when a Socket, an XTI endpoint,
 * a pipe or another caller already watches that fd, so they all share one registration.
 */
export class Readiness {
  /** The descriptor watched (epoll_ctl EPOLL_CTL_ADD on the environment's epoll instance). */
  readonly fd: number;
  private readonly id: number = 0;
  private registered = false;
  /** Whether the registration asks for writability (EPOLLOUT): only while someone wants it. */
  private out = false;
  /** Edges seen since the direction was last drained or consumed by a waiter. */
  private ready = 0;
  private waiters: Waiter[] = [];
  private subscribers: Subscriber[] = [];
  private _closed = false;
  private failure: Error | null = null;
  private counted = false;
  /** Made by borrow() for a caller that does not own the fd; cleared once an owner takes it. */
  private borrowed = false;

  constructor(fd: number) {
    this.fd = intArg('fd', fd, 0, 0x7fffffff);
    const live = byFd.get(fd);
    if (live) {
      live.borrowed = false;
      return live;
    }
    this.id = nextId++;
    byFd.set(fd, this);
  }

  /** The live readiness of `fd` when something already watches it, else undefined (makes none). */
  static existing(fd: number): Readiness | undefined {
    return byFd.get(fd);
  }

  /** The shared readiness of `fd` (made when nobody watches it yet). */
  static of(fd: number): Readiness {
    return new Readiness(fd);
  }

  /**
   * The readiness of `fd` for the bounded waits of a caller that does not own the fd
   * (poll): the live one when something watches `fd`, else one made for the caller, which
   * `release()` unregisters again unless a Socket, endpoint or pipe took it meanwhile — so
   * a descriptor poll() met once is not left registered after its owner closes it.
   */
  static borrow(fd: number): Readiness {
    const live = byFd.get(fd);
    if (live) return live;
    const r = new Readiness(fd);
    r.borrowed = true;
    return r;
  }

  /** Ends a borrow(): closes a readiness made for it that nobody else took or waits on. */
  release(): void {
    if (this.borrowed && this.waiters.length === 0 && this.subscribers.length === 0) this.close();
  }

  /** True once close() ran: waits reject with ERR_XSOCK_CLOSED. */
  get closed(): boolean {
    return this._closed;
  }

  /**
   * Resolves with the events once any of `mask` has news since the last EAGAIN (errors
   * and hangup wake every waiter: the caller's retry of its syscall reports what
   * happened). Rejects when `opts` time out or abort, or the descriptor is closed.
   */
  wait(mask: number, opts?: WaitOptions): Promise<number> {
    if (this._closed) return Promise.reject(new XsockError('ERR_XSOCK_CLOSED', 'the socket is closed'));
    if (typeof mask !== 'number' || !Number.isInteger(mask) || (mask & ALL) === 0) {
      return Promise.reject(argType('mask', 'a non-zero set of POLL_* bits', mask));
    }
    try {
      deadlineOf(opts); // signal and timeout checked before anything is armed
    } catch (err) {
      return Promise.reject(err);
    }
    if (!this.register(mask)) return Promise.reject(this.failure!);
    let hit = this.ready & (mask | WAKES_ALL);
    // Writability of a connected unix datagram socket depends on its peer's queue; the
    // kernel relays the peer's drain to us only once a poll has found the peer full, and
    // an edge-triggered registration is polled only when it fires. A level probe arms the
    // relay (and catches room that appeared meanwhile).
    if (!hit && (mask & POLL_OUT)) hit = fromPoll(native.pollNow(this.fd, C.POLLOUT) & (C.POLLOUT | C.POLLERR | C.POLLHUP)) & (POLL_OUT | WAKES_ALL);
    if (hit) {
      // One wake per edge: consumed here, so a caller that waits again without news parks
      // (an error or hangup too: the caller's retry reports it, and it is no news twice).
      this.ready &= ~(hit | (mask & (POLL_IN | POLL_OUT | POLL_PRI | POLL_RDHUP)));
      return Promise.resolve(hit);
    }
    return new Promise<number>((resolve, reject) => {
      const w: Waiter = { mask, resolve, reject, cleanup: null };
      if (opts) {
        w.cleanup = arm(opts, (err) => {
          w.cleanup = null;
          this.drop(w);
          reject(err);
        }, (opts as { what?: string }).what === undefined ? waitName(this.fd, mask) : undefined);
      }
      this.waiters.push(w);
      this.count();
    });
  }

  /**
   * Calls fn(events) for every edge in `mask` from now on (and once at once when the
   * descriptor is already ready for it); returns the unsubscribe function.
   */
  subscribe(mask: number, fn: (events: number) => void): () => void {
    if (typeof fn !== 'function') throw argType('fn', 'a function', fn);
    if (typeof mask !== 'number' || (mask & ALL) === 0) throw argType('mask', 'a non-zero set of POLL_* bits', mask);
    if (this._closed) throw new XsockError('ERR_XSOCK_CLOSED', 'the socket is closed');
    if (!this.register(mask)) throw this.failure!;
    const s: Subscriber = { mask, fn };
    this.subscribers.push(s);
    this.count();
    // What is already queued was announced before the subscription: say so once.
    const now = native.pollNow(this.fd, pollEvents(mask)) & (pollEvents(mask) | C.POLLERR | C.POLLHUP);
    if (now > 0) {
      const bits = fromPoll(now) & (mask | WAKES_ALL);
      if (bits) queueMicrotask(() => { if (this.subscribers.includes(s)) call(s, bits); });
    }
    return () => {
      const i = this.subscribers.indexOf(s);
      if (i >= 0) this.subscribers.splice(i, 1);
      this.count();
    };
  }

  /** A try* call met EAGAIN for these bits: the direction has no news until the next edge. */
  drained(bits: number): void {
    this.ready &= ~bits;
  }

  /** Nothing to do: a registration costs nothing while nobody waits (kept for callers that idle a channel). */
  idle(): void {
    this.count();
  }

  /** Rejects every waiter and unregisters; must run before close(fd). */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    if (byFd.get(this.fd) === this) byFd.delete(this.fd);
    byId.delete(this.id);
    const ws = this.waiters;
    this.waiters = [];
    this.subscribers = [];
    this.count();
    if (this.registered) {
      this.registered = false;
      native.unwatch(this.fd);
    }
    for (const w of ws) {
      w.cleanup?.();
      w.reject(new XsockError('ERR_XSOCK_CLOSED', 'the socket was closed while waiting'));
    }
  }

  /** @internal called by the dispatcher for every edge. */
  onEvent(bits: number): void {
    if (this._closed) return;
    const writable = (bits & POLL_OUT) !== 0;
    if (bits & POLL_RDHUP) bits |= POLL_IN;
    if (bits & WAKES_ALL) bits |= POLL_IN | POLL_OUT | POLL_PRI;
    let consumed = 0;
    const ws = this.waiters;
    if (ws.length > 0) {
      // In place, without allocating: this runs once per wake-up on every busy socket.
      let kept = 0;
      for (let i = 0; i < ws.length; i++) {
        const w = ws[i]!;
        if ((w.mask & bits) !== 0) {
          consumed |= w.mask & bits;
          w.cleanup?.();
          w.resolve(bits);
        } else {
          ws[kept++] = w;
        }
      }
      // pop(), not `ws.length = kept`: a length store goes through the runtime and, at 0,
      // drops the backing store the next wait's push() must grow again.
      while (ws.length > kept) ws.pop();
      if (kept === 0) this.count();
    }
    // Consumed by a waiter it woke, or kept for the next one.
    this.ready |= consumed ? bits & ~(consumed | WAKES_ALL) : bits;
    for (const s of this.subscribers) {
      const hit = bits & (s.mask | WAKES_ALL);
      if (hit) call(s, hit);
    }
    // A writable edge nobody asked for: stop asking, so a busy reader or writer is not woken
    // for every message its peer consumes (re-asked by the next wait for output).
    if (writable && (consumed & POLL_OUT) === 0 && !this.wantsOut()) this.setOut(false);
  }

  /** Whether a waiter or subscriber still asks for writability. */
  private wantsOut(): boolean {
    for (const w of this.waiters) if (w.mask & POLL_OUT) return true;
    for (const s of this.subscribers) if (s.mask & POLL_OUT) return true;
    return false;
  }

  /** epoll_ctl(EPOLL_CTL_MOD) when interest in writability changes; false when it failed. */
  private setOut(on: boolean): boolean {
    if (this.out === on || !this.registered) return true;
    const rc = native.rewatch(this.fd, this.id, on ? 1 : 0);
    if (rc < 0) {
      this.failure = systemError(rc, 'epoll_ctl');
      return false;
    }
    this.out = on;
    return true;
  }

  /**
   * Registers with the watcher on first use, asking for writability when `mask` wants it;
   * false (and every wait fails) when it cannot be.
   */
  private register(mask: number): boolean {
    if (this.failure) return false;
    const out = (mask & POLL_OUT) !== 0;
    if (this.registered) return out ? this.setOut(true) : true;
    ensureInit();
    const rc = native.watch(this.fd, this.id, out ? 1 : 0);
    if (rc < 0) {
      // The fd cannot be watched (EBADF; EPERM for a regular file). Waking the waiters
      // would make them retry and wait again for ever: fail them instead.
      this.failure = systemError(rc, 'epoll_ctl');
      return false;
    }
    this.registered = true;
    this.out = out;
    byId.set(this.id, this);
    return true;
  }

  private drop(w: Waiter): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
    this.count();
  }

  /** Keeps the environment's count of descriptors that hold the loop alive. */
  private count(): void {
    const busy = !this._closed && (this.waiters.length > 0 || this.subscribers.length > 0);
    if (busy !== this.counted) {
      this.counted = busy;
      activity(busy ? 1 : -1);
    }
  }
}

function call(s: Subscriber, bits: number): void {
  try {
    s.fn(bits);
  } catch (err) {
    queueMicrotask(() => { throw err; });
  }
}

/** POLL_* bits -> poll(2) events for a level probe. */
function pollEvents(mask: number): number {
  return ((mask & POLL_IN) ? C.POLLIN : 0) | ((mask & POLL_PRI) ? C.POLLPRI : 0) | ((mask & POLL_OUT) ? C.POLLOUT : 0)
    | ((mask & POLL_RDHUP) ? C.POLLRDHUP : 0);
}

/** poll(2) revents -> POLL_* bits. */
function fromPoll(rev: number): number {
  return ((rev & C.POLLIN) ? POLL_IN : 0) | ((rev & C.POLLPRI) ? POLL_PRI : 0) | ((rev & C.POLLOUT) ? POLL_OUT : 0)
    | ((rev & C.POLLRDHUP) ? POLL_RDHUP | POLL_IN : 0) | ((rev & C.POLLERR) ? POLL_ERR : 0) | ((rev & C.POLLHUP) ? POLL_HUP : 0);
}

/** A bare wait as timeout and abort errors name it, when no call named itself. */
function waitName(fd: number, mask: number): string {
  const events = [mask & POLL_IN && 'readable', mask & POLL_OUT && 'writable', mask & POLL_PRI && 'urgent data'].filter(Boolean);
  return `the wait for ${events.join(' or ') || 'events'} on fd ${fd}`;
}
