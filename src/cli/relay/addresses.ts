/**
 * The command's address grammar: `KEYWORD:REST[,option[=value]]...`, keywords
 * case-insensitive, socat's upper-case names accepted as aliases. Parsing only: nothing
 * here opens a descriptor, so a bad address fails before any socket exists (exit 2).
 */
import { isIP } from 'node:net';
import { UsageError } from '../usage.js';
import { parseDomainEndpoint, DOMAIN_ADDRESS_HELP, type DomainSpec } from './domain-addresses.js';

export type { DomainSpec } from './domain-addresses.js';

/** What an endpoint does with its socket. */
export type Role = 'connect' | 'listen' | 'sendto' | 'recv' | 'recvfrom-first';

/** A socket endpoint; host names are resolved when it is opened. */
export interface SocketSpec {
  kind: 'socket';
  text: string;
  domain: 'unix' | 'inet' | 'inet6';
  type: 'stream' | 'dgram' | 'seqpacket';
  role: Role;
  /** unix: the path or, with `abstract`, the name; inet: the host (may be a name or ''). */
  host: string;
  /** inet: a port number or a service name (resolved with the services database). */
  service: string;
  abstract: boolean;
  /** tcp:/udp: without 4 or 6 and a host name: the resolver picks the family. */
  anyFamily?: boolean;
  options: EndpointOptions;
}

export interface EndpointOptions {
  fork?: boolean;
  /** unix listeners: remove a stale socket file first (socat's unlink-early). */
  unlink?: boolean;
  /** local address to bind before connect/sendto (text form). */
  bind?: string;
  rcvbuf?: number;
  sndbuf?: number;
}

/**
 * How a file address opens its path, as socat's: `open` (file:, OPEN:) opens an existing
 * file for what the relay does with it (read, write or both); `create` is creat(2)
 * (O_CREAT|O_TRUNC, write-only); `append` writes at the end, creating; `gopen` appends to
 * an existing file or creates a new one.
 */
export type FileKeyword = 'open' | 'create' | 'append' | 'gopen';

/** socat's open options of a file address. */
export interface FileOptions {
  creat?: boolean;
  excl?: boolean;
  trunc?: boolean;
  append?: boolean;
  /** Permission bits of a created file (before the umask); socat's perm=, octal. */
  perm?: number;
}

export interface FileSpec { kind: 'file'; text: string; path: string; keyword: FileKeyword; options: FileOptions }

export type EndpointSpec =
  | SocketSpec
  | DomainSpec
  | { kind: 'stdio'; text: string }
  | FileSpec
  | { kind: 'exec'; text: string; command: string };

/** File keywords (socat's OPEN, CREATE, GOPEN; FILE is socat's alias of OPEN). */
const FILE_KEYWORDS: Record<string, FileKeyword> = {
  file: 'open', open: 'open', create: 'create', creat: 'create', append: 'append', gopen: 'gopen',
};

type Family = 'unix' | 'inet' | 'inet6' | 'any';
interface Keyword { family: Family; type: SocketSpec['type'] | 'option'; role: Role; abstract?: boolean }

