/**
 * Channels over Node streams: standard input/output and files. Pipes and sockets on
 * stdio are opened as non-blocking net.Sockets (process.stdout writes to a pipe
 * synchronously on Linux, which would stall the loop whenever the reader is slow); files
 * go through fs streams, which read and write on the thread pool.
 */
import { fstatSync, createReadStream, createWriteStream } from 'node:fs';
import { Socket as NetSocket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Channel, Message, ZeroCopyEnd } from './channel.js';

export class StreamChannel implements Channel {
  readonly name: string;
  readonly boundaries = false;
  readonly ends = true;
  readonly readable: boolean;
  readonly writable: boolean;
  private readonly input: Readable | null;
  private readonly output: Writable | null;
  /** Made on the first read: an iterator starts reading ahead at once. */
  private chunks: AsyncIterator<Buffer> | null = null;
  /** The descriptor of a regular file behind this channel (file: endpoints), else null. */
  private readonly file: number | null;
  private failure: Error | null = null;
  private ended = false;
  private readonly release: (() => Promise<void>) | undefined;

  /** `file`: the descriptor of a regular file behind this channel; `release` runs last in close(), once both streams are done (closes a shared fd). */
  constructor(name: string, input: Readable | null, output: Writable | null, file: number | null = null, release?: () => Promise<void>) {
    this.name = name;
    this.release = release;
    this.input = input;
    this.output = output;
    this.readable = input !== null;
    this.writable = output !== null;
    this.file = file;
    output?.on('error', (err: Error) => { this.failure = err; });
  }

  /**
   * A file is read or written at its file position, which the fs stream also uses, so
   * the zero-copy path and a later fallback to read()/write() continue one another.
   */
  zeroCopy(): ZeroCopyEnd | null {
    return this.file === null || this.chunks !== null ? null : { kind: 'file', fd: this.file };
  }

  async read(): Promise<Message[] | null> {
    if (!this.input) return null;
    this.chunks ??= this.input[Symbol.asyncIterator]();
    const r = await this.chunks.next();
    if (r.done) return null;
    const data = typeof r.value === 'string' ? Buffer.from(r.value) : r.value as Buffer;
    return [{ data }];
  }

  async write(batch: Message[]): Promise<void> {
    const out = this.output;
    if (!out) throw new Error(`${this.name} cannot be written`);
    for (const m of batch) {
      if (this.failure) throw this.failure;
      if (m.data.length === 0) continue;
      // The batch buffer is reused by the next read: Node keeps a reference until written.
      if (!out.write(Buffer.from(m.data))) await drained(out);
    }
  }

  endWrite(): void {
    if (this.output && !this.ended) {
      this.ended = true;
      this.output.end();
    }
  }

  /**
   * Flushes and releases. Rejects with the output's error when buffered data could not be
   * written (ENOSPC, EIO ...): a write the kernel refused is never a silent success.
   */
  async close(): Promise<void> {
    this.input?.destroy();
    const out = this.output;
    if (out && !out.destroyed) {
      this.endWrite();
      // finished() settles for a stream that already errored too: fs streams made with
      // autoClose: false are never destroyed on error, so they emit neither finish nor close.
      if (!out.writableFinished) await finished(out).catch(() => undefined);
      if (out !== process.stdout && out !== process.stderr) out.destroy();
    }
    await this.release?.();
    if (this.failure) throw this.failure;
  }
}

function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      out.off('drain', ok);
      out.off('error', done);
      out.off('close', closed);
      if (err) reject(err);
      else resolve();
    };
    const ok = () => done();
    const closed = () => done(new Error('output closed'));
    out.once('drain', ok);
    out.once('error', done);
    out.once('close', closed);
  });
}

type FdKind = 'pipe' | 'file' | 'tty' | 'other';

function kindOf(fd: number): FdKind {
  const st = fstatSync(fd);
  if (st.isFIFO() || st.isSocket()) return 'pipe';
  if (st.isFile() || st.isBlockDevice()) return 'file';
  if (st.isCharacterDevice()) return 'tty';
  return 'other';
}

/** The fd when it is a regular file (a FIFO or device named by path stays on the streams). */
export function regularFile(fd: number): number | null {
  return fstatSync(fd).isFile() ? fd : null;
}

/** Standard input and output as one channel. */
export function stdioChannel(): StreamChannel {
  let input: Readable;
  switch (kindOf(0)) {
    case 'pipe': input = new NetSocket({ fd: 0, readable: true, writable: false }); break;
    case 'file': input = createReadStream('', { fd: 0, autoClose: false, highWaterMark: 1 << 17 }); break;
    default: input = process.stdin;
  }
  let output: Writable;
  switch (kindOf(1)) {
    case 'pipe': output = new NetSocket({ fd: 1, readable: false, writable: true }); break;
    case 'file': output = createWriteStream('', { fd: 1, autoClose: false }); break;
    default: output = process.stdout;
  }
  return new StreamChannel('stdio', input, output);
}
