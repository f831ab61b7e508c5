#!/usr/bin/env node
// A TLI daytime client that names neither a device nor an address: network selection
// picks the transport (getnetconfigent("tcp")), name-to-address mapping turns host and
// service into its addresses (netdir_getbyname), and each address is tried in turn, as
// the transport-independent clients of the TLI era did.
//
// usage: node examples/xti-netdir-daytime.mjs HOST [SERVICE]     (SERVICE: daytime)
// Prints "server UADDR" (the universal address reached) and the server's text.
import {
  getnetconfigent, nc_perror, netdir_getbyname, netdir_perror, taddr2uaddr, netdir_free, ND_ADDRLIST,
  t_open, t_bind, t_alloc, t_connect, t_rcv, t_rcvrel, t_close, t_errno, t_error,
  O_RDWR, T_CALL, T_ADDR, TLOOK,
} from 'xsock/xti';

const [host, service = 'daytime'] = process.argv.slice(2);
if (!host) {
  console.error('usage: xti-netdir-daytime HOST [SERVICE]');
  process.exit(2);
}

const nconf = getnetconfigent('tcp');
if (!nconf) { nc_perror('tcp'); process.exit(1); }

let addrs;
try {
  addrs = await netdir_getbyname(nconf, { h_host: host, h_serv: service });
} catch {
  netdir_perror('netdir_getbyname');
  process.exit(1);
}

let fd = -1;
for (const addr of addrs.n_addrs) {
  fd = t_open(nconf.nc_device, O_RDWR, null);
  t_bind(fd, null, null);
  const call = t_alloc(fd, T_CALL, T_ADDR);
  addr.buf.copy(call.addr.buf, 0, 0, addr.len);
  call.addr.len = addr.len;
  try {
    await t_connect(fd, call, null);
    console.log(`server ${taddr2uaddr(nconf, addr)}`);
    break;
  } catch {
    t_close(fd); /* refused or unreachable: try the next address */
    fd = -1;
  }
}
netdir_free(addrs, ND_ADDRLIST);
if (fd < 0) {
  console.error(`${host}: no address of ${service} answered`);
  process.exit(1);
}

const buf = Buffer.alloc(256);
let text = '';
for (;;) {
  try {
    const n = await t_rcv(fd, buf, buf.length, { flags: 0 });
    text += buf.toString('latin1', 0, n);
  } catch {
    if (t_errno !== TLOOK) { t_error('t_rcv'); process.exit(1); }
    break; /* the server's orderly release: the whole answer is in */
  }
}
try { t_rcvrel(fd); } catch { /* a disconnect instead of a release ends it too */ }
process.stdout.write(text);
t_close(fd);
