#!/usr/bin/env node
// The classic XTI connectionless SIGPOLL receiver, ported in shape: t_open, t_bind, make the
// endpoint non-blocking with fcntl, ask for SIGPOLL on input with I_SETSIG, and in the
// handler loop t_rcvudata until TNODATA — one notification can stand for many messages.
//
// usage: node examples/xti-sigpoll-receiver.mjs [PROVIDER] [ADDRESS] [COUNT]
//   PROVIDER /dev/udp (default), /dev/udp6 or /dev/ticlts; ADDRESS e.g. 127.0.0.1:0 or @name.
// Prints "READY <bound address>", then one line per datagram; exits after COUNT datagrams.
import {
  t_open, t_bind, t_alloc, t_rcvudata, t_close, t_errno, t_error, fcntl, addressBytes, syncFd,
  O_RDWR, O_NONBLOCK, F_GETFL, F_SETFL, T_BIND, T_UNITDATA, T_ADDR, T_ALL, TNODATA,
} from 'xsock/xti';
import { ioctl, I_SETSIG, S_INPUT, S_HIPRI } from 'xsock/streams';

const [protocol = '/dev/udp', where = '127.0.0.1:0', count = '1'] = process.argv.slice(2);
let left = Number(count);

const fd = t_open(protocol, O_RDWR, null);

const bind = t_alloc(fd, T_BIND, T_ADDR);
/* set the bind address */
const addr = addressBytes(where);
addr.copy(bind.addr.buf);
bind.addr.len = addr.length;
t_bind(fd, bind, bind);

/* make the endpoint non-blocking */
fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
/* syncFd() checks that and pins it: t_rcvudata on sfd returns or throws, never a Promise */
const sfd = syncFd(fd);

/* request SIGPOLL when data arrives; the handler is sigpoll */
ioctl(sfd, I_SETSIG, S_INPUT | S_HIPRI, sigpoll);

console.log(`READY ${describe(bind.addr)}`);

/** @param {number} sig the S_* events that fired (the SIGPOLL handler's signal, in shape) */
function sigpoll(sig) {
  const flags = { flags: 0 };
  const ud = t_alloc(sfd, T_UNITDATA, T_ALL);
  for (;;) {
    /* initialise ud */
    ud.addr.len = 0;
    ud.udata.len = 0;
    try {
      t_rcvudata(sfd, ud, flags);
    } catch (err) {
      if (t_errno === TNODATA) break; /* no more messages */
      t_error('t_rcvudata'); /* other error conditions */
      process.exit(1);
    }
    /* process the message in ud */
    console.log(JSON.stringify({ sig, from: describe(ud.addr), data: ud.udata.buf.toString('utf8', 0, ud.udata.len), more: flags.flags }));
    if (--left <= 0) {
      t_close(sfd);
      process.exit(0);
    }
  }
}

/** @param {import('xsock/xti').Netbuf} nb an address as the provider gave it */
function describe(nb) {
  const b = nb.buf.subarray(0, nb.len);
  if (protocol === '/dev/ticlts') return `@${b.toString('latin1')}`;
  if (b.length === 16) return `${b[4]}.${b[5]}.${b[6]}.${b[7]}:${b.readUInt16BE(2)}`;
  return `[${b.subarray(8, 24).toString('hex').replace(/(.{4})(?!$)/g, '$1:')}]:${b.readUInt16BE(2)}`;
}
