/**
 * The zero-copy path of the relay between two byte-stream sockets: splice(2) from the
 * source into a pipe, then from the pipe into the destination, so the bytes never enter
 * user space (one kernel copy instead of read(2) + write(2)'s two, and no JavaScript per
 * byte). The copying pump remains the fallback: the kernel may refuse a pair (EINVAL),
 * and urgent data (MSG_OOB) stops splice at the mark, where only recv(2) steps over it.
 */
import { closeSync, readSync } from 'node:fs';
import { makePipe, trySplice } from '../splice.js';
import { POLL_IN, POLL_OUT, POLL_PRI, type WaitOptions } from '../readiness.js';
import type { Socket } from '../socket.js';
import '../transfer.js';

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
 */
export async function splicePump(src: Socket, dst: Socket, o: SplicePumpOptions): Promise<'eof' | 'fallback'> {
  const [pr, pw] = makePipe(o.size);
  try {
    const mask = o.urgent ? POLL_IN | POLL_PRI : POLL_IN;
    let idleWakes = 0;
    for (;;) {
      let n: number | null;
      try {
        n = trySplice(src, pw, o.size);
      } catch (err) {
        if ((err as { code?: string }).code === 'EINVAL') return 'fallback'; // pipe empty: nothing lost
        throw err;
      }
      if (n === null) {
        // Woken yet still EAGAIN, again and again: something splice cannot step over.
        if (idleWakes++ > 8) return 'fallback';
        if ((await src.readiness.wait(mask, o.wait)) & POLL_PRI) return 'fallback';
        continue;
      }
      idleWakes = 0;
      if (n === 0) return 'eof';
      o.onBytes(n);
      if (!(await drain(pr, dst, n, o.wait))) return 'fallback';
    }
  } finally {
    closeSync(pr);
    closeSync(pw);
  }
}

/** Splices `n` bytes out of the pipe; false when the kernel refused and they were sent by copy. */
async function drain(pr: number, dst: Socket, n: number, wait?: WaitOptions): Promise<boolean> {
  while (n > 0) {
    let k: number | null;
    try {
      k = trySplice(pr, dst, n);
    } catch (err) {
      if ((err as { code?: string }).code !== 'EINVAL') throw err;
      const rest = Buffer.allocUnsafe(n);
      for (let got = 0; got < n;) got += readSync(pr, rest, got, n - got, null); // all in the pipe already
      await dst.sendAll(rest, wait);
      return false;
    }
    if (k === null) await dst.readiness.wait(POLL_OUT, wait);
    else n -= k;
  }
  return true;
}
