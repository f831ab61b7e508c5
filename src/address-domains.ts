/**
 * Addresses of the netlink, packet and vsock domains: objects <-> struct sockaddr_nl,
 * sockaddr_ll and sockaddr_vm <-> text. address.ts dispatches here by family.
 *
 * Text forms:
 *   netlink:PID[:GROUPS]                     netlink:0 (the kernel), netlink:0:0x11
 *   packet:IF[:ETHERTYPE][?hatype=N&pkttype=NAME&addr=MAC]
 *                                            packet:eth0:0x88b5, packet:any, packet:2:ip
 *   vsock:CID:PORT                           vsock:local:1234, vsock:any:any, vsock:3:5000
 * An ethertype is a host-order number everywhere; sockaddr_ll holds it in network order.
 */
import { constants as C } from './constants.js';
import { XsockError, argType } from './errors.js';
import { ethertypes } from './protocols.js';
import { interfaceIndex, interfaceName } from './interface-names.js';

/**
 * struct sockaddr_nl: `pid` 0 is the kernel; `groups` a bit mask of multicast groups (1..32).
 * @property family AF_NETLINK.
 * @property pid nl_pid: the port id (0: the kernel; on bind, 0 lets the kernel choose).
 * @property groups nl_groups: the multicast groups, bit n-1 for group n.
 */
export interface NetlinkAddress { family: 'netlink'; pid: number; groups: number }
/**
 * struct sockaddr_ll. `protocol`: host-order ethertype (0: as the socket's); `ifindex` 0:
 * every interface; `hatype` ARPHRD_*, `pkttype` PACKET_* and `addr` (link-layer address as
 * 'aa:bb:cc:dd:ee:ff') are filled in by the kernel on receive; addr is the destination on send.
 * @property family AF_PACKET.
 * @property protocol sll_protocol: the ethertype, in host order.
 * @property ifindex sll_ifindex: the interface index (0: every interface).
 * @property hatype sll_hatype: the ARPHRD_* hardware type.
 * @property pkttype sll_pkttype: the PACKET_* type (PACKET_HOST, PACKET_BROADCAST ...).
 * @property addr sll_addr: the link-layer address as 'aa:bb:cc:dd:ee:ff'.
 */
export interface PacketAddress { family: 'packet'; protocol: number; ifindex: number; hatype?: number | undefined; pkttype?: number | undefined; addr?: string | undefined }
/**
 * struct sockaddr_vm: context id (VMADDR_CID_ANY/LOCAL/HOST or a guest's) and port.
 * @property family AF_VSOCK.
 * @property cid svm_cid: the context id of the machine.
 * @property port svm_port: the port.
 */
export interface VsockAddress { family: 'vsock'; cid: number; port: number }

const PKTTYPES: Record<string, number> = {
  host: C.PACKET_HOST, broadcast: C.PACKET_BROADCAST, multicast: C.PACKET_MULTICAST,
  otherhost: C.PACKET_OTHERHOST, outgoing: C.PACKET_OUTGOING, loopback: C.PACKET_LOOPBACK,
};
const CIDS: Record<string, number> = {
  any: C.VMADDR_CID_ANY, hypervisor: C.VMADDR_CID_HYPERVISOR, local: C.VMADDR_CID_LOCAL, host: C.VMADDR_CID_HOST,
};

export function encodeNetlink(a: NetlinkAddress, buf: Buffer, argName: string): number {
  buf.writeUInt16LE(C.AF_NETLINK, 0);
  buf.writeUInt32LE(u32(a.pid, `${argName}.pid`), 4);
  buf.writeUInt32LE(u32(a.groups ?? 0, `${argName}.groups`), 8);
  return C.SIZEOF_SOCKADDR_NL;
}

