/**
 * `xsock resolve HOST SERVICE`: getaddrinfo(3) as names.ts implements it, one line (or
 * one JSON object) per result, so its answers can be compared with getent and python.
 */
import { parseArgs } from 'node:util';
import { formatAddress } from '../../address.js';
import { typeName } from '../../constants.js';
import { resolve, AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST, AI_NUMERICSERV, AI_ADDRCONFIG, type ResolveHints } from '../../names.js';
import { UsageError } from '../usage.js';

const HELP = `usage: xsock resolve [options] HOST SERVICE

getaddrinfo(3): the addresses of HOST for SERVICE, one line per address and socket type.
HOST may be a name, a numeric address or '' (with --passive: the wildcard); SERVICE a
port number or a name from /etc/services.

options:
  -4, -6              only IPv4 / only IPv6
  --type T            stream, dgram or seqpacket (default: every type)
  --protocol P        tcp, udp, sctp or a number
  --passive           AI_PASSIVE     --canonname  AI_CANONNAME   --addrconfig  AI_ADDRCONFIG
  --numeric-host      AI_NUMERICHOST --numeric-serv AI_NUMERICSERV
  --json              one JSON object per line
`;

/** Prints the getaddrinfo results; an EAI_* failure is one line and exit code 1. */
export async function resolveCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true, options: {
      '4': { type: 'boolean', short: '4' }, '6': { type: 'boolean', short: '6' }, type: { type: 'string' }, protocol: { type: 'string' },
      passive: { type: 'boolean' }, canonname: { type: 'boolean' }, addrconfig: { type: 'boolean' },
      'numeric-host': { type: 'boolean' }, 'numeric-serv': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`resolve needs HOST and SERVICE, got ${positionals.length} argument(s) (xsock resolve --help)`);
  if (values['4'] && values['6']) throw new UsageError('-4 and -6 exclude each other');
  if (values.type !== undefined && !['stream', 'dgram', 'seqpacket', 'raw'].includes(values.type)) throw new UsageError(`--type must be stream, dgram, seqpacket or raw; got '${values.type}'`);
  const hints: ResolveHints = {
    flags: (values.passive ? AI_PASSIVE : 0) | (values.canonname ? AI_CANONNAME : 0) | (values.addrconfig ? AI_ADDRCONFIG : 0)
      | (values['numeric-host'] ? AI_NUMERICHOST : 0) | (values['numeric-serv'] ? AI_NUMERICSERV : 0),
  };
  if (values['4']) hints.family = 'inet';
  if (values['6']) hints.family = 'inet6';
  if (values.type) hints.type = values.type as ResolveHints['type'];
  if (values.protocol) hints.protocol = /^\d+$/.test(values.protocol) ? Number(values.protocol) : values.protocol;
  const [host, service] = positionals;
  const list = await resolve(host === '' ? null : host, service === '' ? null : service, hints);
  for (const r of list) {
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ family: r.family, type: typeName(r.type), protocol: r.protocol, address: r.address.address, port: r.address.port, ...(r.canonname ? { canonname: r.canonname } : {}) })}\n`);
    } else {
      process.stdout.write(`${r.family.padEnd(6)} ${typeName(r.type).padEnd(10)} ${String(r.protocol).padEnd(4)} ${formatAddress(r.address)}${r.canonname ? `  ${r.canonname}` : ''}\n`);
    }
  }
  return 0;
}
