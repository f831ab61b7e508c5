// Interop with CPython, both directions: rights (send_fds/recv_fds), SCM_CREDENTIALS and
// MSG_OOB, on unix stream, seqpacket and dgram (OOB: TCP and unix stream).
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync, writeFileSync, readFileSync, fstatSync, writeSync } from 'node:fs';
import { socket, constants as C } from '../dist/index.js';
import { checkFdsAtEnd, tempDir, within, python, need, freePort } from './helpers.js';

checkFdsAtEnd();
const dir = tempDir();
const skip = need('python3');

const open = [];
afterEach(() => { for (const s of open.splice(0)) s.close(); });

const PEER = String.raw`
import socket, sys, os, json, struct, array, select, time
mode, kind, addr = sys.argv[1], sys.argv[2], sys.argv[3]
types = {'stream': socket.SOCK_STREAM, 'seqpacket': socket.SOCK_SEQPACKET, 'dgram': socket.SOCK_DGRAM}
def out(**kw): print(json.dumps(kw), flush=True)
def tcp_addr(a):
    h, p = a.rsplit(':', 1); return (h, int(p))
if mode == 'send_fds':
    s = socket.socket(socket.AF_UNIX, types[kind]); s.connect(addr)
    fd = os.open(sys.argv[4], os.O_WRONLY | os.O_APPEND)
    out(ino=os.fstat(fd).st_ino)
    socket.send_fds(s, [b'py'], [fd, fd])
    os.close(fd); s.recv(1) if kind != 'dgram' else None
elif mode == 'recv_fds':
    l = socket.socket(socket.AF_UNIX, types[kind]); l.bind(addr)
    if kind != 'dgram': l.listen(1)
    print('READY', flush=True)
    s = l.accept()[0] if kind != 'dgram' else l
    msg, fds, flags, _ = socket.recv_fds(s, 1024, 16)
    out(data=msg.decode(), contents=[os.pread(f, 100, 0).decode() for f in fds], cloexec=[not os.get_inheritable(f) for f in fds], flags=flags)
    for f in fds: os.close(f)
elif mode == 'creds_send':
    s = socket.socket(socket.AF_UNIX, types[kind]); s.connect(addr)
    ucred = struct.pack('3i', os.getpid(), os.getuid(), os.getgid())
    s.sendmsg([b'cred'], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, ucred)])
    out(pid=os.getpid(), uid=os.getuid(), gid=os.getgid())
    s.recv(1) if kind != 'dgram' else None
elif mode == 'creds_recv':
    l = socket.socket(socket.AF_UNIX, types[kind]); l.bind(addr)
    if kind != 'dgram': l.listen(1)
    print('READY', flush=True)
    s = l.accept()[0] if kind != 'dgram' else l
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    msg, anc, flags, _ = s.recvmsg(100, socket.CMSG_SPACE(12))
    creds = [struct.unpack('3i', d[:12]) for (lv, ty, d) in anc if lv == socket.SOL_SOCKET and ty == socket.SCM_CREDENTIALS]
    out(data=msg.decode(), creds=creds)
elif mode == 'oob_send':
    s = socket.socket(socket.AF_INET if kind == 'tcp' else socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(tcp_addr(addr) if kind == 'tcp' else addr)
    if kind == 'tcp': s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.send(b'ab'); s.send(b'X', socket.MSG_OOB); s.send(b'cd')
    out(sent=True)
    s.recv(1)
elif mode == 'oob_recv':
    l = socket.socket(socket.AF_INET if kind == 'tcp' else socket.AF_UNIX, socket.SOCK_STREAM)
    l.bind(tcp_addr(addr) if kind == 'tcp' else addr); l.listen(1)
    print('READY', flush=True)
    s = l.accept()[0]
    select.select([], [], [s], 10)
    normal = b''
    while True:
        try:
            oob = s.recv(1, socket.MSG_OOB); break
        except OSError:
            normal += s.recv(100)
    while True:
        d = s.recv(100)
        if not d: break
        normal += d
    out(oob=oob.decode(), normal=normal.decode())
`;

/** A node endpoint python connects to: listening (stream, seqpacket) or bound (dgram). */
function rendezvous(kind, path) {
  const s = socket('unix', kind);
  open.push(s);
  s.bind(path);
  if (kind !== 'dgram') s.listen();
  return s;
}
async function peerSide(l, kind) {
  if (kind === 'dgram') return l;
  const s = await l.accept({ timeout: 5000 });
  open.push(s);
  return s;
}

