/**
 * The one option table: (level, name, value type) for every option xsock knows by name.
 * setsockopt/getsockopt encode and decode through it; an option not in the table is still
 * reachable by number with an int or a raw Buffer.
 */
import { constants as C, constantOf } from '../constants.js';
import { XsockError, argType, intArg } from '../errors.js';

/** How an option's value is laid out in memory. */
export type OptionKind = 'int' | 'bool' | 'linger' | 'timeval' | 'ucred' | 'string' | 'u64' | 'buffer'
  | 'packet_mreq' | 'tpacket_stats';

/** One row of the option table: how getsockopt(2)/setsockopt(2) name an option and encode its value. */
export interface OptionSpec {
  /** The C name, e.g. 'SO_REUSEADDR' (a numeric pair unknown to the table gets `level:optname`). */
  readonly name: string;
  /** The `level` argument of getsockopt/setsockopt (SOL_SOCKET, IPPROTO_TCP ...). */
  readonly level: number;
  /** The `optname` argument, this platform's number for `name`. */
  readonly optname: number;
  /** How the option value's bytes are read and written. */
  readonly kind: OptionKind;
  /** The kernel only answers getsockopt for it (SO_TYPE, SO_PEERCRED ...): setsockopt is refused before the call. */
  readonly readonly?: boolean;
}

/**
 * { onoff, linger } of struct linger.
 * @property onoff l_onoff: close(2) lingers (or resets, with `linger` 0) while unsent data remains.
 * @property linger l_linger: how long close lingers, in seconds.
 */
export interface Linger { onoff: boolean; linger: number }
/**
 * struct packet_mreq for PACKET_ADD_MEMBERSHIP/PACKET_DROP_MEMBERSHIP: `type` 'promisc',
 * 'allmulti', 'multicast' (then `address` is the group's link-layer address) or PACKET_MR_*.
 * @property ifindex mr_ifindex: the interface index the membership applies to.
 * @property type mr_type: the kind of membership, by name or as a PACKET_MR_* number.
 * @property address mr_address: the link-layer address, as text (`aa:bb:...`), for 'multicast'.
 */
export interface PacketMembership { ifindex: number; type: 'promisc' | 'allmulti' | 'multicast' | number; address?: string }
/**
 * struct tpacket_stats (PACKET_STATISTICS; reading resets the kernel's counters).
 * @property packets tp_packets: frames received since the last read.
 * @property drops tp_drops: frames dropped since the last read (the receive queue was full).
 */
export interface PacketStatistics { packets: number; drops: number }
/**
 * struct ucred; `null` stands for "no credentials" (pid 0, uid/gid -1).
 * @property pid The process id.
 * @property uid The user id.
 * @property gid The group id.
 */
export interface Credentials { pid: number; uid: number; gid: number }

