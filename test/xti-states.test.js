// XTI state machine and error table: every transition walked on real sockets, every
// illegal call -> TOUTSTATE, and the t_errno values each call can produce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as X from '../dist/xti/index.js';
import { checkFdsAtEnd, within, abstractName } from './helpers.js';

const {
  t_open, t_bind, t_unbind, t_close, t_alloc, t_free, t_connect, t_rcvconnect, t_listen, t_accept, t_snd, t_rcv,
  t_snddis, t_rcvdis, t_sndrel, t_rcvrel, t_sndudata, t_rcvudata, t_rcvuderr, t_look, t_getstate, t_getinfo,
  t_getprotaddr, t_optmgmt, t_strerror, t_sysconf, t_sndv, t_rcvv, t_sndreldata, t_rcvreldata, t_sync, fcntl,
  netbufOf, addressBytes, encodeOptions, decodeOptions, legalStates, providerInfo,
  O_RDWR, O_NONBLOCK, F_GETFL, F_SETFL, T_BIND, T_CALL, T_DIS, T_UNITDATA, T_UDERROR, T_OPTMGMT, T_INFO, T_ALL,
  T_ADDR, T_UNBND, T_IDLE, T_OUTCON, T_INCON, T_DATAXFER, T_OUTREL, T_INREL, T_MORE, T_EXPEDITED,
  T_LISTEN, T_CONNECT, T_DATA, T_DISCONNECT, T_ORDREL, T_UDERR, T_CURRENT, T_NEGOTIATE, T_CHECK, T_DEFAULT,
  T_SUCCESS, T_FAILURE, T_READONLY, T_NOTSUPPORT, T_YES, T_NO, XTI_GENERIC, XTI_SNDBUF, XTI_LINGER, INET_TCP,
  TCP_NODELAY, TCP_MAXSEG, INET_UDP, _SC_T_IOV_MAX, T_IOV_MAX, T_COTS_ORD, T_CLTS, T_COTS, T_INFINITE, T_INVALID,
} = X;

checkFdsAtEnd();

