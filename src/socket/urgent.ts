/**
 * What the kernel knows of a socket's urgent data before the byte arrives: the owner told
 * by SIGURG (fcntl F_SETOWN) and a probe that tells "announced by the urgent pointer" from
 * "arrived" from "none" — recv(2) with MSG_OOB|MSG_PEEK answers EAGAIN while the pointer
 * is known and its byte is held back (a closed window), the byte once it is in, EINVAL
 * when nothing is pending or it was read. Nothing is consumed.
 */
import { native } from '../binding.js';
import { constants as C } from '../constants.js';
import { check, intArg, systemError } from '../errors.js';
import type { SocketCore } from './core.js';
import { recvCall } from './data-call.js';

/** What recv(MSG_OOB|MSG_PEEK) says of the socket's urgent data. */
export type UrgentState = 'none' | 'announced' | 'arrived';

const one = new Uint8Array(1);

/** fcntl(F_SETOWN): `pid` (0: nobody) receives SIGURG when urgent data is announced. */
export function setOwner(c: SocketCore, pid: number): void {
  check(native.setown(c.live(), intArg('pid', pid, 0, 0x7fffffff)), 'fcntl');
}

/** recv(2) with MSG_OOB|MSG_PEEK: whether urgent data is announced, arrived, or none. */
export function urgentState(c: SocketCore): UrgentState {
  const rc = recvCall(c.live(), one, 0, 1, C.MSG_OOB | C.MSG_PEEK);
  if (rc >= 1) return 'arrived';
  if (rc === -C.EAGAIN) return 'announced';
  if (rc === 0 || rc === -C.EINVAL) return 'none';
  throw systemError(rc, 'recv');
}
