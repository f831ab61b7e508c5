/**
 * A plain kernel pipe, for comparing sockets with it (`xsock semantics`): the two
 * descriptors are the caller's to read, write (node:fs) and close.
 */
import { native } from '../binding.js';
import { check } from '../errors.js';
import { ensureInit, scratch } from '../readiness.js';

/** pipe2(2), non-blocking and close-on-exec: [read end, write end]. */
export function pipe(): [number, number] {
  ensureInit(); // scratch receives the pair
  check(native.pipe(), 'pipe2');
  return [scratch[0]!, scratch[1]!];
}
