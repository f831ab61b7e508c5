/**
 * XTI constants with the Solaris/XNS names and values (<xti.h>, <sys/tiuser.h>,
 * <sys/xti_inet.h>, <sys/xti_xtiopt.h>), plus the fcntl names that classic XTI programs use.
 */
import { constants as C } from '../constants.js';

// Endpoint states (illumos _data2.c order).
/** T_UNINIT (<xti.h>): endpoint state: uninitialised (before t_open, after t_close). */
export const T_UNINIT = 0;
/** T_UNBND (<xti.h>): endpoint state: opened, not bound. */
export const T_UNBND = 1;
/** T_IDLE (<xti.h>): endpoint state: bound, no connection. */
export const T_IDLE = 2;
/** T_OUTCON (<xti.h>): endpoint state: outgoing connection pending (asynchronous t_connect). */
export const T_OUTCON = 3;
/** T_INCON (<xti.h>): endpoint state: incoming connection pending (after t_listen). */
export const T_INCON = 4;
/** T_DATAXFER (<xti.h>): endpoint state: connected, data transfer. */
export const T_DATAXFER = 5;
/** T_OUTREL (<xti.h>): endpoint state: orderly release sent (t_sndrel), may still receive. */
export const T_OUTREL = 6;
/** T_INREL (<xti.h>): endpoint state: orderly release received (t_rcvrel), may still send. */
export const T_INREL = 7;

// Events reported by t_look.
/** T_LISTEN (<xti.h>): t_look event: a connect indication arrived (t_listen takes it). */
export const T_LISTEN = 0x0001;
/** T_CONNECT (<xti.h>): t_look event: the connect confirmation arrived (t_rcvconnect takes it). */
export const T_CONNECT = 0x0002;
/** T_DATA (<xti.h>): t_look event: normal data arrived. */
export const T_DATA = 0x0004;
/** T_EXDATA (<xti.h>): t_look event: expedited (out-of-band) data arrived. */
export const T_EXDATA = 0x0008;
/** T_DISCONNECT (<xti.h>): t_look event: a disconnect indication arrived (t_rcvdis takes it). */
export const T_DISCONNECT = 0x0010;
/** T_UDERR (<xti.h>): t_look event: a unit data error indication arrived (t_rcvuderr takes it). */
export const T_UDERR = 0x0040;
/** T_ORDREL (<xti.h>): t_look event: an orderly release indication arrived (t_rcvrel takes it). */
export const T_ORDREL = 0x0080;
/** T_GODATA (<xti.h>): t_look event: flow control lifted, normal data may be sent again. */
export const T_GODATA = 0x0100;
/** T_GOEXDATA (<xti.h>): t_look event: flow control lifted, expedited data may be sent again. */
export const T_GOEXDATA = 0x0200;

// Service types and t_info flags/sizes.
/** T_COTS (<xti.h>): t_info.servtype: connection-mode service without orderly release. */
export const T_COTS = 1;
/** T_COTS_ORD (<xti.h>): t_info.servtype: connection-mode service with orderly release. */
export const T_COTS_ORD = 2;
/** T_CLTS (<xti.h>): t_info.servtype: connectionless service. */
export const T_CLTS = 3;
/** T_SENDZERO (<xti.h>): t_info.flags: the provider accepts zero-length TSDUs. */
export const T_SENDZERO = 0x001;
/** T_ORDRELDATA (<xti.h>): t_info.flags: the provider carries user data with orderly release. */
export const T_ORDRELDATA = 0x002;
/** T_INFINITE (<xti.h>): t_info size: no limit. */
export const T_INFINITE = -1;
/** T_INVALID (<xti.h>): t_info size: the service is not supported. */
export const T_INVALID = -2;
/** T_NULL (<xti.h>): the null value of option and structure fields. */
export const T_NULL = 0;
/** T_UNUSED (<xti.h>): an unused value (t_scalar_t -1). */
export const T_UNUSED = -1;

