// One fuzzing process (started by fuzz.js): a seeded random caller of every public
// function of xsock, xsock/xti and xsock/streams. Arguments come per slot from plausible
// values (own sockets, own addresses, sizes, flags) or from a hostile pool (wrong types,
// NaN, huge and negative numbers, closed and foreign descriptors). Every error must carry
// err.code; every promise must settle once its objects are closed; nothing may leak.
//   --seed=N --calls=N [--exclude=a,b] [--safe] [--codes]
//   --safe: leave out the known crash and freeze triggers (known.js); --codes: check err.code
import { openSync, closeSync, mkdtempSync, rmSync, writeFileSync, readlinkSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as X from '../../dist/index.js';
import * as T from '../../dist/xti/index.js';
import * as S from '../../dist/streams/index.js';
import { part, prng, fdTable, sleep } from './lib.js';
import { FUZZ_KNOWN } from './known.js';

const argv = process.argv.slice(2);
const opt = (n, d) => argv.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3) ?? d;
const calls = Number(opt('calls', '2000'));
const exclude = new Set(opt('exclude', '').split(',').filter(Boolean));
const safe = argv.includes('--safe');
// --skip=A-B: calls A..B-1 are drawn but not made (to bisect a replayed failure).
const [skipFrom, skipTo] = (opt('skip', '0-0')).split('-').map(Number);
if (safe) for (const f of FUZZ_KNOWN.keys()) exclude.add(f);

