/**
 * Opening a parsed endpoint: socket(2), bind(2), connect(2) or listen(2)+accept(2), a
 * file, stdio, or a child process on a socketpair(2). A listening endpoint is returned as
 * an Acceptor so --fork can take many clients from it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { unlinkSync } from 'node:fs';
import { socket, socketpair, type Socket } from '../../socket/socket.js';
import { formatAddress, type SockAddr } from '../../address.js';
import { resolve, AI_PASSIVE } from '../../names.js';
import type { WaitOptions } from '../../readiness.js';
import type { Channel, Message } from './channel.js';
import { parseEndpoint, type SocketSpec, type EndpointSpec } from './addresses.js';
import { SocketChannel, type SocketChannelOptions } from './socket-channel.js';
import { stdioChannel } from './stream-channel.js';
import { fileChannel, isSocketPath, type Access } from './file-channel.js';
import { openDomainEndpoint } from './open-domain.js';

/** Settings every opened endpoint shares. */
export interface OpenContext {
  /** Message size (dgram/seqpacket) and read size (stream). */
  size: number;
  /** Read ancillary data (rights, credentials) and pass rights on. */
  ancillary: boolean;
  /** Decode every datagram's sender (for traces). */
  senders: boolean;
  /** Bounds connect and every relay wait. */
  wait?: WaitOptions;
  /** Bounds connect(2) alone. */
  connectTimeout?: number | undefined;
  /** Told the bound address of a listener or receiver (port 0 becomes the real port). */
  onListening?: (address: SockAddr) => void;
}

/** A listening endpoint: each accept() is one client's channel. */
export interface Acceptor {
  readonly name: string;
  readonly address: SockAddr;
  accept(): Promise<Channel>;
  close(): void;
}

/**
 * Opens a non-listening endpoint (connect, sendto, recv, files, stdio, exec). `access` is
 * what the relay will do with it: a file is opened for exactly that.
 */
export async function openEndpoint(spec: EndpointSpec, ctx: OpenContext, access: Access = { read: true, write: true }): Promise<Channel> {
  switch (spec.kind) {
    case 'stdio': return stdioChannel();
    case 'file':
      if (spec.keyword === 'gopen' && isSocketPath(spec.path)) return openEndpoint(parseEndpoint(`unix:${spec.path}`), ctx, access);
      return fileChannel(spec, access);
    case 'exec': return execChannel(spec.command, ctx);
    case 'domain': return openDomainEndpoint(spec, ctx);
    case 'socket': break;
  }
  if (spec.role === 'listen') {
    const acc = await listenEndpoint(spec, ctx);
    try {
      return await acc.accept();
    } finally {
      acc.close();
    }
  }
  const receiving = spec.role === 'recv' || spec.role === 'recvfrom-first';
  const target = receiving ? await localAddress(spec) : await remoteAddress(spec);
  const s = socket(target.family, spec.type);
  try {
    tune(s, spec, ctx);
    const base: SocketChannelOptions = { size: ctx.size, wait: ctx.wait, ancillary: ctx.ancillary, senders: ctx.senders };
    if (receiving) {
      s.bind(target, { unlinkStale: spec.options.unlink === true });
      const onClose = unlinker(target);
      ctx.onListening?.(s.getsockname());
      if (spec.role === 'recv') return new SocketChannel(s, spec.text, { ...base, replyToSender: true, onClose });
      // udp-listen: the first datagram picks the peer; after that the socket is connected.
      const first = await s.recvfrom(ctx.size, 0, ctx.wait);
      await s.connect(first.from, ctx.wait);
      const pending: Message[] = [{ data: first.data, from: first.from }];
      return new SocketChannel(s, spec.text, { ...base, pending, onClose });
    }
    if (spec.options.bind !== undefined) s.bind(await parseLocal(spec, spec.options.bind));
    else if (spec.domain === 'unix' && spec.type === 'dgram') s.bind({ family: 'unix' }); // autobind: replies need a name
    // An unconnected unix dgram sender is told POLLOUT right after EAGAIN, so it could only
    // poll blindly when the receiver's queue is full; a connected one waits for real room.
    if (spec.role === 'sendto' && spec.domain !== 'unix') return new SocketChannel(s, spec.text, { ...base, to: target });
    const timeout = ctx.connectTimeout;
    await s.connect(target, timeout === undefined ? ctx.wait : { ...ctx.wait, timeout });
    return new SocketChannel(s, spec.text, base);
  } catch (err) {
    s.close();
    throw err;
  }
}

