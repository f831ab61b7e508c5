/**
 * `xsock demo`: a short tour of the system on live sockets — a rendezvous over every
 * domain and type, rights and credentials passing, out-of-band data, and an XTI
 * asynchronous connect. Every line printed is the outcome of traffic just sent; a step
 * that fails makes the exit code 1, so the tour doubles as a smoke test.
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync, openSync, closeSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { socket, socketpair, type Socket } from '../../socket/socket.js';
import { constants as C } from '../../constants.js';
import { formatAddress, type SockAddr } from '../../address.js';
import { xtiAsyncConnect } from './demo-xti.js';

const T = { timeout: 5000 };

/** One step of the tour. */
export interface DemoStep { step: string; ok: boolean; detail: string }

const HELP = `usage: xsock demo [--json]

A short tour on live sockets: a rendezvous (bind, connect or sendto, one exchange) over
every domain and type this kernel offers; rights (an open file passed with SCM_RIGHTS);
credentials (SCM_CREDENTIALS checked against this process); out-of-band data (MSG_OOB
and the mark); an XTI asynchronous connect (t_connect in non-blocking mode, t_look,
t_rcvconnect). Exit code 1 when any step fails.
`;

export async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const steps = await runDemo((s) => {
    process.stdout.write(values.json ? `${JSON.stringify(s)}\n` : `${s.ok ? 'ok  ' : 'FAIL'}  ${s.step.padEnd(28)} ${s.detail}\n`);
  });
  return steps.every((s) => s.ok) ? 0 : 1;
}

