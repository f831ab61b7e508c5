/**
 * `xsock semantics`: the seed's property table (ordered, unduplicated, reliable,
 * connection-oriented, message boundaries, out-of-band), measured on live sockets of
 * every domain x type this kernel offers. Nothing here is printed from constants: each
 * cell is the outcome of traffic sent through the kernel just now.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { socket, type Socket } from '../../socket/socket.js';
import { constants as C } from '../../constants.js';
import type { SockAddr } from '../../address.js';
import { sleep } from '../../wait.js';

export interface SemanticsRow {
  domain: string;
  type: string;
  supported: boolean;
  /** Why creating the socket failed, when unsupported (e.g. EPROTONOSUPPORT). */
  error?: string;
  ordered?: boolean;
  unduplicated?: boolean;
  reliable?: boolean;
  connectionOriented?: boolean;
  boundaries?: boolean;
  outOfBand?: boolean;
  /** Messages sent / received in the ordering-reliability run. */
  sent?: number;
  received?: number;
}

const DOMAINS = ['unix', 'inet', 'inet6'] as const;
const TYPES = ['stream', 'dgram', 'seqpacket'] as const;
const REC = 8; // record: u32 sequence number + u32 complement, so a torn record is detectable
const T = { timeout: 5000 };

/** Probes every domain x type; `count` numbered messages per reliability run. */
export async function measureSemantics(count = 10000): Promise<SemanticsRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'xsem-'));
  try {
    const rows: SemanticsRow[] = [];
    for (const domain of DOMAINS) {
      for (const type of TYPES) rows.push(await probe(domain, type, dir, count));
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function probe(domain: typeof DOMAINS[number], type: typeof TYPES[number], dir: string, count: number): Promise<SemanticsRow> {
  const row: SemanticsRow = { domain, type, supported: true };
  const opened: Socket[] = [];
  const open = () => {
    const s = socket(domain, type);
    opened.push(s);
    return s;
  };
  let n = 0;
  const name = (): SockAddr => domain === 'unix' ? { family: 'unix', path: join(dir, `${type}${n++}`) }
    : domain === 'inet' ? { family: 'inet', address: '127.0.0.1', port: 0 } : { family: 'inet6', address: '::1', port: 0 };
  try {
    try {
      open();
    } catch (err) {
      return { domain, type, supported: false, error: (err as { code?: string }).code ?? String(err) };
    }
    const connected = async (): Promise<[Socket, Socket]> => {
      const server = open();
      server.bind(name());
      const a = open();
      if (type === 'dgram') {
        a.bind(name());
        a.connect(server.getsockname());
        server.connect(a.getsockname());
        return [a, server];
      }
      server.listen(8);
      await a.connect(server.getsockname(), T);
      const b = await server.accept(T);
      opened.push(b);
      return [a, b];
    };
    row.connectionOriented = await needsConnection(open, name);
    row.boundaries = await keepsBoundaries(await connected());
    Object.assign(row, await orderAndLoss(await connected(), type, count));
    row.outOfBand = await carriesOutOfBand(await connected());
    return row;
  } finally {
    for (const s of opened) s.close();
  }
}

/** Connection-oriented: a sendto an unconnected socket addressed to a live peer is refused. */
async function needsConnection(open: () => Socket, name: () => SockAddr): Promise<boolean> {
  const peer = open();
  peer.bind(name());
  if (peer.type !== C.SOCK_DGRAM) peer.listen(1);
  const s = open();
  try {
    s.trySendto(Buffer.from('x'), peer.getsockname());
    return false;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTCONN' || code === 'EPIPE' || code === 'EDESTADDRREQ' || code === 'EISCONN' || code === 'EOPNOTSUPP') return true;
    throw err;
  }
}

/** Boundaries kept: three sends of 3, 5 and 7 bytes read back as three, not merged. */
async function keepsBoundaries([a, b]: [Socket, Socket]): Promise<boolean> {
  for (const len of [3, 5, 7]) await a.send(Buffer.alloc(len, len), 0, T);
  await settle();
  const first = await b.recv(64, 0, T);
  return first.length === 3;
}

/**
 * Ordered, unduplicated, reliable: `count` numbered records sent as fast as the sender's
 * flow control lets it, while a receiver with a small buffer drains concurrently. A
 * transport without flow control towards the receiver drops here; one with it waits.
 */
async function orderAndLoss([a, b]: [Socket, Socket], type: string, count: number) {
  // A small receive buffer lets a datagram transport without flow control show its loss;
  // connection-oriented ones end with an orderly release the receiver reads as EOF.
  if (type === 'dgram') b.setsockopt('SOL_SOCKET', 'SO_RCVBUF', 4096);
  const seen: number[] = [];
  let sending = true;
  const receiver = (async () => {
    const buf = Buffer.alloc(65536);
    let carry = Buffer.alloc(0);
    while (seen.length < count) {
      let n: number;
      try {
        n = await b.recvInto(buf, 0, { timeout: sending || type !== 'dgram' ? 5000 : 200 });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_XSOCK_TIMEOUT') return;
        throw err;
      }
      if (n === 0 && type !== 'dgram') return;
      let data = buf.subarray(0, n);
      if (type === 'stream') {
        data = Buffer.concat([carry, data]);
        const whole = data.length - (data.length % REC);
        carry = Buffer.from(data.subarray(whole));
        data = data.subarray(0, whole);
      }
      for (let off = 0; off + REC <= data.length; off += REC) {
        const seq = data.readUInt32LE(off);
        if (((data.readUInt32LE(off + 4) ^ seq) >>> 0) === 0xffffffff) seen.push(seq);
      }
    }
  })();
  const rec = Buffer.alloc(REC);
  for (let i = 0; i < count; i++) {
    rec.writeUInt32LE(i, 0);
    rec.writeUInt32LE(~i >>> 0, 4);
    if (type === 'stream') await a.sendAll(rec, T);
    else await a.send(rec, 0, T);
  }
  sending = false;
  if (type !== 'dgram') a.shutdown('write');
  await receiver;
  let ordered = true;
  let unduplicated = true;
  const got = new Set<number>();
  for (let i = 0; i < seen.length; i++) {
    if (i > 0 && seen[i]! <= seen[i - 1]!) ordered = false;
    if (got.has(seen[i]!)) unduplicated = false;
    got.add(seen[i]!);
  }
  return { ordered, unduplicated, reliable: got.size === count, sent: count, received: seen.length };
}

/**
 * Out-of-band: after ordinary data, a MSG_OOB byte is accepted, read back alone with
 * MSG_OOB ahead of the ordinary data, and is absent from the ordinary stream. (UDP over
 * IPv6 accepts the flag and hands back the next datagram: that is not out-of-band.)
 */
async function carriesOutOfBand([a, b]: [Socket, Socket]): Promise<boolean> {
  try {
    await a.send(Buffer.from('ab'), 0, T);
    await a.send(Buffer.from('!'), C.MSG_OOB, T);
    await settle();
    const buf = Buffer.alloc(8);
    const n = await b.recvInto(buf, C.MSG_OOB, T);
    if (n !== 1 || buf[0] !== 0x21) return false;
    const rest = await b.recv(8, 0, T);
    return rest.toString() === 'ab';
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EOPNOTSUPP' || code === 'EINVAL') return false;
    throw err;
  }
}

/** Lets in-flight loopback traffic land before a receiver looks. */
function settle(): Promise<void> {
  return sleep(20);
}

/** The table as text. */
export function formatSemantics(rows: SemanticsRow[]): string {
  const cols = ['ordered', 'unduplicated', 'reliable', 'connectionOriented', 'boundaries', 'outOfBand'] as const;
  const head = ['domain', 'type', 'ordered', 'unduplicated', 'reliable', 'connection', 'boundaries', 'out-of-band', 'delivered'];
  const lines = rows.map((r) => r.supported
    ? [r.domain, r.type, ...cols.map((c) => (r[c] ? 'yes' : 'no')), `${r.received}/${r.sent}`]
    : [r.domain, r.type, ...cols.map(() => '-'), `unsupported: ${r.error}`]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}
