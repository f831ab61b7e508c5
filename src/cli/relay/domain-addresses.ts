/**
 * The command's addresses for the domains beyond unix and inet sockets, with socat's
 * names where socat has them:
 *   ip-sendto:HOST:PROTO, ip4-sendto, ip6-sendto   raw IP datagrams to HOST (numeric)
 *   ip-recv:PROTO, ip4-recv, ip6-recv              raw IP from anyone, reply to the last sender
 *   interface:NAME                                 whole link-layer frames on interface NAME
 *   vsock-connect:CID:PORT, vsock-listen:PORT      vsock streams (CID any|local|host|number)
 *   netlink:PROTO                                  a netlink socket (route, kobject_uevent ...)
 * Parsing only, as in addresses.ts: a bad address fails before any socket exists.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { UsageError } from '../usage.js';
import { getprotobyname, netlinkProtocols, ethertypes } from '../../protocols.js';
import { parseAddress, type SockAddr } from '../../address.js';
import { constants as C } from '../../constants.js';

/** A socket endpoint of one of these domains, with its addresses already decided. */
export interface DomainSpec {
  kind: 'domain';
  text: string;
  domain: 'inet' | 'inet6' | 'packet' | 'netlink' | 'vsock';
  type: 'raw' | 'dgram' | 'stream' | 'seqpacket';
  /** socket()'s protocol: an IP protocol number, a host-order ethertype, a NETLINK_* number. */
  protocol: number;
  role: 'sendto' | 'recv' | 'connect' | 'listen' | 'bound';
  /** What to bind, if anything. */
  local?: SockAddr | undefined;
  /** Where writes go (sendto) or what to connect to. */
  remote?: SockAddr | undefined;
  /** interface: join the interface promiscuously (PACKET_ADD_MEMBERSHIP). */
  promisc?: boolean;
  /** interface: the interface index, for the membership. */
  ifindex?: number;
}

export const DOMAIN_ADDRESS_HELP = `  ip-sendto:HOST:PROTO, ip4-/ip6-sendto   raw IP datagrams (PROTO a number or name: icmp, 253)
  ip-recv:PROTO, ip4-recv, ip6-recv        raw IP from anyone (IPv4 reads include the IP header)
  interface:NAME  link-layer frames on NAME (,ethertype=0x88b5 ,promisc)   needs CAP_NET_RAW
  vsock-connect:CID:PORT, vsock-listen:PORT   vsock streams; CID any|local|host|number (,type=seqpacket)
  netlink:PROTO   netlink (route, kobject_uevent, generic ...); ,groups=MASK subscribes; writes go to the kernel`;

const KEYWORDS = new Set(['ip-sendto', 'ip4-sendto', 'ip6-sendto', 'ip-recv', 'ip4-recv', 'ip6-recv', 'interface',
  'vsock-connect', 'vsock-listen', 'netlink']);

/** The endpoint for `keyword`, or null when the keyword is not one of these. */
export function parseDomainEndpoint(keyword: string, rest: string, text: string): DomainSpec | null {
  if (!KEYWORDS.has(keyword)) return null;
  const [first, ...opts] = rest.split(',');
  const main = first ?? '';
  const option = optionReader(text, opts);
  let spec: DomainSpec;
  if (keyword.endsWith('-sendto') || keyword.endsWith('-recv')) spec = ipSpec(keyword, main, text);
  else if (keyword === 'interface') spec = interfaceSpec(main, text, option);
  else if (keyword === 'netlink') spec = netlinkSpec(main, text, option);
  else spec = vsockSpec(keyword, main, text, option);
  option.done();
  return spec;
}

function ipSpec(keyword: string, main: string, text: string): DomainSpec {
  const v6 = keyword.startsWith('ip6');
  const sending = keyword.endsWith('-sendto');
  let host = '';
  let proto = main;
  if (sending) {
    const m = /^\[([^\]]+)\]:([^:]+)$/.exec(main) ?? /^([^:[\]]+):([^:]+)$/.exec(main);
    if (!m) throw new UsageError(`bad address '${text}': expected HOST:PROTOCOL (IPv6 as [ADDR]:PROTOCOL)`);
    host = m[1]!;
    proto = m[2]!;
    if (!isIPv4(host) && !isIPv6(host)) throw new UsageError(`bad address '${text}': the host must be a numeric address; got '${host}'`);
    if ((v6 && !isIPv6(host)) || (keyword.startsWith('ip4') && !isIPv4(host))) throw new UsageError(`bad address '${text}': ${host} is not an ${v6 ? 'IPv6' : 'IPv4'} address`);
  }
  const domain = isIPv6(host) || v6 ? 'inet6' : 'inet';
  const protocol = /^\d+$/.test(proto) ? Number(proto) : getprotobyname(proto)?.number;
  if (protocol === undefined || protocol < 1 || protocol > 255) throw new UsageError(`bad address '${text}': '${proto}' is not an IP protocol (1..255 or a name in /etc/protocols)`);
  const wildcard: SockAddr = domain === 'inet6' ? { family: 'inet6', address: '::', port: 0 } : { family: 'inet', address: '0.0.0.0', port: 0 };
  const remote: SockAddr | undefined = sending ? (domain === 'inet6' ? { family: 'inet6', address: host, port: 0 } : { family: 'inet', address: host, port: 0 }) : undefined;
  return { kind: 'domain', text, domain, type: 'raw', protocol, role: sending ? 'sendto' : 'recv', local: sending ? undefined : wildcard, remote };
}