for (const kind of ['stream', 'seqpacket', 'dgram']) {
  test(`${kind}: python send_fds -> xsock recvmsg; the fds work (fstat matches, written through)`, { skip }, async () => {
    const path = `${dir}/sf-${kind}`;
    const file = `${dir}/sf-${kind}.txt`;
    writeFileSync(file, '');
    const l = rendezvous(kind, path);
    const py = python(PEER, ['send_fds', kind, path, file], { ready: false });
    const s = await peerSide(l, kind);
    const m = await within(s.recvmsg({ fds: 8 }), 5000, 'fds from python');
    assert.equal(m.data.toString(), 'py');
    assert.equal(m.fds.length, 2);
    await within(new Promise((r) => { const t = setInterval(() => { if (py.lines.length) { clearInterval(t); r(); } }, 5); }), 5000, 'python report');
    const { ino } = JSON.parse(py.lines[0]);
    assert.equal(fstatSync(m.fds[0]).ino, ino, 'same file as python opened');
    writeSync(m.fds[0], 'hello ');
    writeSync(m.fds[1], 'from node');
    m.fds.close();
    assert.equal(readFileSync(file, 'utf8'), 'hello from node');
    if (kind !== 'dgram') s.trySend('k');
    assert.equal(await within(py.exited, 5000, 'python exit'), 0, py.stderr());
  });

  test(`${kind}: xsock sendmsg fds -> python recv_fds reads the files`, { skip }, async () => {
    const path = `${dir}/rf-${kind}`;
    const py = python(PEER, ['recv_fds', kind, path]);
    await py.ready;
    const fds = [0, 1, 2].map((i) => {
      writeFileSync(`${dir}/rf-${kind}-${i}`, `file ${i} for ${kind}`);
      return openSync(`${dir}/rf-${kind}-${i}`, 'r');
    });
    const s = socket('unix', kind);
    open.push(s);
    try {
      if (kind === 'dgram') await s.sendmsg({ data: 'node', fds, to: path });
      else {
        await s.connect(path, { timeout: 5000 });
        await s.sendmsg({ data: 'node', fds });
      }
    } finally {
      for (const fd of fds) closeSync(fd);
    }
    assert.equal(await within(py.exited, 5000, 'python exit'), 0, py.stderr());
    const r = JSON.parse(py.lines[0]);
    assert.equal(r.data, 'node');
    assert.deepEqual(r.contents, [0, 1, 2].map((i) => `file ${i} for ${kind}`));
    assert.equal(r.flags & C.MSG_CTRUNC, 0);
  });

  test(`${kind}: python SCM_CREDENTIALS -> xsock (SO_PASSCRED)`, { skip }, async () => {
    const path = `${dir}/cs-${kind}`;
    const l = rendezvous(kind, path);
    if (kind === 'dgram') l.setsockopt('SOL_SOCKET', 'SO_PASSCRED', true);
    const py = python(PEER, ['creds_send', kind, path], { ready: false });
    const s = await peerSide(l, kind);
    s.setsockopt('SOL_SOCKET', 'SO_PASSCRED', true);
    const m = await within(s.recvmsg(), 5000, 'credentials from python');
    assert.equal(m.data.toString(), 'cred');
    await within(new Promise((r) => { const t = setInterval(() => { if (py.lines.length) { clearInterval(t); r(); } }, 5); }), 5000, 'python report');
    assert.deepEqual(m.credentials, JSON.parse(py.lines[0]));
    assert.notEqual(m.credentials.pid, process.pid);
    if (kind !== 'dgram') s.trySend('k');
    assert.equal(await within(py.exited, 5000, 'python exit'), 0, py.stderr());
  });

  test(`${kind}: xsock credentials: true -> python recvmsg SCM_CREDENTIALS`, { skip }, async () => {
    const path = `${dir}/cr-${kind}`;
    const py = python(PEER, ['creds_recv', kind, path]);
    await py.ready;
    const s = socket('unix', kind);
    open.push(s);
    if (kind === 'dgram') await s.sendmsg({ data: 'mine', credentials: true, to: path });
    else {
      await s.connect(path, { timeout: 5000 });
      await new Promise((r) => setTimeout(r, 100)); // python sets SO_PASSCRED after accept
      await s.sendmsg({ data: 'mine', credentials: true });
    }
    assert.equal(await within(py.exited, 5000, 'python exit'), 0, py.stderr());
    const r = JSON.parse(py.lines[0]);
    assert.equal(r.data, 'mine');
    assert.deepEqual(r.creds, [[process.pid, process.getuid(), process.getgid()]]);
  });
}

for (const kind of ['tcp', 'unix']) {
  test(`${kind} stream: python MSG_OOB -> xsock recvOob, the mark splits the data`, { skip }, async () => {
    let addr;
    let l;
    if (kind === 'tcp') {
      l = socket('inet', 'stream');
      l.bind('127.0.0.1:0');
      addr = `127.0.0.1:${l.getsockname().port}`;
    } else {
      l = socket('unix', 'stream');
      addr = `${dir}/oob-in`;
      l.bind(addr);
    }
    open.push(l);
    l.listen();
    const py = python(PEER, ['oob_send', kind, addr], { ready: false });
    const s = await l.accept({ timeout: 5000 });
    open.push(s);
    assert.equal(String.fromCharCode(await s.recvOob({ timeout: 5000 })), 'X');
    let normal = '';
    while (normal.length < 4) normal += (await within(s.recvmsg({ size: 10 }), 5000, 'normal data')).data.toString();
    assert.equal(normal, 'abcd');
    s.trySend('k');
    assert.equal(await within(py.exited, 5000, 'python exit'), 0, py.stderr());
  });

  test(`${kind} stream: xsock MSG_OOB -> python recv(MSG_OOB)`, { skip }, async () => {
    const addr = kind === 'tcp' ? `127.0.0.1:${await freePort()}` : `${dir}/oob-out`;
    const py = python(PEER, ['oob_recv', kind, addr]);
    await py.ready;
    const s = socket(kind === 'tcp' ? 'inet' : 'unix', 'stream');
    open.push(s);
    await s.connect(addr, { timeout: 5000 });
    await s.sendmsg({ data: 'hi' });
    await s.sendmsg({ data: '!', flags: C.MSG_OOB });
    await s.sendmsg({ data: 'yo' });
    s.shutdown('write');
    assert.equal(await within(py.exited, 5000, 'python exit'), 0, py.stderr());
    assert.deepEqual(JSON.parse(py.lines[0]), { oob: '!', normal: 'hiyo' });
  });
}
