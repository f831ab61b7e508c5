/**
 * The relay's zero-copy path between byte-stream endpoints: the bytes never enter user
 * space and no JavaScript runs per chunk.
 *  - socket -> socket or file: splice(2) into a pipe, then from the pipe onwards (one
 *    kernel copy instead of read(2) + write(2)'s two);
 *  - file -> socket: sendfile(2);
 *  - file -> file: copy_file_range(2) (a reflink where the filesystem can).
 * The copying pump remains the fallback and takes over where the kernel refuses
 * (EINVAL, EXDEV, EOPNOTSUPP, EBADF for an O_APPEND target ...) and where urgent data
 * (MSG_OOB) stops splice at the mark, since only recv(2) steps over it. Files are read and
 * written at their file position, so the fallback carries on where the kernel stopped.
 * Regular-file I/O here is synchronous, as socat's is: page-cache speed.
 */
import { closeSync, readSync, writeSync } from 'node:fs';
import { makePipe, trySplice, trySendfile, copyFileRange, type Socket } from '../../socket/index.js';
import { POLL_IN, POLL_OUT, POLL_PRI, type WaitOptions } from '../../readiness.js';
import type { ZeroCopyEnd } from './channel.js';

type Outcome = 'eof' | 'fallback';

/** Errors that mean "not this way": the copying pump can still do it. */
const REFUSED = new Set(['EINVAL', 'EXDEV', 'EOPNOTSUPP', 'ENOSYS', 'EBADF', 'ESPIPE']);

function refused(err: unknown): boolean {
  return REFUSED.has((err as { code?: string }).code ?? '');
}

/**
 * The default pipe (and chunk) size: 1 MiB, the largest pipe an unprivileged process may
 * have by default (/proc/sys/fs/pipe-max-size; makePipe settles for less where it is
 * lower). Each wake-up can then move up to a MiB, and a pipe's pages are only allocated as
 * they fill.
 */
export const SPLICE_SIZE = 1 << 20;

/**
 * Moves src -> dst until end of input ('eof') or until the copying pump must take over
 * ('fallback', with nothing left in between), or until `stop` (the relay closing its
 * channels: a file descriptor number must not be used once closed). `onBytes` hears every
 * run that went through. `size` is the pipe's capacity and the most one call moves.
 */
export async function splicePump(src: ZeroCopyEnd, dst: ZeroCopyEnd, stop: AbortSignal, onBytes: (n: number) => void, size = SPLICE_SIZE): Promise<Outcome> {
  const wait = src.kind === 'socket' ? src.wait : dst.kind === 'socket' ? dst.wait : undefined;
  if (src.kind === 'file') {
    return dst.kind === 'file' ? copyFiles(src.fd, dst.fd, size, stop, onBytes) : sendFile(src.fd, dst.socket, size, wait, stop, onBytes);
  }
  return throughPipe(src.socket, src.urgent, dst.kind === 'file' ? dst.fd : dst.socket, size, wait, stop, onBytes);
}

