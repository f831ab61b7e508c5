/**
 * The relay: `xsock [options] ADDRESS ADDRESS` moves data both ways between two
 * endpoints. End-of-file on one side becomes a half-close (shutdown(SHUT_WR)) on the
 * other, and the reverse direction keeps flowing until it ends too; message boundaries
 * pass one for one between message-oriented endpoints.
 */
import { parseArgs } from 'node:util';
import { closeFd } from '../../socket/index.js';
import { deadline, sleep } from '../../wait.js';
import { formatAddress } from '../../address.js';
import { parseEndpoint, ADDRESS_HELP, type EndpointSpec } from './addresses.js';
import { openEndpoint, listenEndpoint, type OpenContext } from './open.js';
import { Tracer, type Direction, type TraceOptions } from './trace.js';
import type { Channel, ZeroCopyEnd } from './channel.js';
import { splicePump, SPLICE_SIZE } from './splice-pump.js';
import { UsageError, isUsage } from '../usage.js';
import { writeOnly, type Access } from './file-channel.js';

export const RELAY_HELP = `usage: xsock [options] ADDRESS ADDRESS

Relays data between two endpoints, both directions. End-of-file on one side is passed
on as a half-close (shutdown SHUT_WR); the other direction runs until it ends too.
Datagram and seqpacket endpoints keep message boundaries, one message for one.

options:
  -v, --verbose          trace every message on stderr: hexdump, sender, flags, rights, credentials
  --json                 one JSON event per line on stderr (open, data, eof, close, error)
  --fork                 the first address listens: serve every client, each with a fresh second endpoint
  -b, --buffer N         message size / read size in bytes (default 65536; streams 262144);
                         between byte streams the splice(2) pipe size (default 1048576)
  -T, --idle-timeout S   end after S seconds without data in either direction
  -t, --linger S         after one side ends, wait S seconds for a side that cannot end (dgram); default 0.5
  --connect-timeout S    give up connecting after S seconds
  -u                     one way only: first address to second
  -U                     one way only: second address to first
  --ancillary            read rights and credentials and pass rights on between unix endpoints
                         (always on with -v)
  --progress, --no-progress   live bytes/messages/rate line (default: when stderr is a terminal)

${ADDRESS_HELP}

examples:
  xsock unix-listen:/tmp/a.sock,fork tcp:127.0.0.1:8080
  xsock -v seqpacket:/run/x.sock -
  xsock udp-recv:5514 unix-sendto:/dev/log
`;

export interface RelaySettings {
  trace: TraceOptions;
  idleMs?: number | undefined;
  lingerMs: number;
  /** Pipe size and largest move of the zero-copy path (-b; default SPLICE_SIZE). */
  spliceSize?: number | undefined;
  directions: { forward: boolean; backward: boolean };
}

/** Errors already told as a --json event (by relay()), not to be told twice. */
const reported = new WeakSet<object>();

/**
 * `xsock [options] A B`: parses, opens and relays; returns the exit code. With --json every
 * failure (usage, open, relay) is one `error` event and nothing else reaches stderr.
 */
export async function relayCommand(args: string[]): Promise<number> {
  const dashdash = args.indexOf('--');
  const json = (dashdash < 0 ? args : args.slice(0, dashdash)).includes('--json');
  try {
    return await relayArgs(args);
  } catch (err) {
    if (!json) throw err;
    if (!reported.has(err as object)) errorEvent(err as Error);
    return isUsage(err) ? 2 : 1;
  }
}

