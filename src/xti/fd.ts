/**
 * Descriptor types that say how an endpoint's calls complete. XTI decides per endpoint at
 * run time (O_NONBLOCK at t_open, or fcntl F_SETFL) whether a call that may wait returns
 * its result or a Promise of it; a plain `number` therefore gets `T | Promise<T>`. Branding
 * a descriptor with syncFd()/asyncFd() checks the endpoint's mode once and pins it (fcntl
 * can then no longer change it), so the calls' types become exact: t_rcv(SyncFd) is a
 * number, t_rcv(AsyncFd) a Promise<number>.
 */
import { XsockError } from '../errors.js';
import { endpointOf, type Endpoint } from './endpoint.js';

declare const completion: unique symbol;

/** An XTI descriptor whose endpoint is non-blocking (O_NONBLOCK): every call returns its result or throws a TError. */
export type SyncFd = number & {
  /** A type-only brand: no such property exists at run time. */
  readonly [completion]: 'sync';
};
/** An XTI descriptor whose endpoint is blocking: calls that may wait return a Promise that rejects with the TError. */
export type AsyncFd = number & {
  /** A type-only brand: no such property exists at run time. */
  readonly [completion]: 'async';
};

/**
 * What a call that may wait gives on descriptor `F`: `T` on a SyncFd, `Promise<T>` on an
 * AsyncFd, and `T | Promise<T>` on a plain number (whose mode is only known at run time).
 */
export type XtiResult<F extends number, T> = F extends SyncFd ? T : F extends AsyncFd ? Promise<T> : T | Promise<T>;

const pinned = new WeakSet<Endpoint>();

/** Whether fcntl(F_SETFL) may still change this endpoint's O_NONBLOCK. */
export function modePinned(ep: Endpoint): boolean {
  return pinned.has(ep);
}

function brand(fd: number, nonblock: boolean, fn: string): number {
  const ep = endpointOf(fd, 't_getstate');
  if (ep.nonblock !== nonblock) {
    throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "fd" argument is a ${ep.nonblock ? 'non-blocking' : 'blocking'} endpoint; ${fn}() needs a ${nonblock ? 'non-blocking (O_NONBLOCK)' : 'blocking'} one`);
  }
  pinned.add(ep);
  return fd;
}

/**
 * Types a non-blocking endpoint's descriptor (t_open with O_RDWR | O_NONBLOCK) as a
 * SyncFd, after checking its mode (fcntl F_GETFL), and pins the mode: fcntl(F_SETFL) may
 * no longer clear O_NONBLOCK. No syscall. Throws ERR_XSOCK_INVALID_ARG_VALUE for a
 * blocking endpoint and a TError (TBADF) for a descriptor that is not an open endpoint.
 */
export function syncFd(fd: number): SyncFd {
  return brand(fd, true, 'syncFd') as SyncFd;
}

/**
 * Types a blocking endpoint's descriptor (t_open with O_RDWR) as an AsyncFd, after
 * checking its mode, and pins the mode: fcntl(F_SETFL) may no longer set O_NONBLOCK.
 * No syscall. Throws like syncFd() for the other mode.
 */
export function asyncFd(fd: number): AsyncFd {
  return brand(fd, false, 'asyncFd') as AsyncFd;
}