/** copy_file_range(2) to the end of the source. */
async function copyFiles(from: number, to: number, size: number, stop: AbortSignal, onBytes: (n: number) => void): Promise<Outcome> {
  for (;;) {
    if (stop.aborted) return 'fallback'; // the channels (and so these fds) are being closed
    let n: number;
    try {
      n = copyFileRange(from, to, size);
    } catch (err) {
      if (refused(err)) return 'fallback';
      throw err;
    }
    if (n === 0) return 'eof';
    onBytes(n);
    // A file copy never waits; let the other direction and the timers run between chunks.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** sendfile(2) to the end of the file, waiting for room in the socket. */
async function sendFile(from: number, to: Socket, size: number, wait: WaitOptions | undefined, stop: AbortSignal, onBytes: (n: number) => void): Promise<Outcome> {
  for (;;) {
    if (stop.aborted) return 'fallback';
    let n: number | null;
    try {
      n = trySendfile(to, from, size);
    } catch (err) {
      if (refused(err)) return 'fallback';
      throw err;
    }
    if (n === null) await to.readiness.wait(POLL_OUT, wait);
    else if (n === 0) return 'eof';
    else onBytes(n);
  }
}

/** What a leg of the pipe relay needs next (PipeLeg.step). */
const WAIT_IN = 1;
const WAIT_OUT = 2;
const END = 3;

/**
 * One direction of splice(2) socket -> pipe -> socket or file, with no allocation and no
 * wait of its own: step() splices both halves until neither can move, then says what
 * to wait for. Draining to EAGAIN before any wait matters: every wake-up costs a trip
 * through the event loop, and one wake should move everything the kernel has.
 */
class PipeLeg {
  /** Bytes spliced into the pipe and not yet out of it. */
  inPipe = 0;
  private ended = false;
  /** Wake-ups for input in a row that found none (see throughPipe). */
  idleWakes = 0;

  constructor(private readonly src: Socket, private readonly pw: number, private readonly pr: number,
    private readonly dst: Socket | number, private readonly size: number, private readonly onBytes: (n: number) => void) {}

  /**
   * Splices until both halves are blocked: WAIT_IN when the pipe is empty and the source
   * has nothing; WAIT_OUT when bytes wait in the pipe (an EAGAIN from the source half may
   * then mean a full pipe rather than an empty source, and the destination has bytes to
   * take either way); END once the source ended and the pipe is empty. Throws what the
   * kernel said (refusals included: the caller falls back).
   */
  step(): number {
    for (;;) {
      let inBlocked = this.ended || this.inPipe >= this.size;
      if (!inBlocked) {
        const n = trySplice(this.src, this.pw, this.size - this.inPipe);
        if (n === null) inBlocked = true;
        else if (n === 0) this.ended = true;
        else {
          this.inPipe += n;
          this.idleWakes = 0;
          this.onBytes(n);
        }
      }
      let outBlocked = this.inPipe === 0;
      if (!outBlocked) {
        const k = trySplice(this.pr, this.dst, this.inPipe);
        if (k === null) outBlocked = true;
        else this.inPipe -= k;
      }
      if (this.ended && this.inPipe === 0) return END;
      if (inBlocked && outBlocked) return this.inPipe > 0 ? WAIT_OUT : WAIT_IN;
    }
  }
}

/**
 * splice(2) socket -> pipe -> socket or file through a pipe of `size` bytes (as large as
 * the kernel lets it be), one wait at a time and never a spin.
 */
async function throughPipe(src: Socket, urgent: boolean, dst: Socket | number, size: number,
  wait: WaitOptions | undefined, stop: AbortSignal, onBytes: (n: number) => void): Promise<Outcome> {
  const [pr, pw] = makePipe(size);
  try {
    const mask = urgent ? POLL_IN | POLL_PRI : POLL_IN;
    const leg = new PipeLeg(src, pw, pr, dst, size, onBytes);
    for (;;) {
      if (stop.aborted) return 'fallback';
      let next: number;
      try {
        next = leg.step();
      } catch (err) {
        if (!refused(err)) throw err;
        await flush(pr, dst, leg.inPipe, wait);
        return 'fallback';
      }
      if (next === END) return 'eof';
      if (next === WAIT_OUT) {
        // Only a socket says EAGAIN on output; a regular file always takes the bytes.
        if (typeof dst !== 'number') await dst.readiness.wait(POLL_OUT, wait);
      } else {
        // Woken yet still EAGAIN, again and again: something splice cannot step over.
        if (leg.idleWakes++ > 8) return 'fallback';
        if ((await src.readiness.wait(mask, wait)) & POLL_PRI) return 'fallback';
      }
    }
  } finally {
    closeSync(pr);
    closeSync(pw);
  }
}

/** Sends what is left in the pipe by copy (the kernel refused to splice it on). */
async function flush(pr: number, dst: Socket | number, n: number, wait?: WaitOptions): Promise<void> {
  if (n === 0) return;
  const rest = Buffer.allocUnsafe(n);
  for (let got = 0; got < n;) got += readSync(pr, rest, got, n - got, null); // all in the pipe already
  if (typeof dst === 'number') {
    for (let off = 0; off < n;) off += writeSync(dst, rest, off, n - off);
  } else {
    await dst.sendAll(rest, wait);
  }
}
