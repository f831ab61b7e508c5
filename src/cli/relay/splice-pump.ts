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

/** Default chunk when neither end is a socket with a configured size. */
const FILE_CHUNK = 1 << 20;

/**
 * Moves src -> dst until end of input ('eof') or until the copying pump must take over
 * ('fallback', with nothing left in between), or until `stop` (the relay closing its
 * channels: a file descriptor number must not be used once closed). `onBytes` hears every
 * run that went through.
 */
export async function splicePump(src: ZeroCopyEnd, dst: ZeroCopyEnd, stop: AbortSignal, onBytes: (n: number) => void): Promise<Outcome> {
  const size = src.kind === 'socket' ? src.size : dst.kind === 'socket' ? dst.size : FILE_CHUNK;
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

/**
 * splice(2) socket -> pipe -> socket or file. Both halves run in one loop so the source
 * keeps flowing while the destination is slow (and the reverse), with one wait at a time
 * and never a spin: an EAGAIN from the source half with bytes still in the pipe may mean
 * the pipe is full rather than the source empty, so then only the destination is waited
 * for (it has bytes to take either way).
 */
async function throughPipe(src: Socket, urgent: boolean, dst: Socket | number, size: number,
  wait: WaitOptions | undefined, stop: AbortSignal, onBytes: (n: number) => void): Promise<Outcome> {
  const [pr, pw] = makePipe(size);
  try {
    const mask = urgent ? POLL_IN | POLL_PRI : POLL_IN;
    let inPipe = 0;
    let ended = false;
    let idleWakes = 0;
    for (;;) {
      if (stop.aborted) return 'fallback';
      let inBlocked = ended || inPipe >= size;
      if (!inBlocked) {
        let n: number | null;
        try {
          n = trySplice(src, pw, size - inPipe);
        } catch (err) {
          if (!refused(err)) throw err;
          await flush(pr, dst, inPipe, wait);
          return 'fallback';
        }
        if (n === null) inBlocked = true;
        else if (n === 0) ended = true;
        else {
          inPipe += n;
          idleWakes = 0;
          onBytes(n);
        }
      }
      let outBlocked = inPipe === 0;
      if (!outBlocked) {
        let k: number | null;
        try {
          k = trySplice(pr, dst, inPipe);
        } catch (err) {
          if (!refused(err)) throw err;
          await flush(pr, dst, inPipe, wait);
          return 'fallback';
        }
        if (k === null) outBlocked = true;
        else inPipe -= k;
      }
      if (ended && inPipe === 0) return 'eof';
      if (!inBlocked || !outBlocked) continue;
      if (inPipe > 0) {
        // Only a socket says EAGAIN on output; a regular file always takes the bytes.
        if (typeof dst !== 'number') await dst.readiness.wait(POLL_OUT, wait);
      } else {
        // Woken yet still EAGAIN, again and again: something splice cannot step over.
        if (idleWakes++ > 8) return 'fallback';
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