function errorEvent(err: Error, tag?: string): void {
  const e = err as Error & { code?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = String(e?.message ?? err).split('\n')[0];
  process.stderr.write(`${JSON.stringify({ event: 'error', ...(tag ? { client: tag } : {}), message, ...(code ? { code } : {}) })}\n`);
}

async function relayArgs(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true, options: {
      verbose: { type: 'boolean', short: 'v' }, json: { type: 'boolean' }, fork: { type: 'boolean' },
      buffer: { type: 'string', short: 'b' }, 'idle-timeout': { type: 'string', short: 'T' },
      linger: { type: 'string', short: 't' }, 'connect-timeout': { type: 'string' },
      u: { type: 'boolean', short: 'u' }, U: { type: 'boolean', short: 'U' }, ancillary: { type: 'boolean' },
      progress: { type: 'boolean' }, 'no-progress': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(RELAY_HELP);
    return 0;
  }
  if (positionals.length !== 2) {
    if (positionals.length === 1 && !/[:/@]/.test(positionals[0]!) && positionals[0] !== '-') throw new UsageError(`unknown command '${positionals[0]}' (xsock --help lists them)`);
    throw new UsageError(`expected two addresses, got ${positionals.length} (xsock --help)`);
  }
  if (values.u && values.U) throw new UsageError('-u and -U exclude each other');
  const [a, b] = positionals.map(parseEndpoint) as [EndpointSpec, EndpointSpec];
  const fork = values.fork === true || (a.kind === 'socket' && a.options.fork === true);
  if (fork && !(a.kind === 'socket' && a.role === 'listen')) throw new UsageError(`--fork needs a stream or seqpacket listener as the first address; got '${a.text}'`);
  const directions = { forward: !values.U, backward: !values.u };
  const [accessA, accessB] = accessOf(a, b, directions);
  const streamish = [a, b].every((e) => (e.kind !== 'socket' && e.kind !== 'domain') || e.type === 'stream');
  const size = values.buffer === undefined ? (streamish ? 262144 : 65536) : number('--buffer', values.buffer, 1, 1 << 26);
  const verbose = values.verbose === true;
  const json = values.json === true;
  const progress = values['no-progress'] ? false : values.progress === true || (process.stderr.isTTY === true && !verbose && !json);
  const idle = values['idle-timeout'] === undefined ? undefined : number('--idle-timeout', values['idle-timeout'], 0, 1e6) * 1000;
  const settings: RelaySettings = {
    trace: { verbose, json, progress },
    idleMs: idle,
    lingerMs: values.linger === undefined ? 500 : number('--linger', values.linger, 0, 1e6) * 1000,
    spliceSize: values.buffer === undefined ? SPLICE_SIZE : size,
    directions,
  };
  const ctx: OpenContext = {
    size, ancillary: verbose || values.ancillary === true, senders: verbose || json,
    connectTimeout: values['connect-timeout'] === undefined ? undefined : number('--connect-timeout', values['connect-timeout'], 0, 1e6) * 1000,
  };
  const tracer = new Tracer(settings.trace);
  ctx.onListening = (address) => tracer.event('listening', { address: formatAddress(address) });
  if (fork) return serveForever(a, b, ctx, settings, accessB);
  const left = await openEndpoint(a, ctx, accessA);
  tracer.event('open', { side: 'first', address: left.name });
  let right: Channel;
  try {
    right = await openEndpoint(b, ctx, accessB);
  } catch (err) {
    await left.close();
    throw err;
  }
  tracer.event('open', { side: 'second', address: right.name });
  return relay(left, right, settings, tracer);
}

/**
 * What the relay does with each endpoint. A sink-only file (create:, append:) cannot be a
 * source: asking it to be one (-U, or two sinks) is bad usage, never a silent no-op.
 */
function accessOf(a: EndpointSpec, b: EndpointSpec, d: RelaySettings['directions']): [Access, Access] {
  const sink = (e: EndpointSpec) => e.kind === 'file' && writeOnly(e);
  const canForward = d.forward && !sink(a);
  const canBackward = d.backward && !sink(b);
  if (!canForward && !canBackward) {
    const which = d.forward ? a : b;
    throw new UsageError(`'${which.text}' only writes: it cannot be the source${d.forward && d.backward ? ' (both addresses are sinks)' : ''}`);
  }
  return [{ read: canForward, write: canBackward }, { read: canBackward, write: canForward }];
}

/** --fork: one relay per accepted client, each with its own second endpoint. */
async function serveForever(a: EndpointSpec, b: EndpointSpec, ctx: OpenContext, settings: RelaySettings, accessB: Access): Promise<number> {
  if (a.kind !== 'socket') throw new UsageError('--fork needs a listener');
  const acceptor = await listenEndpoint(a, ctx);
  // A server is stopped by a signal: remove its socket file on the way out, as socat does.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      acceptor.close();
      process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
    });
  }
  let n = 0;
  let troubled = 0; // consecutive accept failures, for the back-off
  try {
    for (;;) {
      let client: Channel;
      try {
        client = await acceptor.accept();
        troubled = 0;
      } catch (err) {
        // A server outlives what a busy or starved host throws at one accept (out of
        // descriptors or memory, a connection aborted): log it, back off, keep listening.
        if (!transient(err)) throw err;
        const pause = Math.min(10 * 2 ** troubled++, 1000);
        if (settings.trace.json) errorEvent(err as Error);
        else process.stderr.write(`xsock: accept: ${(err as Error).message}; retrying in ${pause} ms\n`);
        await sleep(pause);
        continue;
      }
      const tag = String(++n);
      const tracer = new Tracer({ ...settings.trace, progress: false, tag });
      tracer.event('open', { side: 'first', address: client.name });
      // One client's failure is told and ends that client only, never the server.
      const fail = (err: Error): void => {
        if (reported.has(err)) return;
        if (settings.trace.json) errorEvent(err, tag);
        else process.stderr.write(`xsock: [${tag}] ${String(err?.message ?? err).split('\n')[0]}\n`);
      };
      void openEndpoint(b, ctx, accessB).then(
        (other) => relay(client, other, settings, tracer).catch(fail),
        async (err: Error) => {
          fail(err);
          await Promise.resolve(client.close()).catch(() => undefined);
        },
      );
    }
  } finally {
    acceptor.close();
  }
}

