/**
 * Interface names <-> indexes for the address codec, read from sysfs like the IPv6 scope
 * ids in ipv6.ts: the codec sits below the socket layer and so cannot reach the shim.
 * (`ip netns exec` mounts the namespace's own /sys; the socket layer's ifNameToIndex and
 * ifIndexToName ask the kernel directly.)
 */
import { readFileSync, readdirSync } from 'node:fs';

const SYS = '/sys/class/net';

/** The index of interface `name`, or null when there is none. */
export function interfaceIndex(name: string): number | null {
  if (!/^[^/\0]{1,15}$/.test(name) || name === '.' || name === '..') return null;
  try {
    const n = Number(readFileSync(`${SYS}/${name}/ifindex`, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** The name of interface `index`, or null when there is none. */
export function interfaceName(index: number): string | null {
  let names: string[];
  try {
    names = readdirSync(SYS);
  } catch {
    return null;
  }
  return names.find((n) => interfaceIndex(n) === index) ?? null;
}
