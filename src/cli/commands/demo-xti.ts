/**
 * The XTI step of `xsock demo`: an asynchronous connect. On a non-blocking endpoint
 * t_connect(3NSL) returns at once with TNODATA and the endpoint sits in T_OUTCON; the
 * program does other work (here: the server's t_listen and t_accept), t_look reports
 * T_CONNECT, and t_rcvconnect completes the connection.
 */
import {
  t_open, t_bind, t_connect, t_rcvconnect, t_listen, t_accept, t_look, t_getstate, t_getprotaddr, t_snd, t_rcv, t_close, fcntl,
  netbuf, netbufOf, addressBytes, O_RDWR, O_NONBLOCK, F_SETFL, T_OUTCON, T_DATAXFER, T_CONNECT, TNODATA, type TCall, type TBind,
} from '../../xti/index.js';

const empty = () => netbuf(0);

export async function xtiAsyncConnect(): Promise<string> {
  const opened: number[] = [];
  const open = (flags: number) => {
    const fd = t_open('/dev/tcp', flags);
    opened.push(fd);
    return fd;
  };
  try {
    const server = open(O_RDWR);
    const bound: TBind = { addr: netbuf(16), qlen: 0 };
    t_bind(server, { addr: netbufOf(addressBytes('127.0.0.1:0')), qlen: 1 }, bound);
    const client = open(O_RDWR | O_NONBLOCK);
    t_bind(client, null, null);
    const sndcall: TCall = { addr: { maxlen: bound.addr.len, len: bound.addr.len, buf: bound.addr.buf.subarray(0, bound.addr.len) }, opt: empty(), udata: empty(), sequence: 0 };
    let first = 'connected at once';
    try {
      await t_connect(client, sndcall, null);
    } catch (err) {
      if ((err as { t_errno?: number }).t_errno !== TNODATA) throw err;
      first = 'TNODATA';
    }
    if (first !== 'TNODATA') throw new Error('a non-blocking t_connect completed at once; expected TNODATA');
    if (t_getstate(client) !== T_OUTCON) throw new Error(`client state ${t_getstate(client)}, expected T_OUTCON`);
    // Meanwhile the server takes the indication on a separate endpoint.
    const call: TCall = { addr: netbuf(16), opt: empty(), udata: empty(), sequence: 0 };
    await t_listen(server, call);
    const conn = open(O_RDWR);
    t_accept(server, conn, call);
    const event = t_look(client);
    fcntl(client, F_SETFL, O_RDWR); // from here on the client's calls may wait
    await t_rcvconnect(client, null);
    if (t_getstate(client) !== T_DATAXFER) throw new Error('t_rcvconnect did not reach T_DATAXFER');
    await t_snd(client, Buffer.from('hello over XTI'), 14, 0);
    const buf = Buffer.alloc(64);
    const n = await t_rcv(conn, buf, buf.length, { flags: 0 });
    const got = buf.toString('utf8', 0, n);
    if (got !== 'hello over XTI') throw new Error(`server read '${got}'`);
    const peer: TBind = { addr: netbuf(16), qlen: 0 };
    t_getprotaddr(conn, null, peer);
    return `t_connect -> TNODATA (T_OUTCON); t_look -> ${event === T_CONNECT ? 'T_CONNECT' : event}; t_rcvconnect -> T_DATAXFER; '${got}' delivered`;
  } finally {
    for (const fd of opened) {
      try { t_close(fd); } catch { /* already closed */ }
    }
  }
}

