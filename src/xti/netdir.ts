/**
 * Name-to-address mapping of TLI (netdir(3NSL)): host and service names to the transport
 * addresses of a netconfig entry and back, and the universal address, the printable form
 * rpcbind passes around.
 *
 * inet and inet6 transports use the project's resolver (getaddrinfo/getnameinfo semantics,
 * the services database for service names with the entry's nc_proto), and their addresses
 * are struct sockaddr_in / sockaddr_in6 bytes, as a C caller gets them; universal addresses
 * are `h1.h2.h3.h4.p1.p2` and `x:x::x.p1.p2` (port high byte, low byte). Loopback
 * transports follow Solaris straddr.so: the address is the string `localhost.SERVICE`, the
 * host the local node under any of its names, the service's part read from
 * /etc/net/NETID/services when that file maps it and otherwise the service name itself
 * (Linux has no /etc/net); its universal address is that string with `\` doubled and
 * unprintable bytes as `\ooo`.
 *
 * netdir_getbyname/netdir_getbyaddr resolve to their lists and reject with an NdError;
 * taddr2uaddr/uaddr2taddr return null on failure; every failure sets _nderror for
 * netdir_sperror/netdir_perror, as in C.
 */
import { hostname, networkInterfaces } from 'node:os';
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { argType, intArg } from '../errors.js';
import { encodeAddress, decodeAddress, ADDR_BUF_SIZE, type SockAddr } from '../address.js';
import { resolve, getnameinfo, AI_V4MAPPED, NI_NAMEREQD, NI_DGRAM } from '../names.js';
import { getservbyname, getservbyport } from '../services.js';
import { constants as C } from '../constants.js';
import { checkNetbuf, contents, type Netbuf } from './structures.js';
import { NC_INET, NC_INET6, NC_LOOPBACK, NC_TPI_CLTS, type Netconfig } from './netconfig.js';
import { loopbackUaddr, loopbackTaddr, inetUaddr, parseInetUaddr } from './uaddr.js';

/**
 * struct nd_hostserv.
 * @property h_host A host name or address, or one of HOST_SELF, HOST_ANY, HOST_SELF_CONNECT, HOST_BROADCAST.
 * @property h_serv A service name or port number ('' for none).
 */
export interface NdHostserv { h_host: string; h_serv: string }
/**
 * struct nd_hostservlist (netdir_getbyaddr's result).
 * @property h_cnt How many entries h_hostservs has.
 * @property h_hostservs The host and service pairs.
 */
export interface NdHostservlist { h_cnt: number; h_hostservs: NdHostserv[] }
/**
 * struct nd_addrlist (netdir_getbyname's result).
 * @property n_cnt How many addresses n_addrs has.
 * @property n_addrs The transport addresses, as netbufs.
 */
export interface NdAddrlist { n_cnt: number; n_addrs: Netbuf[] }

/** netdir_free type: an nd_hostserv. */
export const ND_HOSTSERV = 0;
/** netdir_free type: an nd_hostservlist. */
export const ND_HOSTSERVLIST = 1;
/** netdir_free type: a netbuf. */
export const ND_ADDR = 2;
/** netdir_free type: an nd_addrlist. */
export const ND_ADDRLIST = 3;

/**
 * _nderror values (netdir.h). Negative ones end a search; positive ones are warnings.
 * ND_TRY_AGAIN: a temporary resolver failure (EAI_AGAIN); the request may succeed later.
 */
export const ND_TRY_AGAIN = -5;
/** _nderror: a non-recoverable resolver failure (EAI_FAIL). */
export const ND_NO_RECOVERY = -4;
/** _nderror: the name is valid but has no record of the requested type (kept for C parity: a name without addresses is ND_NOHOST here). */
export const ND_NO_DATA = -3;
/** _nderror: another name for ND_NO_DATA. */
export const ND_NO_ADDRESS = ND_NO_DATA;
/** _nderror: bad arguments, or a transport without a name-to-address mapping. */
export const ND_BADARG = -2;
/** _nderror: out of memory (kept for C parity). */
export const ND_NOMEM = -1;
/** _nderror: success. */
export const ND_OK = 0;
/** _nderror: the host name was not found (or is not this host, on a loopback transport). */
export const ND_NOHOST = 1;
/** _nderror: the service name was not found. */
export const ND_NOSERV = 2;
/** _nderror: a symbol was missing in a name-to-address library (kept for C parity). */
export const ND_NOSYM = 3;
/** _nderror: a name-to-address library could not be opened (kept for C parity). */
export const ND_OPEN = 4;
/** _nderror: access to a name-to-address library was denied (kept for C parity). */
export const ND_ACCESS = 5;
/** _nderror: netdir_free was given an unknown structure type. */
export const ND_UKNWN = 6;
/** _nderror: netdir_options was given an unknown option (kept for C parity). */
export const ND_NOCTRL = 7;
/** _nderror: a netdir_options operation failed (kept for C parity). */
export const ND_FAILCTRL = 8;
/** _nderror: a system error (the message is kept for netdir_sperror). */
export const ND_SYSTEM = 9;