const k = (family: Family, type: Keyword['type'], role: Role, abstract = false): Keyword => ({ family, type, role, abstract });
/** Keyword -> meaning. `option` types take `,type=` (stream unless told). */
const KEYWORDS: Record<string, Keyword> = {
  'unix': k('unix', 'option', 'connect'),
  'unix-connect': k('unix', 'option', 'connect'),
  'unix-client': k('unix', 'option', 'connect'),
  'unix-listen': k('unix', 'option', 'listen'),
  'seqpacket': k('unix', 'seqpacket', 'connect'),
  'seqpacket-connect': k('unix', 'seqpacket', 'connect'),
  'seqpacket-listen': k('unix', 'seqpacket', 'listen'),
  'unix-dgram': k('unix', 'dgram', 'sendto'),
  'unix-sendto': k('unix', 'dgram', 'sendto'),
  'unix-recv': k('unix', 'dgram', 'recv'),
  'unix-recvfrom': k('unix', 'dgram', 'recv'),
  'abstract': k('unix', 'option', 'connect', true),
  'abstract-connect': k('unix', 'option', 'connect', true),
  'abstract-client': k('unix', 'option', 'connect', true),
  'abstract-listen': k('unix', 'option', 'listen', true),
  'abstract-sendto': k('unix', 'dgram', 'sendto', true),
  'abstract-recv': k('unix', 'dgram', 'recv', true),
  'abstract-recvfrom': k('unix', 'dgram', 'recv', true),
  'tcp': k('any', 'stream', 'connect'), 'tcp-connect': k('any', 'stream', 'connect'),
  'tcp4': k('inet', 'stream', 'connect'), 'tcp4-connect': k('inet', 'stream', 'connect'),
  'tcp6': k('inet6', 'stream', 'connect'), 'tcp6-connect': k('inet6', 'stream', 'connect'),
  'tcp-listen': k('any', 'stream', 'listen'), 'tcp4-listen': k('inet', 'stream', 'listen'),
  'tcp6-listen': k('inet6', 'stream', 'listen'),
  'udp': k('any', 'dgram', 'connect'), 'udp-connect': k('any', 'dgram', 'connect'),
  'udp4': k('inet', 'dgram', 'connect'), 'udp4-connect': k('inet', 'dgram', 'connect'),
  'udp6': k('inet6', 'dgram', 'connect'), 'udp6-connect': k('inet6', 'dgram', 'connect'),
  'udp-sendto': k('any', 'dgram', 'sendto'), 'udp4-sendto': k('inet', 'dgram', 'sendto'),
  'udp6-sendto': k('inet6', 'dgram', 'sendto'),
  'udp-listen': k('any', 'dgram', 'recvfrom-first'), 'udp4-listen': k('inet', 'dgram', 'recvfrom-first'),
  'udp6-listen': k('inet6', 'dgram', 'recvfrom-first'),
  'udp-recv': k('any', 'dgram', 'recv'), 'udp4-recv': k('inet', 'dgram', 'recv'),
  'udp6-recv': k('inet6', 'dgram', 'recv'), 'udp-recvfrom': k('any', 'dgram', 'recv'),
  'udp4-recvfrom': k('inet', 'dgram', 'recv'), 'udp6-recvfrom': k('inet6', 'dgram', 'recv'),
};

const TYPES: Record<string, SocketSpec['type']> = { stream: 'stream', '1': 'stream', dgram: 'dgram', '2': 'dgram', seqpacket: 'seqpacket', '5': 'seqpacket' };

/** The grammar as --help prints it. */
export const ADDRESS_HELP = `addresses (keywords are case-insensitive; socat's names work too):
  -, stdio                 standard input and output
  file:PATH, open:PATH     an existing file, read and/or written as the relay needs it
                           (read-write in both directions, as socat: -u/-U for one way)
  create:PATH              creat(2): create or truncate, write only   append:PATH  append, creating
  gopen:PATH               append to PATH if it exists, else create it (a unix socket: connect)
    file options: ,creat ,excl ,trunc ,append ,perm=OCTAL (mode of a created file)
  exec:COMMAND             run COMMAND (sh -c) on a socketpair as its stdin/stdout
  unix:PATH, unix-connect:PATH     connect a unix stream (,type=seqpacket|dgram)
  unix-listen:PATH                 listen, accept one client (--fork: many); ,unlink
  seqpacket:PATH, seqpacket-listen:PATH   sequenced packets, boundaries kept
  unix-sendto:PATH, unix-dgram:PATH       datagrams to PATH (autobound, replies come back)
  unix-recv:PATH, unix-recvfrom:PATH      bind PATH, receive datagrams, reply to the last sender
  PATH starting with @ (or abstract-*:NAME) is an abstract name; a bare /path or @name connects
  tcp:HOST:PORT, tcp4:..., tcp6:[V6]:PORT  connect      tcp-listen:PORT (,bind=HOST)  listen
  udp:HOST:PORT, udp4:..., udp6:...        connected udp udp-sendto:HOST:PORT
  udp-listen:PORT   wait for the first datagram, then talk to its sender only
  udp-recv:PORT     receive from anyone, reply to the last sender
${DOMAIN_ADDRESS_HELP}
options after a comma: fork, unlink, bind=ADDR, type=stream|dgram|seqpacket, rcvbuf=N, sndbuf=N`;

