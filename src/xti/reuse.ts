/**
 * Listening TCP endpoints reuse their address, as Node's net.Server and Solaris TCP do:
 * otherwise the TIME_WAIT of connections a server closed first keeps a restarted server
 * (and a C server that sets SO_REUSEADDR, since the kernel compares with the flag the
 * closed connections inherited) from binding its port for a minute. A caller who chose
 * IP_REUSEADDR with t_optmgmt keeps their choice.
 */
import type { Socket } from '../socket/index.js';
import type { Endpoint } from './endpoint.js';

const chosen = new WeakSet<Socket>();

/** t_optmgmt negotiated IP_REUSEADDR on this socket: t_bind leaves SO_REUSEADDR alone. */
export function reuseChosen(sock: Socket): void {
  chosen.add(sock);
}

/** Before t_bind binds a listener (qlen > 0) on /dev/tcp or /dev/tcp6: SO_REUSEADDR on. */
export function reuseForListener(ep: Endpoint, qlen: number): void {
  const p = ep.provider;
  if (qlen > 0 && p.type === 'stream' && p.domain !== 'unix' && !chosen.has(ep.sock)) {
    ep.sock.setsockopt('SOL_SOCKET', 'SO_REUSEADDR', true);
  }
}