/**
 * The special host names: the intent of a request rather than a host.
 * HOST_SELF: this host's address to bind to, the wildcard (0.0.0.0, ::).
 */
export const HOST_SELF = '\\1';
/** Any address of this host: the wildcard address (0.0.0.0, ::). */
export const HOST_ANY = '\\2';
/** Every broadcast address of the host's IPv4 interfaces (IPv4 datagram transports only). */
export const HOST_BROADCAST = '\\3';
/** The address to bind to on this host: the wildcard, as HOST_SELF. */
export const HOST_SELF_BIND = HOST_SELF;
/** The address to connect to this host by: loopback (127.0.0.1, ::1). */
export const HOST_SELF_CONNECT = '\\4';

const ndNames: Record<number, string> = {
  [ND_TRY_AGAIN]: 'ND_TRY_AGAIN', [ND_NO_RECOVERY]: 'ND_NO_RECOVERY', [ND_NO_DATA]: 'ND_NO_DATA', [ND_BADARG]: 'ND_BADARG',
  [ND_NOMEM]: 'ND_NOMEM', [ND_OK]: 'ND_OK', [ND_NOHOST]: 'ND_NOHOST', [ND_NOSERV]: 'ND_NOSERV', [ND_NOSYM]: 'ND_NOSYM',
  [ND_OPEN]: 'ND_OPEN', [ND_ACCESS]: 'ND_ACCESS', [ND_UKNWN]: 'ND_UKNWN', [ND_NOCTRL]: 'ND_NOCTRL',
  [ND_FAILCTRL]: 'ND_FAILCTRL', [ND_SYSTEM]: 'ND_SYSTEM',
};

/** The last netdir failure (live binding, as C's _nderror). */
export let _nderror = ND_OK;
let systemText = '';

/** A failed netdir_getbyname/netdir_getbyaddr: `nd_errno` is the ND_* value. */
export class NdError extends Error {
  /** The ND_* value (also left in _nderror). */
  readonly nd_errno: number;
  /** 'ND_NOHOST' ... */
  readonly code: string;
  /** The netdir function that failed ('netdir_getbyname' ...). */
  readonly call: string;
  constructor(call: string, nd: number, detail?: string, cause?: unknown) {
    super(`${call}: ${netdir_sperror()}${detail ? `: ${detail}` : ''}`, cause === undefined ? undefined : { cause });
    this.name = 'NdError';
    this.call = call;
    this.nd_errno = nd;
    this.code = ndNames[nd] ?? `ND_${nd}`;
  }
}

function fail(call: string, nd: number, detail?: string, cause?: unknown): NdError {
  _nderror = nd;
  systemText = nd === ND_SYSTEM && cause instanceof Error ? cause.message : '';
  return new NdError(call, nd, detail, cause);
}

/** netdir_sperror(3NSL): the text for the last netdir failure (libnsl's wording). */
export function netdir_sperror(): string {
  switch (_nderror) {
    case ND_NOMEM: return 'n2a: memory allocation failed';
    case ND_OK: return 'n2a: successful completion';
    case ND_NOHOST: return 'n2a: hostname not found';
    case ND_NOSERV: return 'n2a: service name not found';
    case ND_NOSYM: return 'n2a: symbol missing in shared object';
    case ND_OPEN: return "n2a: couldn't open shared object";
    case ND_ACCESS: return 'n2a: access denied for shared object';
    case ND_UKNWN: return 'n2a: attempt to free unknown object';
    case ND_BADARG: return 'n2a: bad arguments passed to routine';
    case ND_NOCTRL: return 'n2a: unknown option passed';
    case ND_FAILCTRL: return 'n2a: control operation failed';
    case ND_SYSTEM: return `n2a: system error: ${systemText}`;
    case ND_TRY_AGAIN: return 'n2a: non-authoritative host not found';
    case ND_NO_RECOVERY: return 'n2a: non-recoverable error';
    case ND_NO_DATA: return 'n2a: no data record of requested type';
    default: return `n2a: unknown error ${_nderror}`;
  }
}