// t_alloc structure types and fields.
/** T_BIND (<xti.h>): t_alloc/t_free structure type: struct t_bind. */
export const T_BIND = 1;
/** T_OPTMGMT (<xti.h>): t_alloc/t_free structure type: struct t_optmgmt. */
export const T_OPTMGMT = 2;
/** T_CALL (<xti.h>): t_alloc/t_free structure type: struct t_call. */
export const T_CALL = 3;
/** T_DIS (<xti.h>): t_alloc/t_free structure type: struct t_discon. */
export const T_DIS = 4;
/** T_UNITDATA (<xti.h>): t_alloc/t_free structure type: struct t_unitdata. */
export const T_UNITDATA = 5;
/** T_UDERROR (<xti.h>): t_alloc/t_free structure type: struct t_uderr. */
export const T_UDERROR = 6;
/** T_INFO (<xti.h>): t_alloc/t_free structure type: struct t_info. */
export const T_INFO = 7;
/** T_ADDR (<xti.h>): t_alloc field: allocate the addr netbuf. */
export const T_ADDR = 0x01;
/** T_OPT (<xti.h>): t_alloc field: allocate the opt netbuf. */
export const T_OPT = 0x02;
/** T_UDATA (<xti.h>): t_alloc field: allocate the udata netbuf. */
export const T_UDATA = 0x04;
/** T_ALL (<xti.h>): t_alloc field: allocate every netbuf of the structure. */
export const T_ALL = 0xffff;

// Data flags of t_snd / t_rcv / t_rcvudata.
/** T_MORE (<xti.h>): data flag: more of this TSDU follows (t_snd, t_rcv). */
export const T_MORE = 0x001;
/** T_EXPEDITED (<xti.h>): data flag: expedited (out-of-band) data. */
export const T_EXPEDITED = 0x002;
/** T_PUSH (<xti.h>): data flag: send now (accepted, no effect on sockets). */
export const T_PUSH = 0x004;

// t_optmgmt actions and results.
/** T_NEGOTIATE (<xti.h>): t_optmgmt action: negotiate the options. */
export const T_NEGOTIATE = 0x004;
/** T_CHECK (<xti.h>): t_optmgmt action: check whether the options are supported. */
export const T_CHECK = 0x008;
/** T_DEFAULT (<xti.h>): t_optmgmt action: return the default values. */
export const T_DEFAULT = 0x010;
/** T_SUCCESS (<xti.h>): t_optmgmt result: success. */
export const T_SUCCESS = 0x020;
/** T_FAILURE (<xti.h>): t_optmgmt result: failure. */
export const T_FAILURE = 0x040;
/** T_CURRENT (<xti.h>): t_optmgmt action: return the current values. */
export const T_CURRENT = 0x080;
/** T_PARTSUCCESS (<xti.h>): t_optmgmt result: negotiated to a lesser value. */
export const T_PARTSUCCESS = 0x100;
/** T_READONLY (<xti.h>): t_optmgmt result: the option is read-only. */
export const T_READONLY = 0x200;
/** T_NOTSUPPORT (<xti.h>): t_optmgmt result: the option is not supported. */
export const T_NOTSUPPORT = 0x400;
/** T_YES (<xti.h>): option value: on. */
export const T_YES = 1;
/** T_NO (<xti.h>): option value: off. */
export const T_NO = 0;
/** T_ALLOPT (<xti.h>): t_optmgmt option name: every option of the level. */
export const T_ALLOPT = 0;
/** T_ABSREQ (<xti.h>): option level flag: an absolute requirement. */
export const T_ABSREQ = 0x8000;
/** ~0 - 2 as t_scalar_t: "unspecified" in option values (l_linger, kp_timeout). */
export const T_UNSPEC = -3;