type Row = readonly [name: string, kind: OptionKind, readonly?: boolean];
// `as const` keeps every name a literal so OptionName and OptionValue derive from this table.
const rows = {
  SOL_SOCKET: [
    ['SO_ACCEPTCONN', 'bool', true], ['SO_BROADCAST', 'bool'], ['SO_BINDTODEVICE', 'string'],
    ['SO_COOKIE', 'u64', true], ['SO_DEBUG', 'bool'], ['SO_DOMAIN', 'int', true],
    ['SO_DONTROUTE', 'bool'], ['SO_ERROR', 'int', true], ['SO_INCOMING_CPU', 'int'],
    ['SO_KEEPALIVE', 'bool'], ['SO_LINGER', 'linger'], ['SO_MARK', 'int'], ['SO_NO_CHECK', 'bool'], ['SO_OOBINLINE', 'bool'],
    ['SO_PASSCRED', 'bool'], ['SO_PASSPIDFD', 'bool'], ['SO_PEEK_OFF', 'int'], ['SO_PEERCRED', 'ucred', true],
    ['SO_PEERSEC', 'string', true], ['SO_PRIORITY', 'int'], ['SO_PROTOCOL', 'int', true],
    ['SO_RCVBUF', 'int'], ['SO_RCVBUFFORCE', 'int'], ['SO_RCVLOWAT', 'int'], ['SO_RCVTIMEO', 'timeval'],
    ['SO_REUSEADDR', 'bool'], ['SO_REUSEPORT', 'bool'], ['SO_RXQ_OVFL', 'bool'],
    ['SO_SNDBUF', 'int'], ['SO_SNDBUFFORCE', 'int'], ['SO_SNDLOWAT', 'int'], ['SO_SNDTIMEO', 'timeval'],
    ['SO_TIMESTAMP', 'bool'], ['SO_TYPE', 'int', true], ['SO_ZEROCOPY', 'bool'],
  ],
  IPPROTO_TCP: [
    ['TCP_CONGESTION', 'string'], ['TCP_CORK', 'bool'], ['TCP_DEFER_ACCEPT', 'int'], ['TCP_FASTOPEN', 'int'],
    ['TCP_INFO', 'buffer', true], ['TCP_KEEPCNT', 'int'], ['TCP_KEEPIDLE', 'int'], ['TCP_KEEPINTVL', 'int'],
    ['TCP_LINGER2', 'int'], ['TCP_MAXSEG', 'int'], ['TCP_NODELAY', 'bool'], ['TCP_NOTSENT_LOWAT', 'int'],
    ['TCP_QUICKACK', 'bool'], ['TCP_SYNCNT', 'int'], ['TCP_USER_TIMEOUT', 'int'], ['TCP_WINDOW_CLAMP', 'int'],
  ],
  IPPROTO_IP: [
    ['IP_BIND_ADDRESS_NO_PORT', 'bool'], ['IP_FREEBIND', 'bool'], ['IP_HDRINCL', 'bool'],
    ['IP_MTU', 'int', true], ['IP_MTU_DISCOVER', 'int'], ['IP_MULTICAST_LOOP', 'bool'], ['IP_MULTICAST_TTL', 'int'],
    ['IP_OPTIONS', 'buffer'], ['IP_PKTINFO', 'bool'], ['IP_RECVERR', 'bool'], ['IP_RECVTOS', 'bool'],
    ['IP_RECVTTL', 'bool'], ['IP_TOS', 'int'], ['IP_TRANSPARENT', 'bool'], ['IP_TTL', 'int'],
  ],
  IPPROTO_IPV6: [
    ['IPV6_MTU', 'int'], ['IPV6_MULTICAST_HOPS', 'int'], ['IPV6_MULTICAST_IF', 'int'], ['IPV6_MULTICAST_LOOP', 'bool'],
    ['IPV6_RECVERR', 'bool'], ['IPV6_RECVPKTINFO', 'bool'], ['IPV6_TCLASS', 'int'], ['IPV6_UNICAST_HOPS', 'int'],
    ['IPV6_V6ONLY', 'bool'], ['IPV6_CHECKSUM', 'int'],
  ],
  // Group numbers (1..32 and beyond), not the bit masks of sockaddr_nl.groups.
  SOL_NETLINK: [
    ['NETLINK_ADD_MEMBERSHIP', 'int'], ['NETLINK_DROP_MEMBERSHIP', 'int'], ['NETLINK_PKTINFO', 'bool'],
    ['NETLINK_BROADCAST_ERROR', 'bool'], ['NETLINK_NO_ENOBUFS', 'bool'], ['NETLINK_LISTEN_ALL_NSID', 'bool'],
    ['NETLINK_LIST_MEMBERSHIPS', 'buffer', true], ['NETLINK_CAP_ACK', 'bool'], ['NETLINK_EXT_ACK', 'bool'],
    ['NETLINK_GET_STRICT_CHK', 'bool'],
  ],
  SOL_PACKET: [
    ['PACKET_ADD_MEMBERSHIP', 'packet_mreq'], ['PACKET_DROP_MEMBERSHIP', 'packet_mreq'], ['PACKET_AUXDATA', 'bool'],
    ['PACKET_ORIGDEV', 'bool'], ['PACKET_STATISTICS', 'tpacket_stats', true], ['PACKET_VERSION', 'int'],
    ['PACKET_QDISC_BYPASS', 'bool'], ['PACKET_IGNORE_OUTGOING', 'bool'], ['PACKET_FANOUT', 'int'],
  ],
  // struct mptcp_info as bytes: its layout grows with every kernel.
  SOL_MPTCP: [['MPTCP_INFO', 'buffer', true], ['MPTCP_TCPINFO', 'buffer', true]],
} as const satisfies Record<string, readonly Row[]>;