/** netdir_perror(3NSL): writes "msg: text" for the last netdir failure to stderr. */
export function netdir_perror(msg: string): void {
  process.stderr.write(`${msg}: ${netdir_sperror()}\n`);
}

type Kind = 'inet' | 'inet6' | 'loopback';

function kindOf(nconf: unknown): { nc: Netconfig; kind: Kind } | null {
  if (nconf === null || typeof nconf !== 'object') throw argType('netconfigp', 'a netconfig entry (getnetconfigent)', nconf);
  const nc = nconf as Netconfig;
  if (typeof nc.nc_protofmly !== 'string' || typeof nc.nc_netid !== 'string') throw argType('netconfigp', 'a netconfig entry (getnetconfigent)', nconf);
  const f = nc.nc_protofmly;
  if (f === NC_INET || f === NC_INET6 || f === NC_LOOPBACK) return { nc, kind: f as Kind };
  return null;
}

function hostservArg(service: unknown): NdHostserv {
  if (service === null || typeof service !== 'object') throw argType('service', 'an nd_hostserv { h_host, h_serv }', service);
  const { h_host, h_serv } = service as NdHostserv;
  if (typeof h_host !== 'string') throw argType('service.h_host', 'a string', h_host);
  if (h_serv !== null && h_serv !== undefined && typeof h_serv !== 'string') throw argType('service.h_serv', 'a string', h_serv);
  return { h_host, h_serv: h_serv ?? '' };
}

function netbufOfBytes(b: Buffer): Netbuf {
  return { maxlen: b.length, len: b.length, buf: b };
}

const scratch = Buffer.alloc(ADDR_BUF_SIZE);
function sockaddrBytes(a: SockAddr): Buffer {
  const len = encodeAddress(a, scratch);
  return Buffer.from(scratch.subarray(0, len));
}

/** The port of an inet service: a number, 'rpcbind' (111, as Solaris), or a services entry. */
function portOf(nc: Netconfig, serv: string): number | null {
  if (serv === '') return 0;
  if (/^\d+$/.test(serv)) return Number(serv) <= 65535 ? Number(serv) : null;
  if (serv === 'rpcbind') return 111;
  try {
    return getservbyname(serv, nc.nc_proto)?.port ?? null;
  } catch {
    return null; // no services database: the name is unknown
  }
}

/** Broadcast addresses of the IPv4 interfaces (HOST_BROADCAST on a datagram transport). */
function broadcasts(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) {
      if (i.family !== 'IPv4' || i.internal) continue;
      const a = i.address.split('.').map(Number);
      const m = i.netmask.split('.').map(Number);
      out.push(a.map((o, k) => (o | (~(m[k] ?? 255) & 255)) & 255).join('.'));
    }
  }
  return [...new Set(out)];
}

function eaiToNd(err: unknown): number {
  switch ((err as { code?: string }).code) {
    case 'EAI_NONAME': case 'EAI_ADDRFAMILY': case 'EAI_NODATA': return ND_NOHOST;
    case 'EAI_SERVICE': return ND_NOSERV;
    case 'EAI_AGAIN': return ND_TRY_AGAIN;
    case 'EAI_FAIL': return ND_NO_RECOVERY;
    default: return ND_SYSTEM;
  }
}

async function inetByName(nc: Netconfig, kind: 'inet' | 'inet6', hs: NdHostserv): Promise<NdAddrlist> {
  const call = 'netdir_getbyname';
  const port = portOf(nc, hs.h_serv);
  if (port === null) throw fail(call, ND_NOSERV, `no service '${hs.h_serv}' for ${nc.nc_proto}`);
  const at = (address: string): SockAddr => kind === 'inet' ? { family: 'inet', address, port } : { family: 'inet6', address, port };
  let hosts: string[];
  switch (hs.h_host) {
    case HOST_SELF: case HOST_ANY: hosts = [kind === 'inet' ? '0.0.0.0' : '::']; break;
    case HOST_SELF_CONNECT: hosts = [kind === 'inet' ? '127.0.0.1' : '::1']; break;
    case HOST_BROADCAST:
      if (kind !== 'inet' || nc.nc_semantics !== NC_TPI_CLTS) throw fail(call, ND_NOHOST, 'broadcast is for IPv4 datagram transports');
      hosts = broadcasts();
      if (hosts.length === 0) throw fail(call, ND_NOHOST, 'no broadcast-capable interface');
      break;
    default: {
      let found;
      try {
        found = await resolve(hs.h_host, null, {
          family: kind, type: nc.nc_semantics === NC_TPI_CLTS ? 'dgram' : 'stream', flags: kind === 'inet6' ? AI_V4MAPPED : 0,
        });
      } catch (err) {
        throw fail(call, eaiToNd(err), `'${hs.h_host}'`, err);
      }
      hosts = [...new Set(found.map((r) => r.address.address))];
      if (hosts.length === 0) throw fail(call, ND_NOHOST, `'${hs.h_host}'`);
    }
  }
  const n_addrs = hosts.map((h) => netbufOfBytes(sockaddrBytes(at(h))));
  _nderror = ND_OK;
  return { n_cnt: n_addrs.length, n_addrs };
}

