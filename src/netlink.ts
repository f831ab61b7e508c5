/**
 * Netlink message framing: struct nlmsghdr and attributes (struct nlattr / rtattr, the
 * same 4-byte-aligned TLV), multipart dumps ending in NLMSG_DONE, and NLMSG_ERROR turned
 * into a system error (an error of 0 is an ack). Everything above the framing stays bytes:
 * a family's own structs are the caller's.
 */
import { constants as C } from './constants.js';
import { XsockError, argType, intArg, systemError, type SystemError } from './errors.js';
import type { Socket } from './socket/index.js';
import type { WaitOptions } from './readiness.js';

/** One netlink message: the nlmsghdr fields and the bytes after the header. */
export interface NetlinkMessage {
  /** nlmsg_type: NLMSG_* or the family's (RTM_NEWLINK ...). */
  type: number;
  /** nlmsg_flags: NLM_F_*. */
  flags: number;
  /** nlmsg_seq: the request's sequence number, echoed in the kernel's replies. */
  seq: number;
  /** nlmsg_pid: the sender's port id (0: the kernel). */
  pid: number;
  /** The bytes after the nlmsghdr, up to nlmsg_len. */
  payload: Buffer;
}

/**
 * One attribute: type without the NLA_F_NESTED/NLA_F_NET_BYTEORDER bits, and its bytes.
 * @property type nla_type without the flag bits (IFLA_IFNAME ...).
 * @property nested NLA_F_NESTED was set: `data` holds attributes itself (decodeAttributes reads them).
 * @property data The attribute's payload, after its 4-byte header.
 */
export interface NetlinkAttribute { type: number; nested: boolean; data: Buffer }

const HDR = C.NLMSG_HDRLEN; // 16
const NLA_F_NESTED = 0x8000;
const NLA_F_NET_BYTEORDER = 0x4000;
const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

/** NLMSG_ALIGN / NLA_ALIGN: both round up to 4. */
export function nlAlign(n: number): number {
  return (n + 3) & ~3;
}

/** Encodes one message (header + payload, padded to 4); nlmsg_len covers the unpadded bytes. */
export function encodeNetlinkMessage(msg: Partial<NetlinkMessage> & { type: number }): Buffer {
  const payload = msg.payload ?? Buffer.alloc(0);
  if (!(payload instanceof Uint8Array)) throw argType('msg.payload', 'a Buffer', payload);
  const len = HDR + payload.length;
  const out = Buffer.alloc(nlAlign(len));
  out.writeUInt32LE(len, 0);
  out.writeUInt16LE(intArg('msg.type', msg.type, 0, 0xffff), 4);
  out.writeUInt16LE(intArg('msg.flags', msg.flags ?? 0, 0, 0xffff), 6);
  out.writeUInt32LE(intArg('msg.seq', msg.seq ?? 0, 0, 0xffffffff), 8);
  out.writeUInt32LE(intArg('msg.pid', msg.pid ?? 0, 0, 0xffffffff), 12);
  Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).copy(out, HDR);
  return out;
}

/**
 * Splits one datagram into its messages (NLMSG_OK / NLMSG_NEXT). A truncated or
 * inconsistent header is ERR_XSOCK_INVALID_ARG_VALUE: the bytes are not netlink.
 */
export function decodeNetlinkMessages(buf: Uint8Array): NetlinkMessage[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: NetlinkMessage[] = [];
  for (let off = 0; off + HDR <= b.length;) {
    const len = b.readUInt32LE(off);
    if (len < HDR || off + len > b.length) {
      throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `netlink message at offset ${off} claims ${len} bytes; ${b.length - off} remain`);
    }
    out.push({
      type: b.readUInt16LE(off + 4), flags: b.readUInt16LE(off + 6), seq: b.readUInt32LE(off + 8),
      pid: b.readUInt32LE(off + 12), payload: Buffer.from(b.subarray(off + HDR, off + len)),
    });
    off += nlAlign(len);
  }
  return out;
}

