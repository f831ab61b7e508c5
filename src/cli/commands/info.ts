/**
 * `xsock info`: t_getinfo(3) of each XTI transport provider — address size, TSDU and
 * ETSDU limits, service type — and the kernel socket each one runs on.
 */
import { parseArgs } from 'node:util';
import { providerInfo, t_open, t_getinfo, t_close, O_RDWR, T_COTS, T_COTS_ORD, T_CLTS, T_INFINITE, T_INVALID, T_SENDZERO, type TInfo } from '../../xti/index.js';
import { UsageError } from '../usage.js';

const HELP = `usage: xsock info [--json] [PROVIDER]

t_getinfo(3) of each XTI transport provider (/dev/tcp /dev/tcp6 /dev/udp /dev/udp6
/dev/ticots /dev/ticotsord /dev/ticlts), or of PROVIDER alone: the limits an XTI
program must respect (addr, options, tsdu, etsdu, connect, discon), the service type
(T_COTS, T_COTS_ORD, T_CLTS) and the socket domain/type underneath.
`;

export async function infoCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('info takes at most one PROVIDER (xsock info --help)');
  let rows = providerInfo().map((p) => ({ ...p, info: measured(p.name) }));
  if (positionals.length === 1) {
    rows = rows.filter((r) => r.name === positionals[0]);
    if (rows.length === 0) throw new UsageError(`unknown provider '${positionals[0]}' (xsock info lists them)`);
  }
  if (values.json) {
    for (const r of rows) process.stdout.write(`${JSON.stringify({ provider: r.name, domain: r.domain, type: r.type, ...r.info, servtypeName: servtype(r.info.servtype) })}\n`);
    return 0;
  }
  const head = ['provider', 'socket', 'servtype', 'addr', 'options', 'tsdu', 'etsdu', 'connect', 'discon', 'flags'];
  const lines = rows.map((r) => [r.name, `${r.domain}/${r.type}`, servtype(r.info.servtype), ...limits(r.info), r.info.flags & T_SENDZERO ? 'T_SENDZERO' : '-']);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  for (const l of [head, ...lines]) process.stdout.write(`${l.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
  return 0;
}

/** t_open then t_getinfo: what the provider reports on a live endpoint. */
function measured(name: string): TInfo {
  const info = {} as TInfo;
  const fd = t_open(name, O_RDWR);
  try {
    t_getinfo(fd, info);
    return info;
  } finally {
    t_close(fd);
  }
}

function servtype(t: number): string {
  return t === T_COTS ? 'T_COTS' : t === T_COTS_ORD ? 'T_COTS_ORD' : t === T_CLTS ? 'T_CLTS' : String(t);
}

function limits(i: TInfo): string[] {
  const v = (n: number) => (n === T_INFINITE ? 'T_INFINITE' : n === T_INVALID ? 'T_INVALID' : String(n));
  return [v(i.addr), v(i.options), v(i.tsdu), v(i.etsdu), v(i.connect), v(i.discon)];
}
