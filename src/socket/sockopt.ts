/**
 * setsockopt(2) and getsockopt(2) through the one option table (options.ts): values typed
 * by the table, or raw Buffers for options it does not know.
 */
import { native } from '../binding.js';
import { check, intArg } from '../errors.js';
import type { SocketCore } from './core.js';
import { lookupOption, encodeOption, decodeOption } from './options.js';

const optBuf = Buffer.alloc(256);

/** setsockopt(2). */
export function setsockopt(c: SocketCore, level: unknown, name: unknown, value: unknown): void {
  const fd = c.live();
  const spec = lookupOption(level, name);
  const len = encodeOption(spec, value, optBuf);
  check(native.setsockopt(fd, spec.level, spec.optname, optBuf, len), 'setsockopt');
  // Receives size their control buffers by what the socket was asked to attach.
  if (spec.name === 'SO_PASSCRED') c.passcred = optBuf.readInt32LE(0) !== 0;
  else if (spec.name === 'SO_PASSPIDFD') c.passpidfd = optBuf.readInt32LE(0) !== 0;
}

/** getsockopt(2): the typed value, or a Buffer of up to `length` bytes when asked for. */
export function getsockopt(c: SocketCore, level: unknown, name: unknown, length?: unknown): unknown {
  const fd = c.live();
  const spec = lookupOption(level, name);
  const size = length === undefined ? optBuf.length : intArg('length', length, 0, optBuf.length);
  optBuf.fill(0, 0, size);
  const len = check(native.getsockopt(fd, spec.level, spec.optname, optBuf.subarray(0, size)), 'getsockopt');
  if (length !== undefined) return Buffer.from(optBuf.subarray(0, Math.min(len, size)));
  return decodeOption(spec, optBuf, len);
}
