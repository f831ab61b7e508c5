/**
 * Out-of-band data: the urgent byte of TCP and of unix stream sockets (MSG_OOB), the
 * mark (SIOCATMARK), and a wait on the priority readiness event that tells a caller
 * urgent data arrived. Sending is send(data, MSG_OOB) / sendmsg({ flags: MSG_OOB }):
 * only the last byte of such a send is urgent. SEQPACKET and DGRAM sockets (and kernels
 * without CONFIG_AF_UNIX_OOB) answer EOPNOTSUPP, surfaced as a system error.
 */
import { native } from './binding.js';
import { constants as C } from './constants.js';
import { check, systemError } from './errors.js';
import { POLL_PRI, type WaitOptions } from './readiness.js';
import { Socket } from './socket.js';
import { deadlineOf, remaining, sleep } from './wait.js';

declare module './socket.js' {
  interface Socket {
    /** sockatmark(3) via ioctl(SIOCATMARK): true when the next byte read is the urgent mark. */
    sockatmark(): boolean;
    /** recv(2) with MSG_OOB, never waiting: the urgent byte, or null when none is pending (EINVAL/EAGAIN). */
    tryRecvOob(): number | null;
    /** Waits for the priority event (POLLPRI), then recv(2) with MSG_OOB: the urgent byte. */
    recvOob(opts?: WaitOptions): Promise<number>;
  }
}

const one = Buffer.alloc(1);
const P = Socket.prototype;

P.sockatmark = function (this: Socket) {
  return check(native.ioctlInt(this.live(), C.SIOCATMARK), 'ioctl') !== 0;
};

P.tryRecvOob = function (this: Socket) {
  const rc = oobOnce(this);
  if (rc >= 0) return rc;
  // Linux says EINVAL both for "none pending" and "already read".
  if (rc === -C.EINVAL || rc === -C.EAGAIN) {
    this.readiness.drained(POLL_PRI);
    return null;
  }
  throw systemError(rc, 'recv');
};

P.recvOob = async function (this: Socket, opts) {
  // A socket type without OOB must fail now rather than wait for an event that never comes.
  if (this.type !== C.SOCK_STREAM) throw systemError(-C.EOPNOTSUPP, 'recv');
  const deadline = deadlineOf(opts);
  for (let woken = false; ; woken = true) {
    const rc = oobOnce(this);
    if (rc >= 0) return rc;
    // POLLPRI said urgent data is there yet MSG_OOB refuses it: SO_OOBINLINE put it in the
    // stream. Waiting again would wake at once for ever, so report the kernel's answer.
    if (woken && rc === -C.EINVAL) throw systemError(rc, 'recv');
    if (rc !== -C.EINVAL && rc !== -C.EAGAIN) throw systemError(rc, 'recv');
    if (woken) await sleep(1, remaining(deadline, opts)); // urgent pointer seen, byte not yet
    await this.readiness.wait(POLL_PRI, remaining(deadline, opts));
  }
};

/** recv(2) of the urgent byte: the byte, or a negative errno (0 bytes counts as EINVAL). */
function oobOnce(s: Socket): number {
  const rc = native.recv(s.live(), one, 0, 1, C.MSG_OOB);
  return rc >= 1 ? one[0] : rc === 0 ? -C.EINVAL : rc;
}
