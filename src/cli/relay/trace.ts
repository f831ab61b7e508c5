/**
 * What the relay tells its operator, all on stderr (stdout may be a data channel): a -v
 * hexdump of each message with its ancillary data, --json event lines, and a live
 * progress line when stderr is a terminal.
 */
import { formatAddress } from '../../address.js';
import { constants as C } from '../../constants.js';
import type { Message } from './channel.js';

export type Direction = '>' | '<';

export interface TraceOptions {
  verbose: boolean;
  json: boolean;
  progress: boolean;
  /** Prefix for lines of one --fork client. */
  tag?: string;
}

/** Per-direction totals of one relay. */
export class Tally {
  bytes = { '>': 0, '<': 0 };
  messages = { '>': 0, '<': 0 };
  readonly started = performance.now();

  seconds(): number {
    return (performance.now() - this.started) / 1000;
  }
}

export class Tracer {
  readonly tally = new Tally();
  private readonly opts: TraceOptions;
  private timer: NodeJS.Timeout | null = null;
  private drawn = false;

  constructor(opts: TraceOptions) {
    this.opts = opts;
    if (opts.progress) {
      this.timer = setInterval(() => this.draw(), 250);
      this.timer.unref();
    }
  }

  /** The --fork client this tracer speaks for. */
  get tag(): string | undefined {
    return this.opts.tag;
  }

  /** An event line for --json (and a short text line under -v). */
  event(name: string, fields: Record<string, unknown> = {}): void {
    if (this.opts.json) this.emit({ event: name, ...(this.opts.tag ? { client: this.opts.tag } : {}), ...fields });
    else if (this.opts.verbose) process.stderr.write(`xsock: ${this.opts.tag ? `[${this.opts.tag}] ` : ''}${name}${Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ''}\n`);
  }

  data(dir: Direction, batch: Message[]): void {
    const t = this.tally;
    t.messages[dir] += batch.length;
    for (const m of batch) t.bytes[dir] += m.data.length;
    if (!this.opts.json && !this.opts.verbose) return;
    for (const m of batch) {
      if (this.opts.json) {
        const e: Record<string, unknown> = { event: 'data', dir, bytes: m.data.length };
        if (this.opts.tag) e.client = this.opts.tag;
        if (m.from) e.from = formatAddress(m.from);
        if (m.fds && m.fds.length) e.fds = m.fds.length;
        if (m.credentials) e.credentials = m.credentials;
        const f = flagNames(m.flags ?? 0);
        if (f.length) e.flags = f;
        if (this.opts.verbose) e.hex = m.data.toString('hex');
        this.emit(e);
      } else {
        process.stderr.write(`${headline(dir, m, this.opts.tag)}\n${hexdump(m.data)}`);
      }
    }
  }

  /** Bytes that went through without passing user space (the splice path): totals only. */
  moved(dir: Direction, bytes: number): void {
    this.tally.messages[dir]++;
    this.tally.bytes[dir] += bytes;
    if (this.opts.json) this.emit({ event: 'data', dir, bytes, ...(this.opts.tag ? { client: this.opts.tag } : {}) });
  }

  /** Final totals; clears the progress line. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.drawn) {
      this.draw();
      process.stderr.write('\n');
    }
    const t = this.tally;
    this.event('close', { bytes: t.bytes, messages: t.messages, seconds: Number(t.seconds().toFixed(3)) });
  }

  private emit(obj: Record<string, unknown>): void {
    process.stderr.write(`${JSON.stringify(obj)}\n`);
  }

  private draw(): void {
    const t = this.tally;
    const s = Math.max(t.seconds(), 1e-3);
    const side = (d: Direction) => `${d} ${size(t.bytes[d])} ${t.messages[d]} msg ${size(t.bytes[d] / s)}/s`;
    process.stderr.write(`\r${side('>')}  ${side('<')}  ${s.toFixed(1)}s\x1b[K`);
    this.drawn = true;
  }
}

function headline(dir: Direction, m: Message, tag?: string): string {
  const parts = [`${tag ? `[${tag}] ` : ''}${dir} ${m.data.length} bytes`];
  if (m.from) parts.push(`from ${formatAddress(m.from) || '(unnamed)'}`);
  const f = flagNames(m.flags ?? 0);
  if (f.length) parts.push(f.join('|'));
  if (m.fds && m.fds.length) parts.push(`rights: ${m.fds.length} fd${m.fds.length > 1 ? 's' : ''} (${m.fds.join(', ')})`);
  if (m.credentials) parts.push(`credentials: pid=${m.credentials.pid} uid=${m.credentials.uid} gid=${m.credentials.gid}`);
  return parts.join('  ');
}

function flagNames(flags: number): string[] {
  const out: string[] = [];
  for (const n of ['MSG_TRUNC', 'MSG_CTRUNC', 'MSG_OOB', 'MSG_EOR'] as const) if (flags & C[n]) out.push(n);
  return out;
}

/** Offset, 16 bytes in hex, and the printable ones, like hexdump -C. */
export function hexdump(data: Buffer): string {
  let out = '';
  for (let off = 0; off < data.length; off += 16) {
    const row = data.subarray(off, off + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const text = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    out += `  ${off.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  |${text}|\n`;
  }
  return out;
}

function size(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}
