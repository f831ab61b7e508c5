/**
 * `xsock semantics`: the classic table of socket-type properties (ordered, unduplicated, reliable,
 * connection-oriented, message boundaries, out-of-band), measured on live sockets of
 * every domain x type this kernel offers. Nothing here is printed from constants: each
 * cell is the outcome of traffic sent through the kernel just now.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { socket, type Socket } from '../../socket/socket.js';
import { constants as C } from '../../constants.js';
import { sleep } from '../../wait.js';
import { probes, openFor, OTHER_FAMILIES, type Probe } from './semantics-probes.js';
import { measurePipe } from './semantics-pipe.js';

export interface SemanticsRow {
  domain: string;
  type: string;
  /** socket() opens this domain x type here. */
  supported: boolean;
  /** Why creating the socket failed, when unsupported (e.g. EPROTONOSUPPORT). */
  error?: string;
  /** Why an open socket could not be measured (no vsock transport, IPv6 disabled ...). */
  note?: string;
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

/** Record: magic + u32 sequence number + u32 complement (a torn or foreign record is detectable). */
const REC = 12;
const T = { timeout: 5000 };

/**
 * Probes every domain x type, a pipe, and the families xsock has no row for (listed with
 * the errno the kernel refuses them with, type '*'); `count` numbered messages per
 * reliability run. A row that fails part-way says why and the others still run.
 */
