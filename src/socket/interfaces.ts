/**
 * Network interface names <-> indexes, for packet addresses and IPv6 scope ids. The
 * answers are the calling thread's network namespace (sysfs may show another one).
 */
import { native } from '../binding.js';
import { constants as C } from '../constants.js';
import { XsockError, argType, intArg, systemError } from '../errors.js';

const nameBuf = Buffer.alloc(C.IF_NAMESIZE);

/** if_nametoindex(3): the index of interface `name`; ERR_XSOCK_INVALID_ARG_VALUE (ENODEV in cause) when none has it. */
export function ifNameToIndex(name: string): number {
  if (typeof name !== 'string') throw argType('name', 'a string', name);
  const bytes = Buffer.from(`${name}\0`, 'utf8');
  if (name === '' || bytes.length > C.IF_NAMESIZE || bytes.indexOf(0) !== bytes.length - 1) {
    throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "name" argument is not an interface name (1..${C.IF_NAMESIZE - 1} bytes, no NUL): ${JSON.stringify(name)}`);
  }
  const rc = native.ifNameToIndex(bytes);
  if (rc < 0) {
    throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "name" argument names no interface in this network namespace: ${name}`,
      { cause: systemError(rc, 'if_nametoindex', name) });
  }
  return rc;
}

/** if_indextoname(3): the name of interface `index`, or null when there is none. */
export function ifIndexToName(index: number): string | null {
  intArg('index', index, 0, 0xffffffff);
  const rc = native.ifIndexToName(index, nameBuf);
  if (rc < 0) return null;
  return nameBuf.toString('utf8', 0, rc);
}
