/**
 * The zero-copy path of the relay between two byte-stream sockets: splice(2) from the
 * source into a pipe, then from the pipe into the destination, so the bytes never enter
 * user space (one kernel copy instead of read(2) + write(2)'s two, and no JavaScript per
 * byte). The copying pump remains the fallback: the kernel may refuse a pair (EINVAL),
 * and urgent data (MSG_OOB) stops splice at the mark, where only recv(2) steps over it.
 */
import { closeSync, readSync } from 'node:fs';
import { makePipe, trySplice, type Socket } from '../../socket/index.js';
import { POLL_IN, POLL_OUT, POLL_PRI, type WaitOptions } from '../../readiness.js';

export interface SplicePumpOptions {
  /** Pipe capacity and the most one splice moves. */
  size: number;
  /** Bounds every wait (the idle timeout). */
  wait?: WaitOptions;
  /** The source may carry urgent data: hand it to the copying pump when it shows. */
  urgent: boolean;
  /** Told every run of bytes that went through. */
  onBytes(n: number): void;
}

/**
 * Moves src -> dst until end of input ('eof') or until the copying pump must take over
 * ('fallback'); either way nothing is left in the pipe.
 *
 * Both halves run in one loop so the source keeps flowing while the destination is slow
 * (and the reverse), with one wait at a time and never a spin: an EAGAIN from the source
 * half with bytes still in the pipe may mean the pipe is full rather than the source
 * empty, so then only the destination is waited for (it has bytes to take either way).
 */
export async function splicePump(src: Socket, dst: Socket, o: SplicePumpOptions): Promise<'eof' | 'fallback'> {
  const [pr, pw] = makePipe(o.size);
  try {
    const mask = o.urgent ? POLL_IN | POLL_PRI : POLL_IN;
    let inPipe = 0;
    let ended = false;
    let idleWakes = 0;
    for (;;) {
      let inBlocked = ended || inPipe >= o.size;
      if (!inBlocked) {
        let n: number | null;
        try {
          n = trySplice(src, pw, o.size - inPipe);
        } catch (err) {
          if ((err as { code?: string }).code !== 'EINVAL') throw err;
          await drain(pr, dst, inPipe, o.wait);
          return 'fallback';
        }
        if (n === null) inBlocked = true;
        else if (n === 0) ended = true;
        else {
          inPipe += n;
          idleWakes = 0;
          o.onBytes(n);
        }
      }
      let outBlocked = inPipe === 0;
      if (!outBlocked) {
        const k = trySpliceOut(pr, dst, inPipe);
        if (k === 'refused') {
          await drain(pr, dst, inPipe, o.wait);
          return 'fallback';
        }
        if (k === null) outBlocked = true;
        else inPipe -= k;
      }
      if (ended && inPipe === 0) return 'eof';
      if (!inBlocked || !outBlocked) continue;
      if (inPipe > 0) {
        await dst.readiness.wait(POLL_OUT, o.wait);
      } else {
        // Woken yet still EAGAIN, again and again: something splice cannot step over.
        if (idleWakes++ > 8) return 'fallback';
        if ((await src.readiness.wait(mask, o.wait)) & POLL_PRI) return 'fallback';
      }
    }
  } finally {
    closeSync(pr);
    closeSync(pw);
  }
}

/** splice(2) out of the pipe: bytes moved, null on EAGAIN, 'refused' on EINVAL. */
function trySpliceOut(pr: number, dst: Socket, n: number): number | 'refused' | null {
  try {
    return trySplice(pr, dst, n);
  } catch (err) {
    if ((err as { code?: string }).code === 'EINVAL') return 'refused';
    throw err;
  }
}

/** Sends what is left in the pipe by copy (the kernel refused to splice it). */
async function drain(pr: number, dst: Socket, n: number, wait?: WaitOptions): Promise<void> {
  if (n === 0) return;
  const rest = Buffer.allocUnsafe(n);
  for (let got = 0; got < n;) got += readSync(pr, rest, got, n - got, null); // all in the pipe already
  await dst.sendAll(rest, wait);
}
