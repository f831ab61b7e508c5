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
import { XsockError } from './errors.js';

export { POLL_IN, POLL_OUT, POLL_PRI, POLL_RDHUP };
/** Not a poll bit: reported to subscribers when the watcher saw POLLERR (libuv status < 0). */
export const POLL_ERR = 16;
const ALL = POLL_IN | POLL_OUT | POLL_PRI | POLL_RDHUP;

/** Bounds on any wait: an AbortSignal and/or a timeout in milliseconds. */
export interface WaitOptions {
  signal?: AbortSignal;
  timeout?: number;
}

interface Waiter {
  mask: number;
  resolve(events: number): void;
  reject(err: Error): void;
  cleanup?: () => void;
}

interface Subscriber {
  mask: number;
  latched: number;
  fn: (events: number) => void;
}

const registry = new Map<number, Readiness>();
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

/** The readiness of one descriptor. */
export class Readiness {
  readonly fd: number;
  private readonly id = nextId++;
  private handle: object | null = null;
  private armed = 0;
  private waiters: Waiter[] = [];
  private subscribers: Subscriber[] = [];
  private closed = false;
  private sweep: NodeJS.Immediate | null = null;

  constructor(fd: number) {
    this.fd = fd;
  }

  /**
   * Resolves with the events that fired once any of `mask` is ready (errors and hangup
   * wake every waiter: the caller's retry of its syscall reports what happened).
   */
  wait(mask: number, opts?: WaitOptions): Promise<number> {
    if (this.closed) return Promise.reject(new XsockError('ERR_XSOCK_CLOSED', 'the socket is closed'));
    return new Promise<number>((resolve, reject) => {
      const w: Waiter = { mask, resolve, reject };
      if (opts) bound(w, opts, () => this.drop(w));
      this.waiters.push(w);
      this.update(0);
    });
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
    if (this.closed) return;
    this.closed = true;
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
        const w = ws[i];
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

  private drop(w: Waiter): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
    this.update(0);
  }

  private update(keep: number): void {
    if (this.closed) return;
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
      // The fd is unusable for polling (EBADF, EPERM on a regular file): wake everyone
      // so their syscall reports the real error instead of hanging.
      this.armed = 0;
      queueMicrotask(() => this.onEvent(rc, 0));
      return;
    }
    this.armed = want;
  }
}

/** Applies timeout/AbortSignal to a waiter; `drop` removes it from its queue. */
function bound(w: Waiter, opts: WaitOptions, drop: () => void): void {
  const { signal, timeout } = opts;
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    w.cleanup?.();
    drop();
    w.reject(new XsockError('ERR_XSOCK_ABORTED', 'the operation was aborted', { cause: signal?.reason }));
  };
  if (signal) {
    if (signal.aborted) {
      queueMicrotask(onAbort);
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
  }
  if (timeout !== undefined && timeout !== Infinity) {
    timer = setTimeout(() => {
      w.cleanup?.();
      drop();
      w.reject(new XsockError('ERR_XSOCK_TIMEOUT', `the operation timed out after ${timeout} ms`));
    }, timeout);
  }
  w.cleanup = () => {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    w.cleanup = undefined;
  };
}