// Option levels and names.
/** XTI_GENERIC (<xti.h>): option level: options of every provider (XTI_DEBUG, XTI_LINGER, buffers). */
export const XTI_GENERIC = 0xffff;
/** XTI_DEBUG (<xti.h>): XTI_GENERIC option: debugging (SO_DEBUG). */
export const XTI_DEBUG = 0x0001;
/** XTI_LINGER (<xti.h>): XTI_GENERIC option: struct t_linger (SO_LINGER). */
export const XTI_LINGER = 0x0080;
/** XTI_SNDBUF (<xti.h>): XTI_GENERIC option: send buffer size (SO_SNDBUF). */
export const XTI_SNDBUF = 0x1001;
/** XTI_RCVBUF (<xti.h>): XTI_GENERIC option: receive buffer size (SO_RCVBUF). */
export const XTI_RCVBUF = 0x1002;
/** XTI_SNDLOWAT (<xti.h>): XTI_GENERIC option: send low-water mark (SO_SNDLOWAT). */
export const XTI_SNDLOWAT = 0x1003;
/** XTI_RCVLOWAT (<xti.h>): XTI_GENERIC option: receive low-water mark (SO_RCVLOWAT). */
export const XTI_RCVLOWAT = 0x1004;
/** INET_IP (<xti.h>): option level: IP (IPPROTO_IP). */
export const INET_IP = 0;
/** INET_TCP (<xti.h>): option level: TCP (IPPROTO_TCP). */
export const INET_TCP = 6;
/** INET_UDP (<xti.h>): option level: UDP (IPPROTO_UDP). */
export const INET_UDP = 17;
/** TCP_NODELAY (<xti.h>): INET_TCP option: no Nagle delay (setsockopt TCP_NODELAY). */
export const TCP_NODELAY = 0x1;
/** TCP_MAXSEG (<xti.h>): INET_TCP option: maximum segment size, read-only (TCP_MAXSEG). */
export const TCP_MAXSEG = 0x2;
/** TCP_KEEPALIVE (<xti.h>): INET_TCP option: struct t_kpalive (SO_KEEPALIVE, TCP_KEEPIDLE). */
export const TCP_KEEPALIVE = 0x8;
/** UDP_CHECKSUM (<xti.h>): INET_UDP option: checksums on (SO_NO_CHECK inverted). */
export const UDP_CHECKSUM = 0x0600;
/** IP_OPTIONS (<xti.h>): INET_IP option: IP header options (IP_OPTIONS). */
export const IP_OPTIONS = 0x1;
/** IP_TOS (<xti.h>): INET_IP option: type of service (IP_TOS). */
export const IP_TOS = 0x3;
/** IP_TTL (<xti.h>): INET_IP option: time to live (IP_TTL). */
export const IP_TTL = 0x4;
/** IP_REUSEADDR (<xti.h>): INET_IP option: reuse a local address (SO_REUSEADDR). */
export const IP_REUSEADDR = 0x104;
/** IP_DONTROUTE (<xti.h>): INET_IP option: bypass routing (SO_DONTROUTE). */
export const IP_DONTROUTE = 0x105;
/** IP_BROADCAST (<xti.h>): INET_IP option: allow broadcast (SO_BROADCAST). */
export const IP_BROADCAST = 0x106;

// t_sysconf.
/** _SC_T_IOV_MAX (<xti.h>): t_sysconf name: the most t_iovec entries a vector call takes. */
export const _SC_T_IOV_MAX = 79;
/** T_IOV_MAX (<xti.h>): t_sysconf(_SC_T_IOV_MAX)'s value: the most t_iovec entries per call. */
export const T_IOV_MAX = 16;

// open(2)/fcntl(2) names that classic XTI programs use, with this platform's values.
/** O_RDWR (<fcntl.h>): t_open oflag (open(2)'s O_RDWR, this platform's value): required. */
export const O_RDWR = C.O_RDWR;
/** O_NONBLOCK (<fcntl.h>): t_open oflag and fcntl flag (O_NONBLOCK, this platform's value): calls never wait. */
export const O_NONBLOCK = C.O_NONBLOCK;
/** F_GETFL (<fcntl.h>): fcntl(2) command F_GETFL: read the endpoint's O_RDWR | O_NONBLOCK. */
export const F_GETFL = C.F_GETFL;
/** F_SETFL (<fcntl.h>): fcntl(2) command F_SETFL: set or clear the endpoint's O_NONBLOCK. */
export const F_SETFL = C.F_SETFL;

/** State number -> name, for messages. */
export const stateNames = ['T_UNINIT', 'T_UNBND', 'T_IDLE', 'T_OUTCON', 'T_INCON', 'T_DATAXFER', 'T_OUTREL', 'T_INREL'] as const;
