/**
 * Readiness: the only place that waits. One libuv poll watcher per descriptor, created on
 * first need, delivering input, priority (out-of-band), output, hangup and error.
 *
 * libuv polls level-triggered, so an event nobody drains would fire on every loop turn.
 * Two rules keep that from ever spinning:
 *  - waiters are one-shot: an event resolves the waiters for it; the bit stays armed
 *    until the end of that loop turn (a reader that loops re-waits at once and so saves
 *    two epoll_ctl calls) and is dropped then if nobody waits for it;
 *  - subscribers (the SIGPOLL analogue) are edge-like: after a notification the bit is
 *    latched until the owner reports it drained (a try* call met EAGAIN), so one
 *    notification may stand for many messages and the handler must read until EAGAIN.
 */
import { native, POLL_IN, POLL_OUT, POLL_PRI, POLL_RDHUP } from './binding.js';
import { XsockError, argType, intArg, systemError } from './errors.js';
import { arm, type WaitOptions } from './wait.js';

export { POLL_IN, POLL_OUT, POLL_PRI, POLL_RDHUP };
/** Not a poll bit: reported to subscribers when the watcher saw POLLERR (libuv status < 0). */
export const POLL_ERR = 16;
const ALL = POLL_IN | POLL_OUT | POLL_PRI | POLL_RDHUP;

export type { WaitOptions };

interface Waiter {
  mask: number;
  resolve(events: number): void;
  reject(err: Error): void;
  cleanup: (() => void) | null;
}

interface Subscriber {
  mask: number;
  latched: number;
  fn: (events: number) => void;
}

const registry = new Map<number, Readiness>();
/** The live Readiness of each descriptor in this environment: one watcher per fd, shared by every face. */
const byFd = new Map<number, Readiness>();
let nextId = 1;
let initialised = false;

function dispatch(id: number, status: number, events: number): void {
  registry.get(id)?.onEvent(status, events);
}

/** The scratch array shared with the shim for out-parameters (see binding.ts). */
export const scratch = new Int32Array(new ArrayBuffer(64));

/** Registers the dispatcher with the shim once per environment (main thread or worker). */
export function ensureInit(): void {
  if (initialised) return;
  native.init(dispatch, scratch);
  initialised = true;
}

/**
 * The readiness of one descriptor. There is one per descriptor per environment: `new
 * Readiness(fd)` and `Readiness.of(fd)` return the live one when a Socket, an XTI endpoint,
 * a pipe or another caller already watches that fd, so they all share one watcher.
 */
export class Readiness {
  readonly fd: number;
  private readonly id = nextId++;
  private handle: object | null = null;
  private armed = 0;
  private waiters: Waiter[] = [];
  private subscribers: Subscriber[] = [];
  private _closed = false;
  private failure: Error | null = null;
  private sweep: NodeJS.Immediate | null = null;

  constructor(fd: number) {
    this.fd = intArg('fd', fd, 0, 0x7fffffff);
    const live = byFd.get(fd);
    if (live) return live;
    byFd.set(fd, this);
  }

  /** The shared readiness of `fd` (made when nobody watches it yet). */
  static of(fd: number): Readiness {
    return byFd.get(fd) ?? new Readiness(fd);
  }

  /** True once close() ran: waits reject with ERR_XSOCK_CLOSED. */
  get closed(): boolean {
    return this._closed;
  }

  /**
   * Resolves with the events that fired once any of `mask` is ready (errors and hangup
   * wake every waiter: the caller's retry of its syscall reports what happened).
   */
  wait(mask: number, opts?: WaitOptions): Promise<number> {
    if (this._closed) return Promise.reject(new XsockError('ERR_XSOCK_CLOSED', 'the socket is closed'));
    if (this.failure) return Promise.reject(this.failure);
    if (typeof mask !== 'number' || (mask & ALL) === 0) return Promise.reject(argType('mask', 'a non-zero set of POLL_* bits', mask));
    return new Promise<number>((resolve, reject) => {
      const w: Waiter = { mask, resolve, reject, cleanup: null };
      if (opts) {
        w.cleanup = arm(opts, (err) => {
          w.cleanup = null;
          this.drop(w);
          reject(err);
        });
      }
      this.waiters.push(w);
      this.update(0);
    });
  }

