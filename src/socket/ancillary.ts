/**
 * Ancillary data (control messages, cmsg(3)) encoded and decoded in TypeScript: rights
 * (SCM_RIGHTS), credentials (SCM_CREDENTIALS) and pidfds (SCM_PIDFD). The C macros
 * CMSG_ALIGN/CMSG_LEN/CMSG_SPACE are reproduced from the platform's struct sizes, so the
 * layout matches what the kernel writes. Decoding trusts nothing past the controllen the
 * kernel returned: a truncated (MSG_CTRUNC) buffer yields exactly the items that fit.
 */
import { endianness } from 'node:os';
import { constants as C } from '../constants.js';
import { decodeCredentials, type Credentials } from './options.js';

const HDR = C.SIZEOF_CMSGHDR;
const UNIT = C.CMSG_ALIGN_UNIT;
const UCRED = C.SIZEOF_UCRED;
const LE = endianness() === 'LE';
/** cmsg_len is a size_t: 8 bytes on LP64, 4 on ILP32; level and type follow as ints. */
const LEN_SIZE = HDR - 8;

/** Most descriptors one SCM_RIGHTS message may carry (SCM_MAX_FD; 254 gives EINVAL). */
export const MAX_FDS_PER_MESSAGE: number = C.SCM_MAX_FD ?? 253;

/** CMSG_ALIGN(3). */
export function cmsgAlign(n: number): number {
  return (n + UNIT - 1) & ~(UNIT - 1);
}

/** CMSG_LEN(3): header plus `n` data bytes, unpadded (the value of cmsg_len). */
export function cmsgLen(n: number): number {
  return cmsgAlign(HDR) + n;
}

/** CMSG_SPACE(3): room one item with `n` data bytes takes in a control buffer. */
export function cmsgSpace(n: number): number {
  return cmsgAlign(HDR) + cmsgAlign(n);
}

/** Control-buffer size for up to `fds` rights plus credentials and a pidfd. */
export function controlSizeFor(fds: number): number {
  return (fds > 0 ? cmsgSpace(fds * 4) : 0) + cmsgSpace(UCRED) + cmsgSpace(4);
}

/** Big enough for anything a unix socket can attach to one message. */
export const UNIX_CONTROL_SIZE = controlSizeFor(MAX_FDS_PER_MESSAGE);
/** Room for exactly one SCM_CREDENTIALS item (the kernel puts it before any rights). */
export const CREDENTIALS_CONTROL_SIZE = cmsgSpace(UCRED);
/** Room for exactly one SCM_PIDFD item. */
export const PIDFD_CONTROL_SIZE = cmsgSpace(4);

/**
 * The control buffer of a receive that asked for no descriptors: room for what the socket
 * was asked to attach (credentials, a pidfd) and not one byte more, so rights a peer sends
 * unasked find no room and the kernel discards them (MSG_CTRUNC says they came).
 */
export function noRightsControlSize(passcred: boolean, passpidfd: boolean): number {
  return (passcred ? CREDENTIALS_CONTROL_SIZE : 0) + (passpidfd ? PIDFD_CONTROL_SIZE : 0);
}

/**
 * The control buffer of a receive that asked for at most `fds` descriptors: what the
 * socket attaches first, then CMSG_LEN (not CMSG_SPACE) of `fds` ints, so the kernel can
 * install `fds` and not one more (the rest are discarded, MSG_CTRUNC set).
 */
export function rightsControlSize(fds: number, passcred: boolean, passpidfd: boolean): number {
  return noRightsControlSize(passcred, passpidfd) + (fds > 0 ? cmsgLen(fds * 4) : 0);
}

/** The DataView of the last buffer seen: callers reuse one scratch buffer, so this hits. */
let lastBuf: Uint8Array | null = null;
let lastView: DataView | null = null;
function viewOf(buf: Uint8Array): DataView {
  if (buf !== lastBuf || lastView === null) {
    lastView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    lastBuf = buf;
  }
  return lastView;
}

function readLen(dv: DataView, off: number): number {
  if (LEN_SIZE === 4) return dv.getUint32(off, LE);
  const lo = dv.getUint32(off + (LE ? 0 : 4), LE);
  const hi = dv.getUint32(off + (LE ? 4 : 0), LE);
  return hi === 0 ? lo : Number.MAX_SAFE_INTEGER; // an absurd length: stops the walk
}

function writeHeader(dv: DataView, off: number, level: number, type: number, dataLen: number): void {
  const len = cmsgLen(dataLen);
  if (LEN_SIZE === 4) dv.setUint32(off, len, LE);
  else {
    dv.setUint32(off + (LE ? 0 : 4), len, LE);
    dv.setUint32(off + (LE ? 4 : 0), 0, LE);
  }
  dv.setInt32(off + LEN_SIZE, level, LE);
  dv.setInt32(off + LEN_SIZE + 4, type, LE);
}

/**
 * Encodes credentials (first, as the kernel delivers them) and rights into `buf`;
 * returns msg_controllen. `buf` must hold controlSizeFor(fds.length) bytes.
 */
