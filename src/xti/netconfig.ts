/**
 * Network selection (netconfig(4), getnetconfig(3NSL), getnetpath(3NSL)): the table of
 * transports a TLI program chooses from by network id ('tcp', 'udp6', 'ticotsord' ...)
 * instead of naming a device. Each entry's nc_device is what t_open takes.
 *
 * The table is /etc/netconfig when that file exists, as on Solaris (the environment
 * variable XSOCK_NETCONFIG names another file; `XSOCK_NETCONFIG=-` selects the shipped
 * table). Linux's libtirpc writes `-` for every device, since its transports are sockets:
 * such an entry gets the device of the xsock provider with the same protocol family,
 * protocol and semantics, so a program can t_open what it selected. Without the file the
 * shipped table lists xsock's providers in illumos order.
 *
 * Like the C library, the calls return null on failure and leave the reason in nc_error
 * (read with nc_sperror/nc_perror); only a wrong JavaScript argument throws.
 */
import { readFileSync } from 'node:fs';
import { argType } from '../errors.js';
import { providerInfo } from './providers.js';

/** struct netconfig. */
export interface Netconfig {
  /** The network id ('tcp', 'udp6', 'ticotsord' ...) that getnetconfigent and NETPATH name. */
  nc_netid: string;
  /** NC_TPI_CLTS, NC_TPI_COTS, NC_TPI_COTS_ORD or NC_TPI_RAW. */
  nc_semantics: number;
  /** NC_VISIBLE | NC_BROADCAST, or NC_NOFLAG. */
  nc_flag: number;
  /** NC_INET, NC_INET6, NC_LOOPBACK ... */
  nc_protofmly: string;
  /** NC_TCP, NC_UDP, or NC_NOPROTO ('-'). */
  nc_proto: string;
  /** The provider t_open takes ('/dev/tcp'). */
  nc_device: string;
  /** How many entries nc_lookups has. */
  nc_nlookups: number;
  /** The name-to-address libraries of the entry (informational here). */
  nc_lookups: string[];
  /** Reserved: eight zeros, as in C. */
  nc_unused: number[];
}

/** nc_semantics `tpi_clts`: connectionless (T_CLTS). */
export const NC_TPI_CLTS = 1;
/** nc_semantics `tpi_cots`: connection mode without orderly release (T_COTS). */
export const NC_TPI_COTS = 2;
/** nc_semantics `tpi_cots_ord`: connection mode with orderly release (T_COTS_ORD). */
export const NC_TPI_COTS_ORD = 3;
/** nc_semantics `tpi_raw`: raw access to the network. */
export const NC_TPI_RAW = 4;
/** nc_flag `-`: no flags. */
export const NC_NOFLAG = 0;
/** nc_flag `v`: visible, so setnetpath lists the entry when NETPATH is unset. */
export const NC_VISIBLE = 0o1;
/** nc_flag `b`: the transport supports broadcast. */
export const NC_BROADCAST = 0o2;
/** nc_protofmly `-`: no protocol family. */
export const NC_NOPROTOFMLY = '-';
/** nc_protofmly of the loopback transports (ticots, ticotsord, ticlts). */
export const NC_LOOPBACK = 'loopback';
/** nc_protofmly of IPv4 transports. */
export const NC_INET = 'inet';
/** nc_protofmly of IPv6 transports. */
export const NC_INET6 = 'inet6';
/** nc_proto `-`: no protocol name (the loopback transports). */
export const NC_NOPROTO = '-';
/** nc_proto of TCP transports. */
export const NC_TCP = 'tcp';
/** nc_proto of UDP transports. */
export const NC_UDP = 'udp';
/** nc_proto of ICMP transports. */
export const NC_ICMP = 'icmp';

/** nc_error values (illumos netconfig.h). */
export const NC_NOERROR = 0;
/** nc_error: out of memory (kept for C parity; not raised here). */
export const NC_NOMEM = 1;
/** nc_error: a handle that setnetconfig/setnetpath did not open, or one already ended. */
export const NC_NOSET = 2;
/** nc_error: the netconfig file could not be read. */
export const NC_OPENFAIL = 3;
/** nc_error: a malformed line in the netconfig file (nc_sperror names the line and field). */
export const NC_BADLINE = 4;
/** nc_error: getnetconfigent found no entry with that netid. */
export const NC_NOTFOUND = 5;
/** nc_error: getnetconfig/getnetpath reached the end of the table. */
export const NC_NOMOREENTRIES = 6;

/** The file the table is read from. */
export const NETCONFIG = '/etc/netconfig';
/** The environment variable holding the user's transport search path. */
export const NETPATH = 'NETPATH';

/** The last netconfig failure (live binding, as C's nc_error). */
export let nc_error = NC_NOERROR;
let badLine = 0;
let badField = 0;

const SEMANTICS: Record<string, number> = { tpi_clts: NC_TPI_CLTS, tpi_cots: NC_TPI_COTS, tpi_cots_ord: NC_TPI_COTS_ORD, tpi_raw: NC_TPI_RAW };

