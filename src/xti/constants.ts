/**
 * XTI constants with the Solaris/XNS names and values (<xti.h>, <sys/tiuser.h>,
 * <sys/xti_inet.h>, <sys/xti_xtiopt.h>), plus the fcntl names that classic XTI programs use.
 */
import { constants as C } from '../constants.js';

// Endpoint states (illumos _data2.c order).
export const T_UNINIT = 0;
export const T_UNBND = 1;
export const T_IDLE = 2;
export const T_OUTCON = 3;
export const T_INCON = 4;
export const T_DATAXFER = 5;
export const T_OUTREL = 6;
export const T_INREL = 7;

// Events reported by t_look.
export const T_LISTEN = 0x0001;
export const T_CONNECT = 0x0002;
export const T_DATA = 0x0004;
export const T_EXDATA = 0x0008;
export const T_DISCONNECT = 0x0010;
export const T_UDERR = 0x0040;
export const T_ORDREL = 0x0080;
export const T_GODATA = 0x0100;
export const T_GOEXDATA = 0x0200;

// Service types and t_info flags/sizes.
export const T_COTS = 1;
export const T_COTS_ORD = 2;
export const T_CLTS = 3;
export const T_SENDZERO = 0x001;
export const T_ORDRELDATA = 0x002;
export const T_INFINITE = -1;
export const T_INVALID = -2;
export const T_NULL = 0;
export const T_UNUSED = -1;

// t_alloc structure types and fields.
export const T_BIND = 1;
export const T_OPTMGMT = 2;
export const T_CALL = 3;
export const T_DIS = 4;
export const T_UNITDATA = 5;
export const T_UDERROR = 6;
export const T_INFO = 7;
export const T_ADDR = 0x01;
export const T_OPT = 0x02;
export const T_UDATA = 0x04;
export const T_ALL = 0xffff;

// Data flags of t_snd / t_rcv / t_rcvudata.
export const T_MORE = 0x001;
export const T_EXPEDITED = 0x002;
export const T_PUSH = 0x004;

// t_optmgmt actions and results.
export const T_NEGOTIATE = 0x004;
export const T_CHECK = 0x008;
export const T_DEFAULT = 0x010;
export const T_SUCCESS = 0x020;
export const T_FAILURE = 0x040;
export const T_CURRENT = 0x080;
export const T_PARTSUCCESS = 0x100;
export const T_READONLY = 0x200;
export const T_NOTSUPPORT = 0x400;
export const T_YES = 1;
export const T_NO = 0;
export const T_ALLOPT = 0;
export const T_ABSREQ = 0x8000;
/** ~0 - 2 as t_scalar_t: "unspecified" in option values (l_linger, kp_timeout). */
export const T_UNSPEC = -3;

// Option levels and names.
export const XTI_GENERIC = 0xffff;
export const XTI_DEBUG = 0x0001;
export const XTI_LINGER = 0x0080;
export const XTI_SNDBUF = 0x1001;
export const XTI_RCVBUF = 0x1002;
export const XTI_SNDLOWAT = 0x1003;
export const XTI_RCVLOWAT = 0x1004;
export const INET_IP = 0;
export const INET_TCP = 6;
export const INET_UDP = 17;
export const TCP_NODELAY = 0x1;
export const TCP_MAXSEG = 0x2;
export const TCP_KEEPALIVE = 0x8;
export const UDP_CHECKSUM = 0x0600;
export const IP_OPTIONS = 0x1;
export const IP_TOS = 0x3;
export const IP_TTL = 0x4;
export const IP_REUSEADDR = 0x104;
export const IP_DONTROUTE = 0x105;
export const IP_BROADCAST = 0x106;

// t_sysconf.
export const _SC_T_IOV_MAX = 79;
export const T_IOV_MAX = 16;

// open(2)/fcntl(2) names that classic XTI programs use, with this platform's values.
export const O_RDWR = C.O_RDWR;
export const O_NONBLOCK = C.O_NONBLOCK;
export const F_GETFL = C.F_GETFL;
export const F_SETFL = C.F_SETFL;

/** State number -> name, for messages. */
export const stateNames = ['T_UNINIT', 'T_UNBND', 'T_IDLE', 'T_OUTCON', 'T_INCON', 'T_DATAXFER', 'T_OUTREL', 'T_INREL'] as const;