/** Encodes attributes; `data` a Buffer, a string (NUL-terminated) or a u32. */
export function encodeAttributes(attrs: ReadonlyArray<{ type: number; data: Uint8Array | string | number; nested?: boolean }>): Buffer {
  const parts: Buffer[] = [];
  for (const a of attrs) {
    const data = typeof a.data === 'string' ? Buffer.from(`${a.data}\0`, 'utf8')
      : typeof a.data === 'number' ? u32le(a.data)
        : a.data instanceof Uint8Array ? Buffer.from(a.data) : null;
    if (!data) throw argType('attrs.data', 'a Buffer, string or number', a.data);
    const hdr = Buffer.alloc(4);
    hdr.writeUInt16LE(4 + data.length, 0);
    hdr.writeUInt16LE(intArg('attrs.type', a.type, 0, NLA_TYPE_MASK) | (a.nested ? NLA_F_NESTED : 0), 2);
    parts.push(hdr, data, Buffer.alloc(nlAlign(data.length) - data.length));
  }
  return Buffer.concat(parts);
}

/** Walks attributes (RTA_OK / RTA_NEXT); stops at the first malformed one. */
export function decodeAttributes(buf: Uint8Array): NetlinkAttribute[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: NetlinkAttribute[] = [];
  for (let off = 0; off + 4 <= b.length;) {
    const len = b.readUInt16LE(off);
    if (len < 4 || off + len > b.length) break;
    const t = b.readUInt16LE(off + 2);
    out.push({ type: t & NLA_TYPE_MASK, nested: (t & NLA_F_NESTED) !== 0, data: Buffer.from(b.subarray(off + 4, off + len)) });
    off += nlAlign(len);
  }
  return out;
}

/** An attribute's bytes as a NUL-terminated string. */
export function attributeString(data: Buffer): string {
  const end = data.indexOf(0);
  return data.toString('utf8', 0, end < 0 ? data.length : end);
}

/**
 * NLMSG_ERROR: null for an ack (error 0), otherwise the system error the kernel reported
 * (EPERM, EEXIST ...) with syscall 'netlink'. Not an error message: undefined.
 */
export function netlinkError(msg: NetlinkMessage): SystemError | null | undefined {
  if (msg.type !== C.NLMSG_ERROR) return undefined;
  const errno = msg.payload.length >= 4 ? msg.payload.readInt32LE(0) : -C.EPROTO;
  return errno === 0 ? null : systemError(errno, 'netlink');
}

let nextSeq = Math.floor(Date.now() / 1000) & 0x7fffffff;

/**
 * Sends a request on a netlink socket and collects the answer: every message of a
 * multipart dump up to NLMSG_DONE, or the single reply, or nothing for an ack. A
 * NLMSG_ERROR with an errno rejects with that system error. The request's seq is chosen
 * here (unless given) and unrelated messages (other seqs, events) are skipped.
 */
export async function netlinkRequest(sock: Socket, msg: Partial<NetlinkMessage> & { type: number }, opts: WaitOptions = { timeout: 5000 }): Promise<NetlinkMessage[]> {
  const seq = msg.seq ?? (nextSeq = (nextSeq + 1) & 0x7fffffff);
  const flags = (msg.flags ?? 0) | C.NLM_F_REQUEST;
  await sock.send(encodeNetlinkMessage({ ...msg, seq, flags }), 0, opts);
  const out: NetlinkMessage[] = [];
  const buf = Buffer.alloc(1 << 16);
  for (;;) {
    const n = await sock.recvInto(buf, 0, opts);
    for (const m of decodeNetlinkMessages(buf.subarray(0, Math.min(n, buf.length)))) {
      if (m.seq !== seq) continue;
      if (m.type === C.NLMSG_DONE) {
        // A dump that failed part-way says so in NLMSG_DONE's payload.
        const errno = m.payload.length >= 4 ? m.payload.readInt32LE(0) : 0;
        if (errno < 0) throw systemError(errno, 'netlink');
        return out;
      }
      const err = netlinkError(m);
      if (err) throw err;
      if (err === null) return out; // ack
      out.push(m);
      if (!(m.flags & C.NLM_F_MULTI) && !(flags & C.NLM_F_ACK)) return out;
    }
  }
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(intArg('attrs.data', n, 0, 0xffffffff), 0);
  return b;
}