const dir = mkdtempSync(join(tmpdir(), 'xs-fz-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

await part('fuzz-worker', async (ctx) => {
  const R = prng(ctx.seed);
  const baseline = fdTable();
  const C = X.constants;

  // ---- the world the calls act on --------------------------------------------------
  const sockets = []; // live and closed Sockets
  const tracked = new Map(); // fd -> { link, close } for descriptors handed to the caller
  const closers = []; // other things to release at the end
  const track = (fd, close = closeSync) => {
    if (!Number.isInteger(fd) || fd < 3) return;
    try { tracked.set(fd, { link: readlinkSync(`/proc/self/fd/${fd}`), close }); } catch { /* not open */ }
  };
  const file = join(dir, 'file');
  writeFileSync(file, 'fuzz');
  let foreign = openSync(file, 'r+'); // a descriptor that is no socket
  const foreignLink = readlinkSync(`/proc/self/fd/${foreign}`);
  /** The foreign descriptor, reopened when a call closed it (its number may be a socket's now). */
  const foreignFd = () => {
    let link = null;
    try { link = readlinkSync(`/proc/self/fd/${foreign}`); } catch { /* closed */ }
    if (link !== foreignLink) foreign = openSync(file, 'r+');
    return foreign;
  };
  const listeners = {};
  for (const type of ['stream', 'seqpacket', 'dgram']) {
    const s = X.socket('unix', type);
    s.bind(join(dir, `l-${type}`));
    if (type !== 'dgram') s.listen(64);
    listeners[type] = s;
  }
  const tcp = X.socket('inet', 'stream');
  tcp.bind('127.0.0.1:0');
  tcp.listen(64);
  const udp = X.socket('inet', 'dgram');
  udp.bind('127.0.0.1:0');
  const tcpPort = tcp.getsockname().port;
  const udpPort = udp.getsockname().port;
  const fixed = [...Object.values(listeners), tcp, udp];
  const fresh = () => {
    const kind = R.int(6);
    if (kind < 3) {
      const [a, b] = X.socketpair('unix', ['stream', 'seqpacket', 'dgram'][kind]);
      sockets.push(a, b);
      return;
    }
    const s = X.socket(R.pick(['unix', 'inet', 'inet6']), R.pick(['stream', 'dgram']));
    sockets.push(s);
  };
  for (let i = 0; i < 8; i++) fresh();
  const closedFd = 19999; // below the limit, never used
  const xtiFds = [];
  const pipes = [];

  // ---- values ------------------------------------------------------------------------
  const hostile = () => R.pick([
    undefined, null, NaN, Infinity, -Infinity, -1, -0, 0.5, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 31), 1e308,
    '', 'x', '0', '-1', 'x'.repeat(5000), Symbol('fuzz'), {}, [], [1, 2, 3], () => 1, true, false, 10n,
    new Uint8Array(0), Buffer.alloc(3), new ArrayBuffer(8), Object.create(null), new Date(0), /re/, new Error('e'),
    { valueOf: () => 3 }, { length: -1 }, { then: 1 }, closedFd, 2 ** 31 - 1,
  ]);
  const liveFd = () => {
    const s = R.pick(sockets);
    return s && !s.closed ? s.fd : closedFd;
  };
  const V = {
    fd: () => R.pick([liveFd, () => closedFd, foreignFd, () => R.pick(xtiFds) ?? closedFd, () => R.pick(pipes.flat()) ?? closedFd])(),
    // Descriptors for calls that install a second watcher (item 1): in --safe runs, never a Socket's.
    fdNoSocket: () => (safe ? R.pick([() => closedFd, foreignFd])() : V.fd()),
    sock: () => R.pick(R() < 0.2 ? fixed : sockets) ?? fixed[0],
    size: () => R.pick([0, 1, 8, 100, 4096, 65536, 1 << 20]),
    count: () => R.pick([0, 1, 2, 16, 64, 1024, 1025]),
    flags: () => R.pick([0, C.MSG_PEEK, C.MSG_DONTWAIT, C.MSG_TRUNC, C.MSG_OOB, C.MSG_WAITALL, C.MSG_EOR, C.MSG_DONTWAIT | C.MSG_PEEK, 0x7fffffff]),
    data: () => R.pick([Buffer.from('hello'), Buffer.alloc(0), new Uint8Array(70000), 'text', [Buffer.from('a'), Buffer.from('b')], Buffer.alloc(1 << 17)]),
    addr: () => R.pick([
      join(dir, 'l-stream'), join(dir, 'l-seqpacket'), join(dir, 'l-dgram'), join(dir, 'none'), `@xs-fuzz-${process.pid}`,
      `127.0.0.1:${tcpPort}`, `127.0.0.1:${udpPort}`, '127.0.0.1:0', '[::1]:0', { family: 'inet', address: '127.0.0.1', port: udpPort },
      { family: 'unix', path: join(dir, 'l-dgram') }, { family: 'unix' }, { family: 'inet6', address: '::1', port: 0 }, { family: 'unix', abstract: '' },
      'garbage', '1.2.3.4:99999', { family: 'inet', address: 5 }, { family: 'unix', path: 'x'.repeat(200) },
    ]),
    wait: () => R.pick([undefined, { timeout: 5 }, { timeout: 0 }, { signal: AbortSignal.abort() }, { signal: AbortSignal.timeout(5) }, { timeout: 20, signal: new AbortController().signal }, { timeout: NaN }, { signal: 'x' }, { timeout: 2 ** 31 }, { timeout: -1 }]),
    level: () => R.pick(['SOL_SOCKET', 'IPPROTO_TCP', 'SOL_IP', 'IPPROTO_IPV6', null, C.SOL_SOCKET, 'SOL_NOPE']),
    optname: () => R.pick(['SO_RCVBUF', 'SO_SNDBUF', 'SO_REUSEADDR', 'SO_LINGER', 'SO_PASSCRED', 'TCP_NODELAY', 'IP_TTL', 'SO_RCVTIMEO', 'SO_ERROR', 'SO_PEERCRED', 'SO_NOPE', C.SO_RCVBUF]),
    optval: () => R.pick([true, false, 0, 1, 65536, { onoff: 1, linger: 1 }, { onoff: true, linger: 0 }, Buffer.alloc(4), -5, 2 ** 40]),
    recvOpts: () => R.pick([undefined, {}, { size: 10 }, { fds: 1 }, { fds: 253 }, { fds: 300 }, { controlSize: 24 }, { controlSize: 0 }, { buffers: [Buffer.alloc(4), Buffer.alloc(8)] }, { flags: C.MSG_PEEK, fds: 2 }, { flags: C.MSG_PEEK, keepPeeked: true, fds: 1 }, { size: -1 }, { size: 2 ** 31 }]),
    outMsg: () => R.pick([{ data: 'x' }, { data: 'x', fds: [foreign] }, { data: 'x', fds: [closedFd] }, { data: '', credentials: true }, { data: 'x', to: join(dir, 'l-dgram') }, { data: 'x', fds: Array(254).fill(foreign) }, { data: 'x', credentials: { pid: 1, uid: 0, gid: 0 } }, { data: 'x', flags: C.MSG_OOB }, { data: [] }, { data: 5 }]),
    batchOpts: () => R.pick([undefined, { count: 4 }, { count: 0 }, { count: 2000 }, { size: 1 }, { fds: 2 }, { flags: C.MSG_PEEK }, { maxPerWakeup: 1, signal: AbortSignal.timeout(5) }]),
    msgs: () => R.pick([['a', 'b'], [], [Buffer.alloc(0)], Array(2000).fill('x'), ['x'.repeat(70000)]]),
    provider: () => R.pick(['/dev/tcp', '/dev/udp', '/dev/ticots', '/dev/ticotsord', '/dev/ticlts', '/dev/tcp6', '/dev/udp6', '/dev/nope', 'tcp']),
    oflag: () => R.pick([T.O_RDWR, T.O_RDWR | T.O_NONBLOCK, 0, -1]),
    tstruct: () => R.pick([null, undefined, { addr: T.netbufOf('127.0.0.1:1') }, { addr: T.netbuf(64), opt: T.netbuf(0), udata: T.netbuf(16) }, { qlen: 2, addr: T.netbufOf(join(dir, 'l-stream')) }, { maxlen: 1 }, T.netbuf(8), { addr: { buf: 'x' } }]),
    tflags: () => R.pick([0, T.T_MORE, T.T_EXPEDITED, { flags: 0 }, 99]),
    path: () => R.pick([file, '/dev/null', join(dir, 'new'), join(dir, 'nodir', 'x'), dir, '']),
    openFlags: () => R.pick(['r', 'w', 'a+', 'bogus', 0, 0o101, -1]),
    ioctlCmd: () => R.pick([S.I_NREAD, S.I_SENDFD, S.I_RECVFD, S.I_SETSIG, S.I_GETSIG, 0, -1, 12345]),
    host: () => R.pick(['localhost', '127.0.0.1', '::1', '', null, 'x'.repeat(300), '1.2.3.4%zz', '::1%nope']),
    service: () => R.pick(['80', 'http', '0', '99999', 'nope', null, '']),
    hints: () => R.pick([undefined, {}, { family: 'inet' }, { family: 'bogus' }, { flags: 2 ** 33 }, { type: 'stream' }, { flags: X.AI_NUMERICHOST }]),
    sockaddr: () => R.pick([{ family: 'inet', address: '127.0.0.1', port: 80 }, { family: 'inet6', address: '::1', port: 0 }, { family: 'unix', path: '/x' }, null, 5]),
    str: () => R.pick(['127.0.0.1:80', '[::1]:53', '/tmp/x', '@abs', '', 'junk']),
    any: () => hostile(),
    mask: () => R.pick([X.POLL_IN, X.POLL_OUT, X.POLL_IN | X.POLL_OUT, 0, -1]),
    duplexOpts: () => R.pick([undefined, {}, { readSize: 0 }, { readSize: 0.5 }, { readSize: 2 ** 32 }, { readSize: 1024 }]),
    writerOpts: () => R.pick([undefined, {}, { to: 'garbage' }, { to: join(dir, 'l-dgram') }, { highWaterMark: -1 }]),
    tOptions: () => R.pick([[], [{ level: 0xffff, name: 1, value: 1 }], [{ level: 'x' }], null]),
  };
  // A method's receiver is always a Socket (a wrong `this` is JavaScript's error, not ours).
  const value = (kind) => {
    if (kind === 'sock' || R() < 0.7) return V[kind]();
    const v = hostile();
    // -0 is fd 0: closing stdin by number is the caller's right, not a library defect.
    return kind.startsWith('fd') && typeof v === 'number' && v >= 0 && v < 3 ? closedFd : v;
  };

  // ---- the functions ---------------------------------------------------------------
  const F = [];
  const fn = (name, call, ...slots) => F.push({ name, call, slots });
  const method = (m, ...slots) => fn(`Socket#${m}`, (s, ...a) => s[m](...a), 'sock', ...slots);
  fn('socket', X.socket, 'any', 'any', 'any');
  fn('socketpair', X.socketpair, 'any', 'any');
  fn('Socket.fromFd', (fd) => X.Socket.fromFd(fd), 'fdNoSocket');
  fn('parseAddress', X.parseAddress, 'str');
  fn('formatAddress', X.formatAddress, 'sockaddr');
  fn('resolve', X.resolve, 'host', 'service', 'hints');
  fn('resolveAddress', X.resolveAddress, 'str');
  fn('getnameinfo', X.getnameinfo, 'sockaddr', 'any');
  fn('getservbyname', X.getservbyname, 'service', 'any');
  fn('getservbyport', X.getservbyport, 'size', 'any');
  fn('toDuplex', (s, o) => X.toDuplex(s, o), 'sock', 'duplexOpts');
  fn('messageWriter', (s, o) => X.messageWriter(s, o), 'sock', 'writerOpts');
  fn('listenFds', (o) => X.listenFds(o), 'any');
  const readiness = (fd) => {
    const r = new X.Readiness(fd);
    closers.push(() => r.close());
    return r;
  };
  fn('new Readiness', (fd) => { readiness(fd); }, 'fdNoSocket');
  fn('Readiness#wait', (fd, m, w) => readiness(fd).wait(m, w), 'fdNoSocket', 'mask', 'wait');
  fn('Socket#readiness.wait', (s, m, w) => s.readiness.wait(m, w), 'sock', 'mask', 'wait');
  fn('Socket#readiness.subscribe', (s, m, f) => s.readiness.subscribe(m, f)(), 'sock', 'mask', 'any');
  for (const [m, ...slots] of [
    ['bind', 'addr', 'any'], ['listen', 'count'], ['tryAccept'], ['accept', 'wait'], ['tryConnect', 'addr'], ['connect', 'addr', 'wait'],
    ['shutdown', 'any'], ['close'], ['detach'], ['getsockname'], ['getpeername'], ['setsockopt', 'level', 'optname', 'optval'],
    ['getsockopt', 'level', 'optname', 'size'], ['trySend', 'data', 'flags'], ['send', 'data', 'flags', 'wait'], ['sendAll', 'data', 'wait'],
    ['tryRecvInto', 'data', 'flags'], ['recvInto', 'data', 'flags', 'wait'], ['tryRecv', 'size', 'flags'], ['recv', 'size', 'flags', 'wait'],
    ['trySendto', 'data', 'addr', 'flags'], ['sendto', 'data', 'addr', 'flags', 'wait'], ['tryRecvfrom', 'size', 'flags'], ['recvfrom', 'size', 'flags', 'wait'],
    ['trySendmsg', 'outMsg'], ['sendmsg', 'outMsg', 'wait'], ['tryRecvmsg', 'recvOpts'], ['recvmsg', 'recvOpts', 'wait'], ['peerCredentials'], ['peerPidfd'],
    ['sockatmark'], ['tryRecvOob'], ['recvOob', 'wait'], ['tryRecvBatch', 'batchOpts'], ['recvBatch', 'batchOpts', 'wait'], ['trySendBatch', 'msgs', 'addr'],
    ['sendBatch', 'msgs', 'addr', 'wait'],
  ]) method(m, ...slots);
  fn('Socket#messages', async (s, o) => { for await (const m of s.messages(o)) { m.fds?.close?.(); break; } }, 'sock', 'batchOpts');
  // XTI
  const stripInfo = safe && FUZZ_KNOWN.has('xti.t_open(info)');
  fn('xti.t_open', (p, o, info) => T.t_open(p, o, stripInfo ? undefined : info), 'provider', 'oflag', 'any');
  for (const [name, ...slots] of [
    ['t_bind', 'fd', 'tstruct', 'tstruct'], ['t_unbind', 'fd'], ['t_close', 'fd'], ['t_getinfo', 'fd', 'any'], ['t_getstate', 'fd'], ['t_sync', 'fdNoSocket'],
    ['t_getprotaddr', 'fd', 'tstruct', 'tstruct'], ['t_alloc', 'fd', 'size', 'size'], ['t_look', 'fd'], ['t_connect', 'fd', 'tstruct', 'tstruct'],
    ['t_rcvconnect', 'fd', 'tstruct'], ['t_listen', 'fd', 'tstruct'], ['t_accept', 'fd', 'fd', 'tstruct'], ['t_snddis', 'fd', 'tstruct'],
    ['t_rcvdis', 'fd', 'tstruct'], ['t_sndrel', 'fd'], ['t_rcvrel', 'fd'], ['t_sndreldata', 'fd', 'tstruct'], ['t_rcvreldata', 'fd', 'tstruct'],
    ['t_snd', 'fd', 'data', 'tflags'], ['t_rcv', 'fd', 'data', 'any', 'any'], ['t_sndv', 'fd', 'any', 'tflags'], ['t_rcvv', 'fd', 'any', 'any', 'any'],
    ['t_sndudata', 'fd', 'tstruct'], ['t_rcvudata', 'fd', 'tstruct', 'any'], ['t_rcvuderr', 'fd', 'tstruct'], ['t_sndvudata', 'fd', 'tstruct', 'any', 'any'],
    ['t_rcvvudata', 'fd', 'tstruct', 'any', 'any', 'any'], ['t_optmgmt', 'fd', 'tstruct', 'tstruct'], ['fcntl', 'fd', 'any', 'any'],
  ]) fn(`xti.${name}`, (...a) => T[name](...a), ...slots);
  for (const [name, ...slots] of [
    ['t_sysconf', 'any'], ['t_strerror', 'any'], ['t_free', 'tstruct', 'any'], ['netbuf', 'size'], ['netbufOf', 'data'], ['addressBytes', 'str'],
    ['encodeOptions', 'tOptions'], ['decodeOptions', 'data'], ['providerInfo'], ['t_error', 'any'],
  ]) fn(`xti.${name}`, (...a) => T[name](...a), ...slots);
  // STREAMS
  fn('streams.pipe', () => S.pipe());
  // close(n) of a number a Socket watches leaves its watcher on a dead number (item 1).
  fn('streams.close', (fd) => S.close(fd), 'fdNoSocket');
  fn('streams.fcntl', (fd, c, a) => S.fcntl(fd, c, a), 'fd', 'any', 'any');
  fn('streams.ioctl', (fd, c, a, h) => S.ioctl(fd, c, a, h), 'fdNoSocket', 'ioctlCmd', 'any', 'any');
  fn('streams.openThroughHelper', (p, f, m, w) => S.openThroughHelper(p, f, m, w), 'path', 'openFlags', 'any', 'wait');
  fn('new Opener', (o) => { const op = new S.Opener(o); closers.push(() => op.close()); return op; }, 'any');
  const table = F.filter((f) => !exclude.has(f.name));

  // ---- results -----------------------------------------------------------------------
  const describe = (v, d = 0) => {
    if (typeof v === 'symbol') return 'Symbol()';
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'function') return 'function';
    if (typeof v === 'string') return JSON.stringify(v.length > 24 ? `${v.slice(0, 12)}...(${v.length})` : v);
    if (v instanceof X.Socket) return `Socket(${v.closed ? 'closed' : `${v.fd} ${v.typeName ?? ''}`})`;
    if (Buffer.isBuffer(v) || ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.byteLength})`;
    if (Array.isArray(v)) return d > 1 ? '[...]' : `[${v.slice(0, 4).map((x) => describe(x, d + 1)).join(', ')}${v.length > 4 ? `, ...${v.length}` : ''}]`;
    if (v instanceof AbortSignal) return `AbortSignal(${v.aborted ? 'aborted' : 'live'})`;
    if (v && typeof v === 'object') {
      if (d > 1) return '{...}';
      const keys = Object.keys(v);
      return `{${keys.slice(0, 5).map((k) => `${k}: ${describe(v[k], d + 1)}`).join(', ')}}`;
    }
    if (Object.is(v, -0)) return '-0';
    return String(v);
  };
  const adoptResult = (name, v) => {
    if (v instanceof X.Socket) { sockets.push(v); return; }
    if (v === null || v === undefined) return;
    if (typeof v === 'number') {
      if (name === 'xti.t_open') xtiFds.push(v);
      else if (name === 'streams.openThroughHelper' || name === 'Socket#detach') track(v);
      return;
    }
    if (Array.isArray(v)) {
      if (name === 'socketpair') { for (const s of v) adoptResult(name, s); return; }
      if (name === 'streams.pipe') { pipes.push(v); return; }
      for (const m of v) adoptResult(name, m);
      return;
    }
    if (typeof v !== 'object') return;
    if (v instanceof X.ReceivedFds || v.fds instanceof X.ReceivedFds) {
      const fds = v instanceof X.ReceivedFds ? v : v.fds;
      const r = R();
      if (r < 0.3) for (const fd of fds.take()) track(fd);
      else if (r < 0.6) fds.close();
      // else: dropped, for the collector
      if (v.pidfd) v.pidfd.close();
      return;
    }
    if (name === 'streams.ioctl' && Number.isInteger(v.fd)) { track(v.fd); return; }
    if (typeof v.destroy === 'function') closers.push(() => v.destroy());
    else if (typeof v.close === 'function' && name !== 'new Opener') closers.push(() => v.close());
  };
  const codes = argv.includes('--codes');
  const errorSeen = (f, args, err, how) => {
    if (!codes || (err && typeof err.code === 'string' && err.code.length > 0)) return;
    ctx.tally.codeless++;
    const check = FUZZ_KNOWN.has(f.name) ? 'fuzz.codes' : 'fuzz.codes';
    ctx.fail({ check, fn: f.name, arg: `(${args.map((a) => describe(a)).join(', ')})`, what: `${how} ${err?.constructor?.name ?? typeof err} without err.code: ${String(err?.message ?? err).slice(0, 140)}` });
  };
  const outstanding = new Set();
  const history = new Map();
  let settledLate = 0;
  for (let i = 0; i < calls; i++) {
    const f = R.pick(table);
    let args = f.slots.map(value);
    const keep = f.slots[0] === 'sock' ? 1 : 0;
    if (R() < 0.05) args = args.slice(0, keep + R.int(args.length + 1 - keep));
    else if (R() < 0.05) args.push(hostile());
    if (i >= skipFrom && i < skipTo) continue; // bisecting a replay: the RNG still advances
    ctx.doing(`#${i} ${f.name}(${args.map((a) => describe(a)).join(', ')})`);
    if (process.env.SOAK_DEBUG) for (const a of args) if (typeof a === 'number' && a >= 3 && a < 1000) { const h = history.get(a) ?? []; h.push(`#${i} ${f.name}`); history.set(a, h.slice(-6)); }
    ctx.tally.fuzzCalls++;
    let r;
    try {
      r = f.call(...args);
    } catch (err) {
      errorSeen(f, args, err, 'threw');
      continue;
    }
    if (r && typeof r.then === 'function') {
      const desc = `${f.name}(${args.map((a) => describe(a)).join(', ')})`;
      const p = r.then((v) => adoptResult(f.name, v), (err) => errorSeen(f, args, err, 'rejected'));
      const entry = { desc, done: false };
      outstanding.add(entry);
      p.finally(() => { entry.done = true; outstanding.delete(entry); settledLate++; });
    } else adoptResult(f.name, r);
    if (i % 16 === 15) await new Promise((res) => setImmediate(res));
    if (i % 64 === 63) {
      // Keep the world small and fresh: retire some sockets, make new ones.
      while (sockets.length > 24) { try { sockets.shift().close(); } catch { /* closed by number */ } }
      fresh();
      if (xtiFds.length > 8) { const fd = xtiFds.shift(); try { T.t_close(fd); } catch { /* closed by a call */ } }
      if (pipes.length > 4) for (const fd of pipes.shift()) { try { S.close(fd); } catch { /* closed */ } }
    }
  }

  // ---- the end: close everything, every promise must settle, no descriptor left -------
  ctx.doing('closing the fuzz world');
  // close() reports EBADF when a call closed the number behind the Socket's back.
  const closeQuietly = (s) => { try { s.close(); } catch { /* already closed by number */ } };
  for (const s of [...sockets, ...fixed]) closeQuietly(s);
  for (const fd of xtiFds) { try { T.t_close(fd); } catch { /* already */ } }
  // t_sync made endpoints of numbers the fuzzer did not open with t_open: as in C, such a
  // number stays an endpoint (and open) until t_close.
  for (let fd = 0; fd < 4096; fd++) { try { T.t_getstate(fd); T.t_close(fd); } catch { /* not an endpoint */ } }
  for (const p of pipes) for (const fd of p) { try { S.close(fd); } catch { /* already */ } }
  for (const c of closers) { try { c(); } catch { /* already */ } }
  S.stopHelper();
  for (const [fd, t] of tracked) {
    try { if (readlinkSync(`/proc/self/fd/${fd}`) === t.link) t.close(fd); } catch { /* gone */ }
  }
  for (let k = 0; k < 40 && outstanding.size > 0; k++) await sleep(50);
  // Promises that settled during the drain (an accept, a connect) may have brought more.
  for (const s of sockets) closeQuietly(s);
  for (const c of closers) { try { c(); } catch { /* already */ } }
  for (const [fd, t] of tracked) {
    try { if (readlinkSync(`/proc/self/fd/${fd}`) === t.link) t.close(fd); } catch { /* gone */ }
  }
  for (const e of outstanding) {
    ctx.tally.hangs++;
    ctx.fail({ check: 'fuzz.settle', fn: e.desc.slice(0, e.desc.indexOf('(')), arg: e.desc.slice(e.desc.indexOf('(')), what: 'the promise never settled, even after every socket was closed' });
  }
  try { closeSync(foreign); } catch { /* a call closed it: streams close(n), t_close(n) ... */ }
  // Sockets made by fromFd on numbers now reused are the fuzzer's own doing: a leak is
  // only what remains once every object is gone.
  if (process.env.SOAK_DEBUG) {
    for (const [fd, link] of fdTable()) if (baseline.get(fd) !== link) console.error('LEAK', fd, link, (await import('node:child_process')).execSync(`ss -xap | grep -w ${link.replace(/\D/g, '')} || true`).toString(), { tracked: tracked.get(fd), xti: xtiFds.includes(fd), pipe: pipes.flat().includes(fd), history: history.get(fd) });
  }
  await ctx.leakCheck('fuzz.leak', baseline, `${calls} random calls`);
  ctx.note(`fuzz: ${calls} calls, ${settledLate} promises`);
  void readdirSync;
});
