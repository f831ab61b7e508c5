// Expedited data as Solaris XTI shows it on /dev/tcp: a receiver that asked for S_RDNORM
// only is told of urgent data (t_look: T_EXDATA), and t_rcv with a 1-byte buffer says
// T_MORE while bytes of the same arrival remain. The sender is python, with the classic
// sequence: "123", urgent "4", "56", urgent "7", "89", each a separate arrival.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as X from '../dist/xti/index.js';
import { ioctl, I_SETSIG, S_RDNORM } from '../dist/streams/index.js';
import { checkFdsAtEnd, within, python } from './helpers.js';

const {
  t_open, t_bind, t_close, t_listen, t_accept, t_rcv, t_rcvrel, t_look, t_alloc, fcntl,
  addressBytes, netbufOf, O_RDWR, O_NONBLOCK, F_GETFL, F_SETFL, T_CALL, T_ALL, T_DATA, T_EXDATA, T_ORDREL,
  T_MORE, T_EXPEDITED, TNODATA,
} = X;

checkFdsAtEnd();
const flagText = (f) => [f & T_EXPEDITED && 'T_EXPEDITED', f & T_MORE && 'T_MORE'].filter(Boolean).join('|') || '0';
const eventText = { [T_DATA]: 'T_DATA', [T_EXDATA]: 'T_EXDATA', [T_ORDREL]: 'T_ORDREL' };

test('/dev/tcp: S_RDNORM alone reports expedited data; 1-byte t_rcv gives "1 T_MORE, 2 T_MORE, 3 0"', async () => {
  const lfd = t_open('/dev/tcp', O_RDWR);
  const res = t_open('/dev/tcp', O_RDWR);
  try {
    const ret = { addr: { len: 0 }, qlen: 0 };
    t_bind(lfd, { addr: netbufOf(addressBytes('127.0.0.1:0')), qlen: 1 }, ret);
    const sender = python(`
import socket, sys, time
c = socket.create_connection(('127.0.0.1', int(sys.argv[1])), 5)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for data, flags in ((b'123', 0), (b'4', socket.MSG_OOB), (b'56', 0), (b'7', socket.MSG_OOB), (b'89', 0)):
    time.sleep(0.25)
    c.send(data, flags)
time.sleep(0.25)
c.close()
print('READY', flush=True)
`, [String(ret.addr.buf.readUInt16BE(2))]);
    const call = t_alloc(lfd, T_CALL, T_ALL);
    await within(Promise.resolve(t_listen(lfd, call)), 5000, 't_listen');
    t_accept(lfd, res, call);
    fcntl(res, F_SETFL, fcntl(res, F_GETFL) | O_NONBLOCK);

    const seen = [];
    const done = new Promise((resolve, reject) => {
      const one = Buffer.alloc(1);
      ioctl(res, I_SETSIG, S_RDNORM, () => {
        try {
          for (;;) {
            const ev = t_look(res);
            if (ev === T_ORDREL) {
              t_rcvrel(res);
              seen.push('T_ORDREL');
              ioctl(res, I_SETSIG, 0);
              resolve();
              return;
            }
            if (ev !== 0) seen.push(eventText[ev] ?? `event ${ev}`);
            const flags = { flags: 0 };
            try {
              t_rcv(res, one, 1, flags);
            } catch (err) {
              if (X.t_errno === TNODATA) return;
              throw err;
            }
            seen.push(`${one.toString()} ${flagText(flags.flags)}`);
          }
        } catch (err) {
          reject(err);
        }
      });
    });
    await within(done, 8000, 'the whole sequence and the orderly release');
    await sender.ready;
    // Each t_look event is followed by what t_rcv then read; while an arrival lasts the
    // event is T_DATA again.
    const reads = seen.filter((s) => !s.startsWith('T_'));
    assert.deepEqual(reads, ['1 T_MORE', '2 T_MORE', '3 0', '4 T_EXPEDITED', '5 T_MORE', '6 0', '7 T_EXPEDITED', '8 T_MORE', '9 0'], seen.join(', '));
    const events = seen.filter((s) => s.startsWith('T_'));
    assert.deepEqual(events.filter((e, i) => e !== events[i - 1]), ['T_DATA', 'T_EXDATA', 'T_DATA', 'T_EXDATA', 'T_DATA', 'T_ORDREL'], seen.join(', '));
  } finally {
    t_close(res);
    t_close(lfd);
  }
});