export function encodePacket(a: PacketAddress, buf: Buffer, argName: string): number {
  buf.writeUInt16LE(C.AF_PACKET, 0);
  buf.writeUInt16BE(uint(a.protocol ?? 0, 0xffff, `${argName}.protocol`), 2);
  buf.writeInt32LE(uint(a.ifindex ?? 0, 0x7fffffff, `${argName}.ifindex`), 4);
  buf.writeUInt16LE(uint(a.hatype ?? 0, 0xffff, `${argName}.hatype`), 8);
  buf[10] = uint(a.pkttype ?? 0, 0xff, `${argName}.pkttype`);
  const mac = a.addr === undefined || a.addr === '' ? Buffer.alloc(0) : macBytes(a.addr, `${argName}.addr`);
  buf[11] = mac.length;
  mac.copy(buf, 12);
  return C.SIZEOF_SOCKADDR_LL;
}

export function encodeVsock(a: VsockAddress, buf: Buffer, argName: string): number {
  buf.writeUInt16LE(C.AF_VSOCK, 0);
  buf.writeUInt32LE(u32(a.port, `${argName}.port`), 4);
  buf.writeUInt32LE(u32(a.cid, `${argName}.cid`), 8);
  return C.SIZEOF_SOCKADDR_VM;
}

/** Decodes by family; null for a family this file does not know. */
export function decodeDomainAddress(af: number, b: Buffer): NetlinkAddress | PacketAddress | VsockAddress | null {
  if (af === C.AF_NETLINK) {
    return { family: 'netlink', pid: b.length >= 8 ? b.readUInt32LE(4) : 0, groups: b.length >= 12 ? b.readUInt32LE(8) : 0 };
  }
  if (af === C.AF_PACKET) {
    const a: PacketAddress = { family: 'packet', protocol: b.length >= 4 ? b.readUInt16BE(2) : 0, ifindex: b.length >= 8 ? b.readInt32LE(4) : 0 };
    if (b.length >= 12) {
      a.hatype = b.readUInt16LE(8);
      a.pkttype = b[10];
      const halen = Math.min(b[11]!, 8, b.length - 12);
      if (halen > 0) a.addr = formatMac(b.subarray(12, 12 + halen));
    }
    return a;
  }
  if (af === C.AF_VSOCK) {
    return { family: 'vsock', cid: b.length >= 12 ? b.readUInt32LE(8) : 0, port: b.length >= 8 ? b.readUInt32LE(4) : 0 };
  }
  return null;
}

/** Text after `netlink:` / `packet:` / `vsock:` -> address; null when `text` has none of the prefixes. */
export function parseDomainAddress(text: string, argName: string): NetlinkAddress | PacketAddress | VsockAddress | null {
  if (text.startsWith('netlink:')) {
    const m = /^netlink:([^:]+)(?::([^:]+))?$/.exec(text);
    if (!m) throw bad(argName, `'${text}' is not a netlink address (netlink:PID or netlink:PID:GROUPS)`);
    return { family: 'netlink', pid: num(m[1]!, 0xffffffff, argName, 'pid'), groups: m[2] === undefined ? 0 : num(m[2], 0xffffffff, argName, 'groups') };
  }
  if (text.startsWith('packet:')) return parsePacket(text, argName);
  if (text.startsWith('vsock:')) {
    const m = /^vsock:([^:]+):([^:]+)$/.exec(text);
    if (!m) throw bad(argName, `'${text}' is not a vsock address (vsock:CID:PORT, CID any|local|host|number)`);
    const cidText = m[1]!;
    const cid = Object.hasOwn(CIDS, cidText) ? CIDS[cidText]! : num(cidText, 0xffffffff, argName, 'cid');
    const port = m[2] === 'any' ? C.VMADDR_PORT_ANY : num(m[2]!, 0xffffffff, argName, 'port');
    return { family: 'vsock', cid, port };
  }
  return null;
}

