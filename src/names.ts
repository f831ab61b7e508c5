/**
 * Naming: translating the readable names applications use into socket addresses, in
 * user space, as the BSD C library does (the kernel knows only addresses). resolve() has getaddrinfo(3) semantics, getnameinfo() the
 * inverse; both follow glibc's behaviour where it is observable (result order, which
 * socket types a service yields, EAI_* codes).
 *
 * Host names go to the system resolver through node:dns lookup() (getaddrinfo on libuv's
 * threadpool, so the event loop never blocks; nsswitch, /etc/hosts and DNS all apply).
 * Numeric hosts, the null host, service names and the (type, protocol) expansion are done
 * here, so they behave identically whatever the resolver is.
 */
import dns from 'node:dns';
import { networkInterfaces } from 'node:os';
import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { constants as C, domainName } from './constants.js';
import { addrinfoError, argType, type AddrinfoError } from './errors.js';
import { parseAddress, type AddressLike, type InetAddress, type Inet6Address, type SockAddr } from './address.js';
import { getservbyname, getservbyport } from './services.js';
import { scopeIdOf } from './ipv6.js';

/** getaddrinfo flags with glibc's values. */
export const AI_PASSIVE = 0x1;
/** getaddrinfo flag: return the host's canonical name on the first result. */
export const AI_CANONNAME = 0x2;
/** getaddrinfo flag: the host must be a numeric address; no name lookup. */
export const AI_NUMERICHOST = 0x4;
/** getaddrinfo flag: for inet6, give IPv4 addresses as ::ffff:a.b.c.d when there is no IPv6 one. */
export const AI_V4MAPPED = 0x8;
/** getaddrinfo flag: with AI_V4MAPPED, give the IPv6 and the mapped IPv4 addresses both. */
export const AI_ALL = 0x10;
/** getaddrinfo flag: only families this host has a configured (non-loopback) address of. */
export const AI_ADDRCONFIG = 0x20;
/** getaddrinfo flag: the service must be a port number; no services-database lookup. */
export const AI_NUMERICSERV = 0x400;
const AI_KNOWN = AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL | AI_ADDRCONFIG | AI_NUMERICSERV;

/** getnameinfo flags with glibc's values. */
export const NI_NUMERICHOST = 0x1;
/** getnameinfo flag: give the port number, not the service name. */
export const NI_NUMERICSERV = 0x2;
/** getnameinfo flag: drop the domain of hosts in this host's own domain. */
export const NI_NOFQDN = 0x4;
/** getnameinfo flag: fail with EAI_NONAME when the host has no name (instead of the numeric form). */
export const NI_NAMEREQD = 0x8;
/** getnameinfo flag: look the service up as udp, not tcp. */
export const NI_DGRAM = 0x10;
const NI_KNOWN = NI_NUMERICHOST | NI_NUMERICSERV | NI_NOFQDN | NI_NAMEREQD | NI_DGRAM;

/** Hints, as struct addrinfo's ai_family, ai_socktype, ai_protocol, ai_flags. */
export interface ResolveHints {
  /** 'inet' | 'inet6' | AF_* number; omitted, 0 or 'unspec': both. */
  family?: 'inet' | 'inet6' | 'unspec' | number | undefined;
  /** 'stream' | 'dgram' | 'seqpacket' | 'raw' | SOCK_* number; omitted or 0: every type. */
  type?: 'stream' | 'dgram' | 'seqpacket' | 'raw' | number | undefined;
  /** IPPROTO_* number or a protocol name ('tcp', 'udp', 'sctp'). */
  protocol?: number | string | undefined;
  /** AI_* bits. */
  flags?: number | undefined;
}

/** One result, as struct addrinfo: socket(family, type, protocol) then connect/bind(address). */
export interface AddrInfo {
  /** ai_family: the address family of `address`. */
  family: 'inet' | 'inet6';
  /** SOCK_* number. */
  type: number;
  /** IPPROTO_* number. */
  protocol: number;
  /** ai_addr: the address with its port. */
  address: InetAddress | Inet6Address;
  /** With AI_CANONNAME, on the first result only (as glibc does). */
  canonname?: string;
}