export function encodeControl(buf: Buffer, fds: readonly number[] | undefined, credentials: Credentials | undefined): number {
  const dv = viewOf(buf);
  let off = 0;
  if (credentials) {
    buf.fill(0, off, off + cmsgSpace(UCRED));
    writeHeader(dv, off, C.SOL_SOCKET, C.SCM_CREDENTIALS, UCRED);
    const d = off + cmsgAlign(HDR);
    dv.setInt32(d, credentials.pid, LE);
    dv.setUint32(d + 4, credentials.uid >>> 0, LE);
    dv.setUint32(d + 8, credentials.gid >>> 0, LE);
    off += cmsgSpace(UCRED);
  }
  if (fds && fds.length > 0) {
    const n = fds.length * 4;
    for (let i = off + cmsgLen(n); i < off + cmsgSpace(n); i++) buf[i] = 0; // alignment padding only (fill() costs more)
    writeHeader(dv, off, C.SOL_SOCKET, C.SCM_RIGHTS, n);
    const d = off + cmsgAlign(HDR);
    for (let i = 0; i < fds.length; i++) dv.setInt32(d + i * 4, fds[i]!, LE);
    off += cmsgSpace(n);
  }
  return off;
}

/**
 * A control message xsock does not interpret (timestamps, IP_PKTINFO ...).
 * @property level cmsg_level: the protocol level (SOL_SOCKET, IPPROTO_IP ...).
 * @property type cmsg_type: the message type within that level (SO_TIMESTAMP, IP_PKTINFO ...).
 * @property data The CMSG_DATA bytes, copied out of the control buffer.
 */
export interface ControlItem { level: number; type: number; data: Buffer }

/** What the control data of one received message held. */
export interface Ancillary {
  /** Every descriptor installed in this process (rights, merged across items). */
  fds: number[];
  credentials?: Credentials | undefined;
  /** An SCM_CREDENTIALS item was present (even the kernel's "none"): the read was a message. */
  hadCredentials?: boolean;
  /** SCM_PIDFD (SO_PASSPIDFD): a descriptor too, owned like rights. */
  pidfd?: number;
  /** Items not decoded above, copied out. */
  other?: ControlItem[];
}

/**
 * Walks the `len` bytes of control data the kernel returned (CMSG_FIRSTHDR/CMSG_NXTHDR),
 * clamping each item to the buffer. Every descriptor found is returned, so the caller
 * can take ownership of all of them even when the buffer was truncated.
 */
export function decodeControl(buf: Buffer, len: number): Ancillary {
  const out: Ancillary = { fds: [] };
  const end = Math.min(len, buf.byteLength);
  const dataOff = cmsgAlign(HDR);
  const dv = viewOf(buf);
  let off = 0;
  while (off + HDR <= end) {
    const clen = readLen(dv, off);
    if (clen < HDR) break;
    const level = dv.getInt32(off + LEN_SIZE, LE);
    const type = dv.getInt32(off + LEN_SIZE + 4, LE);
    const dataEnd = Math.min(off + clen, end);
    const d = off + dataOff;
    if (level === C.SOL_SOCKET && type === C.SCM_RIGHTS) {
      for (let p = d; p + 4 <= dataEnd; p += 4) out.fds.push(dv.getInt32(p, LE));
    } else if (level === C.SOL_SOCKET && type === C.SCM_CREDENTIALS) {
      out.hadCredentials = true;
      if (d + UCRED <= dataEnd) out.credentials = decodeCredentials(buf, d) ?? undefined;
    } else if (level === C.SOL_SOCKET && type === C.SCM_PIDFD) {
      if (d + 4 <= dataEnd) out.pidfd = dv.getInt32(d, LE);
    } else {
      (out.other ??= []).push({ level, type, data: Buffer.from(buf.subarray(Math.min(d, dataEnd), dataEnd)) });
    }
    if (clen > end - off) break;
    off += cmsgAlign(clen);
  }
  return out;
}

/** struct sock_extended_err (IP_RECVERR / IPV6_RECVERR), with the offender's address bytes. */
export interface ExtendedError {
  /** ee_errno: the error (ECONNREFUSED for ICMP port unreachable ...). */
  errno: number;
  /** ee_origin: SO_EE_ORIGIN_LOCAL (1), _ICMP (2), _ICMP6 (3) ... */
  origin: number;
  /** ee_type and ee_code: the ICMP type and code where the origin is ICMP. */
  type: number;
  /** ee_code: the ICMP code where the origin is ICMP. */
  code: number;
  /** ee_info: extra information, e.g. the path MTU for EMSGSIZE. */
  info: number;
  /** ee_data: origin-specific data (the end of the completed range for SO_EE_ORIGIN_ZEROCOPY). */
  data: number;
  /** SO_EE_OFFENDER: the sockaddr of the node that reported the error (may be empty). */
  offender: Buffer;
}

/** The extended error among the control items of an error-queue read (MSG_ERRQUEUE), or null. */
export function extendedError(items: readonly ControlItem[] | undefined): ExtendedError | null {
  for (const it of items ?? []) {
    const ip = it.level === C.IPPROTO_IP && it.type === C.IP_RECVERR;
    const ip6 = it.level === C.IPPROTO_IPV6 && it.type === C.IPV6_RECVERR;
    if (!(ip || ip6) || it.data.length < 16) continue;
    const d = it.data;
    return {
      errno: d.readUInt32LE(0), origin: d[4]!, type: d[5]!, code: d[6]!,
      info: d.readUInt32LE(8), data: d.readUInt32LE(12), offender: Buffer.from(d.subarray(16)),
    };
  }
  return null;
}
