/**
 * Socket addresses: plain objects <-> struct sockaddr bytes <-> text.
 *
 * Decoding is always by addrlen, never by strlen: abstract unix names are exactly the
 * bytes addrlen covers (Node core pads them to 108 bytes and so names a different
 * socket), and a 108-byte path has no terminating NUL.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { constants as C } from './constants.js';
import { XsockError, argType, shown, type ErrorAddress } from './errors.js';
import { parseIPv6, formatIPv6, scopeIdOf } from './ipv6.js';
import {
  encodeNetlink, encodePacket, encodeVsock, decodeDomainAddress, parseDomainAddress, formatNetlink, formatPacket, formatVsock,
  type NetlinkAddress, type PacketAddress, type VsockAddress,
} from './address-domains.js';

export type { NetlinkAddress, PacketAddress, VsockAddress } from './address-domains.js';

/**
 * struct sockaddr_un. `{ path }` names a file, `{ abstract }` an abstract name (exact bytes), neither: unnamed.
 * @property family AF_UNIX.
 * @property path sun_path: a file system path.
 * @property abstract sun_path after its leading NUL: a name in the abstract namespace (a string when it is valid UTF-8, else a Buffer).
 */
export interface UnixAddress { family: 'unix'; path?: string; abstract?: string | Buffer }
/**
 * struct sockaddr_in.
 * @property family AF_INET.
 * @property address sin_addr, as dotted text ('127.0.0.1').
 * @property port sin_port, in host order.
 */
export interface InetAddress { family: 'inet'; address: string; port: number }
/**
 * struct sockaddr_in6.
 * @property family AF_INET6.
 * @property address sin6_addr, as text ('::1').
 * @property port sin6_port, in host order.
 * @property flowinfo sin6_flowinfo: the flow label and traffic class (0 when absent).
 * @property scopeId sin6_scope_id: the interface index of a link-local address (0 when absent).
 */
export interface Inet6Address { family: 'inet6'; address: string; port: number; flowinfo?: number; scopeId?: number }
/** Any socket address xsock speaks. */
export type SockAddr = UnixAddress | InetAddress | Inet6Address | NetlinkAddress | PacketAddress | VsockAddress;
/**
 * An address object or its text form (`/path`, `@abstract`, `1.2.3.4:80`, `[::1]:80`,
 * `netlink:0`, `packet:eth0:0x88b5`, `vsock:local:1234`).
 */
export type AddressLike = SockAddr | string;

const SUN_PATH_MAX = C.SIZEOF_SOCKADDR_UN - C.OFFSETOF_SUN_PATH; // 108
/** Big enough for any sockaddr (sockaddr_storage). */
export const ADDR_BUF_SIZE = C.SIZEOF_SOCKADDR_STORAGE;

/**
 * Encodes `addr` into `buf` (at least ADDR_BUF_SIZE bytes) and returns the addrlen to pass
 * to the kernel. Throws ERR_XSOCK_* errors naming `argName` for anything malformed.
 */
export function encodeAddress(addr: AddressLike, buf: Buffer, argName = 'address'): number {
  const a = typeof addr === 'string' ? parseAddress(addr, argName) : addr;
  if (a === null || typeof a !== 'object') throw argType(argName, 'an address object or string', addr);
  // The kernel reads exactly addrlen bytes, and a unix address's are all written below;
  // the other structs have padding and reserved fields that must reach it as zeros.
  if (a.family === 'unix') return encodeUnix(a, buf, argName);
  buf.fill(0, 0, ADDR_BUF_SIZE);
  switch (a.family) {
    case 'inet': {
      buf.writeUInt16LE(C.AF_INET, 0);
      buf.writeUInt16BE(portArg(a.port, argName), 2);
      if (typeof a.address !== 'string' || !isIPv4(a.address)) throw badAddress(argName, `has an invalid IPv4 address: ${shown(a.address)}`);
      a.address.split('.').forEach((o, i) => { buf[4 + i] = Number(o); });
      return C.SIZEOF_SOCKADDR_IN;
    }
    case 'inet6': {
      buf.writeUInt16LE(C.AF_INET6, 0);
      buf.writeUInt16BE(portArg(a.port, argName), 2);
      buf.writeUInt32BE(u32(a.flowinfo ?? 0, `${argName}.flowinfo`), 4);
      const bytes = typeof a.address === 'string' ? parseIPv6(a.address) : null;
      if (!bytes) throw badAddress(argName, `has an invalid IPv6 address: ${shown(a.address)}`);
      bytes.copy(buf, 8);
      buf.writeUInt32LE(u32(a.scopeId ?? 0, `${argName}.scopeId`), 24);
      return C.SIZEOF_SOCKADDR_IN6;
    }
    case 'netlink': return encodeNetlink(a, buf, argName);
    case 'packet': return encodePacket(a, buf, argName);
    case 'vsock': return encodeVsock(a, buf, argName);
    default:
      throw badAddress(argName, `has an unknown family: ${shown((a as { family: unknown }).family)}`);
  }
}