/** The (type, protocol) pairs getaddrinfo knows; glibc's gaih_inet_typeproto table. */
interface TypeProto { type: number; protocol: number; name: string; byDefault: boolean; noService: boolean; anyProtocol: boolean }
const TYPEPROTO: TypeProto[] = [
  { type: C.SOCK_STREAM, protocol: 6, name: 'tcp', byDefault: true, noService: false, anyProtocol: false },
  { type: C.SOCK_DGRAM, protocol: 17, name: 'udp', byDefault: true, noService: false, anyProtocol: false },
  { type: 6 /* SOCK_DCCP */, protocol: 33, name: 'dccp', byDefault: false, noService: false, anyProtocol: false },
  { type: C.SOCK_DGRAM, protocol: 136, name: 'udplite', byDefault: false, noService: false, anyProtocol: false },
  { type: C.SOCK_STREAM, protocol: 132, name: 'sctp', byDefault: false, noService: false, anyProtocol: false },
  { type: C.SOCK_SEQPACKET, protocol: 132, name: 'sctp', byDefault: false, noService: false, anyProtocol: false },
  { type: C.SOCK_RAW, protocol: 0, name: 'raw', byDefault: true, noService: true, anyProtocol: true },
];
const PROTO_BY_NAME: Record<string, number> = { ip: 0, icmp: 1, tcp: 6, udp: 17, dccp: 33, ipv6: 41, icmpv6: 58, sctp: 132, udplite: 136 };
const TYPE_BY_NAME: Record<string, number> = { stream: C.SOCK_STREAM, dgram: C.SOCK_DGRAM, seqpacket: C.SOCK_SEQPACKET, raw: C.SOCK_RAW };

interface Query { family: number; type: number; protocol: number; flags: number; host: string | null; service: string | null }

/**
 * getaddrinfo(3): the addresses of `host` (a name, a numeric address, or null for the
 * local host — the wildcard with AI_PASSIVE) for `service` (a name from the services
 * database, a port number, or null for port 0), one result per address and socket type.
 * Rejects with an Error whose code is EAI_NONAME, EAI_SERVICE, EAI_FAMILY, EAI_SOCKTYPE,
 * EAI_BADFLAGS, EAI_ADDRFAMILY, EAI_AGAIN, EAI_FAIL or EAI_SYSTEM.
 *
 * Differences from glibc, on purpose: a numeric service above 65535 is EAI_SERVICE (glibc
 * silently truncates it to 16 bits). AI_CANONNAME gives the numeric host itself for a
 * numeric host, the official name of the /etc/hosts line naming the host, else the end of
 * its DNS CNAME chain, else the name as given (Node's lookup does not return ai_canonname).
 */
export async function resolve(host: string | null | undefined, service?: string | number | null, hints: ResolveHints = {}): Promise<AddrInfo[]> {
  const q = query(host, service, hints);
  const slots = serviceSlots(q);
  const addrs = await hostAddresses(q);
  const out: AddrInfo[] = [];
  for (const a of addrs) {
    for (const s of slots) {
      const address: InetAddress | Inet6Address = a.family === C.AF_INET
        ? { family: 'inet', address: a.address, port: s.port }
        : { family: 'inet6', address: a.address, port: s.port, flowinfo: 0, scopeId: a.scopeId };
      out.push({ family: address.family, type: s.type, protocol: s.protocol, address });
    }
  }
  if (q.flags & AI_CANONNAME && out.length > 0) out[0]!.canonname = await canonicalName(q.host!);
  return out;
}

