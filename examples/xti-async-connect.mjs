#!/usr/bin/env node
// The classic XTI asynchronous connect, ported in shape: a non-blocking endpoint starts the
// connect with t_connect (which fails TNODATA: the request is in progress), is told when
// the connection is confirmed (I_SETSIG S_OUTPUT), and completes it with t_rcvconnect.
//
// usage: node examples/xti-async-connect.mjs HOST:PORT [MESSAGE]
// Sends MESSAGE and releases (t_sndrel); prints the reply as "REPLY <text>" at the
// server's release.
import {
  t_open, t_bind, t_alloc, t_connect, t_rcvconnect, t_snd, t_rcv, t_sndrel, t_rcvrel, t_look, t_close,
  t_errno, t_error, addressBytes, syncFd, O_RDWR, O_NONBLOCK, T_CALL, T_ADDR, TNODATA, TLOOK, T_DATA, T_ORDREL,
} from 'xsock/xti';
import { ioctl, I_SETSIG, S_INPUT, S_OUTPUT } from 'xsock/streams';

const [server, message = 'hello'] = process.argv.slice(2);

/* establish a non-blocking endpoint; syncFd() checks and pins its mode, so calls that may
   wait are typed as returning their result, not a Promise */
const fd = syncFd(t_open('/dev/tcp', O_RDWR | O_NONBLOCK, null));
t_bind(fd, null, null);

const call = t_alloc(fd, T_CALL, T_ADDR);
/* initialise the call structure */
const addr = addressBytes(server);
addr.copy(call.addr.buf);
call.addr.len = addr.length;
try {
  t_connect(fd, call, call);
} catch {
  if (t_errno !== TNODATA) { t_error('t_connect'); process.exit(1); }
}
/* the connect request now proceeds asynchronously */

/* receive notification that the connection was accepted */
ioctl(fd, I_SETSIG, S_OUTPUT, () => {
  try {
    t_rcvconnect(fd, call);
  } catch {
    if (t_errno === TNODATA) return; /* not yet */
    t_error('t_rcvconnect');
    process.exit(1);
  }
  console.log('CONNECTED');
  ioctl(fd, I_SETSIG, S_INPUT, onInput);
  t_snd(fd, Buffer.from(message), Buffer.byteLength(message), 0);
  t_sndrel(fd); /* orderly release: the server answers, then releases too */
});

let reply = '';
function onInput() {
  const buf = Buffer.alloc(1024);
  for (;;) {
    const ev = t_look(fd);
    if (ev === T_ORDREL) {
      t_rcvrel(fd);
      console.log(`REPLY ${reply}`);
      t_close(fd);
      process.exit(0);
    }
    if (ev !== T_DATA) return;
    let n;
    try {
      n = t_rcv(fd, buf, buf.length, { flags: 0 });
    } catch {
      if (t_errno === TLOOK) continue; /* an event came in after t_look: look again */
      t_error('t_rcv');
      process.exit(1);
    }
    reply += buf.toString('utf8', 0, n);
  }
}