/**
 * The last unix name encoded from a string, and its bytes: a client connecting to one
 * server again and again encodes the same name each time. The bytes are the string's
 * UTF-8, so the checks made on them hold for the same string again.
 */
let lastName: string | undefined;
let lastNameBytes: Buffer = Buffer.alloc(0);
let lastNameHasNul = false;
function nameBytes(name: string): Buffer {
  if (name !== lastName) {
    lastNameBytes = Buffer.from(name, 'utf8');
    lastNameHasNul = lastNameBytes.includes(0);
    lastName = name;
  }
  return lastNameBytes;
}

/**
 * src into buf at `at`, byte by byte: a name is at most 108 bytes, and Buffer#copy makes
 * a view and calls into the runtime, which costs more than the loop for such sizes.
 */
function putBytes(buf: Buffer, at: number, src: Uint8Array): void {
  for (let i = 0; i < src.length; i++) buf[at + i] = src[i]!;
}

const AF_UNIX = C.AF_UNIX;
const SUN_PATH_OFF = C.OFFSETOF_SUN_PATH;

function encodeUnix(a: UnixAddress, buf: Buffer, argName: string): number {
  // sa_family, little-endian as everywhere in this codec (two stores, no bounds-checked call).
  buf[0] = AF_UNIX & 0xff;
  buf[1] = AF_UNIX >> 8;
  const off = SUN_PATH_OFF;
  if (a.abstract !== undefined) {
    const name = typeof a.abstract === 'string' ? nameBytes(a.abstract)
      : a.abstract instanceof Uint8Array ? a.abstract : null;
    if (!name) throw argType(`${argName}.abstract`, 'a string or Buffer', a.abstract);
    if (name.length + 1 > SUN_PATH_MAX) {
      throw new XsockError('ERR_XSOCK_PATH_TOO_LONG', `The "${argName}.abstract" name is ${name.length} bytes; at most ${SUN_PATH_MAX - 1} fit in sun_path`);
    }
    buf[off] = 0;
    putBytes(buf, off + 1, name);
    return off + 1 + name.length;
  }
  if (a.path === undefined || a.path === '') return off; // unnamed: bind autobinds
  if (typeof a.path !== 'string') throw argType(`${argName}.path`, 'a string', a.path);
  const p = nameBytes(a.path);
  if (lastNameHasNul) throw badAddress(argName, 'path contains a NUL byte');
  if (p.length > SUN_PATH_MAX) {
    throw new XsockError('ERR_XSOCK_PATH_TOO_LONG', `The "${argName}.path" is ${p.length} bytes; unix socket paths hold at most ${SUN_PATH_MAX} (sun_path)`);
  }
  putBytes(buf, off, p);
  // A 108-byte path has no room for the NUL; the kernel accepts it by length.
  if (p.length === SUN_PATH_MAX) return off + p.length;
  buf[off + p.length] = 0;
  return off + p.length + 1;
}

/** Decodes `len` bytes of a struct sockaddr the kernel filled in. */
export function decodeAddress(buf: Uint8Array, len: number): SockAddr {
  // An unnamed unix socket (an unbound client, accept's usual peer) needs no view made.
  // `length`, not `byteLength`, for a Uint8Array: Node 20's optimiser inlines the first and
  // calls a builtin for the second.
  if (len < 2 || buf.length < 2 || (len <= SUN_PATH_OFF && buf[0]! + buf[1]! * 256 === AF_UNIX)) return { family: 'unix' };
  const b = Buffer.from(buf.buffer, buf.byteOffset, Math.min(len, buf.length));
  if (b.length < 2) return { family: 'unix' };
  const af = b.readUInt16LE(0);
  if (af === C.AF_UNIX) {
    const off = C.OFFSETOF_SUN_PATH;
    if (b.length <= off) return { family: 'unix' };
    if (b[off] === 0) {
      const name = b.subarray(off + 1);
      const text = name.toString('utf8');
      return { family: 'unix', abstract: Buffer.from(text, 'utf8').equals(name) ? text : Buffer.from(name) };
    }
    let end = b.indexOf(0, off);
    if (end < 0) end = b.length;
    return { family: 'unix', path: b.toString('utf8', off, end) };
  }
  if (af === C.AF_INET) {
    return { family: 'inet', address: `${b[4]}.${b[5]}.${b[6]}.${b[7]}`, port: b.readUInt16BE(2) };
  }
  if (af === C.AF_INET6) {
    return {
      family: 'inet6', address: formatIPv6(b.subarray(8, 24)), port: b.readUInt16BE(2),
      flowinfo: b.readUInt32BE(4), scopeId: b.readUInt32LE(24),
    };
  }
  const other = decodeDomainAddress(af, b);
  if (other) return other;
  throw new XsockError('ERR_XSOCK_BAD_ADDRESS', `unsupported address family ${af}`);
}