/** Validates the arguments; bad JS types throw at once, bad values are EAI_* as in C. */
function query(host: unknown, service: unknown, hints: unknown): Query {
  if (host !== null && host !== undefined && typeof host !== 'string') throw argType('host', 'a string or null', host);
  if (service !== null && service !== undefined && typeof service !== 'string' && typeof service !== 'number') {
    throw argType('service', 'a string, a port number or null', service);
  }
  if (hints === null || typeof hints !== 'object') throw argType('hints', 'an object', hints);
  const h = hints as ResolveHints;
  const where = { hostname: host as string | null, service: service === null || service === undefined ? null : String(service) };
  const q: Query = { family: 0, type: 0, protocol: 0, flags: 0, host: (host as string | null) ?? null, service: where.service };
  const flags = h.flags ?? 0;
  if (typeof flags !== 'number' || !Number.isInteger(flags)) throw argType('hints.flags', 'an integer of AI_* bits', flags);
  if (flags & ~AI_KNOWN) throw addrinfoError('EAI_BADFLAGS', 'getaddrinfo', `unknown AI_* bits 0x${(flags & ~AI_KNOWN).toString(16)}`, where);
  if (flags & AI_CANONNAME && q.host === null) throw addrinfoError('EAI_BADFLAGS', 'getaddrinfo', 'AI_CANONNAME needs a host', where);
  q.flags = flags;
  const fam = h.family ?? 0;
  q.family = fam === 'unspec' || fam === 0 ? 0 : fam === 'inet' || fam === C.AF_INET ? C.AF_INET : fam === 'inet6' || fam === C.AF_INET6 ? C.AF_INET6 : -1;
  if (q.family < 0) {
    if (typeof fam !== 'string' && typeof fam !== 'number') throw argType('hints.family', "'inet' | 'inet6' or an AF_* number", fam);
    throw addrinfoError('EAI_FAMILY', 'getaddrinfo', `family ${String(fam)} has no names to translate (only inet and inet6)`, where);
  }
  const type = h.type ?? 0;
  if (typeof type === 'string') {
    if (TYPE_BY_NAME[type] === undefined) throw addrinfoError('EAI_SOCKTYPE', 'getaddrinfo', `unknown socket type '${type}'`, where);
    q.type = TYPE_BY_NAME[type];
  } else if (typeof type === 'number' && Number.isInteger(type)) q.type = type;
  else throw argType('hints.type', "'stream' | 'dgram' | 'seqpacket' | 'raw' or a SOCK_* number", type);
  const proto = h.protocol ?? 0;
  if (typeof proto === 'string') {
    if (PROTO_BY_NAME[proto] === undefined) throw addrinfoError('EAI_SOCKTYPE', 'getaddrinfo', `unknown protocol '${proto}'`, where);
    q.protocol = PROTO_BY_NAME[proto];
  } else if (typeof proto === 'number' && Number.isInteger(proto) && proto >= 0) q.protocol = proto;
  else throw argType('hints.protocol', 'a protocol name or IPPROTO_* number', proto);
  if (q.host === null && q.service === null) throw addrinfoError('EAI_NONAME', 'getaddrinfo', 'neither host nor service given', where);
  return q;
}

interface Slot { type: number; protocol: number; port: number }

/** The (type, protocol, port) triples for the service, as glibc's gaih_inet decides them. */
function serviceSlots(q: Query): Slot[] {
  const where = { hostname: q.host, service: q.service };
  const matches = (tp: TypeProto) => (q.type === 0 || tp.type === q.type)
    && (q.protocol === 0 || tp.anyProtocol || tp.protocol === q.protocol);
  const explicit = q.type !== 0 || q.protocol !== 0;
  const chosen = explicit ? TYPEPROTO.find(matches) : undefined;
  if (explicit && !chosen) {
    throw addrinfoError('EAI_SOCKTYPE', 'getaddrinfo', `no protocol ${q.protocol} for socket type ${q.type}`, where);
  }
  const protoOf = (tp: TypeProto) => (q.protocol !== 0 ? q.protocol : tp.protocol);
  const svc = q.service;
  if (svc !== null && chosen?.noService) {
    throw addrinfoError('EAI_SERVICE', 'getaddrinfo', `service '${svc}' given for a socket type without ports`, where);
  }
  if (svc === null || /^\d+$/.test(svc)) {
    const port = svc === null ? 0 : Number(svc);
    if (port > 65535) throw addrinfoError('EAI_SERVICE', 'getaddrinfo', `port ${svc} is out of range 0-65535`, where);
    if (chosen) return [{ type: chosen.type, protocol: protoOf(chosen), port }];
    return TYPEPROTO.filter((tp) => tp.byDefault).map((tp) => ({ type: tp.type, protocol: tp.protocol, port }));
  }
  if (q.flags & AI_NUMERICSERV) throw addrinfoError('EAI_NONAME', 'getaddrinfo', `service '${svc}' is not numeric (AI_NUMERICSERV)`, where);
  const candidates = chosen ? [chosen] : TYPEPROTO.filter((tp) => !tp.noService && matches(tp));
  const out: Slot[] = [];
  for (const tp of candidates) {
    const e = getservbyname(svc, tp.name);
    if (e) out.push({ type: tp.type, protocol: protoOf(tp), port: e.port });
  }
  if (out.length === 0) {
    const on = chosen ? `/${chosen.name}` : '';
    throw addrinfoError('EAI_SERVICE', 'getaddrinfo', `service '${svc}${on}' is not in the services database`, where);
  }
  return out;
}

interface HostAddr { family: number; address: string; scopeId: number }