/** The shipped table: illumos's /etc/netconfig for the providers xsock has. */
const SHIPPED = `
udp6       tpi_clts      v     inet6    udp     /dev/udp6       -
tcp6       tpi_cots_ord  v     inet6    tcp     /dev/tcp6       -
udp        tpi_clts      v     inet     udp     /dev/udp        -
tcp        tpi_cots_ord  v     inet     tcp     /dev/tcp        -
ticlts     tpi_clts      v     loopback -       /dev/ticlts     straddr.so
ticotsord  tpi_cots_ord  v     loopback -       /dev/ticotsord  straddr.so
ticots     tpi_cots      v     loopback -       /dev/ticots     straddr.so
`;

/** The xsock provider for a (family, proto, semantics), for entries without a device. */
function deviceFor(fmly: string, proto: string, semantics: number): string {
  const type = semantics === NC_TPI_CLTS ? 'dgram' : semantics === NC_TPI_COTS_ORD ? 'stream' : semantics === NC_TPI_COTS ? 'seqpacket' : '';
  const domain = fmly === NC_LOOPBACK ? 'unix' : fmly;
  const fits = (p: { domain: string; type: string; name: string }) => p.domain === domain && p.type === type
    && (domain === 'unix' ? proto === NC_NOPROTO : p.name.startsWith(`/dev/${proto}`));
  return providerInfo().find(fits)?.name ?? '-';
}

/** Splits a line into fields; a backslash keeps the next blank inside a field. */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inField = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\' && i + 1 < line.length && /\s/.test(line[i + 1]!)) {
      cur += line[++i];
      inField = true;
    } else if (/\s/.test(ch!)) {
      if (inField) out.push(cur);
      cur = '';
      inField = false;
    } else {
      cur += ch;
      inField = true;
    }
  }
  if (inField) out.push(cur);
  return out;
}

function bad(line: number, field: number): null {
  nc_error = NC_BADLINE;
  badLine = line;
  badField = field;
  return null;
}

/**
 * Parses netconfig(4) text: `netid semantics flags protofmly proto device lookups`, `#`
 * comments, blank lines skipped. A malformed line fails the whole table (NC_BADLINE, with
 * its line and field kept for nc_sperror), as libnsl does. Returns null on failure.
 */