/** One row of the option table as a type: [name, kind, readonly?] with literal names. */
export type OptionTableRow = (typeof rows)[keyof typeof rows][number];

/** The C name of every option in the table ('SO_REUSEADDR', 'TCP_NODELAY' ...): a typo does not compile. */
export type OptionName = OptionTableRow[0];

/** The level names setsockopt/getsockopt accept ('SOL_SOCKET', 'IPPROTO_TCP', 'SOL_TCP' ...). */
export type OptionLevel = 'SOL_SOCKET' | 'IPPROTO_TCP' | 'SOL_TCP' | 'IPPROTO_IP' | 'SOL_IP' | 'IPPROTO_IPV6' | 'SOL_IPV6'
  | 'IPPROTO_UDP' | 'SOL_NETLINK' | 'SOL_PACKET' | 'SOL_MPTCP';

/**
 * What getsockopt returns for each kind of option.
 * @property int A C int.
 * @property bool A C int read as on (non-zero) or off.
 * @property linger struct linger (SO_LINGER).
 * @property timeval struct timeval (SO_RCVTIMEO, SO_SNDTIMEO), in milliseconds.
 * @property ucred struct ucred (SO_PEERCRED), `null` when the peer has none.
 * @property string A NUL-terminated string (SO_BINDTODEVICE, TCP_CONGESTION ...).
 * @property u64 A 64-bit unsigned integer (SO_COOKIE).
 * @property buffer The raw bytes (TCP_INFO, IP_OPTIONS ...).
 * @property packet_mreq The raw bytes (Linux has no getsockopt for memberships: it fails with ENOPROTOOPT).
 * @property tpacket_stats struct tpacket_stats (PACKET_STATISTICS).
 */
export interface OptionKindValue {
  int: number; bool: boolean; linger: Linger; timeval: number; ucred: Credentials | null; string: string;
  u64: bigint; buffer: Buffer; packet_mreq: Buffer; tpacket_stats: PacketStatistics;
}
/**
 * What setsockopt accepts for each kind of option (a raw Uint8Array is accepted for every option).
 * `never` marks kinds that only getsockopt can read.
 * @property int A C int.
 * @property bool true/false, or a number passed as the C int.
 * @property linger struct linger (SO_LINGER).
 * @property timeval Milliseconds, written as struct timeval.
 * @property ucred Read-only (SO_PEERCRED).
 * @property string A string, written as its bytes.
 * @property u64 Read-only (SO_COOKIE).
 * @property buffer A number, written as a C int (a raw Uint8Array for anything else).
 * @property packet_mreq struct packet_mreq (PACKET_ADD_MEMBERSHIP, PACKET_DROP_MEMBERSHIP).
 * @property tpacket_stats Read-only (PACKET_STATISTICS).
 */
export interface OptionKindInput {
  int: number; bool: boolean | number; linger: Linger; timeval: number; ucred: never; string: string;
  u64: never; buffer: number; packet_mreq: PacketMembership; tpacket_stats: never;
}

/** The kind of option `N` in the table. */
export type OptionKindOf<N extends OptionName> = Extract<OptionTableRow, readonly [N, ...unknown[]]>[1];
/** getsockopt's result for option `N`: SO_REUSEADDR -> boolean, SO_LINGER -> Linger, SO_PEERCRED -> Credentials | null ... */
export type OptionValue<N extends OptionName> = OptionKindValue[OptionKindOf<N>];
/** setsockopt's value for option `N` (besides a raw Uint8Array). */
export type OptionInput<N extends OptionName> = OptionKindInput[OptionKindOf<N>];
/** Any value getsockopt can return: what a numeric (level, name) pair yields (a known pair decodes as its option). */
export type AnyOptionValue = OptionKindValue[OptionKind];