  /** Stops watching bits nobody waits for now (instead of letting them linger a loop turn). */
  idle(): void {
    if (this.sweep) {
      clearImmediate(this.sweep);
      this.sweep = null;
    }
    this.update(0);
  }

  /** Calls fn(events) when an event in mask occurs; returns the unsubscribe function. */
  subscribe(mask: number, fn: (events: number) => void): () => void {
    const s: Subscriber = { mask, latched: 0, fn };
    this.subscribers.push(s);
    this.update(0);
    return () => {
      const i = this.subscribers.indexOf(s);
      if (i >= 0) this.subscribers.splice(i, 1);
      this.update(0);
    };
  }

  /** A try* call met EAGAIN for these bits: subscribers may be told about them again. */
  drained(bits: number): void {
    if (this.subscribers.length === 0) return;
    for (const s of this.subscribers) s.latched &= ~bits;
    this.update(0);
  }

  /** Rejects every waiter and stops the watcher; must run before close(fd). */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    if (byFd.get(this.fd) === this) byFd.delete(this.fd);
    if (this.sweep) clearImmediate(this.sweep);
    const ws = this.waiters;
    this.waiters = [];
    this.subscribers = [];
    for (const w of ws) {
      w.cleanup?.();
      w.reject(new XsockError('ERR_XSOCK_CLOSED', 'the socket was closed while waiting'));
    }
    if (this.handle) {
      native.unwatch(this.handle);
      this.handle = null;
      registry.delete(this.id);
    }
  }

  /** @internal called by the dispatcher. */
  onEvent(status: number, events: number): void {
    if (status < 0) {
      // libuv stopped the handle on POLLERR: every party retries and learns the error.
      this.armed = 0;
      events = ALL | POLL_ERR;
    }
    if (events & POLL_RDHUP) events |= POLL_IN;
    let served = 0;
    const ws = this.waiters;
    if (ws.length > 0) {
      // In place, without allocating: this runs once per wake-up on every busy socket.
      let kept = 0;
      for (let i = 0; i < ws.length; i++) {
        const w = ws[i]!;
        if ((w.mask & events) !== 0 || (events & POLL_ERR) !== 0) {
          served |= w.mask;
          w.cleanup?.();
          w.resolve(events);
        } else {
          ws[kept++] = w;
        }
      }
      ws.length = kept;
    }
    for (const s of this.subscribers) {
      const hit = events & (s.mask | POLL_ERR) & ~s.latched;
      if (hit) {
        s.latched |= hit & s.mask;
        try {
          s.fn(hit);
        } catch (err) {
          queueMicrotask(() => { throw err; });
        }
      }
    }
    this.update(served & events);
  }

  /** Every present and future wait rejects with `err`; the watcher is stopped. */
  private fail(err: Error): void {
    this.failure = err;
    this.armed = 0;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) {
      w.cleanup?.();
      w.reject(err);
    }
    if (this.handle) {
      native.unwatch(this.handle);
      this.handle = null;
      registry.delete(this.id);
    }
  }

  private drop(w: Waiter): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
    this.update(0);
  }

  private update(keep: number): void {
    if (this._closed || this.failure) return;
    let want = 0;
    for (const w of this.waiters) want |= w.mask;
    for (const s of this.subscribers) want |= s.mask & ~s.latched;
    const lingering = this.armed & keep & ~want & ALL;
    want = (want | lingering) & ALL;
    // A bit kept only for a reader that may re-wait must not keep the process alive:
    // once this loop turn's continuations ran, drop it unless someone waits again.
    if (lingering && !this.sweep) this.sweep = setImmediate(() => { this.sweep = null; this.update(0); });
    if (want === this.armed) return;
    if (this.handle === null) {
      if (want === 0) return;
      ensureInit();
      this.handle = native.watch(this.fd, this.id);
      registry.set(this.id, this);
    }
    const rc = native.watchSet(this.handle, want);
    if (rc < 0) {
      // The fd cannot be watched (EBADF; EPERM for a regular file; EEXIST when another
      // poll handle — Node's own — already watches it). Waking the waiters would make
      // them retry, meet EAGAIN and wait again for ever: fail them instead.
      this.fail(systemError(rc, 'uv_poll_start'));
      return;
    }
    this.armed = want;
  }
}