/** A line of /etc/net/NETID/services mapping `key` (field 1 -> field 2, or back). */
function loopbackService(nc: Netconfig, key: string, byName: boolean): string | null {
  let text: string;
  try {
    text = readFileSync(`/etc/net/${nc.nc_netid}/services`, 'latin1');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const [first, second] = f;
    if (first === undefined || second === undefined || first.startsWith('#')) continue;
    if (byName ? first === key : second === key) return byName ? second : first;
  }
  return null;
}

function isSelf(host: string): boolean {
  return host === HOST_SELF || host === HOST_SELF_CONNECT || host === HOST_ANY || host === 'localhost' || host === hostname();
}

function loopbackByName(nc: Netconfig, hs: NdHostserv): NdAddrlist {
  if (!isSelf(hs.h_host)) throw fail('netdir_getbyname', ND_NOHOST, `'${hs.h_host}' is not this host (loopback transport)`);
  let addr = 'localhost';
  if (hs.h_serv === 'rpcbind') addr += '.rpc';
  else if (hs.h_serv !== '') addr += `.${loopbackService(nc, hs.h_serv, true) ?? hs.h_serv}`;
  _nderror = ND_OK;
  return { n_cnt: 1, n_addrs: [netbufOfBytes(Buffer.from(addr, 'latin1'))] };
}

/**
 * netdir_getbyname(3NSL): every address of `service.h_host` (or HOST_SELF, HOST_ANY,
 * HOST_SELF_CONNECT, HOST_BROADCAST) and `service.h_serv` (a name, a port number, or '')
 * on the transport `netconfigp`. Resolves to the nd_addrlist; rejects with an NdError
 * (ND_NOHOST, ND_NOSERV, ND_TRY_AGAIN ...), _nderror set.
 */
export async function netdir_getbyname(netconfigp: Netconfig, service: NdHostserv): Promise<NdAddrlist> {
  const k = kindOf(netconfigp);
  const hs = hostservArg(service);
  if (!k) throw fail('netdir_getbyname', ND_BADARG, `no name-to-address mapping for family '${netconfigp.nc_protofmly}'`);
  return k.kind === 'loopback' ? loopbackByName(k.nc, hs) : inetByName(k.nc, k.kind, hs);
}

/** The socket address a transport's netbuf holds, or null when it is not one of its own. */
function inetAddressOf(kind: 'inet' | 'inet6', b: Buffer): SockAddr | null {
  const size = kind === 'inet' ? C.SIZEOF_SOCKADDR_IN : C.SIZEOF_SOCKADDR_IN6;
  const af = kind === 'inet' ? C.AF_INET : C.AF_INET6;
  if (b.length < size || b.readUInt16LE(0) !== af) return null;
  return decodeAddress(b, size);
}

/**
 * netdir_getbyaddr(3NSL): the host and service names of the address in `netaddr` on the
 * transport `netconfigp`. inet: the host's name (ND_NOHOST when it has none) and the
 * service's name, else its port number. Resolves to the nd_hostservlist.
 */