/** Runs every step, reporting each as it completes. */
export async function runDemo(report: (s: DemoStep) => void): Promise<DemoStep[]> {
  const dir = mkdtempSync(join(tmpdir(), 'xdemo-'));
  const out: DemoStep[] = [];
  const run = async (step: string, body: () => Promise<string>) => {
    let s: DemoStep;
    try {
      s = { step, ok: true, detail: await body() };
    } catch (err) {
      s = { step, ok: false, detail: (err as Error).message };
    }
    out.push(s);
    report(s);
  };
  try {
    for (const domain of ['unix', 'inet', 'inet6'] as const) {
      for (const type of ['stream', 'seqpacket', 'dgram'] as const) {
        if (domain !== 'unix' && type === 'seqpacket' && !supported(domain, type)) continue; // no SCTP here
        await run(`rendezvous ${domain}/${type}`, () => rendezvous(domain, type, dir));
      }
    }
    await run('rendezvous unix abstract', () => rendezvous('unix', 'seqpacket', dir, true));
    await run('rights (SCM_RIGHTS)', () => rights(dir));
    await run('credentials (SCM_CREDENTIALS)', credentials);
    await run('out-of-band (MSG_OOB)', outOfBand);
    await run('XTI asynchronous connect', xtiAsyncConnect);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function supported(domain: 'inet' | 'inet6', type: 'seqpacket'): boolean {
  try {
    socket(domain, type).close();
    return true;
  } catch {
    return false;
  }
}

let seq = 0;
function nameFor(domain: string, type: string, dir: string, abstract: boolean): SockAddr {
  if (domain === 'unix') {
    return abstract ? { family: 'unix', abstract: `xsock-demo-${process.pid}-${seq++}` } : { family: 'unix', path: join(dir, `${type}${seq++}`) };
  }
  return domain === 'inet' ? { family: 'inet', address: '127.0.0.1', port: 0 } : { family: 'inet6', address: '::1', port: 0 };
}

/** The classic rendezvous: the server names itself, the client finds it by that name. */
async function rendezvous(domain: 'unix' | 'inet' | 'inet6', type: 'stream' | 'seqpacket' | 'dgram', dir: string, abstract = false): Promise<string> {
  const opened: Socket[] = [];
  const open = () => {
    const s = socket(domain, type);
    opened.push(s);
    return s;
  };
  try {
    const server = open();
    server.bind(nameFor(domain, type, dir, abstract));
    const name = server.getsockname();
    const client = open();
    const question = Buffer.from(`hello over ${domain}/${type}`);
    let answer: Buffer;
    if (type === 'dgram') {
      client.bind(nameFor(domain, type, dir, abstract)); // a name to answer to
      await client.sendto(question, name, 0, T);
      const got = await server.recvfrom(256, 0, T);
      await server.sendto(got.data.toString().toUpperCase(), got.from, 0, T);
      answer = await client.recv(256, 0, T);
    } else {
      server.listen(1);
      await client.connect(name, T);
      const conn = await server.accept(T);
      opened.push(conn);
      await client.sendAll(question, T);
      const got = await conn.recv(256, 0, T);
      await conn.sendAll(got.toString().toUpperCase(), T);
      answer = await client.recv(256, 0, T);
    }
    if (answer.toString() !== question.toString().toUpperCase()) throw new Error(`wrong answer '${answer.toString()}'`);
    return `${formatAddress(name)}: '${question.toString()}' -> '${answer.toString()}'`;
  } finally {
    for (const s of opened) s.close();
  }
}

/** An open file travels as rights; the receiver reads it through its own descriptor. */
async function rights(dir: string): Promise<string> {
  const path = join(dir, 'secret.txt');
  const text = `opened by pid ${process.pid}`;
  writeFileSync(path, text);
  const [a, b] = socketpair('unix', 'dgram');
  const fd = openSync(path, 'r');
  try {
    await a.sendmsg({ data: 'here', fds: [fd] }, T);
    const m = await b.recvmsg({ size: 64, fds: 1 }, T);
    const got = m.fds.take();
    if (got.length !== 1) throw new Error(`expected one descriptor, got ${got.length}`);
    const buf = Buffer.alloc(256);
    const n = readSync(got[0]!, buf, 0, buf.length, 0);
    closeSync(got[0]!);
    if (buf.toString('utf8', 0, n) !== text) throw new Error('the passed descriptor read something else');
    return `fd ${fd} arrived as fd ${got[0]}, read '${text}'`;
  } finally {
    closeSync(fd);
    a.close();
    b.close();
  }
}

/** The kernel vouches for the sender: pid, uid and gid arrive as SCM_CREDENTIALS. */
async function credentials(): Promise<string> {
  const [a, b] = socketpair('unix', 'seqpacket');
  try {
    b.setsockopt('SOL_SOCKET', 'SO_PASSCRED', true);
    await a.sendmsg({ data: 'who am i', credentials: true }, T);
    const m = await b.recvmsg({ size: 64 }, T);
    const c = m.credentials;
    if (!c) throw new Error('no credentials arrived');
    if (c.pid !== process.pid || c.uid !== process.getuid?.()) throw new Error(`credentials ${JSON.stringify(c)} are not this process's`);
    const peer = b.getsockopt('SOL_SOCKET', 'SO_PEERCRED') as { pid: number } | null;
    return `pid ${c.pid} uid ${c.uid} gid ${c.gid}; SO_PEERCRED pid ${peer?.pid ?? 'none'}`;
  } finally {
    a.close();
    b.close();
  }
}

/** An urgent byte overtakes the normal stream; the mark shows where it was sent. */
async function outOfBand(): Promise<string> {
  let pair: [Socket, Socket];
  let where = 'unix/stream';
  try {
    pair = socketpair('unix', 'stream');
    const [a] = pair;
    await a.send(Buffer.from('!'), C.MSG_OOB, T); // probe: kernels without AF_UNIX OOB refuse
    pair[1].close();
    a.close();
    pair = socketpair('unix', 'stream');
  } catch {
    where = 'inet/stream (no AF_UNIX OOB here)';
    pair = await tcpPair();
  }
  const [a, b] = pair;
  try {
    await a.sendAll('normal-1 ', T);
    await a.send(Buffer.from('U'), C.MSG_OOB, T);
    await a.sendAll(' normal-2', T);
    const urgent = await b.recvOob(T);
    const before = await b.recv(64, 0, T); // a read stops at the mark
    const mark = b.sockatmark();
    if (String.fromCharCode(urgent) !== 'U') throw new Error(`urgent byte was ${urgent}`);
    return `${where}: urgent 'U' read apart; normal data '${before.toString()}' then at mark: ${mark}`;
  } finally {
    a.close();
    b.close();
  }
}

async function tcpPair(): Promise<[Socket, Socket]> {
  const l = socket('inet', 'stream');
  try {
    l.bind('127.0.0.1:0');
    l.listen(1);
    const c = socket('inet', 'stream');
    await c.connect(l.getsockname(), T);
    return [c, await l.accept(T)];
  } finally {
    l.close();
  }
}