function interfaceSpec(name: string, text: string, option: OptionReader): DomainSpec {
  if (!/^[^/\s:,]{1,15}$/.test(name)) throw new UsageError(`bad address '${text}': '${name}' is not an interface name`);
  let protocol = C.ETH_P_ALL;
  const et = option.take('ethertype');
  if (et !== undefined) {
    const n = ethertypes().get(et.toLowerCase()) ?? (/^(?:\d+|0x[0-9a-f]+)$/i.test(et) ? Number(et) : NaN);
    if (!(n >= 0 && n <= 0xffff)) throw new UsageError(`bad address '${text}': ethertype must be 0..0xffff or a name (ip, arp, ipv6, all); got '${et}'`);
    protocol = n;
  }
  let local: SockAddr;
  try {
    local = parseAddress(`packet:${name}`);
  } catch (err) {
    throw new UsageError(`bad address '${text}': ${(err as Error).message}`);
  }
  const ifindex = local.family === 'packet' ? local.ifindex : 0;
  local = { family: 'packet', protocol, ifindex };
  return { kind: 'domain', text, domain: 'packet', type: 'raw', protocol, role: 'bound', local, promisc: option.flag('promisc'), ifindex };
}

function netlinkSpec(name: string, text: string, option: OptionReader): DomainSpec {
  const protocol = /^\d+$/.test(name) ? Number(name) : netlinkProtocols().get(name.toLowerCase());
  if (protocol === undefined || protocol > 31) throw new UsageError(`bad address '${text}': '${name}' is not a netlink protocol (${[...netlinkProtocols().keys()].join(', ')})`);
  const g = option.take('groups') ?? '0';
  if (!/^(?:\d+|0x[0-9a-f]+)$/i.test(g) || Number(g) > 0xffffffff) throw new UsageError(`bad address '${text}': groups must be a 32-bit mask; got '${g}'`);
  return {
    kind: 'domain', text, domain: 'netlink', type: 'raw', protocol, role: 'connect',
    local: { family: 'netlink', pid: 0, groups: Number(g) }, remote: { family: 'netlink', pid: 0, groups: 0 },
  };
}

function vsockSpec(keyword: string, main: string, text: string, option: OptionReader): DomainSpec {
  const t = option.take('type') ?? 'stream';
  if (t !== 'stream' && t !== 'seqpacket') throw new UsageError(`bad address '${text}': vsock type must be stream or seqpacket`);
  const listening = keyword === 'vsock-listen';
  let addr: SockAddr;
  try {
    addr = parseAddress(listening ? `vsock:any:${main}` : `vsock:${main}`);
  } catch (err) {
    throw new UsageError(`bad address '${text}': expected ${listening ? 'PORT' : 'CID:PORT'} (${(err as Error).message})`);
  }
  return listening
    ? { kind: 'domain', text, domain: 'vsock', type: t, protocol: 0, role: 'listen', local: addr }
    : { kind: 'domain', text, domain: 'vsock', type: t, protocol: 0, role: 'connect', remote: addr };
}

interface OptionReader { take(name: string): string | undefined; flag(name: string): boolean; done(): void }

/** `,name=value` and `,flag` options, each allowed once; leftovers are an error. */
function optionReader(text: string, opts: string[]): OptionReader {
  const map = new Map<string, string>();
  for (const o of opts) {
    const eq = o.indexOf('=');
    const k = (eq < 0 ? o : o.slice(0, eq)).toLowerCase();
    if (map.has(k)) throw new UsageError(`bad address '${text}': option '${k}' given twice`);
    map.set(k, eq < 0 ? '' : o.slice(eq + 1));
  }
  return {
    take(name) {
      const v = map.get(name);
      map.delete(name);
      if (v === '') throw new UsageError(`bad address '${text}': option '${name}' needs a value`);
      return v;
    },
    flag(name) {
      const had = map.has(name);
      if (had && map.get(name) !== '') throw new UsageError(`bad address '${text}': option '${name}' takes no value`);
      map.delete(name);
      return had;
    },
    done() {
      const left = [...map.keys()];
      if (left.length) throw new UsageError(`bad address '${text}': unknown option '${left[0]}'`);
    },
  };
}