/** Errors of accept(2) that say nothing about the listener itself: the server goes on. */
const TRANSIENT = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'ECONNABORTED', 'EPROTO', 'EPERM', 'ETIMEDOUT']);

function transient(err: unknown): boolean {
  return TRANSIENT.has((err as { code?: string }).code ?? '');
}

/**
 * Runs both directions to their end, then closes both channels. Resolves to the exit
 * code: 0 when every direction ended cleanly (or by the idle timeout), 1 on an error.
 */
export async function relay(left: Channel, right: Channel, settings: RelaySettings, tracer: Tracer): Promise<number> {
  const stop = new AbortController();
  const idleTimer = settings.idleMs === undefined ? null : deadline(settings.idleMs, () => stop.abort('idle'));
  const touch = () => idleTimer?.refresh();
  const stopped = new Promise<'stopped'>((resolve) => stop.signal.addEventListener('abort', () => resolve('stopped'), { once: true }));
  let failure: Error | null = null;

  const pump = async (src: Channel, dst: Channel, dir: Direction): Promise<void> => {
    try {
      let ended = false;
      const zc = zeroCopy(src, dst, settings.trace);
      if (zc) {
        ended = await splicePump(zc.from, zc.to, stop.signal, (n) => { touch(); tracer.moved(dir, n); }, settings.spliceSize) === 'eof';
      }
      while (!ended) {
        const batch = await src.read();
        if (batch === null) {
          ended = true;
          break;
        }
        touch();
        try {
          await dst.write(batch);
          // Told once written, so what a trace reports is what the other side has, even
          // when a signal ends the relay right after.
          tracer.data(dir, batch);
        } finally {
          for (const m of batch) if (m.fds) for (const fd of m.fds) closeFd(fd); // sent copies live on in the kernel
        }
      }
      if (!stop.signal.aborted) {
        tracer.event('eof', { dir, from: src.name });
        dst.endWrite();
      }
    } catch (err) {
      if (!stop.signal.aborted) {
        failure ??= err as Error;
        stop.abort('error');
      }
    }
  };

  const pumps: { p: Promise<void>; src: Channel; done: boolean }[] = [];
  const add = (src: Channel, dst: Channel, dir: Direction) => {
    const entry = { p: Promise.resolve(), src, done: false };
    entry.p = pump(src, dst, dir).finally(() => { entry.done = true; });
    pumps.push(entry);
  };
  if (settings.directions.forward && left.readable && right.writable) add(left, right, '>');
  if (settings.directions.backward && right.readable && left.writable) add(right, left, '<');

  // Once one direction ends, a remaining one that can never see end-of-file (a datagram
  // reader) gets `linger` ms more, as socat's -t: replies in flight still arrive.
  if (pumps.length === 0) {
    failure = new Error(`nothing to relay: ${settings.directions.forward ? `'${right.name}' cannot be written` : `'${left.name}' cannot be written`}`);
    stop.abort('nothing to relay');
  }
  // A stop (idle, error) closes both channels, which fails their pending reads and writes.
  await Promise.race([...pumps.map((e) => e.p), stopped]);
  const rest = pumps.filter((e) => !e.done);
  if (rest.length > 0 && !stop.signal.aborted) {
    const linger = rest.every((e) => e.src.ends) ? null : deadline(settings.lingerMs, () => stop.abort('linger'));
    await Promise.race([Promise.all(rest.map((e) => e.p)), stopped]);
    linger?.cancel();
  }
  if (!stop.signal.aborted) stop.abort('done');
  idleTimer?.cancel();
  // A close flushes: output the kernel refused (ENOSPC on the last write) fails the relay.
  for (const r of await Promise.allSettled([left.close(), right.close()])) {
    if (r.status === 'rejected') failure ??= r.reason as Error;
  }
  await Promise.all(pumps.map((e) => e.p));
  if (failure !== null) {
    const f = failure as Error;
    if (settings.trace.json) {
      errorEvent(f, tracer.tag);
      reported.add(f);
    }
    tracer.finish();
    throw f;
  }
  tracer.finish();
  return 0;
}

/**
 * Both ends offer a zero-copy view and nobody looks at the bytes: the splice(2) /
 * sendfile(2) / copy_file_range(2) path. -v shows every byte, so it keeps the copying
 * path (--json alone reports only counts).
 */
function zeroCopy(src: Channel, dst: Channel, trace: TraceOptions): { from: ZeroCopyEnd; to: ZeroCopyEnd } | null {
  if (trace.verbose) return null;
  const from = src.zeroCopy?.() ?? null;
  const to = from && (dst.zeroCopy?.() ?? null);
  return from && to ? { from, to } : null;
}

function number(name: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < min || v > max) throw new UsageError(`${name} must be a number from ${min} to ${max}; got '${text}'`);
  return v;
}
