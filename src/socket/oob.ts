/**
 * Out-of-band data: the urgent byte of TCP and of unix stream sockets (MSG_OOB), the mark
 * (SIOCATMARK), and the priority readiness that tells a caller urgent data arrived.
 * Sending is send(data, MSG_OOB): only the last byte of such a send is urgent. SEQPACKET
 * and DGRAM sockets (and kernels without CONFIG_AF_UNIX_OOB) answer EOPNOTSUPP.
 */
import { native } from '../binding.js';
import { constants as C } from '../constants.js';
import { check, systemError } from '../errors.js';
import { POLL_PRI, type WaitOptions } from '../readiness.js';
import type { SocketCore } from './core.js';
import { recvCall } from './data-call.js';
import { retry, urgentPointerPace } from './retry.js';

const one = Buffer.alloc(1);

/** sockatmark(3) via ioctl(SIOCATMARK). */
export function sockatmark(c: SocketCore): boolean {
  return check(native.ioctlInt(c.live(), C.SIOCATMARK), 'ioctl') !== 0;
}

/** recv(2) with MSG_OOB, never waiting: the urgent byte, or null when none is pending. */
export function tryRecvOob(c: SocketCore): number | null {
  const rc = oobOnce(c);
  if (rc >= 0) return rc;
  // Linux says EINVAL both for "none pending" and "already read".
  if (rc === -C.EINVAL || rc === -C.EAGAIN) {
    c.drained(POLL_PRI);
    return null;
  }
  throw systemError(rc, 'recv');
}

/** Waits for the priority event (POLLPRI), then recv(2) with MSG_OOB. */
export function recvOob(c: SocketCore, opts?: WaitOptions): Promise<number> {
  // A socket type without OOB must fail now rather than wait for an event that never comes.
  if (c.type !== C.SOCK_STREAM) throw systemError(-C.EOPNOTSUPP, 'recv');
  let woken = false;
  return retry(() => {
    const rc = oobOnce(c);
    if (rc >= 0) return rc;
    // Urgent data is there (POLLPRI) yet MSG_OOB refuses it: SO_OOBINLINE put it in the
    // stream. No wait can change that, so report the kernel's answer.
    if (rc === -C.EINVAL && (woken || (native.pollNow(c.fd, C.POLLPRI) & C.POLLPRI) !== 0)) throw systemError(rc, 'recv');
    if (rc !== -C.EINVAL && rc !== -C.EAGAIN) throw systemError(rc, 'recv');
    return null;
  }, {
    pace: urgentPointerPace,
    what: 'recv(MSG_OOB)',
    wait: async (o) => {
      await c.readiness.wait(POLL_PRI, o);
      woken = true;
    },
  }, opts);
}

/** recv(2) of the urgent byte: the byte, or a negative errno (0 bytes counts as EINVAL). */
function oobOnce(c: SocketCore): number {
  const rc = recvCall(c.live(), one, 0, 1, C.MSG_OOB);
  return rc >= 1 ? one[0]! : rc === 0 ? -C.EINVAL : rc;
}