/** Every known option, by its C name. Options missing from this platform's headers are left out. */
export const optionTable: ReadonlyMap<string, OptionSpec> = new Map(
  Object.entries(rows as Record<string, readonly Row[]>).flatMap(([levelName, list]) => list
    .filter(([name]) => constantOf(name) !== undefined)
    .map(([name, kind, ro]): [string, OptionSpec] => [name, { name, level: constantOf(levelName)!, optname: constantOf(name)!, kind, ...(ro ? { readonly: ro } : {}) }])),
);

const byNumber = new Map<string, OptionSpec>([...optionTable.values()].map((s) => [`${s.level}:${s.optname}`, s]));
const levelAliases: Record<string, number> = {
  SOL_SOCKET: C.SOL_SOCKET, IPPROTO_TCP: C.IPPROTO_TCP, SOL_TCP: C.IPPROTO_TCP, IPPROTO_IP: C.IPPROTO_IP,
  SOL_IP: C.IPPROTO_IP, IPPROTO_IPV6: C.IPPROTO_IPV6, SOL_IPV6: C.IPPROTO_IPV6, IPPROTO_UDP: C.IPPROTO_UDP,
  SOL_NETLINK: C.SOL_NETLINK, SOL_PACKET: C.SOL_PACKET, SOL_MPTCP: C.SOL_MPTCP,
};

/**
 * Resolves a (level, name) pair given as names or numbers. A known name wins; an unknown
 * numeric pair yields a raw spec ('int' for numbers, 'buffer' for Buffers).
 */
export function lookupOption(level: unknown, name: unknown): OptionSpec {
  if (typeof name === 'string') {
    const spec = optionTable.get(name);
    if (!spec) throw new XsockError('ERR_XSOCK_UNKNOWN_OPTION', `The "name" argument names no known option: ${name} (pass level and name as numbers for raw access)`);
    if (level !== undefined && level !== null && levelNumber(level) !== spec.level) {
      throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "level" argument does not match option ${name}`);
    }
    return spec;
  }
  const lv = levelNumber(level);
  const n = intArg('name', name, 0, 0x7fffffff);
  return byNumber.get(`${lv}:${n}`) ?? { name: `${lv}:${n}`, level: lv, optname: n, kind: 'buffer' };
}

function levelNumber(level: unknown): number {
  if (typeof level === 'string') {
    const n = levelAliases[level];
    if (n === undefined) throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "level" argument names no known level: ${level}`);
    return n;
  }
  return intArg('level', level, 0, 0x7fffffff);
}

/** Encodes a value for setsockopt into `buf`; returns the length. */
export function encodeOption(spec: OptionSpec, value: unknown, buf: Buffer): number {
  if (spec.readonly) throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `option ${spec.name} is read-only`);
  if (value instanceof Uint8Array) {
    if (value.length > buf.length) throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', `The "value" for ${spec.name} is longer than ${buf.length} bytes`);
    buf.set(value);
    return value.length;
  }
  switch (spec.kind) {
    case 'bool':
      if (typeof value === 'boolean') return buf.writeInt32LE(value ? 1 : 0, 0);
      return buf.writeInt32LE(intArg('value', value, -0x80000000, 0x7fffffff), 0);
    case 'int':
    case 'buffer':
      return buf.writeInt32LE(intArg('value', value, -0x80000000, 0x7fffffff), 0);
    case 'u64':
      throw argType('value', `a Buffer for ${spec.name}`, value);
    case 'string': {
      if (typeof value !== 'string') throw argType('value', `a string for ${spec.name}`, value);
      return buf.write(value, 0, 'utf8');
    }
    case 'linger': {
      const l = value as Linger;
      if (!l || typeof l !== 'object' || typeof l.onoff !== 'boolean') throw argType('value', 'a { onoff: boolean, linger: seconds } object', value);
      buf.writeInt32LE(l.onoff ? 1 : 0, 0);
      buf.writeInt32LE(intArg('value.linger', l.linger, 0, 0x7fffffff), 4);
      return C.SIZEOF_LINGER;
    }
    case 'timeval': {
      if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) throw argType('value', 'a non-negative number of milliseconds', value);
      buf.writeBigInt64LE(BigInt(Math.floor(value / 1000)), 0);
      buf.writeBigInt64LE(BigInt(Math.round((value % 1000) * 1000)), 8);
      return C.SIZEOF_TIMEVAL;
    }
    case 'ucred':
    case 'tpacket_stats': throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `option ${spec.name} is read-only`);
    case 'packet_mreq': return encodePacketMembership(value, buf);
  }
}