/** socket, bind, listen: the acceptor of a `*-listen` endpoint. */
export async function listenEndpoint(spec: SocketSpec, ctx: OpenContext): Promise<Acceptor> {
  const here = await localAddress(spec);
  const s = socket(here.family, spec.type);
  try {
    if (spec.domain !== 'unix') s.setsockopt('SOL_SOCKET', 'SO_REUSEADDR', true);
    s.bind(here, { unlinkStale: spec.options.unlink === true });
    s.listen();
    const onClose = unlinker(here);
    const address = s.getsockname();
    ctx.onListening?.(address);
    return {
      name: spec.text,
      address,
      async accept() {
        const c = await s.accept(ctx.wait);
        tune(c, spec, ctx);
        const peer = c.remoteAddress ? formatAddress(c.remoteAddress) : '';
        return new SocketChannel(c, `${spec.text}${peer ? ` <- ${peer}` : ''}`, { size: ctx.size, wait: ctx.wait, ancillary: ctx.ancillary, senders: ctx.senders });
      },
      close() {
        s.close();
        onClose?.();
      },
    };
  } catch (err) {
    s.close();
    throw err;
  }
}

function tune(s: Socket, spec: SocketSpec, ctx: OpenContext): void {
  if (spec.options.rcvbuf) s.setsockopt('SOL_SOCKET', 'SO_RCVBUF', spec.options.rcvbuf);
  if (spec.options.sndbuf) s.setsockopt('SOL_SOCKET', 'SO_SNDBUF', spec.options.sndbuf);
  // Credentials arrive only where the receiver asked for them.
  if (ctx.ancillary && spec.domain === 'unix') s.setsockopt('SOL_SOCKET', 'SO_PASSCRED', true);
}

/** The file a unix endpoint bound is removed when it closes (socat's unlink-close). */
function unlinker(addr: SockAddr): (() => void) | undefined {
  if (addr.family !== 'unix' || addr.path === undefined) return undefined;
  const path = addr.path;
  return () => {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  };
}

function unixAddress(spec: SocketSpec): SockAddr {
  return spec.abstract ? { family: 'unix', abstract: spec.host } : { family: 'unix', path: spec.host };
}

/** Where a listener or receiver binds. */
async function localAddress(spec: SocketSpec): Promise<SockAddr> {
  if (spec.domain === 'unix') return unixAddress(spec);
  return inetAddress(spec.host === '' ? null : spec.host, spec.service, spec, AI_PASSIVE);
}

/** Where a connecting or sending endpoint goes. */
async function remoteAddress(spec: SocketSpec): Promise<SockAddr> {
  if (spec.domain === 'unix') return unixAddress(spec);
  return inetAddress(spec.host, spec.service, spec, 0);
}

async function parseLocal(spec: SocketSpec, text: string): Promise<SockAddr> {
  if (spec.domain === 'unix') return text.startsWith('@') ? { family: 'unix', abstract: text.slice(1) } : { family: 'unix', path: text };
  const m = /^\[?([^\]]*?)\]?(?::(\w+))?$/.exec(text);
  return inetAddress(m?.[1] || null, m?.[2] ?? '0', spec, AI_PASSIVE);
}

/** getaddrinfo(3) through names.ts: numeric or named host, numeric or named service. */
async function inetAddress(host: string | null, service: string, spec: SocketSpec, flags: number): Promise<SockAddr> {
  try {
    const found = await resolve(host, service, { family: spec.anyFamily || spec.domain === 'unix' ? undefined : spec.domain, type: spec.type, flags });
    if (found[0] === undefined) throw new Error('no address');
    return found[0].address;
  } catch (err) {
    throw new Error(`cannot resolve '${host ?? ''}:${service}' in '${spec.text}': ${(err as Error).message}`);
  }
}

/** A child on one end of a stream socketpair, as its stdin and stdout (socat's exec). */
function execChannel(command: string, ctx: OpenContext): Channel {
  const [ours, theirs] = socketpair('unix', 'stream');
  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', command], { stdio: [theirs.fd, theirs.fd, 'inherit'] });
  } finally {
    theirs.close();
  }
  child.on('error', () => undefined);
  return new SocketChannel(ours, `exec:${command}`, {
    size: ctx.size, wait: ctx.wait,
    onClose: () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); },
  });
}