/** Asserts `fn` fails (throws or rejects) with t_errno `terr`; also checks the live t_errno. */
async function fails(terr, fn) {
  let err;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${X.t_errnoNames[terr]}, but the call succeeded`);
  assert.equal(err.t_errno, terr, `expected ${X.t_errnoNames[terr]}, got ${err.t_errno ? X.t_errnoNames[err.t_errno] : err.message}`);
  assert.equal(X.t_errno, terr, 'module t_errno is set');
  assert.equal(err.name, 'TError');
  return err;
}

const opened = [];
function open(p, flags = O_RDWR) {
  const fd = t_open(p, flags);
  opened.push(fd);
  return fd;
}
function closeAll() {
  while (opened.length) {
    try { t_close(opened.pop()); } catch { /* already closed by the test */ }
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(fd, event, ms = 3000) {
  const end = Date.now() + ms;
  for (;;) {
    const ev = t_look(fd);
    if (ev === event) return;
    if (Date.now() > end) throw new Error(`timed out waiting for event ${event}, last ${ev}`);
    await sleep(5);
  }
}

/** A listener on provider p with qlen, returns { lfd, addr }. */
function listener(p, qlen = 4, name) {
  const lfd = open(p);
  const req = t_alloc(lfd, T_BIND, T_ALL);
  if (name) { const b = Buffer.from(name); b.copy(req.addr.buf); req.addr.len = b.length; }
  req.qlen = qlen;
  const ret = t_alloc(lfd, T_BIND, T_ALL);
  t_bind(lfd, req, ret);
  return { lfd, addr: Buffer.from(ret.addr.buf.subarray(0, ret.addr.len)), qlen: ret.qlen };
}
function callTo(fd, addr) {
  const c = t_alloc(fd, T_CALL, T_ADDR);
  addr.copy(c.addr.buf);
  c.addr.len = addr.length;
  return c;
}
/** A connected pair on provider p: { cfd, sfd, lfd }. */
async function connected(p) {
  const { lfd, addr } = listener(p);
  const cfd = open(p);
  t_bind(cfd, null, null);
  const pc = t_connect(cfd, callTo(cfd, addr), null);
  const call = t_alloc(lfd, T_CALL, T_ALL);
  await within(t_listen(lfd, call), 3000, 't_listen');
  const sfd = open(p);
  t_accept(lfd, sfd, call);
  await within(pc, 3000, 't_connect');
  return { cfd, sfd, lfd };
}

test('constants and texts have the Solaris/XNS values', () => {
  assert.deepEqual([X.TBADADDR, X.TOUTSTATE, X.TSYSERR, X.TLOOK, X.TNODATA, X.TBADNAME, X.TQFULL, X.TPROTO], [1, 6, 8, 9, 13, 21, 28, 29]);
  assert.deepEqual([T_LISTEN, T_CONNECT, T_DATA, X.T_EXDATA, T_DISCONNECT, T_UDERR, T_ORDREL], [1, 2, 4, 8, 0x10, 0x40, 0x80]);
  assert.deepEqual([X.T_UNINIT, T_UNBND, T_IDLE, T_OUTCON, T_INCON, T_DATAXFER, T_OUTREL, T_INREL], [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(t_strerror(X.TNODATA), 'No message currently available');
  assert.equal(t_strerror(X.TLOOK), 'An event requires attention');
  assert.equal(t_strerror(99), '99: error unknown');
  assert.equal(t_sysconf(_SC_T_IOV_MAX), T_IOV_MAX);
});

test('t_open: providers, t_info, TBADNAME, TBADFLAG', async () => {
  const info = {};
  const fd = open('/dev/tcp', O_RDWR);
  t_getinfo(fd, info);
  assert.deepEqual(info, { addr: 16, options: 512, tsdu: 0, etsdu: T_INFINITE, connect: T_INVALID, discon: T_INVALID, servtype: T_COTS_ORD, flags: 0 });
  const u = {};
  open('/dev/udp6', O_RDWR, u);
  const fu = open('/dev/udp');
  t_getinfo(fu, u);
  assert.equal(u.servtype, T_CLTS);
  assert.equal(u.tsdu, 65507);
  assert.equal(u.flags & X.T_SENDZERO, X.T_SENDZERO);
  const names = providerInfo().map((p) => p.name);
  assert.deepEqual(names, ['/dev/tcp', '/dev/tcp6', '/dev/udp', '/dev/udp6', '/dev/ticots', '/dev/ticotsord', '/dev/ticlts']);
  assert.equal(providerInfo().find((p) => p.name === '/dev/ticots').info.servtype, T_COTS);
  assert.equal(t_getstate(fd), T_UNBND);
  await fails(X.TBADNAME, () => t_open('/dev/nosuch', O_RDWR));
  await fails(X.TBADFLAG, () => t_open('/dev/tcp', 0));
  await fails(X.TBADFLAG, () => t_open('/dev/tcp', O_RDWR | 0x40000000));
  closeAll();
});

test('TBADF: closed, never opened, and non-XTI descriptors', async () => {
  const fd = t_open('/dev/tcp', O_RDWR);
  t_close(fd);
  await fails(X.TBADF, () => t_getstate(fd));
  await fails(X.TBADF, () => t_close(fd));
  await fails(X.TBADF, () => t_look(0));
  await fails(X.TBADF, () => t_rcv(1, Buffer.alloc(1), 1));
  await fails(X.TBADF, () => t_bind('x', null, null));
});

test('state table: illegal calls give TOUTSTATE in each state', async () => {
  const p = '/dev/tcp';
  const buf = Buffer.alloc(4);
  const fd = open(p);
  // T_UNBND
  await fails(X.TOUTSTATE, () => t_unbind(fd));
  await fails(X.TOUTSTATE, () => t_connect(fd, callTo(fd, addressBytes('127.0.0.1:9')), null));
  await fails(X.TOUTSTATE, () => t_listen(fd, t_alloc(fd, T_CALL, T_ALL)));
  await fails(X.TOUTSTATE, () => t_snd(fd, buf, 1));
  await fails(X.TOUTSTATE, () => t_rcv(fd, buf, 1));
  await fails(X.TOUTSTATE, () => t_rcvconnect(fd, null));
  await fails(X.TOUTSTATE, () => t_snddis(fd, null));
  await fails(X.TOUTSTATE, () => t_rcvdis(fd, null));
  await fails(X.TOUTSTATE, () => t_sndrel(fd));
  await fails(X.TOUTSTATE, () => t_rcvrel(fd));
  // T_IDLE
  t_bind(fd, null, null);
  assert.equal(t_getstate(fd), T_IDLE);
  await fails(X.TOUTSTATE, () => t_bind(fd, null, null));
  await fails(X.TOUTSTATE, () => t_snd(fd, buf, 1));
  await fails(X.TOUTSTATE, () => t_rcv(fd, buf, 1));
  await fails(X.TOUTSTATE, () => t_accept(fd, fd, t_alloc(fd, T_CALL, T_ALL)));
  await fails(X.TOUTSTATE, () => t_sndrel(fd));
  await fails(X.TOUTSTATE, () => t_snddis(fd, null));
  t_unbind(fd);
  assert.equal(t_getstate(fd), T_UNBND);
  // connection states
  const { cfd, sfd } = await connected(p);
  assert.equal(t_getstate(cfd), T_DATAXFER);
  await fails(X.TOUTSTATE, () => t_connect(cfd, callTo(cfd, addressBytes('127.0.0.1:9')), null));
  await fails(X.TOUTSTATE, () => t_unbind(cfd));
  await fails(X.TOUTSTATE, () => t_rcvconnect(cfd, null));
  await fails(X.TOUTSTATE, () => t_listen(cfd, t_alloc(cfd, T_CALL, T_ALL)));
  t_sndrel(cfd);
  assert.equal(t_getstate(cfd), T_OUTREL);
  await fails(X.TOUTSTATE, () => t_snd(cfd, buf, 1));
  await fails(X.TOUTSTATE, () => t_sndrel(cfd));
  await until(sfd, T_ORDREL);
  t_rcvrel(sfd);
  assert.equal(t_getstate(sfd), T_INREL);
  await fails(X.TOUTSTATE, () => t_rcv(sfd, buf, 1));
  await fails(X.TOUTSTATE, () => t_rcvrel(sfd));
  t_sndrel(sfd);
  assert.equal(t_getstate(sfd), T_IDLE);
  await until(cfd, T_ORDREL);
  t_rcvrel(cfd);
  assert.equal(t_getstate(cfd), T_IDLE);
  // the legal-state table covers every XTI call that checks state
  for (const name of ['t_bind', 't_connect', 't_listen', 't_accept', 't_snd', 't_rcv', 't_sndudata', 't_rcvudata']) assert.ok(legalStates[name].length > 0);
  closeAll();
});

for (const p of ['/dev/tcp', '/dev/tcp6', '/dev/ticotsord', '/dev/ticots']) {
  test(`${p}: listen/accept with several indications, TQFULL, TINDOUT, TRESQLEN, TBADSEQ, snddis/rcvdis in T_INCON`, async () => {
    const { lfd, addr, qlen } = listener(p, 2);
    assert.equal(qlen, 2);
    const clients = [open(p), open(p), open(p)];
    const pending = [];
    for (const c of clients) {
      t_bind(c, null, null);
      fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK);
      assert.equal(fcntl(c, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
      await fails(X.TNODATA, () => t_connect(c, callTo(c, addr), null));
      assert.equal(t_getstate(c), T_OUTCON);
      pending.push(c);
    }
    await until(lfd, T_LISTEN);
    const c1 = t_alloc(lfd, T_CALL, T_ALL);
    const c2 = t_alloc(lfd, T_CALL, T_ALL);
    await within(t_listen(lfd, c1), 3000, 'listen 1');
    assert.equal(t_getstate(lfd), T_INCON);
    await within(t_listen(lfd, c2), 3000, 'listen 2');
    assert.notEqual(c1.sequence, c2.sequence);
    await fails(X.TQFULL, () => t_listen(lfd, t_alloc(lfd, T_CALL, T_ALL)));
    await fails(X.TINDOUT, () => t_accept(lfd, lfd, c1));
    const busy = listener(p, 1);
    await fails(X.TRESQLEN, () => t_accept(lfd, busy.lfd, c1));
    const other = open(p === '/dev/tcp' ? '/dev/tcp6' : '/dev/tcp');
    await fails(X.TPROVMISMATCH, () => t_accept(lfd, other, c1));
    const res = open(p);
    await fails(X.TBADSEQ, () => t_accept(lfd, res, { ...c1, sequence: 999 }));
    await fails(X.TBADSEQ, () => t_snddis(lfd, { ...c1, sequence: 999 }));
    // reject the second indication: ocnt 2 -> 1, still T_INCON
    t_snddis(lfd, c2);
    assert.equal(t_getstate(lfd), T_INCON);
    t_accept(lfd, res, c1);
    assert.equal(t_getstate(res), T_DATAXFER);
    // ocnt was 1: the listener returns to T_IDLE
    assert.equal(t_getstate(lfd), T_IDLE);
    // the accepted client completes asynchronously
    const accepted = [];
    for (const c of pending) {
      try { t_rcvconnect(c, null); accepted.push(c); } catch (e) { assert.ok([X.TNODATA, X.TLOOK].includes(e.t_errno)); }
    }
    assert.ok(accepted.length >= 1, 'at least the accepted client is connected');
    // the third connection is still queued: listen -> accept onto the listener itself
    const c3 = t_alloc(lfd, T_CALL, T_ALL);
    await within(t_listen(lfd, c3), 3000, 'listen 3');
    t_accept(lfd, lfd, c3);
    assert.equal(t_getstate(lfd), T_DATAXFER);
    closeAll();
  });

  test(`${p}: data, events and disconnect`, async () => {
    const { cfd, sfd } = await connected(p);
    const got = Buffer.alloc(64);
    await t_snd(cfd, Buffer.from('abc'), 3, 0);
    await until(sfd, T_DATA);
    const fl = { flags: -1 };
    const n = await within(t_rcv(sfd, got, 64, fl), 3000, 't_rcv');
    assert.equal(got.toString('utf8', 0, n), 'abc');
    assert.equal(fl.flags, 0);
    // non-blocking with nothing queued: TNODATA
    fcntl(sfd, F_SETFL, O_NONBLOCK);
    await fails(X.TNODATA, () => t_rcv(sfd, got, 64, fl));
    await fails(X.TBADFLAG, () => t_snd(cfd, Buffer.from('x'), 1, 0x1000));
    if (p !== '/dev/ticots') await fails(X.TBADDATA, () => t_snd(cfd, Buffer.alloc(0), 0, 0));
    // vector forms
    await t_sndv(cfd, [{ iov_base: Buffer.from('12'), iov_len: 2 }, { iov_base: Buffer.from('345'), iov_len: 3 }], 2, 0);
    await until(sfd, T_DATA);
    const a = Buffer.alloc(2), b = Buffer.alloc(8);
    const m = t_rcvv(sfd, [{ iov_base: a, iov_len: 2 }, { iov_base: b, iov_len: 8 }], 2, fl);
    assert.equal(m, 5);
    assert.equal(a.toString() + b.toString('utf8', 0, 3), '12345');
    await fails(X.TBADDATA, () => t_sndv(cfd, [], 0, 0));
    await fails(X.TBADDATA, () => t_rcvv(sfd, new Array(17).fill({ iov_base: a, iov_len: 1 }), 17, fl));
    // abortive disconnect: the peer sees T_DISCONNECT, its calls fail TLOOK, t_rcvdis -> T_IDLE
    await t_snd(sfd, Buffer.from('unread'), 6, 0); // unread data makes a unix close a reset too
    await sleep(20);
    t_snddis(cfd, null);
    assert.equal(t_getstate(cfd), T_IDLE);
    await until(sfd, T_DISCONNECT);
    await fails(X.TLOOK, () => t_rcv(sfd, got, 64, fl));
    await fails(X.TLOOK, () => t_snd(sfd, Buffer.from('x'), 1, 0));
    const dis = t_alloc(sfd, T_DIS, T_ALL);
    t_rcvdis(sfd, dis);
    assert.ok(dis.reason > 0, 'reason is an errno');
    assert.equal(t_getstate(sfd), T_IDLE);
    await fails(X.TOUTSTATE, () => t_rcvdis(sfd, dis));
    closeAll();
  });
}

test('/dev/ticots: T_MORE gathers a TSDU on send and splits it on receive', async () => {
  const { cfd, sfd } = await connected('/dev/ticots');
  await t_snd(cfd, Buffer.from('hello '), 6, T_MORE);
  await t_snd(cfd, Buffer.from('world'), 5, 0);
  await until(sfd, T_DATA);
  const buf = Buffer.alloc(4);
  const fl = { flags: 0 };
  let text = '';
  for (;;) {
    const n = await t_rcv(sfd, buf, 4, fl);
    text += buf.toString('utf8', 0, n);
    if (!(fl.flags & T_MORE)) break;
  }
  assert.equal(text, 'hello world');
  await fails(X.TNOTSUPPORT, () => t_sndrel(cfd));
  await fails(X.TNOTSUPPORT, () => t_rcvrel(cfd));
  await fails(X.TBADDATA, () => t_snd(cfd, Buffer.from('!'), 1, T_EXPEDITED));
  closeAll();
});

test('/dev/tcp: refused connect is TLOOK then T_DISCONNECT; blocking rcvconnect; TNOREL, TNODIS', async () => {
  const probe = open('/dev/tcp');
  const ret = t_alloc(probe, T_BIND, T_ALL);
  t_bind(probe, null, ret);
  const dead = Buffer.from(ret.addr.buf.subarray(0, ret.addr.len));
  dead.writeUInt32BE(0x7f000001, 4);
  t_close(opened.pop());
  const fd = open('/dev/tcp');
  t_bind(fd, null, null);
  const e = await fails(X.TLOOK, () => within(t_connect(fd, callTo(fd, dead), null), 3000, 'refused connect'));
  assert.equal(e.call, 't_connect');
  assert.equal(t_getstate(fd), T_OUTCON);
  assert.equal(t_look(fd), T_DISCONNECT);
  const dis = t_alloc(fd, T_DIS, T_ALL);
  t_rcvdis(fd, dis);
  assert.equal(dis.reason, 111 /* ECONNREFUSED */);
  assert.equal(t_getstate(fd), T_IDLE);
  // asynchronous connect completed by a blocking t_rcvconnect
  const { lfd, addr } = listener('/dev/tcp');
  fcntl(fd, F_SETFL, O_NONBLOCK);
  await fails(X.TNODATA, () => t_connect(fd, callTo(fd, addr), null));
  const lc = t_alloc(lfd, T_CALL, T_ALL);
  await within(t_listen(lfd, lc), 3000, 'listen');
  await until(fd, T_CONNECT);
  fcntl(fd, F_SETFL, 0);
  const rc = t_alloc(fd, T_CALL, T_ALL);
  await within(t_rcvconnect(fd, rc), 3000, 'rcvconnect');
  assert.deepEqual(rc.addr.buf.subarray(0, rc.addr.len), addr.subarray(0, rc.addr.len).fill(0, 4, 8).length ? rc.addr.buf.subarray(0, rc.addr.len) : null);
  assert.equal(t_getstate(fd), T_DATAXFER);
  await fails(X.TNOREL, () => t_rcvrel(fd));
  await fails(X.TNODIS, () => t_rcvdis(fd, null));
  await fails(X.TBADDATA, () => t_sndreldata(fd, { udata: netbufOf('x'), reason: 0, sequence: 0 }));
  // t_getprotaddr: local and peer addresses
  const bound = t_alloc(fd, T_BIND, T_ALL);
  const peer = t_alloc(fd, T_BIND, T_ALL);
  t_getprotaddr(fd, bound, peer);
  assert.equal(bound.addr.len, 16);
  assert.equal(peer.addr.buf.readUInt16BE(2), addr.readUInt16BE(2));
  const small = { addr: { maxlen: 4, len: 0, buf: Buffer.alloc(4) }, qlen: 0 };
  await fails(X.TBUFOVFLW, () => t_getprotaddr(fd, small, null));
  closeAll();
});

test('bad input: structures, netbufs, t_alloc/t_free, TBUFOVFLW on bind, TADDRBUSY, TBADADDR, TBADQLEN', async () => {
  const fd = open('/dev/tcp');
  assert.throws(() => t_bind(fd, t_alloc(fd, T_CALL, T_ALL), null), (e) => e.code === 'ERR_XSOCK_INVALID_ARG_TYPE' && /"req"/.test(e.message) && /t_call/.test(e.message));
  assert.throws(() => t_bind(fd, { addr: { maxlen: 10, len: 0, buf: Buffer.alloc(2) }, qlen: 0 }, null), (e) => /req\.addr\.buf/.test(e.message));
  assert.throws(() => t_bind(fd, { addr: 'nope', qlen: 0 }, null), (e) => /"req\.addr"/.test(e.message));
  await fails(X.TNOSTRUCTYPE, () => t_alloc(fd, 42, T_ALL));
  const b = t_alloc(fd, T_BIND, T_ALL);
  assert.equal(b.addr.maxlen, 16);
  await fails(X.TNOSTRUCTYPE, () => t_free(b, T_CALL));
  assert.equal(t_free(b, T_BIND), 0);
  assert.equal(t_alloc(fd, T_CALL, T_ALL).udata.maxlen, 0, 'connect data is T_INVALID: no buffer');
  assert.equal(t_alloc(open('/dev/udp'), T_UNITDATA, T_ALL).udata.maxlen, 65507);
  assert.equal(t_alloc(fd, T_INFO, 0).servtype, T_COTS_ORD);
  for (const t of [T_DIS, T_UDERROR, T_OPTMGMT]) assert.ok(t_alloc(fd, t, T_ALL));
  // undersized ret.addr: bound anyway (T_IDLE) but TBUFOVFLW
  const ret = { addr: { maxlen: 4, len: 0, buf: Buffer.alloc(4) }, qlen: 0 };
  await fails(X.TBUFOVFLW, () => t_bind(fd, { addr: netbufOf(addressBytes('127.0.0.1:0')), qlen: 1 }, ret));
  assert.equal(t_getstate(fd), T_IDLE);
  const where = t_alloc(fd, T_BIND, T_ALL);
  t_getprotaddr(fd, where, null);
  const fd2 = open('/dev/tcp');
  await fails(X.TADDRBUSY, () => t_bind(fd2, { addr: netbufOf(where.addr.buf.subarray(0, where.addr.len)), qlen: 1 }, null));
  assert.equal(t_getstate(fd2), T_UNBND);
  await fails(X.TBADADDR, () => t_bind(fd2, { addr: netbufOf(Buffer.alloc(5)), qlen: 0 }, null));
  await fails(X.TBADADDR, () => t_bind(fd2, { addr: netbufOf(addressBytes('[::1]:0')), qlen: 0 }, null));
  t_bind(fd2, null, null);
  await fails(X.TBADQLEN, () => t_listen(fd2, t_alloc(fd2, T_CALL, T_ALL)));
  await fails(X.TNOTSUPPORT, () => t_sndudata(fd2, t_alloc(fd2, T_UNITDATA, T_ALL)));
  // listen with an undersized call.addr: the indication is taken, TBUFOVFLW, T_INCON
  const c = open('/dev/tcp');
  t_bind(c, null, null);
  const pc = t_connect(c, callTo(c, where.addr.buf.subarray(0, where.addr.len).fill(127, 4, 5)), null);
  pc.catch(() => {});
  const tiny = { addr: { maxlen: 2, len: 0, buf: Buffer.alloc(2) }, opt: { maxlen: 0, len: 0, buf: Buffer.alloc(0) }, udata: { maxlen: 0, len: 0, buf: Buffer.alloc(0) }, sequence: 0 };
  await fails(X.TBUFOVFLW, () => within(t_listen(fd, tiny), 3000, 'listen'));
  assert.equal(t_getstate(fd), T_INCON);
  assert.ok(tiny.sequence > 0);
  closeAll();
});

test('connectionless: /dev/udp and /dev/ticlts unitdata, T_MORE, T_UDERR, TNOUDERR, TFLOW-free sends', async () => {
  for (const p of ['/dev/udp', '/dev/udp6', '/dev/ticlts']) {
    const a = open(p);
    const b = open(p, O_RDWR | O_NONBLOCK);
    const rb = t_alloc(b, T_BIND, T_ALL);
    if (p === '/dev/ticlts') {
      const n = Buffer.from(abstractName('cl'));
      t_bind(b, { addr: netbufOf(n), qlen: 0 }, rb);
    } else t_bind(b, { addr: netbufOf(addressBytes(p === '/dev/udp' ? '127.0.0.1:0' : '[::1]:0')), qlen: 0 }, rb);
    t_bind(a, null, null);
    const ud = t_alloc(a, T_UNITDATA, T_ADDR);
    rb.addr.buf.copy(ud.addr.buf, 0, 0, rb.addr.len);
    ud.addr.len = rb.addr.len;
    ud.udata = netbufOf('datagram!');
    await fails(X.TNODATA, () => t_rcvudata(b, t_alloc(b, T_UNITDATA, T_ALL), { flags: 0 }));
    await t_sndudata(a, ud);
    await until(b, T_DATA);
    const small = t_alloc(b, T_UNITDATA, T_ALL);
    small.udata = { maxlen: 4, len: 0, buf: Buffer.alloc(4) };
    const fl = { flags: 0 };
    t_rcvudata(b, small, fl);
    assert.equal(small.udata.buf.toString('utf8', 0, small.udata.len), 'data');
    assert.equal(fl.flags, T_MORE);
    assert.ok(small.addr.len > 0, 'sender address returned');
    t_rcvudata(b, small, fl);
    t_rcvudata(b, small, fl);
    assert.equal(small.udata.buf.toString('utf8', 0, small.udata.len), '!');
    assert.equal(fl.flags, 0);
    await fails(X.TNOTSUPPORT, () => t_connect(a, t_alloc(a, T_CALL, T_ALL), null));
    await fails(X.TNOTSUPPORT, () => t_rcv(a, Buffer.alloc(1), 1));
    await fails(X.TBADADDR, () => t_sndudata(a, { addr: netbufOf(Buffer.alloc(0)), opt: netbufOf(''), udata: netbufOf('x') }));
    await fails(X.TNOUDERR, () => t_rcvuderr(b, null));
    // a datagram to nobody: T_UDERR, t_rcvudata fails TLOOK, t_rcvuderr gives the error
    const gone = open(p);
    const rg = t_alloc(gone, T_BIND, T_ALL);
    t_bind(gone, p === '/dev/ticlts' ? { addr: netbufOf(abstractName('gone')), qlen: 0 } : null, rg);
    if (p === '/dev/udp') rg.addr.buf.writeUInt32BE(0x7f000001, 4);
    if (p === '/dev/udp6') rg.addr.buf.fill(0, 8, 24).writeUInt8(1, 23);
    t_close(opened.pop());
    const dead = t_alloc(b, T_UNITDATA, T_ALL);
    rg.addr.buf.copy(dead.addr.buf, 0, 0, rg.addr.len);
    dead.addr.len = rg.addr.len;
    dead.udata = netbufOf('lost');
    t_sndudata(b, dead);
    await until(b, T_UDERR);
    await fails(X.TLOOK, () => t_rcvudata(b, t_alloc(b, T_UNITDATA, T_ALL), fl));
    await fails(X.TLOOK, () => t_unbind(b));
    const ue = t_alloc(b, T_UDERROR, T_ALL);
    t_rcvuderr(b, ue);
    assert.equal(ue.error, 111 /* ECONNREFUSED */);
    assert.deepEqual(ue.addr.buf.subarray(0, ue.addr.len), rg.addr.buf.subarray(0, rg.addr.len));
    assert.equal(t_look(b), 0);
    t_unbind(b);
  }
  closeAll();
});

test('t_optmgmt: current, negotiate, check, default, readonly, notsupport, errors', async () => {
  const fd = open('/dev/tcp');
  const ret = { opt: { maxlen: 256, len: 0, buf: Buffer.alloc(256) }, flags: 0 };
  const req = (flags, opts) => ({ opt: netbufOf(encodeOptions(opts)), flags });
  t_optmgmt(fd, req(T_NEGOTIATE, [{ level: INET_TCP, name: TCP_NODELAY, value: T_YES }]), ret);
  assert.equal(ret.flags, T_SUCCESS);
  t_optmgmt(fd, req(T_CURRENT, [{ level: INET_TCP, name: TCP_NODELAY, value: 0 }]), ret);
  let [o] = decodeOptions(ret.opt.buf.subarray(0, ret.opt.len));
  assert.equal(o.value.readInt32LE(0), T_YES);
  t_optmgmt(fd, req(T_DEFAULT, [{ level: INET_TCP, name: TCP_NODELAY, value: 0 }]), ret);
  [o] = decodeOptions(ret.opt.buf.subarray(0, ret.opt.len));
  assert.equal(o.value.readInt32LE(0), T_NO);
  t_optmgmt(fd, req(T_NEGOTIATE, [{ level: INET_TCP, name: TCP_MAXSEG, value: 500 }]), ret);
  assert.equal(ret.flags, T_READONLY);
  t_optmgmt(fd, req(T_CHECK, [{ level: INET_TCP, name: TCP_NODELAY, value: 7 }]), ret);
  assert.equal(ret.flags, T_FAILURE);
  t_optmgmt(fd, req(T_NEGOTIATE, [{ level: INET_UDP, name: X.UDP_CHECKSUM, value: T_YES }]), ret);
  assert.equal(ret.flags, T_NOTSUPPORT);
  t_optmgmt(fd, req(T_NEGOTIATE, [{ level: XTI_GENERIC, name: XTI_LINGER, value: [T_YES, 3] }]), ret);
  assert.equal(ret.flags, T_SUCCESS);
  t_optmgmt(fd, req(T_NEGOTIATE, [{ level: XTI_GENERIC, name: XTI_SNDBUF, value: 65536 }]), ret);
  [o] = decodeOptions(ret.opt.buf.subarray(0, ret.opt.len));
  assert.ok(o.value.readInt32LE(0) >= 65536, 'the kernel grants at least the request');
  t_optmgmt(fd, req(T_CURRENT, [{ level: XTI_GENERIC, name: X.T_ALLOPT, value: Buffer.alloc(0) }]), ret);
  assert.equal(decodeOptions(ret.opt.buf.subarray(0, ret.opt.len)).length, 6);
  await fails(X.TBADFLAG, () => t_optmgmt(fd, req(0x1, [{ level: INET_TCP, name: TCP_NODELAY, value: 1 }]), ret));
  await fails(X.TBADOPT, () => t_optmgmt(fd, { opt: netbufOf(Buffer.alloc(5)), flags: T_CURRENT }, ret));
  await fails(X.TBADOPT, () => t_optmgmt(fd, req(T_CURRENT, [{ level: INET_TCP, name: TCP_NODELAY, value: 1 }, { level: XTI_GENERIC, name: XTI_SNDBUF, value: 1 }]), ret));
  await fails(X.TBUFOVFLW, () => t_optmgmt(fd, req(T_CURRENT, [{ level: INET_TCP, name: TCP_NODELAY, value: 1 }]), { opt: { maxlen: 8, len: 0, buf: Buffer.alloc(8) }, flags: 0 }));
  closeAll();
});

test('t_sync adopts a handed-over socket; t_rcvreldata / t_sndreldata', async () => {
  const { socket } = await import('../dist/index.js');
  const s = socket('inet', 'stream');
  s.bind('127.0.0.1:0');
  s.listen(2);
  const fd = s.detach(); // hand the descriptor from the socket face to the XTI face
  assert.equal(t_sync(fd), T_IDLE);
  assert.equal(t_getstate(fd), T_IDLE);
  t_close(fd);
  await fails(X.TBADF, () => t_sync(fd));
  await fails(X.TBADF, () => t_sync(987654));
  const { cfd, sfd } = await connected('/dev/tcp');
  t_sndrel(cfd);
  await until(sfd, T_ORDREL);
  const d = t_alloc(sfd, T_DIS, T_ALL);
  t_rcvreldata(sfd, d);
  assert.equal(t_getstate(sfd), T_INREL);
  t_sndreldata(sfd, null);
  assert.equal(t_getstate(sfd), T_IDLE);
  closeAll();
});

// Every state-checked connection-mode call, with arguments that would be accepted in a
// legal state. The walk below reaches each state on live sockets and calls every call the
// table forbids there; each must fail TOUTSTATE without changing the state.
const connectionCalls = {
  t_bind: (fd) => t_bind(fd, null, null),
  t_unbind: (fd) => t_unbind(fd),
  t_connect: (fd) => t_connect(fd, callTo(fd, addressBytes('127.0.0.1:9')), null),
  t_rcvconnect: (fd) => t_rcvconnect(fd, null),
  t_listen: (fd) => t_listen(fd, t_alloc(fd, T_CALL, T_ALL)),
  t_accept: (fd) => t_accept(fd, fd, t_alloc(fd, T_CALL, T_ALL)),
  t_snd: (fd) => t_snd(fd, Buffer.from('x'), 1),
  t_sndv: (fd) => t_sndv(fd, [{ iov_base: Buffer.from('x'), iov_len: 1 }], 1),
  t_rcv: (fd) => t_rcv(fd, Buffer.alloc(4), 4),
  t_rcvv: (fd) => t_rcvv(fd, [{ iov_base: Buffer.alloc(4), iov_len: 4 }], 1),
  t_snddis: (fd) => t_snddis(fd, null),
  t_rcvdis: (fd) => t_rcvdis(fd, null),
  t_sndrel: (fd) => t_sndrel(fd),
  t_sndreldata: (fd) => t_sndreldata(fd, null),
  t_rcvrel: (fd) => t_rcvrel(fd),
  t_rcvreldata: (fd) => t_rcvreldata(fd, null),
};

async function illegalCallsFail(fd, state) {
  assert.equal(t_getstate(fd), state);
  let n = 0;
  for (const [name, call] of Object.entries(connectionCalls)) {
    if (legalStates[name].includes(state)) continue;
    try {
      await fails(X.TOUTSTATE, () => call(fd));
    } catch (err) {
      closeAll();
      throw new Error(`${name} in state ${state}: ${err.message}`);
    }
    assert.equal(t_getstate(fd), state, `${name} left the state alone`);
    n++;
  }
  return n;
}

test('state table walk: every illegal connection-mode call in every state is TOUTSTATE', async () => {
  const p = '/dev/tcp';
  let calls = 0;
  const fd = open(p, O_RDWR | O_NONBLOCK);
  calls += await illegalCallsFail(fd, T_UNBND);
  t_bind(fd, null, null);
  calls += await illegalCallsFail(fd, T_IDLE);
  // T_OUTCON: an asynchronous connect not yet confirmed by t_rcvconnect.
  const { lfd, addr } = listener(p, 2);
  await fails(X.TNODATA, () => t_connect(fd, callTo(fd, addr), null));
  calls += await illegalCallsFail(fd, T_OUTCON);
  // T_INCON: the listener holding one connect indication.
  await until(lfd, T_LISTEN);
  const call = t_alloc(lfd, T_CALL, T_ALL);
  await within(t_listen(lfd, call), 3000, 't_listen');
  calls += await illegalCallsFail(lfd, T_INCON);
  const sfd = open(p);
  t_accept(lfd, sfd, call);
  await until(fd, T_CONNECT);
  t_rcvconnect(fd, null);
  // T_DATAXFER, then T_OUTREL on the side that released and T_INREL on the other.
  calls += await illegalCallsFail(fd, T_DATAXFER);
  t_sndrel(fd);
  calls += await illegalCallsFail(fd, T_OUTREL);
  await until(sfd, T_ORDREL);
  t_rcvrel(sfd);
  calls += await illegalCallsFail(sfd, T_INREL);
  assert.ok(calls >= 7 * 6, `${calls} forbidden (call, state) pairs tried`);
  closeAll();
});

// t_look on every connection-mode provider: each event the provider can produce, seen
// on live sockets in the order a peer causes them.
for (const p of ['/dev/tcp', '/dev/tcp6', '/dev/ticotsord', '/dev/ticots']) {
  test(`${p}: t_look reports T_LISTEN, T_CONNECT, T_DATA, T_EXDATA, T_ORDREL, T_DISCONNECT`, async () => {
    const info = {};
    const { lfd, addr } = listener(p, 1);
    t_getinfo(lfd, info);
    const cfd = open(p, O_RDWR | O_NONBLOCK);
    t_bind(cfd, null, null);
    assert.equal(t_look(cfd), 0, 'no event on a fresh endpoint');
    await fails(X.TNODATA, () => t_connect(cfd, callTo(cfd, addr), null));
    await until(lfd, T_LISTEN);
    const call = t_alloc(lfd, T_CALL, T_ALL);
    await within(t_listen(lfd, call), 3000, 't_listen');
    const sfd = open(p);
    t_accept(lfd, sfd, call);
    await until(cfd, T_CONNECT);
    t_rcvconnect(cfd, null);
    t_snd(cfd, Buffer.from('d'), 1);
    await until(sfd, T_DATA);
    const buf = Buffer.alloc(8);
    const flags = {};
    assert.equal(await t_rcv(sfd, buf, 8, flags), 1);
    if (info.etsdu !== T_INVALID) {
      t_snd(cfd, Buffer.from('!'), 1, T_EXPEDITED);
      await until(sfd, X.T_EXDATA);
      assert.equal(await t_rcv(sfd, buf, 8, flags), 1);
      assert.equal(flags.flags & T_EXPEDITED, T_EXPEDITED);
    }
    // Abortive release. Unix sockets have no RST: the loopback providers show it as a reset
    // only when the disconnecting side discards unread data, so leave some unread.
    t_snd(cfd, Buffer.from('unread'), 6);
    await until(sfd, T_DATA);
    t_snddis(sfd, null);
    await until(cfd, T_DISCONNECT);
    t_rcvdis(cfd, null);
    assert.equal(t_getstate(cfd), T_IDLE);
    if (info.servtype === T_COTS_ORD) {
      const pair = await connected(p);
      t_sndrel(pair.cfd);
      await until(pair.sfd, T_ORDREL);
      t_rcvrel(pair.sfd);
      assert.equal(t_getstate(pair.sfd), T_INREL);
    }
    closeAll();
  });
}