/** Parses one command-line address; throws UsageError naming what is wrong. */
export function parseEndpoint(text: string): EndpointSpec {
  if (text === '-' || /^(stdio|stdin|stdout)$/i.test(text)) return { kind: 'stdio', text };
  if (text.startsWith('/') || text.startsWith('./') || text.startsWith('@')) return parseEndpoint(`unix:${text}`);
  const colon = text.indexOf(':');
  if (colon <= 0) throw new UsageError(`bad address '${text}': expected KEYWORD:ARGUMENTS (xsock --help lists them)`);
  const keyword = text.slice(0, colon).toLowerCase();
  const rest = text.slice(colon + 1);
  if (keyword === 'exec' || keyword === 'system') {
    if (rest.trim() === '') throw new UsageError(`bad address '${text}': exec needs a command`);
    return { kind: 'exec', text, command: rest };
  }
  const fileKeyword = FILE_KEYWORDS[keyword];
  if (fileKeyword !== undefined) return fileSpec(text, keyword, fileKeyword, rest);
  const other = parseDomainEndpoint(keyword, rest, text);
  if (other) return other;
  const kw = KEYWORDS[keyword];
  if (!kw) throw new UsageError(`bad address '${text}': unknown keyword '${keyword}'`);
  const [main, ...opts] = splitOptions(rest);
  const options: EndpointOptions = {};
  let type = kw.type === 'option' ? 'stream' : kw.type;
  for (const o of opts) {
    const eq = o.indexOf('=');
    const name = (eq < 0 ? o : o.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? undefined : o.slice(eq + 1);
    switch (name) {
      case 'fork': options.fork = true; break;
      case 'unlink': case 'unlink-early': options.unlink = true; break;
      case 'reuseaddr': break; // always on for listeners
      case 'bind': options.bind = need(text, name, value); break;
      case 'rcvbuf': options.rcvbuf = count(text, name, value); break;
      case 'sndbuf': options.sndbuf = count(text, name, value); break;
      case 'type': {
        const t = TYPES[need(text, name, value).toLowerCase()];
        if (!t) throw new UsageError(`bad address '${text}': type must be stream, dgram or seqpacket`);
        if (kw.type !== 'option' && t !== kw.type) throw new UsageError(`bad address '${text}': '${keyword}' is always ${kw.type}`);
        type = t;
        break;
      }
      default: throw new UsageError(`bad address '${text}': unknown option '${name}'`);
    }
  }
  if (kw.family === 'unix') return unixSpec(text, kw, type, main!, options);
  return inetSpec(text, kw, type, main!, options);
}

function fileSpec(text: string, keyword: string, fileKeyword: FileKeyword, rest: string): FileSpec {
  const [path = '', ...opts] = rest.split(',');
  if (path === '') throw new UsageError(`bad address '${text}': ${keyword} needs a path`);
  const options: FileOptions = {};
  for (const o of opts) {
    const eq = o.indexOf('=');
    const name = (eq < 0 ? o : o.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? undefined : o.slice(eq + 1);
    switch (name) {
      case 'creat': case 'create': case 'o-creat': options.creat = flag(text, name, value); break;
      case 'excl': case 'o-excl': options.excl = flag(text, name, value); break;
      case 'trunc': case 'o-trunc': options.trunc = flag(text, name, value); break;
      case 'append': case 'o-append': options.append = flag(text, name, value); break;
      case 'perm': case 'mode': {
        const v = need(text, name, value);
        if (!/^[0-7]{1,4}$/.test(v)) throw new UsageError(`bad address '${text}': option '${name}' must be an octal mode such as 600 or 0644; got '${v}'`);
        options.perm = parseInt(v, 8);
        break;
      }
      default: throw new UsageError(`bad address '${text}': unknown option '${name}' (file options: creat, excl, trunc, append, perm=OCTAL)`);
    }
  }
  return { kind: 'file', text, path, keyword: fileKeyword, options };
}

/** A boolean option: bare, or =1/0, yes/no, true/false as socat takes them. */
function flag(text: string, name: string, value: string | undefined): boolean {
  if (value === undefined) return true;
  const v = value.toLowerCase();
  if (v === '1' || v === 'yes' || v === 'true') return true;
  if (v === '0' || v === 'no' || v === 'false') return false;
  throw new UsageError(`bad address '${text}': option '${name}' takes 0 or 1; got '${value}'`);
}

function unixSpec(text: string, kw: Keyword, type: SocketSpec['type'], main: string, options: EndpointOptions): SocketSpec {
  let abstract = kw.abstract === true;
  let name = main;
  if (!abstract && name.startsWith('@')) {
    abstract = true;
    name = name.slice(1);
  }
  if (name === '') throw new UsageError(`bad address '${text}': needs a ${abstract ? 'name' : 'path'}`);
  const limit = abstract ? 107 : 108;
  if (Buffer.byteLength(name) > limit) throw new UsageError(`bad address '${text}': a unix ${abstract ? 'abstract name' : 'path'} holds at most ${limit} bytes`);
  // A connecting "unix:" with type=dgram means sendto: socat's UNIX-CONNECT does the same.
  const role = kw.role === 'connect' && type === 'dgram' ? 'sendto' : kw.role === 'listen' && type === 'dgram' ? 'recv' : kw.role;
  return { kind: 'socket', text, domain: 'unix', type, role, host: name, service: '', abstract, options };
}

function inetSpec(text: string, kw: Keyword, type: SocketSpec['type'], main: string, options: EndpointOptions): SocketSpec {
  let host = '';
  let portText = main;
  const listening = kw.role === 'listen' || kw.role === 'recv' || kw.role === 'recvfrom-first';
  if (!listening || main.includes(':')) {
    const m = /^\[([^\]]+)\]:([^:]+)$/.exec(main) ?? /^([^:[\]]*):([^:]+)$/.exec(main);
    if (!m) throw new UsageError(`bad address '${text}': expected HOST:PORT (IPv6 as [ADDR]:PORT)`);
    host = m[1]!;
    portText = m[2]!;
    // Brackets hold an IPv6 literal and nothing else: [zz::1] is a typo, not a host name.
    if (main.startsWith('[') && isIP(host) !== 6) throw new UsageError(`bad address '${text}': '${host}' in brackets is not an IPv6 address`);
  }
  if (listening && options.bind !== undefined) host = options.bind.replace(/^\[(.*)\]$/, '$1');
  const numeric = /^\d+$/.test(portText);
  if ((numeric && Number(portText) > 65535) || (!numeric && !/^[A-Za-z][A-Za-z0-9_.+-]*$/.test(portText))) {
    throw new UsageError(`bad address '${text}': port must be 0..65535 or a service name; got '${portText}'`);
  }
  if (!listening && (host === '' || portText === '0')) throw new UsageError(`bad address '${text}': needs a host and a non-zero port`);
  let domain: SocketSpec['domain'] = kw.family === 'inet6' ? 'inet6' : 'inet';
  if (kw.family === 'any' && isIP(host) === 6) domain = 'inet6';
  if (kw.family === 'inet' && isIP(host) === 6) throw new UsageError(`bad address '${text}': ${host} is not an IPv4 address`);
  if (kw.family === 'inet6' && isIP(host) === 4) throw new UsageError(`bad address '${text}': ${host} is not an IPv6 address`);
  if (type === 'seqpacket') throw new UsageError(`bad address '${text}': inet sockets here are stream (tcp) or dgram (udp)`);
  const anyFamily = kw.family === 'any' && isIP(host) === 0 && host !== '';
  return { kind: 'socket', text, domain, type, role: kw.role, host, service: portText, abstract: false, anyFamily, options };
}

/** Splits on commas that are outside [brackets] (IPv6 addresses never hold commas, but be safe). */
function splitOptions(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function need(text: string, name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`bad address '${text}': option '${name}' needs a value`);
  return value;
}

function count(text: string, name: string, value: string | undefined): number {
  const v = need(text, name, value);
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 0x7fffffff) throw new UsageError(`bad address '${text}': option '${name}' must be a positive integer`);
  return Number(v);
}
