// The records both sides of the integrity part agree on without sending them twice:
// record `seq` has a length and bytes derived from the seed, and carries seq + crc32.
import { crc32 } from 'node:zlib';
import { prng } from './lib.js';

export const POOL_SIZE = 1 << 20;

/** A pool of pseudo-random bytes both processes build from the same seed. */
export function pool(seed) {
  const r = prng(seed);
  const b = Buffer.allocUnsafe(POOL_SIZE + 65536);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE(Math.floor(r() * 2 ** 32), i);
  return b;
}

/** The payload bytes of record seq. */
export function payloadOf(p, seq, len) {
  const off = (Math.imul(seq, 40503) >>> 0) % POOL_SIZE;
  return p.subarray(off, off + len);
}

/** A seqpacket record: [u32 seq][u32 crc32(payload)][payload]. */
export function record(p, seq, max) {
  const len = (Math.imul(seq ^ 0x5bd1e995, 2654435761) >>> 0) % (max + 1);
  const body = payloadOf(p, seq, len);
  const h = Buffer.allocUnsafe(8);
  h.writeUInt32LE(seq, 0);
  h.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([h, body]);
}

/** Every how many records an empty one follows (when empties are on). */
export const EMPTY_EVERY = 97;

export { crc32 };
