/**
 * Bounded waiting, the only module that sets timers: the validated { signal, timeout } of
 * a call, one deadline per call however many waits it takes, and the single arming of a
 * timeout plus an AbortSignal that every wait (readiness, pauses, helper replies) uses.
 */
import { AbortError, XsockError, argType } from './errors.js';

/** Bounds on any wait: an AbortSignal and/or a timeout in milliseconds. */
export interface WaitOptions {
  /** Aborts the wait: the call rejects with an AbortError whose `cause` is the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Milliseconds (0 to 2^31-1, or Infinity) before the call rejects with ERR_XSOCK_TIMEOUT. */
  timeout?: number | undefined;
}

/**
 * The bounds of one wait within a call (not for users): `what` names the call in timeout and
 * abort errors, `limit` is the timeout the caller gave (`timeout` is what remains of it).
 */
export interface CallWait extends WaitOptions {
  what?: string | undefined;
  limit?: number | undefined;
}

/** Longest timer Node can arm (a larger delay fires after 1 ms). */
const MAX_TIMEOUT = 0x7fffffff;

/** Validates `opts`; the absolute deadline (ms, performance clock) of a call, or Infinity. */
export function deadlineOf(opts?: WaitOptions): number {
  if (opts === undefined) return Infinity;
  if (opts === null || typeof opts !== 'object') throw argType('options', 'an object with signal and/or timeout', opts);
  if (opts.signal !== undefined && !(opts.signal instanceof AbortSignal)) throw argType('options.signal', 'an AbortSignal', opts.signal);
  const t = opts.timeout;
  if (t === undefined || t === Infinity) return Infinity;
  if (typeof t !== 'number' || Number.isNaN(t)) throw argType('options.timeout', 'a number of milliseconds', t);
  if (t < 0 || t > MAX_TIMEOUT) {
    throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', `The "options.timeout" argument must be >= 0 and <= ${MAX_TIMEOUT} ms, or Infinity; received ${t}`);
  }
  return performance.now() + t;
}

/** The options for the next wait of the call `what` with this deadline. */
export function remaining(deadline: number, opts?: WaitOptions, what?: string): CallWait | undefined {
  if (opts === undefined) return undefined;
  if (deadline === Infinity) return opts.signal ? { signal: opts.signal, what } : undefined;
  return { signal: opts.signal, timeout: Math.max(0, deadline - performance.now()), limit: opts.timeout, what };
}

/** The error of a wait whose AbortSignal fired: Node's AbortError, cause = the reason. */
export function abortError(signal: AbortSignal | undefined, what = 'the operation'): AbortError {
  return new AbortError(`${what} was aborted`, { cause: signal?.reason });
}

/** The error of a wait whose timeout passed: what timed out, and the limit in whole ms. */
export function timeoutError(ms: number, what = 'the operation'): XsockError {
  return new XsockError('ERR_XSOCK_TIMEOUT', `${what} timed out after ${Math.round(ms)} ms`);
}

/**
 * Arms the bounds of one wait: `fire(err)` runs at most once, when the signal aborts
 * (also when it already has: on the next microtask) or the timeout passes. Returns the
 * disarm function, to call when the wait ends otherwise.
 */
export function arm(opts: CallWait | undefined, fire: (err: Error) => void, what?: string): () => void {
  if (opts === undefined) return noop;
  const { signal, timeout, limit } = opts;
  what = opts.what ?? what;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let done = false;
  const once = (err: Error): void => {
    if (done) return;
    done = true;
    disarm();
    fire(err);
  };
  const onAbort = (): void => once(abortError(signal, what));
  const disarm = (): void => {
    done = true;
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
  if (signal) {
    if (signal.aborted) {
      queueMicrotask(onAbort);
      return disarm;
    }
    signal.addEventListener('abort', onAbort, { once: true });
  }
  if (timeout !== undefined && timeout !== Infinity) timer = setTimeout(() => once(timeoutError(limit ?? timeout, what)), timeout);
  return disarm;
}

function noop(): void { /* nothing armed */ }

/** A pause of `ms` that rejects like a wait would on abort or deadline. */
export function sleep(ms: number, opts?: CallWait): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const disarm = arm(opts, (err) => {
      clearTimeout(timer);
      reject(err);
    });
    timer = setTimeout(() => {
      disarm();
      resolve();
    }, ms);
  });
}

/**
 * A pause of at most `ms` that also ends as soon as `until` calls its `wake` (an event that
 * may change the answer, such as a descriptor being freed); rejects like a wait on abort or
 * deadline. `until` returns its unsubscribe function.
 */
export function pauseUntil(ms: number, opts: CallWait | undefined, until: (wake: () => void) => () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let unsubscribe = noop;
    const end = (): void => {
      unsubscribe();
      clearTimeout(timer);
      disarm();
    };
    const disarm = arm(opts, (err) => {
      end();
      reject(err);
    });
    const timer = setTimeout(() => {
      end();
      resolve();
    }, ms);
    unsubscribe = until(() => {
      end();
      resolve();
    });
  });
}

/** A timer that can be pushed back (an idle timeout): `refresh()` restarts it, `cancel()` stops it. */
export interface Deadline { refresh(): void; cancel(): void }

/** Calls `fire` once `ms` pass without a refresh(). */
export function deadline(ms: number, fire: () => void): Deadline {
  const t = setTimeout(fire, ms);
  return { refresh: () => { t.refresh(); }, cancel: () => clearTimeout(t) };
}