/** The host's addresses, in the resolver's order, restricted by family and AI_ADDRCONFIG. */
async function hostAddresses(q: Query): Promise<HostAddr[]> {
  const where = { hostname: q.host, service: q.service };
  let family = q.family;
  if (q.flags & AI_ADDRCONFIG) {
    // glibc's rule: loopback addresses do not count; with neither family configured, no narrowing.
    const { v4, v6 } = configuredFamilies();
    if (family === 0 && v4 !== v6) family = v4 ? C.AF_INET : C.AF_INET6;
    else if ((family === C.AF_INET && !v4) || (family === C.AF_INET6 && !v6)) {
      throw addrinfoError('EAI_NONAME', 'getaddrinfo', `no ${domainName(family)} address is configured (AI_ADDRCONFIG)`, where);
    }
  }
  const want = (af: number) => family === 0 || family === af;
  if (q.host === null) {
    // glibc's order: wildcard v4 first when passive, loopback v6 first otherwise.
    const list: HostAddr[] = q.flags & AI_PASSIVE
      ? [{ family: C.AF_INET, address: '0.0.0.0', scopeId: 0 }, { family: C.AF_INET6, address: '::', scopeId: 0 }]
      : [{ family: C.AF_INET6, address: '::1', scopeId: 0 }, { family: C.AF_INET, address: '127.0.0.1', scopeId: 0 }];
    return list.filter((a) => want(a.family));
  }
  const numeric = numericHost(q.host);
  if (numeric) {
    if (numeric.family === C.AF_INET && family === C.AF_INET6) {
      if (q.flags & AI_V4MAPPED) return [{ family: C.AF_INET6, address: `::ffff:${numeric.address}`, scopeId: 0 }];
      throw addrinfoError('EAI_ADDRFAMILY', 'getaddrinfo', `'${q.host}' is an IPv4 address; inet6 was asked for`, where);
    }
    if (!want(numeric.family)) {
      throw addrinfoError('EAI_ADDRFAMILY', 'getaddrinfo', `'${q.host}' is an IPv6 address; inet was asked for`, where);
    }
    return [numeric];
  }
  if (q.flags & AI_NUMERICHOST || q.host === '') {
    throw addrinfoError('EAI_NONAME', 'getaddrinfo', `'${q.host}' is not a numeric address${q.flags & AI_NUMERICHOST ? ' (AI_NUMERICHOST)' : ''}`, where);
  }
  let hintBits = 0;
  if (family === C.AF_INET6 && q.flags & AI_V4MAPPED) hintBits |= dns.V4MAPPED | (q.flags & AI_ALL ? dns.ALL : 0);
  let found: dns.LookupAddress[];
  try {
    found = await dns.promises.lookup(q.host, { all: true, verbatim: true, family: family === C.AF_INET ? 4 : family === C.AF_INET6 ? 6 : 0, hints: hintBits });
  } catch (err) {
    throw lookupError(err, where);
  }
  return found.map((a) => ({ family: a.family === 6 ? C.AF_INET6 : C.AF_INET, address: a.address, scopeId: 0 }));
}

/** Node's lookup error -> the EAI_* code getaddrinfo returned (Node renames EAI_NONAME ENOTFOUND). */
function lookupError(err: unknown, where: { hostname: string | null; service: string | null }): AddrinfoError {
  const code = (err as { code?: string }).code;
  const detail = `host '${where.hostname}'`;
  if (code === 'ENOTFOUND' || code === 'EAI_NONAME' || code === 'EAI_NODATA' || code === 'ENODATA') return addrinfoError('EAI_NONAME', 'getaddrinfo', detail, where, err);
  if (code === 'EAI_AGAIN') return addrinfoError('EAI_AGAIN', 'getaddrinfo', detail, where, err);
  if (code === 'EAI_FAIL') return addrinfoError('EAI_FAIL', 'getaddrinfo', detail, where, err);
  return addrinfoError('EAI_SYSTEM', 'getaddrinfo', `${detail}: ${String((err as Error).message)}`, where, err);
}

/** Numeric hosts as inet_aton(3) reads them ('127.1', '0x7f.0.0.1') and inet_pton(AF_INET6). */
export function numericHost(host: string): HostAddr | null {
  const v4 = inetAton(host);
  if (v4 !== null) return { family: C.AF_INET, address: v4, scopeId: 0 };
  const m = /^([^%]+)(?:%(.+))?$/.exec(host);
  if (m && isIPv6(m[1]!)) return { family: C.AF_INET6, address: m[1]!, scopeId: m[2] === undefined ? 0 : scopeOf(m[2]) };
  return null;
}