export async function netdir_getbyaddr(netconfigp: Netconfig, netaddr: Netbuf): Promise<NdHostservlist> {
  const call = 'netdir_getbyaddr';
  const k = kindOf(netconfigp);
  const bytes = Buffer.from(contents(checkNetbuf('netaddr', netaddr)));
  if (!k) throw fail(call, ND_BADARG, `no name-to-address mapping for family '${netconfigp.nc_protofmly}'`);
  if (k.kind === 'loopback') {
    const text = bytes.toString('latin1');
    const dot = text.indexOf('.');
    const host = dot < 0 ? text : text.slice(0, dot);
    if (!isSelf(host)) throw fail(call, ND_NOHOST, `'${host}' is not this host (loopback transport)`);
    if (dot < 0) throw fail(call, ND_NOSERV, 'the address has no service part');
    const part = text.slice(dot + 1);
    const serv = part === 'rpc' ? 'rpcbind' : loopbackService(k.nc, part, false) ?? part;
    _nderror = ND_OK;
    return { h_cnt: 1, h_hostservs: [{ h_host: 'localhost', h_serv: serv }] };
  }
  const a = inetAddressOf(k.kind, bytes);
  if (!a || (a.family !== 'inet' && a.family !== 'inet6')) throw fail(call, ND_BADARG, `not a struct sockaddr_${k.kind === 'inet' ? 'in' : 'in6'}`);
  const dgram = k.nc.nc_semantics === NC_TPI_CLTS;
  let host: string;
  try {
    host = (await getnameinfo(a, NI_NAMEREQD | (dgram ? NI_DGRAM : 0))).host;
  } catch (err) {
    throw fail(call, eaiToNd(err), `no name for ${a.address}`, err);
  }
  let serv = String(a.port);
  try {
    serv = getservbyport(a.port, k.nc.nc_proto)?.name ?? serv;
  } catch { /* no services database: the number stands */ }
  _nderror = ND_OK;
  return { h_cnt: 1, h_hostservs: [{ h_host: host, h_serv: serv }] };
}

/**
 * taddr2uaddr(3NSL): the universal address of the transport address in `addr`:
 * `h1.h2.h3.h4.p1.p2` (inet), `x:x::x.p1.p2` (inet6), the escaped string (loopback).
 * null with _nderror ND_BADARG when `addr` is not an address of this transport.
 */
export function taddr2uaddr(netconfigp: Netconfig, addr: Netbuf): string | null {
  const k = kindOf(netconfigp);
  const bytes = contents(checkNetbuf('addr', addr));
  if (!k) return badArg();
  if (k.kind === 'loopback') {
    _nderror = ND_OK;
    return loopbackUaddr(bytes);
  }
  const a = inetAddressOf(k.kind, Buffer.from(bytes));
  if (!a || (a.family !== 'inet' && a.family !== 'inet6')) return badArg();
  _nderror = ND_OK;
  return inetUaddr(a.address, a.port);
}

function badArg(): null {
  _nderror = ND_BADARG;
  return null;
}

/**
 * uaddr2taddr(3NSL): the transport address (a netbuf) of the universal address `uaddr`,
 * or null with _nderror ND_BADARG when it is not one of this transport's.
 */
export function uaddr2taddr(netconfigp: Netconfig, uaddr: string): Netbuf | null {
  const k = kindOf(netconfigp);
  if (typeof uaddr !== 'string') throw argType('uaddr', 'a universal address string', uaddr);
  if (!k) return badArg();
  if (k.kind === 'loopback') {
    const b = loopbackTaddr(uaddr);
    if (!b) return badArg();
    _nderror = ND_OK;
    return netbufOfBytes(b);
  }
  const u = parseInetUaddr(uaddr);
  if (!u) return badArg();
  const { host, port } = u;
  let bytes: Buffer;
  try {
    if (k.kind === 'inet') {
      if (!isIPv4(host)) return badArg();
      bytes = sockaddrBytes({ family: 'inet', address: host, port });
    } else {
      bytes = sockaddrBytes({ family: 'inet6', address: host, port });
    }
  } catch {
    return badArg();
  }
  _nderror = ND_OK;
  return netbufOfBytes(bytes);
}

/**
 * netdir_free(3NSL): releases a structure a netdir call returned (the GC frees memory):
 * ND_ADDR (a netbuf), ND_ADDRLIST, ND_HOSTSERV, ND_HOSTSERVLIST. Another type: _nderror
 * ND_UKNWN.
 */
export function netdir_free(ptr: unknown, struct_type: number): void {
  intArg('struct_type', struct_type, -0x80000000, 0x7fffffff);
  if (struct_type < ND_HOSTSERV || struct_type > ND_ADDRLIST) {
    _nderror = ND_UKNWN;
    return;
  }
  if (ptr === null || typeof ptr !== 'object') return;
  const o = ptr as Record<string, unknown>;
  if (struct_type === ND_ADDR) Object.assign(o, { maxlen: 0, len: 0, buf: Buffer.alloc(0) });
  else if (struct_type === ND_ADDRLIST) Object.assign(o, { n_cnt: 0, n_addrs: [] });
  else if (struct_type === ND_HOSTSERVLIST) Object.assign(o, { h_cnt: 0, h_hostservs: [] });
}
