/**
 * `xsock sendfd` / `xsock recvfd`: passing an open file between processes as rights
 * (SCM_RIGHTS) over a unix socket — what socat cannot do. The receiver also reports the
 * sender's credentials (SCM_CREDENTIALS), so the hand-off is authenticated.
 */
import { parseArgs } from 'node:util';
import { openSync, closeSync, createReadStream, createWriteStream, unlinkSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { basename } from 'node:path';
import { socket, type Socket } from '../../socket/socket.js';
import { parseAddress, type SockAddr } from '../../address.js';
import { UsageError } from '../usage.js';

const SEND_HELP = `usage: xsock sendfd [--type stream|dgram|seqpacket] [--timeout S] SOCKET FILE

Opens FILE read-only and passes the descriptor over the unix socket SOCKET (/path or
@name, where 'xsock recvfd' waits), with the file's name as the message.
`;
const RECV_HELP = `usage: xsock recvfd [--type stream|dgram|seqpacket] [--timeout S] [--json] SOCKET [OUT]

Binds SOCKET (/path or @name), receives one descriptor passed as rights, reports the
sender's credentials on stderr and copies what the descriptor reads to OUT (default
standard output).
`;

const TYPES = ['stream', 'dgram', 'seqpacket'] as const;
type TypeName = typeof TYPES[number];

function common(args: string[]) {
  return parseArgs({
    args, allowPositionals: true, options: {
      type: { type: 'string' }, timeout: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
}

/** /path, ./rel, @abstract, unix:..., or a bare relative path; an inet address is refused. */
function unixAddress(text: string): SockAddr {
  let a: SockAddr;
  try {
    a = parseAddress(text, 'SOCKET');
  } catch {
    a = { family: 'unix', path: text };
  }
  if (a.family !== 'unix') throw new UsageError(`SOCKET must be a unix address (/path or @name); got '${text}'`);
  return a;
}

function typeOf(t: string | undefined): TypeName {
  if (t === undefined) return 'stream';
  if (!(TYPES as readonly string[]).includes(t)) throw new UsageError(`--type must be stream, dgram or seqpacket; got '${t}'`);
  return t as TypeName;
}

function waitOpts(t: string | undefined): { timeout?: number } {
  if (t === undefined) return {};
  const v = Number(t);
  if (!(v > 0)) throw new UsageError(`--timeout must be a positive number of seconds; got '${t}'`);
  return { timeout: v * 1000 };
}

/** sendmsg(2) with SCM_RIGHTS: one descriptor, the file name as data. */
export async function sendfdCommand(args: string[]): Promise<number> {
  const { values, positionals } = common(args);
  if (values.help) {
    process.stdout.write(SEND_HELP);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError('sendfd needs SOCKET and FILE (xsock sendfd --help)');
  const to = unixAddress(positionals[0]!);
  const type = typeOf(values.type);
  const wait = waitOpts(values.timeout);
  const fd = openSync(positionals[1]!, 'r');
  const s = socket('unix', type);
  try {
    const data = Buffer.from(basename(positionals[1]!) || 'fd');
    if (type === 'dgram') await s.sendmsg({ data, fds: [fd], to, credentials: true }, wait);
    else {
      await s.connect(to, wait);
      await s.sendmsg({ data, fds: [fd], credentials: true }, wait);
      s.shutdown('write');
      await s.recv(1, 0, wait); // the receiver closes once it has the descriptor
    }
    return 0;
  } finally {
    s.close();
    closeSync(fd);
  }
}

/** recvmsg(2) with SO_PASSCRED: one descriptor and the sender's credentials. */
export async function recvfdCommand(args: string[]): Promise<number> {
  const { values, positionals } = common(args);
  if (values.help) {
    process.stdout.write(RECV_HELP);
    return 0;
  }
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError('recvfd needs SOCKET and optionally OUT (xsock recvfd --help)');
  const here = unixAddress(positionals[0]!);
  const type = typeOf(values.type);
  const wait = waitOpts(values.timeout);
  const listener = socket('unix', type);
  let conn: Socket | null = null;
  try {
    listener.bind(here, { unlinkStale: true });
    if (values.json) process.stderr.write(`${JSON.stringify({ event: 'listening', address: positionals[0] })}\n`);
    let s = listener;
    if (type !== 'dgram') {
      listener.listen(1);
      conn = await listener.accept(wait);
      s = conn;
    }
    s.setsockopt('SOL_SOCKET', 'SO_PASSCRED', true);
    const m = await s.recvmsg({ size: 4096, fds: 4 }, wait);
    const fds = m.fds.take();
    if (fds.length === 0) throw new Error(`no descriptor arrived (${m.data.length} bytes${m.eof ? ', end-of-file' : ''})`);
    for (const extra of fds.slice(1)) closeSync(extra);
    const report = { event: 'received', name: m.data.toString(), fd: fds[0], credentials: m.credentials ?? null };
    process.stderr.write(values.json ? `${JSON.stringify(report)}\n`
      : `xsock: received fd ${fds[0]} '${report.name}'${m.credentials ? ` from pid ${m.credentials.pid} uid ${m.credentials.uid} gid ${m.credentials.gid}` : ''}\n`);
    const input = createReadStream('', { fd: fds[0] }); // closes the descriptor at the end
    const output = positionals[1] === undefined || positionals[1] === '-' ? process.stdout : createWriteStream(positionals[1]);
    await pipeline(input, output, { end: output !== process.stdout });
    return 0;
  } finally {
    conn?.close();
    listener.close();
    if (here.family === 'unix' && here.path) {
      try { unlinkSync(here.path); } catch { /* already gone */ }
    }
  }
}
