/**
 * How `xsock semantics` gets two talking endpoints in each domain x type: which socket to
 * open, what to bind, whether connect() sets the peer (packet sockets have no connect),
 * and how a payload travels (a raw IPv4 socket hands back the IP header, a raw packet
 * socket the Ethernet header). Every row is measured on loopback: unix paths, 127.0.0.1 and
 * ::1, the loopback interface, NETLINK_USERSOCK between two of our own ports, and vsock's
 * VMADDR_CID_LOCAL.
 */
import { join } from 'node:path';
import { socket, ifNameToIndex, type Socket } from '../../socket/index.js';
import { constants as C } from '../../constants.js';
import type { AddressLike, SockAddr } from '../../address.js';

/** One domain x type (x protocol) row to measure. */
export interface Probe {
  domain: string;
  type: string;
  /** The socket() protocol, when not the default. */
  protocol?: string | number | undefined;
  /** The row's type column ('stream', 'stream mptcp', 'raw ip253' ...). */
  label: string;
  /** A fresh local name to bind (null: nothing to bind). */
  name(dir: string, n: number): AddressLike | null;
  /** False where connect() does not set a default peer (packet): every send names it. */
  connectable: boolean;
  /** Where a send to `peer` goes when not connected. */
  destination(peer: Socket): AddressLike;
  /** Bytes on the wire for one payload (a link-layer header for raw packet sockets). */
  frame(payload: Buffer): Buffer;
  /** The payload in what a receive returned (strip an IPv4 or Ethernet header). */
  payload(received: Buffer): Buffer;
  /** Per-socket setup after open (a receiver that should not see its own frames). */
  setup?(s: Socket): void;
}

/** RFC 3692 experimental values: nothing else on the host uses them. */
const EXPERIMENTAL_IP_PROTO = 253;
const EXPERIMENTAL_ETHERTYPE = 0x88b5;

const same = (b: Buffer) => b;

function plain(domain: string, type: string, label = type, protocol?: string | number): Probe {
  return {
    domain, type, label, protocol, connectable: true, frame: same, payload: same,
    name: (dir, n) => domain === 'unix' ? { family: 'unix', path: join(dir, `${label.replace(/\W/g, '')}${n}`) }
      : domain === 'inet' ? { family: 'inet', address: '127.0.0.1', port: 0 }
        : domain === 'inet6' ? { family: 'inet6', address: '::1', port: 0 }
          : { family: 'vsock', cid: C.VMADDR_CID_LOCAL, port: C.VMADDR_PORT_ANY },
    destination: (peer) => peer.getsockname(),
  };
}

function rawIp(domain: 'inet' | 'inet6'): Probe {
  const p = plain(domain, 'raw', `raw ip${EXPERIMENTAL_IP_PROTO}`, EXPERIMENTAL_IP_PROTO);
  // IPv4 raw sockets deliver the IP header; IPv6 ones never do.
  if (domain === 'inet') p.payload = (b) => b.length >= 20 ? b.subarray((b[0]! & 0x0f) * 4) : Buffer.alloc(0);
  return p;
}

function netlink(type: 'raw' | 'dgram'): Probe {
  return {
    domain: 'netlink', type, label: `${type} usersock`, protocol: 'usersock', connectable: true, frame: same, payload: same,
    name: () => ({ family: 'netlink', pid: 0, groups: 0 }), // pid 0: the kernel picks a free port id
    destination: (peer) => peer.getsockname(),
  };
}

function packet(type: 'raw' | 'dgram'): Probe {
  const lo = (): number => ifNameToIndex('lo');
  return {
    domain: 'packet', type, label: `${type} lo`, protocol: EXPERIMENTAL_ETHERTYPE, connectable: false,
    name: () => ({ family: 'packet', protocol: EXPERIMENTAL_ETHERTYPE, ifindex: lo() }),
    destination: () => ({ family: 'packet', protocol: EXPERIMENTAL_ETHERTYPE, ifindex: lo(), addr: '00:00:00:00:00:00' }),
    // Loopback's Ethernet header: zero MACs, then the ethertype.
    frame: type === 'raw' ? (b) => Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0xb5]), b]) : same,
    payload: type === 'raw' ? (b) => b.subarray(14) : same,
    // On lo a packet socket sees each frame twice, leaving and arriving; count arrivals.
    setup: (s) => { if (C.PACKET_IGNORE_OUTGOING !== undefined) s.setsockopt('SOL_PACKET', 'PACKET_IGNORE_OUTGOING', true); },
  };
}

/** Every row, in table order. */
export function probes(): Probe[] {
  const list: Probe[] = [];
  for (const t of ['stream', 'dgram', 'seqpacket']) list.push(plain('unix', t));
  for (const d of ['inet', 'inet6'] as const) {
    for (const t of ['stream', 'dgram', 'seqpacket']) list.push(plain(d, t));
    list.push(plain(d, 'stream', 'stream mptcp', 'mptcp'));
    list.push(rawIp(d));
  }
  list.push(netlink('raw'), netlink('dgram'), packet('raw'), packet('dgram'));
  for (const t of ['stream', 'dgram', 'seqpacket']) list.push(plain('vsock', t));
  return list;
}

/** Opens one socket of the probe's row. */
export function openFor(p: Probe): Socket {
  const s = socket(p.domain as 'unix', p.type as 'stream', p.protocol ?? 0);
  try {
    p.setup?.(s);
  } catch (err) {
    s.close();
    throw err;
  }
  return s;
}

/** Families xsock has no row for, probed to list what this kernel refuses (linux/socket.h numbers). */
export const OTHER_FAMILIES: ReadonlyArray<[string, number]> = [
  ['ax25', 3], ['ipx', 4], ['appletalk', 5], ['netrom', 6], ['bridge', 7], ['atmpvc', 8], ['x25', 9], ['rose', 11],
  ['decnet', 12], ['netbeui', 13], ['security', 14], ['key', 15], ['econet', 19], ['atmsvc', 20], ['rds', 21], ['sna', 22],
  ['irda', 23], ['pppox', 24], ['wanpipe', 25], ['llc', 26], ['ib', 27], ['mpls', 28], ['can', 29], ['tipc', 30],
  ['bluetooth', 31], ['iucv', 32], ['rxrpc', 33], ['isdn', 34], ['phonet', 35], ['ieee802154', 36], ['caif', 37],
  ['alg', 38], ['nfc', 39], ['kcm', 41], ['qipcrtr', 42], ['smc', 43], ['xdp', 44], ['mctp', 45],
];

export type { SockAddr };
