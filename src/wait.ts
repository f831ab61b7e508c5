/**
 * Bounded waiting shared by every call that may wait: one deadline per call, however many
 * readiness waits it takes, and timers that honour the same AbortSignal.
 */
import { XsockError } from './errors.js';
import type { WaitOptions } from './readiness.js';

/** Absolute deadline (ms, performance clock) of a call, or Infinity; validates options. */
export function deadlineOf(opts?: WaitOptions): number {
  if (opts === undefined) return Infinity;
  if (opts === null || typeof opts !== 'object') {
    throw new XsockError('ERR_XSOCK_INVALID_ARG_TYPE', 'The "options" argument must be an object with signal and/or timeout');
  }
  const t = opts.timeout;
  if (t === undefined || t === Infinity) return Infinity;
  if (typeof t !== 'number' || !(t >= 0)) {
    throw new XsockError('ERR_XSOCK_INVALID_ARG_TYPE', `The "options.timeout" must be a non-negative number of milliseconds; received ${String(t)}`);
  }
  return performance.now() + t;
}

/** The options for the next wait of a call with this deadline. */
export function remaining(deadline: number, opts?: WaitOptions): WaitOptions | undefined {
  if (opts === undefined) return undefined;
  if (deadline === Infinity) return opts.signal ? { signal: opts.signal } : undefined;
  return { signal: opts.signal, timeout: Math.max(0, deadline - performance.now()) };
}

/** A timer that rejects like a wait would on abort or deadline. */
export function sleep(ms: number, opts?: WaitOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const { signal, timeout } = opts ?? {};
    if (timeout !== undefined && timeout < ms) {
      setTimeout(() => reject(new XsockError('ERR_XSOCK_TIMEOUT', 'the operation timed out')), timeout);
      return;
    }
    if (signal?.aborted) {
      reject(new XsockError('ERR_XSOCK_ABORTED', 'the operation was aborted', { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new XsockError('ERR_XSOCK_ABORTED', 'the operation was aborted', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