/**
 * Text -> address: `/path`, `./rel`, `unix:/path`, `@abstract`, `1.2.3.4:80`,
 * `[::1]:80`, `[fe80::1%eth0]:80`. Numeric only; names go through resolve().
 */
export function parseAddress(text: string, argName = 'address'): SockAddr {
  if (typeof argName !== 'string') argName = 'address';
  if (typeof text !== 'string') throw argType(argName, 'a string', text);
  const other = parseDomainAddress(text, argName);
  if (other) return other;
  if (text.startsWith('unix:')) text = text.slice(5);
  if (text.startsWith('@')) return { family: 'unix', abstract: text.slice(1) };
  if (text.startsWith('/') || text.startsWith('./') || text.startsWith('../')) return { family: 'unix', path: text };
  const m6 = /^\[([^\]%]+)(?:%([^\]]+))?\]:(\d+)$/.exec(text);
  if (m6) {
    if (!isIPv6(m6[1]!)) throw badAddress(argName, `has an invalid IPv6 address: ${m6[1]}`);
    const addr: Inet6Address = { family: 'inet6', address: m6[1]!, port: portText(m6[3]!, argName) };
    if (m6[2] !== undefined) addr.scopeId = scopeIdText(m6[2], argName);
    return addr;
  }
  const m4 = /^([^:]+):(\d+)$/.exec(text);
  if (m4) {
    if (!isIPv4(m4[1]!)) throw badAddress(argName, `'${text}' is not numeric (resolve() translates names)`);
    return { family: 'inet', address: m4[1]!, port: portText(m4[2]!, argName) };
  }
  throw badAddress(argName, `'${text}' is not an address (try /path, @name, 1.2.3.4:port, [::1]:port, netlink:PID, packet:IF[:ETHERTYPE] or vsock:CID:PORT)`);
}

/** Address -> its text form (inverse of parseAddress). */
export function formatAddress(addr: SockAddr): string {
  if (addr === null || typeof addr !== 'object') throw argType('addr', 'an address object', addr);
  switch (addr.family) {
    case 'unix':
      if (addr.abstract !== undefined) return `@${typeof addr.abstract === 'string' ? addr.abstract : addr.abstract.toString('latin1')}`;
      return addr.path ?? '';
    case 'inet': return `${addr.address}:${addr.port}`;
    case 'inet6': return `[${addr.address}${addr.scopeId ? `%${addr.scopeId}` : ''}]:${addr.port}`;
    case 'netlink': return formatNetlink(addr);
    case 'packet': return formatPacket(addr);
    case 'vsock': return formatVsock(addr);
    default: throw argType('addr', 'an address object', addr);
  }
}

/** Interface name or number -> scope id; an unknown one is a bad address. */
function scopeIdText(s: string, argName: string): number {
  const id = scopeIdOf(s);
  if (id === null) throw badAddress(argName, `names an unknown interface or scope: %${s}`);
  return id;
}

function portText(s: string, argName: string): number {
  return portArg(Number(s), argName);
}

function portArg(port: unknown, argName: string): number {
  if (typeof port !== 'number' || !Number.isInteger(port)) throw argType(`${argName}.port`, 'an integer', port);
  if (port < 0 || port > 65535) throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', `The "${argName}.port" must be >= 0 and <= 65535; received ${port}`);
  return port;
}

function u32(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw argType(name, 'a 32-bit unsigned integer', v);
  return v;
}

function badAddress(argName: string, why: string): XsockError {
  return new XsockError('ERR_XSOCK_BAD_ADDRESS', `The "${argName}" argument ${why}`);
}

/**
 * The `address` and `port` of a system error about `addr`, as Node core reports them: an
 * IP address (with `%scope` when set) and its port apart, or a unix name alone. Never
 * throws: what cannot be parsed is reported as given.
 */
export function describeAddress(addr: AddressLike): ErrorAddress {
  try {
    const a = typeof addr === 'string' ? parseAddress(addr) : addr;
    switch (a.family) {
      case 'inet': return { address: a.address, port: a.port };
      case 'inet6': return { address: `${a.address}${a.scopeId ? `%${a.scopeId}` : ''}`, port: a.port };
      default: return { address: formatAddress(a) };
    }
  } catch {
    return { address: String(addr) };
  }
}
