/**
 * Transport providers: the names t_open accepts, their t_info, and the kernel socket each
 * one runs on — the BSD SVR4-compatibility mapping: SOCK_STREAM for connection mode,
 * SOCK_DGRAM for connectionless. The loopback providers (the `tl` driver's ticots,
 * ticotsord, ticlts) use AF_UNIX with abstract names, whose bytes are the opaque address.
 */
import { constants as C } from '../constants.js';
import { T_CLTS, T_COTS, T_COTS_ORD, T_INFINITE, T_INVALID, T_SENDZERO } from './constants.js';

/** struct t_info. */
export interface TInfo {
  /** Largest transport address, in bytes (T_INVALID: no user access to addresses). */
  addr: number;
  /** Largest option buffer t_optmgmt takes (T_INVALID: no options). */
  options: number;
  /** Largest TSDU: 0 for a byte stream without boundaries, T_INFINITE for no limit. */
  tsdu: number;
  /** Largest expedited TSDU (T_INFINITE: no limit; T_INVALID: no expedited data). */
  etsdu: number;
  /** User data with t_connect/t_accept (T_INVALID: not supported). */
  connect: number;
  /** User data with t_snddis/t_rcvdis (T_INVALID: not supported). */
  discon: number;
  /** The service type: T_COTS, T_COTS_ORD or T_CLTS. */
  servtype: number;
  /** Provider features: T_SENDZERO (zero-length TSDUs can be sent) ... */
  flags: number;
}

/** How a provider is built on sockets. */
export interface Provider {
  readonly name: string;
  readonly domain: 'inet' | 'inet6' | 'unix';
  readonly type: 'stream' | 'dgram' | 'seqpacket';
  readonly info: Readonly<TInfo>;
}

// Abstract names: sun_path minus the leading NUL.
const UNIX_ADDR = C.SIZEOF_SOCKADDR_UN - C.OFFSETOF_SUN_PATH - 1;
const OPTIONS = 512;

const tcp = (addr: number): TInfo => ({ addr, options: OPTIONS, tsdu: 0, etsdu: T_INFINITE, connect: T_INVALID, discon: T_INVALID, servtype: T_COTS_ORD, flags: 0 });
const udp = (addr: number, tsdu: number): TInfo => ({ addr, options: OPTIONS, tsdu, etsdu: T_INVALID, connect: T_INVALID, discon: T_INVALID, servtype: T_CLTS, flags: T_SENDZERO });

const table: Provider[] = [
  { name: '/dev/tcp', domain: 'inet', type: 'stream', info: tcp(C.SIZEOF_SOCKADDR_IN) },
  { name: '/dev/tcp6', domain: 'inet6', type: 'stream', info: tcp(C.SIZEOF_SOCKADDR_IN6) },
  { name: '/dev/udp', domain: 'inet', type: 'dgram', info: udp(C.SIZEOF_SOCKADDR_IN, 65507) },
  { name: '/dev/udp6', domain: 'inet6', type: 'dgram', info: udp(C.SIZEOF_SOCKADDR_IN6, 65487) },
  // T_COTS keeps TSDU boundaries (SOCK_SEQPACKET); it has no orderly release and no
  // out-of-band data, so a peer's close is a disconnect.
  { name: '/dev/ticots', domain: 'unix', type: 'seqpacket', info: { addr: UNIX_ADDR, options: T_INVALID, tsdu: T_INFINITE, etsdu: T_INVALID, connect: T_INVALID, discon: T_INVALID, servtype: T_COTS, flags: T_SENDZERO } },
  // T_COTS_ORD: a byte stream with orderly release (FIN) and expedited data (unix MSG_OOB).
  { name: '/dev/ticotsord', domain: 'unix', type: 'stream', info: { addr: UNIX_ADDR, options: T_INVALID, tsdu: 0, etsdu: T_INFINITE, connect: T_INVALID, discon: T_INVALID, servtype: T_COTS_ORD, flags: 0 } },
  { name: '/dev/ticlts', domain: 'unix', type: 'dgram', info: { addr: UNIX_ADDR, options: T_INVALID, tsdu: 65536, etsdu: T_INVALID, connect: T_INVALID, discon: T_INVALID, servtype: T_CLTS, flags: T_SENDZERO } },
];

const byName = new Map(table.map((p) => [p.name, p]));

/** The provider named `name` (a /dev path as in /etc/netconfig), or undefined. */
export function findProvider(name: string): Provider | undefined {
  return byName.get(name);
}

/** Every provider with its t_info, in netconfig order (for `xsock info`). */
export function providerInfo(): {
  /** The device name t_open takes ('/dev/tcp'). */
  name: string;
  /** The socket domain it runs on: 'inet', 'inet6' or 'unix'. */
  domain: string;
  /** The socket type: 'stream', 'dgram' or 'seqpacket'. */
  type: string;
  /** A copy of its t_info (what t_open and t_getinfo return). */
  info: TInfo;
}[] {
  return table.map((p) => ({ name: p.name, domain: p.domain, type: p.type, info: { ...p.info } }));
}

/** Provider for a socket found by t_sync (domain/type from the kernel). */
export function providerFor(domain: number, type: number): Provider | undefined {
  const d = domain === C.AF_INET ? 'inet' : domain === C.AF_INET6 ? 'inet6' : domain === C.AF_UNIX ? 'unix' : '';
  const t = type === C.SOCK_STREAM ? 'stream' : type === C.SOCK_DGRAM ? 'dgram' : type === C.SOCK_SEQPACKET ? 'seqpacket' : '';
  return table.find((p) => p.domain === d && p.type === t);
}