function parsePacket(text: string, argName: string): PacketAddress {
  const m = /^packet:([^:?]+)(?::([^:?]+))?(?:\?(.*))?$/.exec(text);
  if (!m) throw bad(argName, `'${text}' is not a packet address (packet:IF[:ETHERTYPE][?addr=MAC&pkttype=NAME&hatype=N])`);
  const ifText = m[1]!;
  const ifindex = ifText === 'any' ? 0 : /^\d+$/.test(ifText) ? num(ifText, 0x7fffffff, argName, 'ifindex') : indexOf(ifText, argName);
  let protocol = 0;
  if (m[2] !== undefined) {
    const named = ethertypes().get(m[2].toLowerCase());
    protocol = named ?? num(m[2], 0xffff, argName, 'protocol');
  }
  const a: PacketAddress = { family: 'packet', protocol, ifindex };
  if (m[3] !== undefined) {
    for (const kv of m[3].split('&')) {
      const [k, v, extra] = kv.split('=');
      if (v === undefined || extra !== undefined) throw bad(argName, `has a malformed option '${kv}' (key=value)`);
      if (k === 'hatype') a.hatype = num(v, 0xffff, argName, 'hatype');
      else if (k === 'pkttype') a.pkttype = Object.hasOwn(PKTTYPES, v) ? PKTTYPES[v]! : num(v, 0xff, argName, 'pkttype');
      else if (k === 'addr') a.addr = formatMac(macBytes(v, `${argName}.addr`));
      else throw bad(argName, `has an unknown packet option '${k}' (hatype, pkttype, addr)`);
    }
  }
  return a;
}

export function formatNetlink(a: NetlinkAddress): string {
  return `netlink:${a.pid}${a.groups ? `:0x${a.groups.toString(16)}` : ''}`;
}

export function formatPacket(a: PacketAddress): string {
  const name = a.ifindex === 0 ? 'any' : interfaceName(a.ifindex) ?? String(a.ifindex);
  const opts: string[] = [];
  if (a.hatype !== undefined) opts.push(`hatype=${a.hatype}`);
  if (a.pkttype !== undefined) {
    opts.push(`pkttype=${Object.keys(PKTTYPES).find((k) => PKTTYPES[k] === a.pkttype) ?? a.pkttype}`);
  }
  if (a.addr) opts.push(`addr=${a.addr}`);
  const proto = a.protocol ? `:0x${a.protocol.toString(16).padStart(4, '0')}` : '';
  return `packet:${name}${proto}${opts.length ? `?${opts.join('&')}` : ''}`;
}

export function formatVsock(a: VsockAddress): string {
  const cid = a.cid === C.VMADDR_CID_ANY ? 'any' : a.cid === C.VMADDR_CID_LOCAL ? 'local' : a.cid === C.VMADDR_CID_HOST ? 'host' : String(a.cid);
  return `vsock:${cid}:${a.port === C.VMADDR_PORT_ANY ? 'any' : a.port}`;
}

/** 'aa:bb:cc:dd:ee:ff' (1..8 bytes, as sll_addr holds) -> bytes. */
function macBytes(text: unknown, name: string): Buffer {
  if (typeof text !== 'string') throw argType(name, "a link-layer address string like 'aa:bb:cc:dd:ee:ff'", text);
  if (!/^[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2}){0,7}$/.test(text)) {
    throw new XsockError('ERR_XSOCK_BAD_ADDRESS', `The "${name}" is not a link-layer address (1 to 8 hex bytes separated by ':'): ${text}`);
  }
  return Buffer.from(text.split(':').map((h) => parseInt(h, 16)));
}

function formatMac(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

function indexOf(name: string, argName: string): number {
  const n = interfaceIndex(name);
  if (n === null) throw new XsockError('ERR_XSOCK_BAD_ADDRESS', `The "${argName}" argument names an unknown interface: ${name}`);
  return n;
}

/** A decimal or 0x-hex field of a text address. */
function num(s: string, max: number, argName: string, field: string): number {
  if (!/^(?:\d+|0x[0-9a-fA-F]+)$/.test(s)) throw bad(argName, `has a ${field} that is not a number: '${s}'`);
  const n = Number(s);
  if (n > max) throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', `The "${argName}.${field}" must be >= 0 and <= ${max}; received ${s}`);
  return n;
}

function uint(v: unknown, max: number, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw argType(name, 'an integer', v);
  if (v < 0 || v > max) throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', `The "${name}" must be >= 0 and <= ${max}; received ${v}`);
  return v;
}

function u32(v: unknown, name: string): number {
  return uint(v, 0xffffffff, name);
}

function bad(argName: string, why: string): XsockError {
  return new XsockError('ERR_XSOCK_BAD_ADDRESS', `The "${argName}" argument ${why}`);
}