export async function measureSemantics(count = 10000): Promise<SemanticsRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'xsem-'));
  try {
    const rows: SemanticsRow[] = [];
    for (const p of probes()) rows.push(await probe(p, dir, count));
    rows.push(measurePipe(count));
    rows.push(...otherFamilies());
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Two endpoints and how one sends to the other. */
interface Pair { a: Socket; b: Socket; send(data: Buffer, flags?: number): Promise<unknown> }

async function probe(p: Probe, dir: string, count: number): Promise<SemanticsRow> {
  const row: SemanticsRow = { domain: p.domain, type: p.label, supported: true };
  const opened: Socket[] = [];
  const open = () => {
    const s = openFor(p);
    opened.push(s);
    return s;
  };
  let n = 0;
  const name = () => p.name(dir, n++);
  const bound = () => {
    const s = open();
    const addr = name();
    if (addr !== null) s.bind(addr);
    return s;
  };
  const stream = p.type === 'stream' || p.type === 'seqpacket';
  try {
    try {
      open();
    } catch (err) {
      return { domain: p.domain, type: p.label, supported: false, error: (err as { code?: string }).code ?? String(err) };
    }
    const connected = async (): Promise<Pair> => {
      const server = bound();
      if (!stream) {
        const a = bound();
        if (!p.connectable) {
          return { a, b: server, send: (d, f = 0) => a.sendto(p.frame(d), p.destination(server), f, T) };
        }
        a.connect(p.destination(server));
        server.connect(a.getsockname());
        return { a, b: server, send: (d, f = 0) => a.send(p.frame(d), f, T) };
      }
      server.listen(8);
      const a = open();
      await a.connect(server.getsockname(), T);
      const b = await server.accept(T);
      opened.push(b);
      return { a, b, send: (d, f = 0) => a.send(d, f, T) };
    };
    row.connectionOriented = needsConnection(bound, p, stream);
    row.boundaries = await keepsBoundaries(await connected(), p);
    Object.assign(row, await orderAndLoss(await connected(), p, stream, count));
    row.outOfBand = await carriesOutOfBand(await connected(), p);
    return row;
  } catch (err) {
    // The socket opens but this host cannot use it (no vsock transport, IPv6 disabled in
    // this namespace ...): say why instead of sinking the whole table.
    return { domain: p.domain, type: p.label, supported: true, note: (err as Error).message ?? String(err) };
  } finally {
    for (const s of opened) s.close();
  }
}

/** Families without a row: the kernel's answer to socket() for each type. */
function otherFamilies(): SemanticsRow[] {
  const rows: SemanticsRow[] = [];
  for (const [name, af] of OTHER_FAMILIES) {
    const opens: string[] = [];
    const codes = new Set<string>();
    for (const t of ['stream', 'dgram', 'seqpacket', 'raw'] as const) {
      try {
        socket(af, t).close();
        opens.push(t);
      } catch (err) {
        codes.add((err as { code?: string }).code ?? 'error');
      }
    }
    rows.push(opens.length
      ? { domain: name, type: '*', supported: true, note: `opens (${opens.join(', ')}); xsock has no addresses for it` }
      : { domain: name, type: '*', supported: false, error: [...codes].join('/') });
  }
  return rows;
}

/**
 * Connection-oriented: a sendto from an unconnected socket, addressed to a live peer, is
 * refused (ENOTCONN, EPIPE ...); a connectionless transport sends it.
 */
function needsConnection(bound: () => Socket, p: Probe, stream: boolean): boolean {
  const peer = bound();
  if (stream) peer.listen(1);
  const s = bound();
  try {
    s.trySendto(p.frame(Buffer.from('x')), p.destination(peer));
    return false;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTCONN' || code === 'EPIPE' || code === 'EDESTADDRREQ' || code === 'EISCONN' || code === 'EOPNOTSUPP') return true;
    throw err;
  }
}

/** The next payload the receiver gets (link or IP header stripped). */
async function recvPayload(b: Socket, p: Probe, buf: Buffer, opts: { timeout: number }): Promise<Buffer> {
  const n = await b.recvInto(buf, 0, opts);
  return p.payload(buf.subarray(0, Math.min(n, buf.length)));
}

/** Boundaries kept: three sends of 3, 5 and 7 bytes read back as three, not merged. */
async function keepsBoundaries(pair: Pair, p: Probe): Promise<boolean> {
  for (const len of [3, 5, 7]) await pair.send(Buffer.alloc(len, len));
  await settle();
  const first = await recvPayload(pair.b, p, Buffer.alloc(256), T);
  return first.length === 3;
}

/**
 * Ordered, unduplicated, reliable: `count` numbered records sent as fast as the sender's
 * flow control lets it, while a receiver with a small buffer drains concurrently. A
 * transport without flow control towards the receiver drops here; one with it waits.
 */
async function orderAndLoss(pair: Pair, p: Probe, stream: boolean, count: number) {
  const { a, b } = pair;
  const byteStream = p.type === 'stream';
  // A small receive buffer lets a datagram transport without flow control show its loss;
  // connection-oriented ones end with an orderly release the receiver reads as EOF.
  if (!stream) b.setsockopt('SOL_SOCKET', 'SO_RCVBUF', 4096);
  const magic = (Math.random() * 0xffffffff) >>> 0; // ignore anything not sent by this run
  const seen: number[] = [];
  let sending = true;
  const receiver = (async () => {
    const buf = Buffer.alloc(65536);
    let carry = Buffer.alloc(0);
    while (seen.length < count) {
      let data: Buffer;
      try {
        const n = await b.recvInto(buf, 0, { timeout: sending || stream ? 5000 : 200 });
        if (n === 0 && stream) return;
        data = p.payload(buf.subarray(0, Math.min(n, buf.length)));
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (code === 'ERR_XSOCK_TIMEOUT') return;
        // Connectionless transports report ICMP errors asynchronously on a later receive
        // (raw IP under load: ENOPROTOOPT, EPROTO); that reading failed, not the transport.
        if (!stream && /^E[A-Z0-9]+$/.test(code)) continue;
        throw err;
      }
      if (byteStream) {
        data = Buffer.concat([carry, data]);
        const whole = data.length - (data.length % REC);
        carry = Buffer.from(data.subarray(whole));
        data = data.subarray(0, whole);
      }
      for (let off = 0; off + REC <= data.length; off += REC) {
        if (data.readUInt32LE(off) !== magic) continue;
        const seq = data.readUInt32LE(off + 4);
        if (((data.readUInt32LE(off + 8) ^ seq) >>> 0) === 0xffffffff) seen.push(seq);
      }
    }
  })();
  for (let i = 0; i < count; i++) {
    const rec = Buffer.alloc(REC);
    rec.writeUInt32LE(magic, 0);
    rec.writeUInt32LE(i, 4);
    rec.writeUInt32LE(~i >>> 0, 8);
    if (byteStream) await a.sendAll(rec, T);
    else {
      try {
        await pair.send(rec);
      } catch (err) {
        // An asynchronous error surfacing on send loses this record, which is measured.
        if (!/^E[A-Z0-9]+$/.test((err as { code?: string }).code ?? '')) throw err;
      }
    }
  }
  sending = false;
  if (stream) a.shutdown('write');
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
 * A transport that refuses the flag has none.
 */
async function carriesOutOfBand(pair: Pair, p: Probe): Promise<boolean> {
  const { b } = pair;
  try {
    await pair.send(Buffer.from('ab'));
    await pair.send(Buffer.from('!'), C.MSG_OOB);
    await settle();
    const buf = Buffer.alloc(64);
    const n = await b.recvInto(buf, C.MSG_OOB, T);
    const oob = p.payload(buf.subarray(0, Math.min(n, buf.length)));
    if (oob.length !== 1 || oob[0] !== 0x21) return false;
    const rest = await recvPayload(b, p, Buffer.alloc(64), T);
    return rest.toString() === 'ab';
  } catch (err) {
    // Refusing the flag on send or receive (EOPNOTSUPP, EINVAL, ENOPROTOOPT on raw IP,
    // EPROTO ...) or never delivering the byte both mean: no out-of-band channel.
    const code = (err as { code?: string }).code ?? '';
    if (/^E[A-Z0-9]+$/.test(code) || code === 'ERR_XSOCK_TIMEOUT') return false;
    throw err;
  }
}

/** Lets in-flight loopback traffic land before a receiver looks. */
function settle(): Promise<void> {
  return sleep(20);
}

/** The table as text; families without a row are listed after it with the kernel's errno. */
export function formatSemantics(rows: SemanticsRow[]): string {
  const cols = ['ordered', 'unduplicated', 'reliable', 'connectionOriented', 'boundaries', 'outOfBand'] as const;
  const head = ['domain', 'type', 'ordered', 'unduplicated', 'reliable', 'connection', 'boundaries', 'out-of-band', 'delivered'];
  const table = rows.filter((r) => r.type !== '*');
  const lines = table.map((r) => r.supported && r.note === undefined
    ? [r.domain, r.type, ...cols.map((c) => (r[c] ? 'yes' : 'no')), `${r.received}/${r.sent}`]
    : [r.domain, r.type, ...cols.map(() => '-'), r.supported ? `not measured: ${r.note}` : `unsupported: ${r.error}`]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (i === head.length - 1 ? 0 : l[i]!.length))));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)];
  const others = rows.filter((r) => r.type === '*');
  const refused = others.filter((r) => !r.supported).map((r) => `${r.domain} ${r.error}`);
  const opens = others.filter((r) => r.supported).map((r) => `${r.domain}: ${r.note}`);
  if (refused.length) out.push('', `refused by this kernel: ${refused.join(', ')}`);
  if (opens.length) out.push('', ...opens.map((o) => `also offered: ${o}`));
  return out.join('\n');
}
