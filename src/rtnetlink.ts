/**
 * Just enough NETLINK_ROUTE to list links and addresses and to follow their events:
 * RTM_GETLINK/RTM_GETADDR dumps, struct ifinfomsg/ifaddrmsg and the IFLA_/IFA_ attributes
 * every tool prints. Anything else is framing (netlink.ts) plus the caller's own bytes.
 */
import { constants as C } from './constants.js';
import { socket, type Socket } from './socket/index.js';
import { XsockError, intArg } from './errors.js';
import { formatIPv6 } from './ipv6.js';
import type { WaitOptions } from './readiness.js';
import { attributeString, decodeAttributes, decodeNetlinkMessages, netlinkRequest, type NetlinkMessage } from './netlink.js';

/** A network interface as RTM_NEWLINK describes it. */
export interface Link {
  /** ifi_index: the interface index (what sockaddr_ll and sin6_scope_id take). */
  index: number;
  /** IFLA_IFNAME: the interface name ('lo', 'eth0'). */
  name: string;
  /** IFF_* bits (IFF_UP, IFF_LOOPBACK, IFF_LOWER_UP ...). */
  flags: number;
  /** IFLA_MTU (0 when absent). */
  mtu: number;
  /** Link-layer address 'aa:bb:cc:dd:ee:ff', or '' when the link has none. */
  address: string;
  /** ARPHRD_* (1 ethernet, 772 loopback). */
  hatype: number;
}

/** An interface address as RTM_NEWADDR describes it. */
export interface InterfaceAddress {
  /** ifa_family: AF_INET or AF_INET6. */
  family: 'inet' | 'inet6';
  /** ifa_index: the interface the address is on. */
  index: number;
  /** ifa_prefixlen: the network prefix length (24 for a /24). */
  prefixlen: number;
  /** IFA_LOCAL when present (the address itself on point-to-point links), else IFA_ADDRESS. */
  address: string;
  /** ifa_scope: RT_SCOPE_* (0 universe, 253 link, 254 host). */
  scope: number;
  /** IFA_LABEL: the IPv4 address label ('eth0:1'), when the kernel sends one. */
  label?: string;
}

/** A link or address change heard on a subscribed socket. */
export type RouteEvent =
  | {
    /** A link changed (RTM_NEWLINK/RTM_DELLINK). */
    kind: 'link';
    /** 'new' for RTM_NEWLINK (added or changed), 'del' for RTM_DELLINK. */
    action: 'new' | 'del';
    /** The link as the message describes it. */
    link: Link;
  }
  | {
    /** An address changed (RTM_NEWADDR/RTM_DELADDR). */
    kind: 'address';
    /** 'new' for RTM_NEWADDR, 'del' for RTM_DELADDR. */
    action: 'new' | 'del';
    /** The address as the message describes it. */
    address: InterfaceAddress;
  };

/** A NETLINK_ROUTE socket; `groups` (RTMGRP_* bits) subscribes it to events. */
export function openRouteSocket(groups = 0): Socket {
  const s = socket('netlink', 'raw', 'route');
  try {
    s.bind({ family: 'netlink', pid: 0, groups: intArg('groups', groups, 0, 0xffffffff) });
  } catch (err) {
    s.close();
    throw err;
  }
  return s;
}

/** RTM_GETLINK dump: every interface of the socket's network namespace. */
export async function listLinks(opts?: WaitOptions): Promise<Link[]> {
  return dump(C.RTM_GETLINK, C.SIZEOF_IFINFOMSG, opts, (m) => m.type === C.RTM_NEWLINK ? decodeLink(m) : null);
}

/** RTM_GETADDR dump: every IPv4 and IPv6 address. */
export async function listAddresses(opts?: WaitOptions): Promise<InterfaceAddress[]> {
  return dump(C.RTM_GETADDR, C.SIZEOF_IFADDRMSG, opts, (m) => m.type === C.RTM_NEWADDR ? decodeInterfaceAddress(m) : null);
}

