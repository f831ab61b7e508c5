/**
 * Hand-off with Node core, both ways.
 *
 * Adopting from Node (net.Server, net.Socket, dgram.Socket): the descriptor is duplicated
 * (fcntl F_DUPFD_CLOEXEC) so each side owns its own fd and closes it independently; the
 * two fds share one open socket, so data, options and O_NONBLOCK are shared. Node keeps
 * polling its fd while its object is open, so close (or pause) the Node side if xsock is
 * to be the only reader.
 *
 * Giving to Node: detach() ends xsock's ownership without closing, and net.Socket /
 * net.Server take the bare fd (they own and close it from then on).
 */
import net from 'node:net';
import dgram from 'node:dgram';
import { constants as C } from './constants.js';
import { XsockError, argType } from './errors.js';
import { Socket, dupCloexec, closeFd } from './socket/index.js';

/** The Node object's descriptor, read from its libuv handle. */
function nodeFd(obj: unknown): number {
  let handle: { fd?: number } | undefined;
  if (obj instanceof net.Socket || obj instanceof net.Server) {
    handle = (obj as unknown as { _handle?: { fd?: number } })._handle;
  } else if (obj instanceof dgram.Socket) {
    // dgram keeps its handle under a private symbol ('state symbol') in Node 20.
    const sym = Object.getOwnPropertySymbols(obj).find((s) => s.description === 'state symbol');
    handle = sym ? (obj as unknown as Record<symbol, { handle?: { fd?: number } }>)[sym]?.handle : undefined;
  } else {
    throw argType('source', 'a net.Server, net.Socket or dgram.Socket', obj);
  }
  const fd = handle?.fd;
  if (typeof fd !== 'number' || fd < 0) {
    throw new XsockError('ERR_XSOCK_BAD_FD', 'The "source" argument has no descriptor yet (listen, connect or bind it first) or is closed');
  }
  return fd;
}

/**
 * Adopts the socket of a Node net.Server, net.Socket or dgram.Socket as an xsock Socket,
 * on a duplicate descriptor (fcntl F_DUPFD_CLOEXEC): closing either side leaves the other
 * working.
 */
export function adopt(source: net.Server | net.Socket | dgram.Socket): Socket {
  const fd = nodeFd(source);
  const dup = dupCloexec(fd);
  try {
    return Socket.fromFd(dup);
  } catch (err) {
    closeFd(dup);
    throw err;
  }
}

/**
 * Gives a connected xsock stream socket to Node as a net.Socket (detach(), then
 * `new net.Socket({ fd })`). The xsock Socket is closed to further use; Node owns the fd.
 */
export function toNetSocket(sock: Socket, options: Omit<net.SocketConstructorOpts, 'fd'> = {}): net.Socket {
  if (!(sock instanceof Socket)) throw argType('sock', 'an xsock Socket', sock);
  sock.live();
  if (sock.type !== C.SOCK_STREAM) {
    throw new XsockError('ERR_XSOCK_WRONG_SOCKET_TYPE', `net.Socket takes stream sockets only, not ${sock.domainName}/${sock.typeName}`);
  }
  return new net.Socket({ readable: true, writable: true, ...options, fd: sock.detach() });
}

/**
 * Gives a listening xsock stream socket to Node as a net.Server (listen({ fd })); Node
 * owns the fd from then on. Resolves once the server is listening.
 */
export function toNetServer(sock: Socket, server: net.Server = net.createServer()): Promise<net.Server> {
  if (!(sock instanceof Socket)) throw argType('sock', 'an xsock Socket', sock);
  sock.live();
  if (sock.type !== C.SOCK_STREAM) {
    throw new XsockError('ERR_XSOCK_WRONG_SOCKET_TYPE', `net.Server takes stream sockets only, not ${sock.domainName}/${sock.typeName}`);
  }
  const fd = sock.detach();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ fd }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