const MR_TYPES: Record<string, number> = { promisc: C.PACKET_MR_PROMISC, allmulti: C.PACKET_MR_ALLMULTI, multicast: C.PACKET_MR_MULTICAST };

function encodePacketMembership(value: unknown, buf: Buffer): number {
  const m = value as PacketMembership;
  if (!m || typeof m !== 'object') throw argType('value', "a { ifindex, type: 'promisc' | 'allmulti' | 'multicast', address? } object", value);
  const type = typeof m.type === 'string' && Object.hasOwn(MR_TYPES, m.type) ? MR_TYPES[m.type]!
    : typeof m.type === 'number' ? intArg('value.type', m.type, 0, 0xffff) : -1;
  if (type < 0) throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "value.type" must be 'promisc', 'allmulti', 'multicast' or a PACKET_MR_* number; received ${String(m.type)}`);
  buf.fill(0, 0, C.SIZEOF_PACKET_MREQ);
  buf.writeInt32LE(intArg('value.ifindex', m.ifindex, 0, 0x7fffffff), 0);
  buf.writeUInt16LE(type, 4);
  if (m.address !== undefined) {
    if (typeof m.address !== 'string' || !/^[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2}){0,7}$/.test(m.address)) {
      throw argType('value.address', "a link-layer address like '01:00:5e:00:00:01'", m.address);
    }
    const bytes = m.address.split(':').map((h) => parseInt(h, 16));
    buf.writeUInt16LE(bytes.length, 6);
    Buffer.from(bytes).copy(buf, 8);
  }
  return C.SIZEOF_PACKET_MREQ;
}

/** Decodes getsockopt output of `len` bytes. */
export function decodeOption(spec: OptionSpec, buf: Buffer, len: number): unknown {
  switch (spec.kind) {
    case 'bool': return buf.readInt32LE(0) !== 0;
    case 'int': return len >= 4 ? buf.readInt32LE(0) : len === 1 ? buf[0] : 0;
    case 'u64': return buf.readBigUInt64LE(0);
    case 'string': {
      const end = buf.indexOf(0);
      return buf.toString('utf8', 0, end >= 0 && end < len ? end : len);
    }
    case 'linger': return { onoff: buf.readInt32LE(0) !== 0, linger: buf.readInt32LE(4) } satisfies Linger;
    case 'timeval': return Number(buf.readBigInt64LE(0)) * 1000 + Number(buf.readBigInt64LE(8)) / 1000;
    case 'ucred': return decodeCredentials(buf, 0);
    case 'buffer': return Buffer.from(buf.subarray(0, len));
    case 'tpacket_stats': return { packets: buf.readUInt32LE(0), drops: buf.readUInt32LE(4) } satisfies PacketStatistics;
    case 'packet_mreq': return Buffer.from(buf.subarray(0, len));
  }
}

/** struct ucred at `off`; pid 0 with uid/gid -1 is the kernel's "none". */
export function decodeCredentials(buf: Buffer, off: number): Credentials | null {
  const pid = buf.readInt32LE(off);
  const uid = buf.readUInt32LE(off + 4);
  const gid = buf.readUInt32LE(off + 8);
  if (pid === 0 && uid === 0xffffffff && gid === 0xffffffff) return null;
  return { pid, uid, gid };
}
