/**
 * IPv6 text <-> 16 bytes (inet_pton / inet_ntop for AF_INET6), since Node exposes
 * neither. Formatting follows RFC 5952 (longest zero run compressed, lower case,
 * IPv4-mapped addresses in dotted form).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { readFileSync } from 'node:fs';

/** inet_pton(AF_INET6): null when `text` is not an IPv6 address. */
export function parseIPv6(text: string): Buffer | null {
  if (!isIPv6(text)) return null;
  const out = Buffer.alloc(16);
  let s = text;
  // A trailing dotted quad stands for the last two groups.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  let extra: number[] = [];
  if (isIPv4(tail)) {
    const o = tail.split('.').map(Number);
    extra = [(o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!];
    s = s.slice(0, lastColon + 1) + '0';
  }
  const [head, rest] = s.includes('::') ? s.split('::') : [s, undefined];
  const hg = head ? head.split(':') : [];
  const rg = rest === undefined ? [] : rest ? rest.split(':') : [];
  if (extra.length) (rest === undefined ? hg : rg).pop();
  const groups = [...hg.map((g) => parseInt(g, 16))];
  const back = [...rg.map((g) => parseInt(g, 16)), ...extra];
  if (rest === undefined) groups.push(...back);
  else {
    while (groups.length + back.length < 8) groups.push(0);
    groups.push(...back);
  }
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** inet_ntop(AF_INET6). */
export function formatIPv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/**
 * The scope of a link-local address (`fe80::1%eth0`, `%2`): a decimal interface index, or
 * an interface name looked up like if_nametoindex(3) (through sysfs). null when the name
 * names no interface or the number is out of range.
 */
export function scopeIdOf(text: string): number | null {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n <= 0xffffffff ? n : null;
  }
  if (!/^[^/\0]{1,15}$/.test(text) || text === '.' || text === '..') return null;
  try {
    const n = Number(readFileSync(`/sys/class/net/${text}/ifindex`, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}