export function parseNetconfig(text: string): Netconfig[] | null {
  if (typeof text !== 'string') throw argType('text', 'a string', text);
  const table: Netconfig[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!.replace(/#.*/, '');
    if (raw.trim() === '') continue;
    const f = fields(raw);
    if (f.length < 7) return bad(n + 1, f.length + 1);
    const [f0, f1, f2, f3, f4, f5] = f as [string, string, string, string, string, string, ...string[]];
    const semantics = SEMANTICS[f1];
    if (semantics === undefined) return bad(n + 1, 2);
    let flag = NC_NOFLAG;
    if (f2 !== '-') {
      for (const c of f2) {
        if (c === 'v') flag |= NC_VISIBLE;
        else if (c === 'b') flag |= NC_BROADCAST;
        else return bad(n + 1, 3);
      }
    }
    const lookups = f[6] === '-' ? [] : f.slice(6).join(' ').split(',').map((s) => s.trim()).filter((s) => s !== '');
    const device = f5 === '-' ? deviceFor(f3, f4, semantics) : f5;
    table.push({
      nc_netid: f0, nc_semantics: semantics, nc_flag: flag, nc_protofmly: f3, nc_proto: f4,
      nc_device: device, nc_nlookups: lookups.length, nc_lookups: lookups, nc_unused: [0, 0, 0, 0, 0, 0, 0, 0],
    });
  }
  return table;
}

/** Where the table comes from now: a file path, or null for the shipped table. */
function source(): string | null {
  const env = process.env.XSOCK_NETCONFIG;
  if (env === '-') return null;
  return env !== undefined && env !== '' ? env : NETCONFIG;
}

/** Reads the table (each call: the file is small and an administrator may edit it). */
function loadTable(): Netconfig[] | null {
  const path = source();
  let text = SHIPPED;
  if (path !== null) {
    try {
      text = readFileSync(path, 'latin1');
    } catch (err) {
      if (path !== NETCONFIG || (err as NodeJS.ErrnoException).code !== 'ENOENT') {
        nc_error = NC_OPENFAIL;
        return null;
      }
    }
  }
  return parseNetconfig(text);
}

function copy(nc: Netconfig): Netconfig {
  return { ...nc, nc_lookups: [...nc.nc_lookups], nc_unused: [...nc.nc_unused] };
}

const HANDLE = Symbol('netconfig.handle');
/** The handle setnetconfig/setnetpath give: an opaque cursor over a snapshot of the table. */
export interface NetconfigHandle {
  /** The cursor's state, keyed by a private symbol: opaque to callers, as C's `void *` handle. */
  readonly [HANDLE]: {
    /** The snapshot of the table (or of the NETPATH selection) the handle walks. */
    entries: Netconfig[];
    /** The index of the entry the next get returns. */
    next: number;
    /** False once endnetconfig/endnetpath released the handle. */
    open: boolean;
  };
}

function handleOf(h: unknown, call: string): { entries: Netconfig[]; next: number; open: boolean } | null {
  const state = h !== null && typeof h === 'object' ? (h as NetconfigHandle)[HANDLE] : undefined;
  if (h !== null && h !== undefined && state === undefined) throw argType('handlep', `a handle from ${call === 'getnetpath' || call === 'endnetpath' ? 'setnetpath' : 'setnetconfig'}()`, h);
  if (!state || !state.open) {
    nc_error = NC_NOSET;
    return null;
  }
  return state;
}

function open(entries: Netconfig[]): NetconfigHandle {
  return { [HANDLE]: { entries, next: 0, open: true } } as NetconfigHandle;
}

/** setnetconfig(3NSL): a handle positioned at the first entry, or null (nc_error set). */
export function setnetconfig(): NetconfigHandle | null {
  const table = loadTable();
  return table ? open(table) : null;
}

/** getnetconfig(3NSL): the next entry, or null at the end (NC_NOMOREENTRIES) or on error. */
export function getnetconfig(handlep: NetconfigHandle | null): Netconfig | null {
  const h = handleOf(handlep, 'getnetconfig');
  if (!h) return null;
  if (h.next >= h.entries.length) {
    nc_error = NC_NOMOREENTRIES;
    return null;
  }
  return h.entries[h.next++] ?? null;
}

/** endnetconfig(3NSL): releases the handle; 0, or -1 if it was not open (NC_NOSET). */
export function endnetconfig(handlep: NetconfigHandle | null): number {
  const h = handleOf(handlep, 'endnetconfig');
  if (!h) return -1;
  h.open = false;
  return 0;
}

/** getnetconfigent(3NSL): a copy of the entry for `netid`, or null (NC_NOTFOUND). */
export function getnetconfigent(netid: string): Netconfig | null {
  if (typeof netid !== 'string') throw argType('netid', 'a network id string', netid);
  const table = loadTable();
  if (!table) return null;
  const e = table.find((nc) => nc.nc_netid === netid);
  if (!e) {
    nc_error = NC_NOTFOUND;
    return null;
  }
  return copy(e);
}

/** freenetconfigent(3NSL): releases an entry from getnetconfigent (the GC frees memory). */
export function freenetconfigent(netconfigp: Netconfig | null): void {
  if (netconfigp !== null && netconfigp !== undefined && typeof netconfigp !== 'object') throw argType('netconfigp', 'a netconfig entry', netconfigp);
}

/**
 * setnetpath(3NSL): a handle over the transports NETPATH names (colon-separated netids,
 * in that order, unknown ones skipped); NETPATH unset or empty: every NC_VISIBLE entry.
 */
export function setnetpath(): NetconfigHandle | null {
  const table = loadTable();
  if (!table) return null;
  const path = process.env[NETPATH];
  if (!path) return open(table.filter((nc) => nc.nc_flag & NC_VISIBLE));
  const picked: Netconfig[] = [];
  for (const id of path.split(':')) {
    const e = table.find((nc) => nc.nc_netid === id);
    if (e) picked.push(e);
  }
  return open(picked);
}

/** getnetpath(3NSL): the next transport on the path, or null at its end. */
export function getnetpath(handlep: NetconfigHandle | null): Netconfig | null {
  const h = handleOf(handlep, 'getnetpath');
  if (!h) return null;
  if (h.next >= h.entries.length) {
    nc_error = NC_NOMOREENTRIES;
    return null;
  }
  return h.entries[h.next++] ?? null;
}

/** endnetpath(3NSL): releases a setnetpath handle; 0, or -1 (NC_NOSET). */
export function endnetpath(handlep: NetconfigHandle | null): number {
  const h = handleOf(handlep, 'endnetpath');
  if (!h) return -1;
  h.open = false;
  return 0;
}

/** nc_sperror(3NSL): the text for the last netconfig failure (libnsl's wording). */
export function nc_sperror(): string {
  switch (nc_error) {
    case NC_NOERROR: return 'no error';
    case NC_NOMEM: return 'out of memory';
    case NC_NOSET: return 'routine called before calling setnetpath() or setnetconfig()';
    case NC_OPENFAIL: return 'cannot open /etc/netconfig';
    case NC_BADLINE: return `error in /etc/netconfig: field ${badField} of line ${badLine}\n`;
    case NC_NOTFOUND: return 'netid not found in /etc/netconfig';
    case NC_NOMOREENTRIES: return 'no more entries in /etc/netconfig';
    default: return 'unknown error';
  }
}

/** nc_perror(3NSL): writes "msg: text" for the last netconfig failure to stderr. */
export function nc_perror(msg: string): void {
  process.stderr.write(`${msg}: ${nc_sperror()}\n`);
}
