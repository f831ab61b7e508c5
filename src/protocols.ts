/**
 * Protocol names: the socket() protocol argument of every domain, by name or number.
 *
 * inet/inet6 protocols come from the protocols database (/etc/protocols, as
 * getprotobyname(3) reads it), with the handful every system has built in when the file
 * is missing. Netlink protocols are the NETLINK_* families ('route', 'audit',
 * 'kobject_uevent', 'generic' ...). Packet protocols are ethertypes, plain host-order
 * numbers (0x0800, 0x88b5) or names ('all', 'ip', 'arp', 'ipv6'); the kernel wants them in
 * network order, and only this file and the address codec turn them around.
 */
import { readFileSync } from 'node:fs';
import { constants as C } from './constants.js';
import { XsockError, argType } from './errors.js';

/**
 * One entry, as struct protoent: official name, aliases, number.
 * @property name p_name: the official name ('tcp').
 * @property aliases p_aliases: the other names ('TCP').
 * @property number p_proto: the IPPROTO_* number socket(2) takes.
 */
export interface ProtocolEntry { name: string; aliases: string[]; number: number }

/** Where the database lives (nsswitch "files"). */
export const PROTOCOLS_PATH = '/etc/protocols';

/** What a system without /etc/protocols still knows (IANA numbers). */
const BUILTIN = 'ip 0 IP\nicmp 1 ICMP\nigmp 2 IGMP\ntcp 6 TCP\nudp 17 UDP\nipv6 41 IPv6\ngre 47 GRE\n'
  + 'ipv6-icmp 58 IPv6-ICMP icmpv6\nsctp 132 SCTP\nudplite 136 UDPLite\nmptcp 262 MPTCP\nraw 255 RAW\n';

interface Db { byName: Map<string, ProtocolEntry>; byNumber: Map<number, ProtocolEntry> }
let db: Db | null = null;

/** Parses the protocols file format: `name number [aliases...] [# comment]`. */
export function parseProtocols(text: string): Db {
  const byName = new Map<string, ProtocolEntry>();
  const byNumber = new Map<number, ProtocolEntry>();
  for (const raw of text.split('\n')) {
    const words = raw.replace(/#.*/, '').trim().split(/\s+/);
    const [name, num] = words;
    if (name === undefined || num === undefined || !/^\d+$/.test(num)) continue;
    const e: ProtocolEntry = { name, aliases: words.slice(2), number: Number(num) };
    for (const n of [e.name, ...e.aliases]) if (!byName.has(n)) byName.set(n, e);
    if (!byNumber.has(e.number)) byNumber.set(e.number, e);
  }
  return { byName, byNumber };
}

function load(): Db {
  if (db) return db;
  let text = '';
  try {
    text = readFileSync(PROTOCOLS_PATH, 'latin1');
  } catch {
    // No netbase: the built-in names still work.
  }
  db = parseProtocols(text);
  const builtin = parseProtocols(BUILTIN);
  // Names the kernel accepts that older databases lack (mptcp, icmpv6, raw).
  for (const [n, e] of builtin.byName) if (!db.byName.has(n)) db.byName.set(n, e);
  for (const [n, e] of builtin.byNumber) if (!db.byNumber.has(n)) db.byNumber.set(n, e);
  return db;
}

function copy(e: ProtocolEntry | undefined): ProtocolEntry | null {
  return e ? { ...e, aliases: [...e.aliases] } : null;
}

/** getprotobyname(3): the entry for a protocol name or alias (case as written), or null. */
export function getprotobyname(name: string): ProtocolEntry | null {
  if (typeof name !== 'string') throw argType('name', 'a string', name);
  return copy(load().byName.get(name));
}

/** getprotobynumber(3): the entry for an IP protocol number, or null. */
export function getprotobynumber(n: number): ProtocolEntry | null {
  if (typeof n !== 'number' || !Number.isInteger(n)) throw argType('number', 'an integer', n);
  return copy(load().byNumber.get(n));
}

/** NETLINK_* protocol by its lower-case name: 'route', 'kobject_uevent', 'sock_diag' ... */
export function netlinkProtocols(): Map<string, number> {
  const m = new Map<string, number>();
  const skip = new Set(['ADD_MEMBERSHIP', 'DROP_MEMBERSHIP', 'PKTINFO', 'BROADCAST_ERROR', 'NO_ENOBUFS',
    'LISTEN_ALL_NSID', 'LIST_MEMBERSHIPS', 'CAP_ACK', 'EXT_ACK', 'GET_STRICT_CHK']);
  for (const [k, v] of Object.entries(C)) {
    if (k.startsWith('NETLINK_') && !skip.has(k.slice(8))) m.set(k.slice(8).toLowerCase(), v);
  }
  m.set('inet_diag', C.NETLINK_SOCK_DIAG);
  return m;
}

/** Ethertypes by name ('all', 'ip', 'arp', 'ipv6', '8021q', 'lldp' ...), host order. */
export function ethertypes(): Map<string, number> {
  const m = new Map<string, number>();
  for (const [k, v] of Object.entries(C)) if (k.startsWith('ETH_P_')) m.set(k.slice(6).toLowerCase(), v);
  return m;
}

/** 16-bit byte swap: host-order ethertype <-> the network-order value the kernel wants. */
export function htons(n: number): number {
  return ((n & 0xff) << 8) | ((n >>> 8) & 0xff);
}

/**
 * socket()'s protocol argument for `domain` (an AF_* number) -> the number the kernel
 * takes. Names and ranges are checked per domain; a packet ethertype is byte-swapped.
 */
export function protocolNumber(domain: number, protocol: unknown): number {
  if (domain === C.AF_PACKET) {
    const n = typeof protocol === 'string' ? ethertypes().get(protocol.toLowerCase()) : protocol;
    if (typeof protocol === 'string' && n === undefined) throw unknown(protocol, `an ethertype name (${[...ethertypes().keys()].join(', ')}) or a number`);
    return htons(range(n, 0xffff, 'an ethertype (0..0xffff, host order)'));
  }
  if (domain === C.AF_NETLINK) {
    const n = typeof protocol === 'string' ? netlinkProtocols().get(protocol.toLowerCase()) : protocol;
    if (typeof protocol === 'string' && n === undefined) throw unknown(protocol, `a netlink protocol (${[...netlinkProtocols().keys()].join(', ')})`);
    return range(n, 31, 'a NETLINK_* number (0..31)');
  }
  if (typeof protocol === 'string') {
    if (domain !== C.AF_INET && domain !== C.AF_INET6) throw unknown(protocol, 'a number in this domain (names exist for inet, inet6, netlink and packet)');
    const e = getprotobyname(protocol) ?? getprotobyname(protocol.toLowerCase());
    if (!e) throw unknown(protocol, `a protocol in ${PROTOCOLS_PATH} ('icmp', 'tcp', 'udp', 'ipv6-icmp', 'mptcp' ...)`);
    return e.number;
  }
  // IPPROTO_MPTCP is 262: IP protocol numbers are not bytes at the socket() boundary.
  return range(protocol, 0xffff, 'a protocol number');
}

function range(n: unknown, max: number, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n)) throw argType('protocol', `a name or ${what}`, n);
  if (n < 0 || n > max) throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', `The "protocol" argument must be ${what}; received ${n}`);
  return n;
}

function unknown(name: string, expected: string): XsockError {
  return new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "protocol" argument names no known protocol: '${name}'; expected ${expected}`);
}
