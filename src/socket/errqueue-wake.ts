/**
 * A receive parked on an inet datagram socket whose error queue holds an ICMP error
 * (IP_RECVERR): poll(2) reports POLLERR for as long as the queue is non-empty, yet
 * recv(2) finds nothing — the error is only readable with MSG_ERRQUEUE. Left alone, the
 * receive would wait for ever beside a condition the kernel keeps announcing. Instead the
 * receive reads the oldest queued error (recvmsg(2) with MSG_ERRQUEUE) and rejects with it,
 * as a system error named after the call, carrying the original destination.
 *
 * Only sockets that asked for the queue (IP_RECVERR / IPV6_RECVERR) and do not also use it
 * for timestamps or zero-copy completions (SO_TIMESTAMPING, SO_ZEROCOPY — entries that are
 * news, not errors) are read here; those keep their queue for recvmsg({ flags: MSG_ERRQUEUE }).
 */
import { native, POLL_ERR } from '../binding.js';
import { constants as C } from '../constants.js';
import { systemError } from '../errors.js';
import type { SocketCore } from './core.js';
import { intOption } from './lifecycle.js';
import { tryRecvErrqueue, type QueuedError } from './message.js';

/** True when `c` is an inet datagram/raw socket that asked for extended errors and nothing else on its error queue. */
function surfacesErrors(fd: number, c: SocketCore): boolean {
  if (c.domain !== C.AF_INET && c.domain !== C.AF_INET6) return false;
  if (c.type === C.SOCK_STREAM) return false;
  const recverr = intOption(fd, C.IPPROTO_IP, C.IP_RECVERR, 0) !== 0
    || (c.domain === C.AF_INET6 && intOption(fd, C.IPPROTO_IPV6, C.IPV6_RECVERR, 0) !== 0);
  if (!recverr) return false;
  if (C.SO_TIMESTAMPING !== undefined && intOption(fd, C.SOL_SOCKET, C.SO_TIMESTAMPING, 0) !== 0) return false;
  if (C.SO_ZEROCOPY !== undefined && intOption(fd, C.SOL_SOCKET, C.SO_ZEROCOPY, 0) !== 0) return false;
  return true;
}

/**
 * Called when a receive came back empty (`woke`: the bits its last wait woke with, 0
 * before the first wait). Throws the queued error when the socket's error queue holds
 * one; returns otherwise (the receive then waits). Costs a poll(2) probe only before the
 * first wait and after a wake that carried POLLERR.
 */
export function rejectQueuedError(c: SocketCore, woke: number, syscall: string): void {
  if (woke !== 0 && (woke & POLL_ERR) === 0) return;
  if (c.domain !== C.AF_INET && c.domain !== C.AF_INET6) return;
  const fd = c.fd;
  if (fd < 0 || (native.pollNow(fd, 0) & C.POLLERR) === 0) return;
  if (!surfacesErrors(fd, c)) return;
  const q = tryRecvErrqueue(c);
  if (q === null || q.errno === 0) return;
  const to = q.to as { address?: unknown; port?: unknown } | undefined;
  const where = typeof to?.address !== 'string' ? undefined
    : typeof to.port === 'number' ? { address: to.address, port: to.port } : { address: to.address };
  const err = systemError(-q.errno, syscall, where);
  throw Object.assign(err, { queued: q satisfies QueuedError });
}