async function dump<T>(type: number, headerSize: number, opts: WaitOptions | undefined, decode: (m: NetlinkMessage) => T | null): Promise<T[]> {
  const s = openRouteSocket();
  try {
    // The family header of a dump request is all zero: AF_UNSPEC, every interface.
    const msgs = await netlinkRequest(s, { type, flags: C.NLM_F_DUMP, payload: Buffer.alloc(headerSize) }, opts);
    return msgs.map(decode).filter((x): x is T => x !== null);
  } finally {
    s.close();
  }
}

/** struct ifinfomsg + IFLA_* of an RTM_NEWLINK/RTM_DELLINK. */
export function decodeLink(m: NetlinkMessage): Link {
  const p = m.payload;
  if (p.length < C.SIZEOF_IFINFOMSG) throw short('ifinfomsg', p.length);
  const link: Link = { index: p.readInt32LE(4), name: '', flags: p.readUInt32LE(8), mtu: 0, address: '', hatype: p.readUInt16LE(2) };
  for (const a of decodeAttributes(p.subarray(C.SIZEOF_IFINFOMSG))) {
    if (a.type === C.IFLA_IFNAME) link.name = attributeString(a.data);
    else if (a.type === C.IFLA_MTU && a.data.length >= 4) link.mtu = a.data.readUInt32LE(0);
    else if (a.type === C.IFLA_ADDRESS) link.address = [...a.data].map((x) => x.toString(16).padStart(2, '0')).join(':');
  }
  return link;
}

/** struct ifaddrmsg + IFA_* of an RTM_NEWADDR/RTM_DELADDR. */
export function decodeInterfaceAddress(m: NetlinkMessage): InterfaceAddress {
  const p = m.payload;
  if (p.length < C.SIZEOF_IFADDRMSG) throw short('ifaddrmsg', p.length);
  const family = p[0] === C.AF_INET6 ? 'inet6' : 'inet';
  const out: InterfaceAddress = { family, index: p.readUInt32LE(4), prefixlen: p[1]!, address: '', scope: p[3]! };
  let local = '';
  for (const a of decodeAttributes(p.subarray(C.SIZEOF_IFADDRMSG))) {
    if (a.type === C.IFA_ADDRESS) out.address = ipText(a.data);
    else if (a.type === C.IFA_LOCAL) local = ipText(a.data);
    else if (a.type === C.IFA_LABEL) out.label = attributeString(a.data);
  }
  if (local) out.address = local;
  return out;
}

/** The link and address events in one datagram read from a subscribed socket. */
export function decodeRouteEvents(datagram: Uint8Array): RouteEvent[] {
  const out: RouteEvent[] = [];
  for (const m of decodeNetlinkMessages(datagram)) {
    if (m.type === C.RTM_NEWLINK || m.type === C.RTM_DELLINK) {
      out.push({ kind: 'link', action: m.type === C.RTM_NEWLINK ? 'new' : 'del', link: decodeLink(m) });
    } else if (m.type === C.RTM_NEWADDR || m.type === C.RTM_DELADDR) {
      out.push({ kind: 'address', action: m.type === C.RTM_NEWADDR ? 'new' : 'del', address: decodeInterfaceAddress(m) });
    }
  }
  return out;
}

/** Waits for the next datagram on a subscribed socket and returns its link/address events. */
export async function nextRouteEvents(s: Socket, opts?: WaitOptions): Promise<RouteEvent[]> {
  return decodeRouteEvents(await s.recv(1 << 16, 0, opts));
}

function ipText(b: Buffer): string {
  return b.length === 4 ? `${b[0]}.${b[1]}.${b[2]}.${b[3]}` : b.length === 16 ? formatIPv6(b) : b.toString('hex');
}

function short(what: string, len: number): XsockError {
  return new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `netlink payload of ${len} bytes is shorter than struct ${what}`);
}
