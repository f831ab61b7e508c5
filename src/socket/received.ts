/**
 * The one builder of a received Message, shared by recvmsg(2) and recvmmsg(2). Rights are
 * owned first — before anything that could throw — so no received descriptor is ever
 * orphaned; duplicates a MSG_PEEK installed are closed at once unless the caller kept them.
 */
import { native } from '../binding.js';
import type { SockAddr } from '../address.js';
import type { Ancillary } from './ancillary.js';
import { ReceivedFds, NO_FDS } from './rights.js';
import type { Message } from './message.js';

/**
 * A Message from what the kernel returned; `peekedAway`: close the peek's duplicates. Its
 * rights are owned but not yet reaped by GC: the caller hands the message to its socket
 * (SocketCore.keepUntaken) or to reapable() before anything else runs.
 */
export function receivedMessage(data: Buffer, bytes: number, flags: number, anc: Ancillary | null,
  peekedAway: boolean, from?: SockAddr): Message {
  let fds = NO_FDS;
  let pidfd: ReceivedFds | undefined;
  if (anc !== null) {
    if (anc.fds.length > 0) fds = peekedAway ? closeAll(anc.fds) : ReceivedFds.adoptUnreaped(anc.fds);
    if (anc.pidfd !== undefined) pidfd = peekedAway ? closeAll([anc.pidfd]) : ReceivedFds.adoptUnreaped([anc.pidfd]);
  }
  const m: Message = { data, bytes, fds, flags, eof: false };
  if (from !== undefined) m.from = from;
  if (anc?.credentials) m.credentials = anc.credentials;
  if (pidfd) m.pidfd = pidfd;
  if (anc?.other) m.control = anc.other;
  return m;
}

/** Peeked duplicates: closed now, their count kept (as -1 entries) so a caller sees they came. */
function closeAll(fds: number[]): ReceivedFds {
  for (const fd of fds) native.close(fd);
  return ReceivedFds.closedCount(fds.length);
}

/** Rights of a message no socket keeps (an end-of-file read): reaped when it is dropped. */
export function reapable(m: Message): void {
  ReceivedFds.reapWhenDropped(m.fds);
  if (m.pidfd !== undefined) ReceivedFds.reapWhenDropped(m.pidfd);
}
