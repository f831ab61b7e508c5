/**
 * Descriptor-addressed sockets. The XTI and STREAMS faces name endpoints by number, as C
 * does, so the Socket behind a number must be found again — and must stay alive while
 * only the number is held (C semantics: an fd lives until closed). One table serves both,
 * so an XTI endpoint and an ioctl(I_SETSIG) on it share one Socket and one watcher.
 */
import { Socket } from './socket.js';
import { XsockError } from '../errors.js';

const table = new Map<number, Socket>();

/** Registers a socket under its fd; returns the fd. */
export function register(sock: Socket): number {
  const fd = sock.live();
  table.set(fd, sock);
  return fd;
}

/** The registered socket for fd, or undefined. */
export function lookup(fd: number): Socket | undefined {
  const s = table.get(fd);
  if (s && s.closed) {
    table.delete(fd);
    return undefined;
  }
  return s;
}

/** The registered socket for fd, or an ERR_XSOCK_BAD_FD error naming `argName`. */
export function require(fd: unknown, argName = 'fd'): Socket {
  const s = typeof fd === 'number' ? lookup(fd) : undefined;
  if (!s) throw new XsockError('ERR_XSOCK_BAD_FD', `The "${argName}" argument ${String(fd)} is not an xsock descriptor`);
  return s;
}

/** Forgets fd (the caller closes or detaches the socket). */
export function unregister(fd: number): Socket | undefined {
  const s = table.get(fd);
  table.delete(fd);
  return s;
}
