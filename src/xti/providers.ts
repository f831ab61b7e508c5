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
  addr: number;
  options: number;
  tsdu: number;
  etsdu: number;
  connect: number;
  discon: number;
  servtype: number;
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
export function providerInfo(): { name: string; domain: string; type: string; info: TInfo }[] {
  return table.map((p) => ({ name: p.name, domain: p.domain, type: p.type, info: { ...p.info } }));
}

/** Provider for a socket found by t_sync (domain/type from the kernel). */
export function providerFor(domain: number, type: number): Provider | undefined {
  const d = domain === C.AF_INET ? 'inet' : domain === C.AF_INET6 ? 'inet6' : domain === C.AF_UNIX ? 'unix' : '';
  const t = type === C.SOCK_STREAM ? 'stream' : type === C.SOCK_DGRAM ? 'dgram' : type === C.SOCK_SEQPACKET ? 'seqpacket' : '';
  return table.find((p) => p.domain === d && p.type === t);
}
