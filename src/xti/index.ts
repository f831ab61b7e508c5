/**
 * xsock/xti: the X/Open Transport Interface (TLI/XTI) on xsock sockets — every t_*
 * function under its C name, endpoints as numeric descriptors, constants with their
 * Solaris/XNS values, t_errno, and the providers /dev/tcp /dev/tcp6 /dev/udp /dev/udp6
 * /dev/ticots /dev/ticotsord /dev/ticlts.
 */

export * from './constants.js';
export * from './errors.js';
export { providerInfo, type TInfo } from './providers.js';
export { legalStates, transitions, type Transition, type StateCall } from './states.js';
export type { XtiCall, XtiState, XtiEvent, StateEvent } from './names.js';
export { t_free, netbuf, netbufOf, type TStruct, type Netbuf, type TBind, type TCall, type TDiscon, type TUnitdata, type TUderr, type TIovec, type TOptmgmtStruct } from './structures.js';
export { addressBytes } from './endpoint.js';
export { syncFd, asyncFd, type SyncFd, type AsyncFd, type XtiResult } from './fd.js';
export { t_look } from './look.js';
export { t_open, t_bind, t_unbind, t_close, t_getinfo, t_getstate, t_sync, t_getprotaddr, t_alloc, t_sysconf, fcntl } from './lifecycle.js';
export { t_connect, t_rcvconnect, t_listen, t_accept, t_snddis, t_rcvdis, t_sndrel, t_rcvrel, t_sndreldata, t_rcvreldata } from './connection.js';
export { t_snd, t_rcv, t_sndv, t_rcvv, type TFlags } from './data.js';
export { t_sndudata, t_rcvudata, t_rcvuderr, t_sndvudata, t_rcvvudata } from './unitdata.js';
export { t_optmgmt, encodeOptions, decodeOptions, type TOption } from './optmgmt.js';
export * from './netconfig.js';
export * from './netdir.js';
