/**
 * poll(2) over any descriptors — sockets, XTI endpoints, STREAMS pipes, plain fds — as C
 * programs wait on several endpoints at once.
 *
 * It never adds a second registration: each round probes every entry's level with poll(2)
 * and timeout 0 and, when none is ready, waits on the descriptors' shared readinesses
 * (the one edge-triggered registration per fd that Sockets, endpoints and pipes use) until
 * any edge or the timeout, then probes again. An edge that leaves nothing the caller asked
 * for (another face read it first) costs one probe and the wait resumes; no round ever
 * repeats without a new edge.
 */
import { constants as C } from './constants.js';
import { XsockError, argType, intArg } from './errors.js';
import { Readiness, POLL_IN, POLL_OUT, POLL_PRI, POLL_ERR, POLL_HUP } from './readiness.js';
import { pollFd } from './socket/index.js';
import { arm } from './wait.js';

/** Data other than high priority may be read (Linux value). */
export const POLLIN: number = C.POLLIN;
/** Normal data may be read. */
export const POLLRDNORM: number = C.POLLRDNORM;
/** Priority-band data may be read. */
export const POLLRDBAND: number = C.POLLRDBAND;
/** High-priority data (TCP urgent data, an XTI endpoint's expedited data) may be read. */
export const POLLPRI: number = C.POLLPRI;
/** Normal data may be written. */
export const POLLOUT: number = C.POLLOUT;
/** Normal data may be written (the same condition as POLLOUT on Linux). */
export const POLLWRNORM: number = C.POLLWRNORM;
/** Priority-band data may be written. */
export const POLLWRBAND: number = C.POLLWRBAND;
/** An error is pending (reported whether asked for or not). */
export const POLLERR: number = C.POLLERR;
/** Hung up (reported whether asked for or not). */
export const POLLHUP: number = C.POLLHUP;
/** The fd is not open (reported whether asked for or not). */
export const POLLNVAL: number = C.POLLNVAL;

/** One entry, as struct pollfd: a negative fd is ignored (its revents is 0), as in C. */
export interface PollFd {
  /** The descriptor to check; negative: ignored. */
  fd: number;
  /** The POLL* conditions asked for (POLLIN, POLLOUT ...); POLLERR, POLLHUP and POLLNVAL are reported anyway. */
  events: number;
}

/** One entry of the result: `revents` holds the conditions found, as poll(2) fills it. */
export interface PollResult {
  /** The descriptor, as given. */
  fd: number;
  /** The conditions asked for, as given. */
  events: number;
  /** The conditions found (0: none, or the timeout passed). */
  revents: number;
}

const ASKABLE = C.POLLIN | C.POLLRDNORM | C.POLLRDBAND | C.POLLPRI | C.POLLOUT | C.POLLWRNORM | C.POLLWRBAND
  | C.POLLERR | C.POLLHUP | C.POLLNVAL | C.POLLRDHUP;
const MAX_TIMEOUT = 0x7fffffff;

/**
 * poll(2): resolves, once any entry has a condition it asked for (or an error, hangup or
 * POLLNVAL) or after `timeout` ms (-1, the default: no limit; 0: probe once), with every
 * entry's `revents` — all 0 when the timeout passed. The caller's entries are not changed.
 */
export async function poll(fds: readonly PollFd[], timeout: number = -1): Promise<PollResult[]> {
  const entries = validate(fds);
  const ms = intArg('timeout', timeout, -1, MAX_TIMEOUT);
  const deadline = ms < 0 ? Infinity : performance.now() + ms;
  for (;;) {
    const found = probe(entries);
    if (found.some((e) => e.revents !== 0)) return found;
    const left = deadline - performance.now();
    if (left <= 0) return found;
    if (!(await anyEdge(entries, left))) return found.map((e) => ({ ...e, revents: 0 }));
  }
}

function validate(fds: unknown): PollResult[] {
  if (!Array.isArray(fds)) throw argType('fds', 'an array of { fd, events }', fds);
  return fds.map((e: unknown, i) => {
    if (e === null || typeof e !== 'object') throw argType(`fds[${i}]`, 'an object { fd, events }', e);
    const { fd, events } = e as { fd?: unknown; events?: unknown };
    if (typeof fd !== 'number' || !Number.isInteger(fd) || fd > 0x7fffffff) throw argType(`fds[${i}].fd`, 'an integer descriptor', fd);
    const ev = intArg(`fds[${i}].events`, events ?? 0, 0, 0xffff);
    if ((ev & ~ASKABLE) !== 0) {
      throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "fds[${i}].events" argument must be a set of POLL* bits; received ${ev}`);
    }
    return { fd, events: ev, revents: 0 };
  });
}

/** The level of every entry now: poll(2) with timeout 0, one descriptor at a time. */
function probe(entries: readonly PollResult[]): PollResult[] {
  return entries.map((e) => {
    if (e.fd < 0) return { ...e, revents: 0 };
    const rev = pollFd(e.fd, e.events);
    // poll(2) of one valid pollfd fails only for want of memory: report the fd as unusable.
    return { ...e, revents: rev < 0 ? C.POLLERR : rev };
  });
}

/** poll(2) events -> the readiness bits whose edges may change them (errors and hangup always). */
function readinessMask(events: number): number {
  let mask = POLL_ERR | POLL_HUP;
  if (events & (C.POLLIN | C.POLLRDNORM | C.POLLRDHUP)) mask |= POLL_IN;
  if (events & (C.POLLPRI | C.POLLRDBAND)) mask |= POLL_PRI | POLL_IN;
  if (events & (C.POLLOUT | C.POLLWRNORM | C.POLLWRBAND)) mask |= POLL_OUT;
  return mask;
}

/**
 * Waits for the next edge on any entry's readiness, at most `ms`: true on an edge (or a
 * descriptor closed under the wait: the next probe says POLLNVAL), false at the timeout.
 * Descriptors that cannot be watched (a regular file, always ready anyway) are skipped.
 */
function anyEdge(entries: readonly PollResult[], ms: number): Promise<boolean> {
  const seen = new Set<number>();
  const borrowed: Readiness[] = [];
  const stop = new AbortController();
  return new Promise<boolean>((resolve) => {
    let done = false;
    const finish = (edge: boolean): void => {
      if (done) return;
      done = true;
      disarm();
      stop.abort();
      for (const r of borrowed) r.release();
      resolve(edge);
    };
    const disarm = arm(ms === Infinity ? undefined : { timeout: ms, what: 'poll' }, () => finish(false));
    for (const e of entries) {
      if (e.fd < 0 || seen.has(e.fd)) continue;
      seen.add(e.fd);
      const r = Readiness.borrow(e.fd);
      borrowed.push(r);
      const mask = entries.filter((x) => x.fd === e.fd).reduce((m, x) => m | readinessMask(x.events), 0);
      r.wait(mask, { signal: stop.signal }).then(() => finish(true), (err: unknown) => {
        if (stop.signal.aborted) return;
        // Cannot be watched: its level is all poll() can know; the probe already read it.
        if ((err as { syscall?: string }).syscall === 'epoll_ctl') return;
        finish(true);
      });
    }
  });
}
