/**
 * The one retry loop, in the shape of Go's poll.FD: try the call; on EAGAIN wait for the
 * readiness that may change the answer; try again. Every Promise form of the socket layer,
 * and every XTI call that may wait, goes through `retry`.
 *
 * Five kernel conditions give no readiness worth waiting for; their pacing lives here, named,
 * and is the only backoff in the library:
 *  - an unconnected datagram sender is told POLLOUT right after EAGAIN (the socket's own
 *    send buffer has room; the receiver's queue is what is full);
 *  - a unix stream listener whose backlog is full refuses connect with EAGAIN and
 *    nothing becomes ready when it drains;
 *  - POLLPRI reports a TCP urgent pointer before the urgent byte itself has arrived;
 *  - splice(2) refuses with EAGAIN while poll(2) finds both ends ready (less than a page
 *    of room in a pipe);
 *  - accept(2) fails with EMFILE/ENFILE while a connection is queued (no readiness will
 *    announce that a descriptor was freed elsewhere).
 *
 * And one backstop: a call whose attempts keep coming back empty although its waits end at
 * once (a condition the attempt misreads as "not yet" while the kernel reports the
 * descriptor ready — connect after another call took its error was one) would otherwise
 * loop in microtasks and starve every timer, its own timeout included. Past
 * `EMPTY_ROUNDS` rounds each further wait is preceded by a 1 ms pause: such a bug costs a
 * slow poll, never a frozen process.
 */
import { systemError } from '../errors.js';
import type { WaitOptions } from '../readiness.js';
import { deadlineOf, remaining, sleep } from '../wait.js';
import { constants as C } from '../constants.js';

/** Milliseconds to pause before the next attempt, given how many attempts came back empty. */
export type Pace = (round: number) => number;

/** Datagram output: 1, 2, 4 ... 32 ms once a wake-up has repeated EAGAIN. */
export const datagramOutputPace: Pace = (round) => (round === 0 ? 0 : Math.min(2 ** (round - 1), 32));
/** Full unix backlog: 1, 2, 4 ... 50 ms between connect attempts. */
export const unixBacklogPace: Pace = (round) => Math.min(2 ** round, 50);
/** splice(2) said EAGAIN though poll(2) finds both sides ready (a pipe with less than a page free): 1, 2 ... 16 ms. */
export const spliceRoomPace: Pace = (round) => Math.min(2 ** round, 16);
/**
 * accept(2) met EMFILE/ENFILE: the connection stays queued and no new readiness will come
 * for it, so the next attempt waits for a descriptor to be freed or this timer: 1, 2, 4 ...
 * 100 ms (libuv and Go's servers back off the same way rather than fail or spin).
 */
export const descriptorPace: Pace = (round) => Math.min(2 ** round, 100);
/** Urgent pointer seen, byte not yet: 1 ms. */
export const urgentPointerPace: Pace = (round) => (round === 0 ? 0 : 1);
/** Rounds after which every further wait of one call is paced (the backstop above). */
export const EMPTY_ROUNDS = 64;

/** How a call waits between attempts. */
export interface Waiting {
  /** Waits for what may change the answer (`opts` carries the call's remaining bounds). */
  wait(opts: WaitOptions | undefined, round: number): Promise<unknown>;
  /** A kernel quirk's pause before each wait. */
  pace?: Pace | undefined;
  /** The caller's own attempt just met EAGAIN: wait before the first attempt here. */
  tried?: boolean;
  /** The call, as timeout and abort errors name it ('recv'). */
  what?: string;
  /**
   * An attempt came back empty (`woke`: the bits the last wait woke with, 0 before the
   * first wait). May throw to end the call with a condition the attempt cannot see (an
   * error queued beside an empty receive queue).
   */
  empty?: ((woke: number, what: string) => void) | undefined;
}

/**
 * Runs `attempt` until it returns non-null, waiting between attempts. The deadline of
 * `opts.timeout` covers the whole call, however many waits it takes.
 */
export function retry<T>(attempt: () => T | null, how: Waiting, opts?: WaitOptions): Promise<T> {
  return loop(attempt, how, opts, how.tried === true, how.what);
}

/** The loop itself: `tried` and `what` apart, so a shared (cached) Waiting is never copied per call. */
async function loop<T>(attempt: () => T | null, how: Waiting, opts: WaitOptions | undefined, tried: boolean, what: string | undefined): Promise<T> {
  const deadline = deadlineOf(opts);
  let woke = 0;
  for (let round = 0; ; round++) {
    if (round > 0 || !tried) {
      const r = attempt();
      if (r !== null) return r;
    }
    how.empty?.(woke, what ?? 'wait');
    const pause = Math.max(how.pace?.(round) ?? 0, round >= EMPTY_ROUNDS ? 1 : 0);
    if (pause > 0) await sleep(pause, remaining(deadline, opts, what));
    const bits = await how.wait(remaining(deadline, opts, what), round);
    woke = typeof bits === 'number' ? bits : 0;
  }
}

/**
 * A Promise form's first attempt runs synchronously (no promise or microtask turn when
 * the kernel answers at once); MSG_DONTWAIT makes it fail with EAGAIN instead of waiting.
 */
export function attemptOrRetry<T>(attempt: () => T | null, how: Waiting, flags: number, syscall: string, opts?: WaitOptions): Promise<T> {
  deadlineOf(opts); // options are checked on entry, whatever path the call takes
  const first = attempt();
  if (first !== null) return Promise.resolve(first);
  if (flags & C.MSG_DONTWAIT) return Promise.reject(systemError(-C.EAGAIN, syscall));
  return loop(attempt, how, opts, true, how.what ?? syscall);
}

/**
 * Wraps a Promise-form body so argument and syscall errors become rejections, without the
 * extra promise and microtask turns an async function would add per call.
 */
export function rejecting<T>(body: () => Promise<T>): Promise<T> {
  try {
    return body();
  } catch (err) {
    return Promise.reject(err);
  }
}
