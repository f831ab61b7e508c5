/**
 * Universal addresses, the printable form of transport addresses that rpcbind passes
 * around (taddr2uaddr/uaddr2taddr in netdir.ts): `h1.h2.h3.h4.p1.p2` and `x:x::x.p1.p2`
 * for inet and inet6 (port high byte, low byte), and for loopback transports the address
 * bytes with `\` doubled and unprintable bytes as `\ooo`. Pure codecs: no netconfig,
 * no _nderror.
 */

/** `HOST.p1.p2`: the universal address of an inet or inet6 host and port. */
export function inetUaddr(host: string, port: number): string {
  return `${host}.${port >> 8}.${port & 255}`;
}

/** The host and port of `HOST.p1.p2`, or null when the two port bytes are missing or out of range. */
export function parseInetUaddr(uaddr: string): { host: string; port: number } | null {
  const m = /^(.+)\.(\d{1,3})\.(\d{1,3})$/.exec(uaddr);
  if (!m || Number(m[2]) > 255 || Number(m[3]) > 255) return null;
  return { host: m[1]!, port: Number(m[2]) * 256 + Number(m[3]) };
}

/** Loopback addresses are strings: `\` doubled, newline and unprintable bytes as \ooo. */
export function loopbackUaddr(b: Uint8Array): string {
  let out = '';
  for (const c of b) {
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a || c < 0x20 || c > 0x7e) out += `\\${c.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(c);
  }
  return out;
}

/** The bytes of a loopback universal address, or null when its escapes are malformed. */
export function loopbackTaddr(s: string): Buffer | null {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return null;
    if (c !== 0x5c) {
      out.push(c);
      continue;
    }
    if (s[i + 1] === '\\') {
      out.push(0x5c);
      i++;
      continue;
    }
    const oct = s.slice(i + 1, i + 4);
    if (!/^[0-3][0-7]{2}$/.test(oct)) return null;
    out.push(parseInt(oct, 8));
    i += 3;
  }
  return Buffer.from(out);
}