/** An unknown %scope is no address at all (glibc answers EAI_NONAME), not scope 0. */
function scopeOf(s: string): number {
  const id = scopeIdOf(s);
  if (id === null) throw addrinfoError('EAI_NONAME', 'getaddrinfo', `%${s} names no interface`);
  return id;
}

/** inet_aton(3): a, a.b, a.b.c, a.b.c.d, each part decimal, octal (0..) or hex (0x..). */
function inetAton(s: string): string | null {
  if (isIPv4(s)) return s;
  const parts = s.split('.');
  if (parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    const n = /^0x[0-9a-f]*$/i.test(p) ? parseInt(p.slice(2) || '0', 16)
      : /^0[0-7]*$/.test(p) ? parseInt(p, 8) : /^[1-9]\d*$/.test(p) ? Number(p) : NaN;
    if (!Number.isFinite(n)) return null;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * (4 - nums.length))) return null;
  let v = last;
  nums.forEach((n, i) => { v += n * 2 ** (8 * (3 - i)); });
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

/** Which families have a configured non-loopback address (glibc __check_pf). */
function configuredFamilies(): { v4: boolean; v6: boolean } {
  let v4 = false;
  let v6 = false;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && a.address !== '127.0.0.1') v4 = true;
      if (a.family === 'IPv6' && a.address !== '::1') v6 = true;
    }
  }
  return { v4, v6 };
}

/** ai_canonname: see resolve()'s note on what is returned. */
async function canonicalName(host: string): Promise<string> {
  if (numericHost(host)) return host;
  const fromHosts = officialHostName(host);
  if (fromHosts) return fromHosts;
  let name = host;
  try {
    for (let hops = 0; hops < 8; hops++) {
      const next = await dns.promises.resolveCname(name);
      if (next.length === 0 || next[0] === name) break;
      name = next[0]!;
    }
  } catch {
    // No CNAME (or no DNS): the name is its own canonical name.
  }
  return name;
}

