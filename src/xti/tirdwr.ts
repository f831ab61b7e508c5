/**
 * The module stack of an XTI endpoint as STREAMS ioctls see it: `timod` (the TLI module
 * every endpoint starts with) and `tirdwr` (the read/write module). With tirdwr on top,
 * plain read(2)/write(2) work on the descriptor, blocking as C's do unless the endpoint
 * is O_NONBLOCK; read(2) returns 0 at the peer's orderly release and fails at a
 * disconnect. The t_* calls work only while timod is on top (t_close, t_look and
 * t_getstate always do), as on Solaris.
 */
import { constants as C } from '../constants.js';
import { systemError } from '../errors.js';
import { clearNonblocking, setNonblocking } from '../socket/index.js';
import { T_DATAXFER } from './constants.js';
import { findEndpoint, type Endpoint } from './endpoint.js';

/** The modules xsock emulates, by their STREAMS names. */
const MODULES = new Set(['timod', 'tirdwr']);

function endpointFor(fd: number): Endpoint {
  const ep = findEndpoint(fd);
  if (!ep || ep.sock.closed) throw systemError(-C.EINVAL, 'ioctl');
  return ep;
}

/**
 * ioctl(I_PUSH, name): pushes timod or tirdwr. tirdwr needs a connection in data transfer
 * with nothing xsock holds unread (EPROTO otherwise: its bytes would be lost to read(2)).
 */
export function pushModule(fd: number, name: string): void {
  const ep = endpointFor(fd);
  if (!MODULES.has(name)) throw systemError(-C.EINVAL, 'ioctl');
  if (name === 'tirdwr') {
    if (ep.state !== T_DATAXFER || ep.rest !== null || ep.ordrel || ep.discons.length > 0) throw systemError(-C.EPROTO, 'ioctl');
    if (!ep.nonblock) clearNonblocking(ep.fd);
  }
  ep.modules.push(name);
}

/** ioctl(I_POP): pops the top module (EINVAL when there is none). */
export function popModule(fd: number): void {
  const ep = endpointFor(fd);
  const top = ep.modules.pop();
  if (top === undefined) throw systemError(-C.EINVAL, 'ioctl');
  if (top === 'tirdwr' && !ep.modules.includes('tirdwr')) setNonblocking(ep.fd);
}

/** ioctl(I_LOOK): the name of the top module (EINVAL when there is none). */
export function lookModule(fd: number): string {
  const top = endpointFor(fd).modules.at(-1);
  if (top === undefined) throw systemError(-C.EINVAL, 'ioctl');
  return top;
}
