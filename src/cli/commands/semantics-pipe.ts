/**
 * The pipe row of `xsock semantics`: the oldest IPC channel, measured like the sockets.
 * A pipe has no names (so nothing to send to unconnected: it is one connection from
 * birth), is a byte stream (writes merge), and has no out-of-band channel (MSG_OOB is a
 * socket flag; send(2) on a pipe is ENOTSOCK). Ordered/unduplicated/reliable come from
 * `count` numbered records through a pipe whose writer waits when it is full.
 */
import { closeSync, readSync, writeSync } from 'node:fs';
import { pipe } from '../../socket/index.js';
import type { SemanticsRow } from './semantics.js';

const REC = 8;

export function measurePipe(count: number): SemanticsRow {
  let fds: [number, number];
  try {
    fds = pipe();
  } catch (err) {
    return { domain: 'pipe', type: 'pipe', supported: false, error: (err as { code?: string }).code ?? String(err) };
  }
  const [r, w] = fds;
  try {
    const buf = Buffer.alloc(65536);
    // Boundaries: 3, 5 and 7 bytes written, read back at once.
    for (const len of [3, 5, 7]) writeSync(w, Buffer.alloc(len, len));
    const boundaries = readSync(r, buf) === 3;
    const seen: number[] = [];
    let carry = Buffer.alloc(0);
    const drain = () => {
      for (;;) {
        let n: number;
        try {
          n = readSync(r, buf);
        } catch (err) {
          if ((err as { code?: string }).code === 'EAGAIN') return;
          throw err;
        }
        const data = Buffer.concat([carry, buf.subarray(0, n)]);
        const whole = data.length - (data.length % REC);
        for (let off = 0; off < whole; off += REC) {
          const seq = data.readUInt32LE(off);
          if (((data.readUInt32LE(off + 4) ^ seq) >>> 0) === 0xffffffff) seen.push(seq);
        }
        carry = Buffer.from(data.subarray(whole));
      }
    };
    const rec = Buffer.alloc(REC);
    for (let i = 0; i < count; i++) {
      rec.writeUInt32LE(i, 0);
      rec.writeUInt32LE(~i >>> 0, 4);
      for (let off = 0; off < REC;) {
        try {
          off += writeSync(w, rec, off);
        } catch (err) {
          if ((err as { code?: string }).code !== 'EAGAIN') throw err;
          drain(); // full: the reader makes room, as a blocked writer would wait for it
        }
      }
    }
    drain();
    let ordered = true;
    const got = new Set<number>();
    for (let i = 0; i < seen.length; i++) {
      if (i > 0 && seen[i]! <= seen[i - 1]!) ordered = false;
      got.add(seen[i]!);
    }
    return {
      domain: 'pipe', type: 'pipe', supported: true, ordered, unduplicated: got.size === seen.length, reliable: got.size === count,
      connectionOriented: true, boundaries, outOfBand: false, sent: count, received: seen.length,
    };
  } finally {
    closeSync(r);
    closeSync(w);
  }
}