/** The first name of the /etc/hosts line that lists `host` (read each time: netns bind-mounts it). */
function officialHostName(host: string): string | null {
  let text: string;
  try {
    text = readFileSync('/etc/hosts', 'utf8');
  } catch {
    return null;
  }
  const want = host.toLowerCase();
  for (const line of text.split('\n')) {
    const names = line.replace(/#.*/, '').trim().split(/\s+/).slice(1);
    if (names.some((n) => n.toLowerCase() === want)) return names[0]!;
  }
  return null;
}

/**
 * What getnameinfo resolves to.
 * @property host The host's name (or its numeric form when it has none and NI_NAMEREQD is not set).
 * @property service The service's name (or the port number as text).
 */
export interface NameInfo { host: string; service: string }

/**
 * getnameinfo(3): the host name and service name of a socket address. Hosts are looked up
 * through the system resolver (node:dns lookupService, i.e. getnameinfo on the threadpool)
 * and fall back to the numeric form unless NI_NAMEREQD; services come from the services
 * database (udp with NI_DGRAM, else tcp) and fall back to the port number. A unix address
 * gives host 'localhost' and its path (or @name) as the service, as glibc does.
 */
export async function getnameinfo(addr: AddressLike, flags = 0): Promise<NameInfo> {
  const a: SockAddr = typeof addr === 'string' ? parseAddress(addr, 'addr') : addr;
  if (a === null || typeof a !== 'object') throw argType('addr', 'an address object or string', addr);
  if (typeof flags !== 'number' || !Number.isInteger(flags)) throw argType('flags', 'an integer of NI_* bits', flags);
  if (flags & ~NI_KNOWN) throw addrinfoError('EAI_BADFLAGS', 'getnameinfo', `unknown NI_* bits 0x${(flags & ~NI_KNOWN).toString(16)}`);
  if (a.family === 'unix') {
    const service = a.abstract !== undefined ? `@${a.abstract.toString()}` : a.path ?? '';
    return { host: 'localhost', service };
  }
  if (a.family !== 'inet' && a.family !== 'inet6') {
    throw addrinfoError('EAI_FAMILY', 'getnameinfo', `family ${String((a as { family: unknown }).family)}`);
  }
  const where = { hostname: a.address, service: String(a.port) };
  let service = String(a.port);
  if (!(flags & NI_NUMERICSERV)) service = getservbyport(a.port, flags & NI_DGRAM ? 'udp' : 'tcp')?.name ?? service;
  if (flags & NI_NUMERICHOST) {
    if (flags & NI_NAMEREQD) throw addrinfoError('EAI_NONAME', 'getnameinfo', 'NI_NAMEREQD with NI_NUMERICHOST', where);
    return { host: a.address, service };
  }
  let host: string;
  try {
    host = (await dns.promises.lookupService(a.address, a.port)).hostname;
  } catch (err) {
    if (flags & NI_NAMEREQD) throw lookupError(err, where);
    host = a.address;
  }
  if (flags & NI_NAMEREQD && host === a.address) throw addrinfoError('EAI_NONAME', 'getnameinfo', `no name for ${a.address}`, where);
  if (flags & NI_NOFQDN) host = shortName(host);
  return { host, service };
}

/** NI_NOFQDN: only hosts in this host's own domain lose their domain part. */
function shortName(host: string): string {
  const mine = readFileOr('/proc/sys/kernel/domainname').trim();
  const dot = host.indexOf('.');
  if (dot > 0 && mine && mine !== '(none)' && host.slice(dot + 1) === mine) return host.slice(0, dot);
  return host;
}

function readFileOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Prefixes of the text forms that fix the socket type and family. */
const PREFIXES: Record<string, { type: number; family: number }> = {
  tcp: { type: C.SOCK_STREAM, family: 0 }, tcp4: { type: C.SOCK_STREAM, family: C.AF_INET }, tcp6: { type: C.SOCK_STREAM, family: C.AF_INET6 },
  udp: { type: C.SOCK_DGRAM, family: 0 }, udp4: { type: C.SOCK_DGRAM, family: C.AF_INET }, udp6: { type: C.SOCK_DGRAM, family: C.AF_INET6 },
};

/**
 * What resolveAddress gives: an address and the socket type/protocol to use it with.
 * @property address The socket address to bind or connect to.
 * @property type The SOCK_* number for socket(2).
 * @property protocol The IPPROTO_* number for socket(2) (0 for unix addresses).
 * @property canonname With AI_CANONNAME, on the first result only.
 */
export interface ResolvedAddress { address: SockAddr; type: number; protocol: number; canonname?: string }

/**
 * The text forms of an address, with names: `unix:/path`, `/path`, `@abstract`,
 * `host:service`, `[v6]:service`, each optionally prefixed `tcp:` `tcp4:` `tcp6:` `udp:`
 * `udp4:` `udp6:` (which fix type and family). Unix forms need no lookup and come back as
 * one result of the hinted type (stream when none); the rest go through resolve().
 */
export async function resolveAddress(text: string, hints: ResolveHints = {}): Promise<ResolvedAddress[]> {
  if (typeof text !== 'string') throw argType('text', 'a string', text);
  const m = /^(tcp[46]?|udp[46]?):(.*)$/.exec(text);
  const h: ResolveHints = { ...hints };
  let rest = text;
  if (m) {
    h.type = PREFIXES[m[1]!]!.type;
    if (PREFIXES[m[1]!]!.family) h.family = PREFIXES[m[1]!]!.family;
    rest = m[2]!;
  }
  if (!m && (rest.startsWith('unix:') || rest.startsWith('@') || rest.startsWith('/') || rest.startsWith('./') || rest.startsWith('../'))) {
    const t = typeof h.type === 'string' ? TYPE_BY_NAME[h.type] : h.type;
    return [{ address: parseAddress(rest, 'text'), type: t || C.SOCK_STREAM, protocol: 0 }];
  }
  const v6 = /^\[([^\]]+)\]:([^:]+)$/.exec(rest);
  const hp = v6 ?? /^([^:]*):([^:]+)$/.exec(rest);
  if (!hp) {
    throw addrinfoError('EAI_NONAME', 'getaddrinfo', `'${text}' is not HOST:SERVICE, [V6]:SERVICE, /path or @name`, { hostname: text });
  }
  const host = hp[1] === '' || hp[1] === '*' ? null : hp[1];
  if (host === null) h.flags = (h.flags ?? 0) | AI_PASSIVE;
  if (v6) h.flags = (h.flags ?? 0) | AI_NUMERICHOST;
  if (h.type === undefined || h.type === 0) h.type = C.SOCK_STREAM;
  const list = await resolve(host, hp[2], h);
  return list.map((r) => ({ address: r.address, type: r.type, protocol: r.protocol, ...(r.canonname ? { canonname: r.canonname } : {}) }));
}
