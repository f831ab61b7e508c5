/**
 * The services database: service names <-> port numbers per protocol, read from
 * /etc/services (the "files" source of nsswitch; Debian's netbase package provides it).
 * Parsed once, on first use: the file changes with package installs, not while a
 * program runs.
 */
import { readFileSync } from 'node:fs';
import { addrinfoError, argType, intArg } from './errors.js';

/**
 * One entry, as struct servent: the official name, aliases, port, protocol name.
 * @property name s_name: the official name ('http').
 * @property aliases s_aliases: the other names ('www').
 * @property port s_port, in host order.
 * @property proto s_proto: 'tcp', 'udp' ...
 */
export interface ServiceEntry { name: string; aliases: string[]; port: number; proto: string }

/** Where the database lives (nsswitch "files"). */
export const SERVICES_PATH = '/etc/services';

interface Db { byName: Map<string, ServiceEntry[]>; byPort: Map<string, ServiceEntry[]> }
let db: Db | null = null;

/** Parses the services file format: `name port/proto [aliases...] [# comment]`. */
export function parseServices(text: string): Db {
  const byName = new Map<string, ServiceEntry[]>();
  const byPort = new Map<string, ServiceEntry[]>();
  for (const raw of text.split('\n')) {
    const words = raw.replace(/#.*/, '').trim().split(/\s+/);
    const m = words.length >= 2 ? /^(\d+)\/(\S+)$/.exec(words[1]!) : null;
    if (!m || Number(m[1]) > 65535) continue;
    const e: ServiceEntry = { name: words[0]!, aliases: words.slice(2), port: Number(m[1]), proto: m[2]! };
    for (const n of [e.name, ...e.aliases]) push(byName, n, e);
    push(byPort, String(e.port), e);
  }
  return { byName, byPort };
}

function push(map: Map<string, ServiceEntry[]>, key: string, e: ServiceEntry): void {
  const list = map.get(key);
  if (list) list.push(e);
  else map.set(key, [e]);
}

function load(syscall: string, key: string): Db {
  if (db) return db;
  try {
    db = parseServices(readFileSync(SERVICES_PATH, 'latin1'));
  } catch (err) {
    throw addrinfoError('EAI_SERVICE', syscall,
      `cannot look up service '${key}': the services database ${SERVICES_PATH} is missing (install the netbase package)`, { service: key }, err);
  }
  return db;
}

/** The first entry for `key` whose protocol matches (any protocol when proto is omitted). */
function pick(list: ServiceEntry[] | undefined, proto: string | undefined): ServiceEntry | null {
  const e = list?.find((x) => proto === undefined || x.proto === proto);
  return e ? { ...e, aliases: [...e.aliases] } : null;
}

/** getservbyname(3): the entry for a service name or alias, or null when there is none. */
export function getservbyname(name: string, proto?: string): ServiceEntry | null {
  if (typeof name !== 'string') throw argType('name', 'a string', name);
  if (proto !== undefined && typeof proto !== 'string') throw argType('proto', 'a string', proto);
  return pick(load('getservbyname', name).byName.get(name), proto);
}

/** getservbyport(3) (port in host order): the entry for a port, or null. */
export function getservbyport(port: number, proto?: string): ServiceEntry | null {
  intArg('port', port, 0, 65535);
  if (proto !== undefined && typeof proto !== 'string') throw argType('proto', 'a string', proto);
  return pick(load('getservbyport', String(port)).byPort.get(String(port)), proto);
}
