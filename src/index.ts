/**
 * xsock: the 4.4BSD socket IPC model on real kernel sockets.
 * `xsock/xti` holds the Transport Level Interface, `xsock/streams` STREAMS-style pipes.
 */
export { Socket, socket, socketpair } from './socket/socket.js';
export type { BindOptions, AcceptOptions, Datagram, Message, OutgoingMessage, RecvmsgOptions, QueuedError, BatchOptions, MessagesOptions, ChunksOptions } from './socket/socket.js';
export { ReceivedFds } from './socket/rights.js';
export { MAX_FDS_PER_MESSAGE, type ControlItem, type ExtendedError } from './socket/ancillary.js';
export { constants, type DomainName, type TypeName } from './constants.js';
export { parseAddress, formatAddress, type SockAddr, type AddressLike, type UnixAddress, type InetAddress, type Inet6Address,
  type NetlinkAddress, type PacketAddress, type VsockAddress } from './address.js';
export { getprotobyname, getprotobynumber, type ProtocolEntry } from './protocols.js';
export { ifNameToIndex, ifIndexToName } from './socket/index.js';
export { XsockError, codes as errorCodes, strerror, type SystemError } from './errors.js';
export { Readiness, POLL_IN, POLL_OUT, POLL_PRI, POLL_RDHUP, POLL_ERR, POLL_HUP, type WaitOptions } from './readiness.js';
export { poll, POLLIN, POLLRDNORM, POLLRDBAND, POLLPRI, POLLOUT, POLLWRNORM, POLLWRBAND, POLLERR, POLLHUP, POLLNVAL, type PollFd, type PollResult } from './poll.js';
export { onUrgent, type UrgentHandler } from './sigurg.js';
export type { UrgentState } from './socket/urgent.js';
export { optionTable, type Linger, type Credentials, type OptionSpec, type OptionName, type OptionLevel, type OptionValue, type OptionInput, type OptionKindOf, type OptionKindValue, type OptionKindInput, type AnyOptionValue, type OptionKind, type OptionTableRow, type PacketMembership, type PacketStatistics } from './socket/options.js';
export { resolve, resolveAddress, getnameinfo, AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST, AI_V4MAPPED, AI_ALL, AI_ADDRCONFIG, AI_NUMERICSERV, NI_NUMERICHOST, NI_NUMERICSERV, NI_NOFQDN, NI_NAMEREQD, NI_DGRAM, type ResolveHints, type AddrInfo, type NameInfo, type ResolvedAddress } from './names.js';
export { getservbyname, getservbyport, type ServiceEntry } from './services.js';
export type { AddrinfoError, AddrinfoCode } from './errors.js';
export { SocketDuplex, toDuplex, type DuplexOptions } from './duplex.js';
export { MessageWriter, messageWriter, type MessageWriterOptions } from './message-stream.js';
export { adopt, toNetSocket, toNetServer } from './node-interop.js';
export { splice, trySplice, tee, tryTee, sendfile, trySendfile, copyFileRange, makePipe, type SpliceEndpoint, type SpliceOptions, type SendfileOptions } from './socket/splice.js';
export { listenFds, LISTEN_FDS_START, type ActivatedSocket, type ListenFdsOptions } from './activation.js';
export {
  encodeNetlinkMessage, decodeNetlinkMessages, encodeAttributes, decodeAttributes, attributeString, netlinkError, netlinkRequest, nlAlign,
  type NetlinkMessage, type NetlinkAttribute,
} from './netlink.js';
export {
  openRouteSocket, listLinks, listAddresses, decodeLink, decodeInterfaceAddress, decodeRouteEvents, nextRouteEvents,
  type Link, type InterfaceAddress, type RouteEvent,
} from './rtnetlink.js';
export {
  icmpChecksum, buildEcho, parseIcmp, icmpEcho, ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY, ICMPV6_ECHO_REQUEST, ICMPV6_ECHO_REPLY,
  type IcmpMessage, type EchoResult,
} from './icmp.js';
