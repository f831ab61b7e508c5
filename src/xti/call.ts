/**
 * How an XTI call runs. On a non-blocking endpoint (O_NONBLOCK) every call is synchronous:
 * it returns its result or throws a TError (TNODATA / TFLOW where it would have to wait).
 * On a blocking endpoint a call that may wait returns a Promise — the caller suspends,
 * the process does not — which rejects with the TError. Either way `t_errno` is set.
 */
import { XsockError } from '../errors.js';
import { constants as C } from '../constants.js';
import { TError, TBADF, terror, tsyserr } from './errors.js';
import type { Endpoint } from './endpoint.js';
import type { XtiCall } from './names.js';
import type { SystemError } from '../errors.js';
import { retry, rejecting, type Pace } from '../socket/index.js';

/** Any failure inside an XTI call -> what the call reports (system errors: TSYSERR). */
export function xtiError(call: XtiCall, err: unknown): unknown {
  if (err instanceof TError) return err;
  if (err instanceof XsockError) return err.code === 'ERR_XSOCK_CLOSED' ? terror(call, TBADF, 'the endpoint was closed') : err;
  const e = err as Partial<SystemError>;
  if (err instanceof Error && typeof e.errno === 'number' && typeof e.syscall === 'string') return tsyserr(call, err as SystemError);
  return err;
}

/** Runs a call that never waits, mapping failures. */
export function now<T>(call: XtiCall, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw xtiError(call, err);
  }
}

/**
 * Runs a call that may wait. `attempt` does the whole call once, returning null when it
 * would have to wait; `wait(round)` waits for the readiness that may change that.
 */
export function mayWait<T>(ep: Endpoint, call: XtiCall, failWith: number,
  wait: (round: number) => Promise<unknown>, attempt: () => T | null, pace?: Pace): T | Promise<T> {
  if (ep.nonblock) {
    return now(call, () => {
      const r = attempt();
      if (r === null) throw terror(call, failWith);
      return r;
    });
  }
  return rejecting(() => retry(() => now(call, attempt), {
    wait: (_o, round) => wait(round).catch((err: unknown) => { throw xtiError(call, err); }),
    ...(pace ? { pace } : {}),
  }));
}

/** Waits until any of several (readiness, mask) pairs fires; the others are cancelled. */
export async function waitAny(waits: { readiness: { wait(mask: number, o?: { signal?: AbortSignal }): Promise<number> }; mask: number }[]): Promise<void> {
  if (waits.length === 0) return new Promise<void>(() => { /* nothing can change: C would block here too */ });
  const ac = new AbortController();
  try {
    await Promise.race(waits.map((w) => w.readiness.wait(w.mask, { signal: ac.signal })));
  } finally {
    ac.abort();
  }
}

/**
 * A socket-layer try* call as the XTI code reasons about it, in C's terms: the count,
 * -EAGAIN when it would have to wait, -errno when the kernel refused.
 */
export function rc(fn: () => number | null): number {
  try {
    const n = fn();
    return n === null ? -C.EAGAIN : n;
  } catch (err) {
    const e = err as Partial<SystemError>;
    if (err instanceof Error && typeof e.errno === 'number' && typeof e.syscall === 'string') return -Math.abs(e.errno);
    throw err;
  }
}
