/**
 * ICMP echo for raw sockets (socket('inet', 'raw', 'icmp'), socket('inet6', 'raw',
 * 'ipv6-icmp')): the RFC 1071 checksum, building and parsing echo request/reply, and one
 * round trip. A raw IPv4 socket hands back the IP header in front of the ICMP message; a
 * raw ICMPv6 socket does not, and the kernel computes the ICMPv6 checksum (it needs the
 * pseudo-header), so ICMPv6 messages are built with a zero checksum.
 */
import { constants as C } from './constants.js';
import { XsockError, argType, intArg } from './errors.js';
import type { Socket } from './socket/index.js';
import type { AddressLike, SockAddr } from './address.js';
import { deadlineOf, remaining } from './wait.js';
import type { WaitOptions } from './readiness.js';

/** ICMP type 0: echo reply (what ping waits for). */
export const ICMP_ECHO_REPLY = 0;
/** ICMP type 8: echo request (what ping sends). */
export const ICMP_ECHO_REQUEST = 8;
/** ICMPv6 type 128: echo request. */
export const ICMPV6_ECHO_REQUEST = 128;
/** ICMPv6 type 129: echo reply. */
export const ICMPV6_ECHO_REPLY = 129;

/** An ICMP/ICMPv6 message; `ttl` and `from` only on received IPv4 ones. */
export interface IcmpMessage {
  /** The ICMP type (ICMP_ECHO_REPLY, 3 for destination unreachable ...). */
  type: number;
  /** The code within that type. */
  code: number;
  /** The checksum field as received. */
  checksum: number;
  /** Echo identifier and sequence (bytes 4..7 of any message). */
  id: number;
  /** Echo sequence number (bytes 6..7). */
  seq: number;
  /** The bytes after the 8-byte header (an echo's payload). */
  data: Buffer;
  /** IPv4 only: the sum over the message is 0xffff (ICMPv6 is checked by the kernel). */
  checksumOk?: boolean;
  /** IPv4 only, from the IP header a raw socket delivers. */
  ttl?: number | undefined;
  /** IPv4 only: the sender's address, from the IP header. */
  source?: string | undefined;
}

/** RFC 1071 internet checksum of `buf` (odd length padded with a zero byte). */
export function icmpChecksum(buf: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (buf.length & 1) sum += buf[buf.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An echo request (or reply with `reply: true`) for `family`, checksummed for IPv4. */
export function buildEcho(opts: { family?: 'inet' | 'inet6' | undefined; id: number; seq: number; data?: Uint8Array | undefined; reply?: boolean | undefined }): Buffer {
  const v6 = opts.family === 'inet6';
  const data = opts.data ?? Buffer.alloc(0);
  if (!(data instanceof Uint8Array)) throw argType('data', 'a Buffer or Uint8Array', data);
  const b = Buffer.alloc(8 + data.length);
  b[0] = v6 ? (opts.reply ? ICMPV6_ECHO_REPLY : ICMPV6_ECHO_REQUEST) : (opts.reply ? ICMP_ECHO_REPLY : ICMP_ECHO_REQUEST);
  b.writeUInt16BE(intArg('id', opts.id, 0, 0xffff), 4);
  b.writeUInt16BE(intArg('seq', opts.seq, 0, 0xffff), 6);
  b.set(data, 8);
  if (!v6) b.writeUInt16BE(icmpChecksum(b), 2);
  return b;
}

/**
 * Parses what a raw socket of `family` received: for 'inet' an IPv4 header (its length
 * from IHL) then the ICMP message; for 'inet6' the ICMPv6 message alone.
 */
export function parseIcmp(packet: Uint8Array, family: 'inet' | 'inet6' = 'inet'): IcmpMessage {
  let b = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  let ttl: number | undefined;
  let source: string | undefined;
  if (family === 'inet') {
    if (b.length < 20 || b[0]! >> 4 !== 4) throw malformed('an IPv4 header', b.length);
    const ihl = (b[0]! & 0x0f) * 4;
    if (ihl < 20 || b.length < ihl) throw malformed('an IPv4 header', b.length);
    ttl = b[8];
    source = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    b = b.subarray(ihl);
  }
  if (b.length < 8) throw malformed('an ICMP header', b.length);
  const m: IcmpMessage = {
    type: b[0]!, code: b[1]!, checksum: b.readUInt16BE(2), id: b.readUInt16BE(4), seq: b.readUInt16BE(6),
    data: Buffer.from(b.subarray(8)),
  };
  if (family === 'inet') {
    m.checksumOk = icmpChecksum(b) === 0;
    m.ttl = ttl;
    m.source = source;
  }
  return m;
}

/**
 * The outcome of one echo: the reply, who sent it, the round-trip time in ms.
 * @property reply The matching echo reply, parsed.
 * @property from Its sender, from recvfrom(2).
 * @property rtt Milliseconds from just before the request's sendto(2) to the reply's arrival.
 * @property bytes The reply's ICMP length: the 8-byte header plus its data.
 */
export interface EchoResult { reply: IcmpMessage; from: SockAddr; rtt: number; bytes: number }

/**
 * One echo round trip on a raw ICMP socket: sends a request with `id`/`seq` to `dest`
 * and waits (bounded by opts.timeout, 5 s by default) for the matching reply; other ICMP
 * traffic the raw socket sees meanwhile (our own request on loopback, others' pings) is
 * skipped.
 */
export async function icmpEcho(sock: Socket, dest: AddressLike, opts: { id?: number | undefined; seq?: number | undefined; data?: Uint8Array | undefined } & WaitOptions = {}): Promise<EchoResult> {
  const family = sock.domain === C.AF_INET6 ? 'inet6' : sock.domain === C.AF_INET ? 'inet' : null;
  if (!family || sock.type !== C.SOCK_RAW) throw new XsockError('ERR_XSOCK_WRONG_SOCKET_TYPE', 'icmpEcho needs a raw inet or inet6 socket');
  const id = opts.id ?? (process.pid & 0xffff);
  const seq = opts.seq ?? 1;
  const wait: WaitOptions = { timeout: opts.timeout ?? 5000, signal: opts.signal };
  const deadline = deadlineOf(wait);
  const req = buildEcho({ family, id, seq, data: opts.data });
  const start = performance.now();
  await sock.sendto(req, dest, 0, wait);
  const want = family === 'inet6' ? ICMPV6_ECHO_REPLY : ICMP_ECHO_REPLY;
  for (;;) {
    const d = await sock.recvfrom(1 << 16, 0, remaining(deadline, wait));
    let m: IcmpMessage;
    try {
      m = parseIcmp(d.data, family);
    } catch {
      continue;
    }
    if (m.type === want && m.id === id && m.seq === seq) {
      return { reply: m, from: d.from, rtt: performance.now() - start, bytes: 8 + m.data.length };
    }
  }
}

function malformed(what: string, len: number): XsockError {
  return new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `${len} bytes are too short or not ${what}`);
}
