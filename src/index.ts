/**
 * xsock: the 4.4BSD socket IPC model on real kernel sockets.
 * `xsock/xti` holds the Transport Level Interface, `xsock/streams` STREAMS-style pipes.
 */
import './transfer.js';

export { Socket, socket, socketpair, type BindOptions } from './socket.js';
export type { Datagram } from './transfer.js';
export { constants, type DomainName, type TypeName } from './constants.js';
export { parseAddress, formatAddress, type SockAddr, type AddressLike, type UnixAddress, type InetAddress, type Inet6Address } from './address.js';
export { XsockError, codes as errorCodes, type SystemError } from './errors.js';
export { Readiness, POLL_IN, POLL_OUT, POLL_PRI, POLL_RDHUP, POLL_ERR, type WaitOptions } from './readiness.js';
export { optionTable, type Linger, type Credentials, type OptionSpec } from './options.js';
