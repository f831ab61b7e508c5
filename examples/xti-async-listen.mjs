#!/usr/bin/env node
// The classic XTI asynchronous listen, ported in shape: a non-blocking endpoint bound to the
// service address is told a connect request arrived (I_SETSIG S_INPUT), takes it with
// t_listen, and accepts it with t_accept onto a separately opened, non-blocking
// responding endpoint — which then serves the connection (echoes it in upper case).
//
// usage: node examples/xti-async-listen.mjs [PROVIDER] [ADDRESS]
// Prints "READY <port or name>", "ACCEPTED seq=N", then "DONE <text>" when released.
import {
  t_open, t_bind, t_alloc, t_listen, t_accept, t_rcv, t_snd, t_look, t_rcvrel, t_sndrel, t_close,
  t_errno, t_error, addressBytes, syncFd, O_RDWR, O_NONBLOCK, T_BIND, T_CALL, T_ALL, T_ADDR, TNODATA, TLOOK,
  T_DATA, T_ORDREL,
} from 'xsock/xti';
import { ioctl, I_SETSIG, S_INPUT } from 'xsock/streams';

const [protocol = '/dev/tcp', where = '127.0.0.1:0'] = process.argv.slice(2);

/* establish a non-blocking endpoint; syncFd() checks and pins its mode, so calls that may
   wait are typed as returning their result, not a Promise */
const fd = syncFd(t_open(protocol, O_RDWR | O_NONBLOCK, null));
const bind = t_alloc(fd, T_BIND, T_ADDR);
const a = addressBytes(where);
a.copy(bind.addr.buf);
bind.addr.len = a.length;
bind.qlen = 5;
t_bind(fd, bind, bind);
const b = bind.addr.buf.subarray(0, bind.addr.len);
console.log(`READY ${protocol.startsWith('/dev/tic') ? b.toString('latin1') : b.readUInt16BE(2)}`);

/* receive notification that a connect request arrived */
ioctl(fd, I_SETSIG, S_INPUT, () => {
  const call = t_alloc(fd, T_CALL, T_ALL);
  try {
    t_listen(fd, call);
  } catch {
    if (t_errno === TNODATA) return;
    t_error('t_listen');
    process.exit(1);
  }
  /* decide whether to accept the connection */
  const res_fd = syncFd(t_open(protocol, O_RDWR | O_NONBLOCK, null)); /* a non-blocking responding endpoint */
  t_accept(fd, res_fd, call);
  console.log(`ACCEPTED seq=${call.sequence}`);
  serve(res_fd);
});

/** @param {import('xsock/xti').SyncFd} res_fd the accepted connection's endpoint */
function serve(res_fd) {
  let text = '';
  const buf = Buffer.alloc(1024);
  const drain = () => {
    for (;;) {
      const ev = t_look(res_fd);
      if (ev === T_ORDREL) {
        t_rcvrel(res_fd);
        const out = Buffer.from(text.toUpperCase());
        t_snd(res_fd, out, out.length, 0);
        t_sndrel(res_fd);
        console.log(`DONE ${text}`);
        t_close(res_fd);
        t_close(fd);
        process.exit(0);
      }
      if (ev !== T_DATA) return;
      let n;
      try {
        n = t_rcv(res_fd, buf, buf.length, { flags: 0 });
      } catch {
        if (t_errno === TLOOK) continue; /* an event came in after t_look: look again */
        t_error('t_rcv');
        process.exit(1);
      }
      text += buf.toString('utf8', 0, n);
    }
  };
  ioctl(res_fd, I_SETSIG, S_INPUT, drain);
  drain();
}
