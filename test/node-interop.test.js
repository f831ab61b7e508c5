// Hand-off with Node core both ways (net.Server, net.Socket, dgram), and passing sockets
// to child processes as stdio / extra fds, which adopt them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import dgram from 'node:dgram';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { socket, socketpair, adopt, toNetSocket, toNetServer } from '../dist/index.js';
import { checkFdsAtEnd, within } from './helpers.js';

checkFdsAtEnd();

const listen = (server, ...args) => new Promise((res) => server.listen(...args, res));

test('adopt(net.Server): the listening socket keeps accepting after Node closes its side', async () => {
  const server = net.createServer(() => assert.fail('Node should not accept once closed'));
  await listen(server, 0, '127.0.0.1');
  const { port } = server.address();
  const lst = adopt(server);
  try {
    assert.notEqual(lst.fd, server._handle.fd, 'a separate descriptor (dup)');
    await new Promise((res) => server.close(res));
    assert.deepEqual(lst.getsockname(), { family: 'inet', address: '127.0.0.1', port });
    const client = net.connect(port, '127.0.0.1');
    const conn = await within(lst.accept(), 5000, 'accept');
    client.end('from node');
    assert.equal((await within(conn.recv(100), 5000, 'recv')).toString(), 'from node');
    conn.close();
    client.destroy();
  } finally {
    lst.close();
  }
});

test('adopt(net.Socket): a connected Node socket is usable from xsock, independently owned', async () => {
  const got = [];
  const server = net.createServer((c) => c.on('data', (d) => got.push(d.toString())).on('error', () => {}));
  await listen(server, 0, '127.0.0.1');
  const client = net.connect(server.address().port, '127.0.0.1');
  await once(client, 'connect');
  client.pause();
  const s = adopt(client);
  try {
    assert.deepEqual(s.getpeername(), { family: 'inet', address: '127.0.0.1', port: server.address().port });
    client.destroy(); // Node closes its fd; ours stays open
    await s.sendAll('via xsock');
    await within(new Promise((res) => { const t = setInterval(() => { if (got.join('') === 'via xsock') { clearInterval(t); res(); } }, 5); }), 5000, 'server data');
  } finally {
    s.close();
    server.close();
  }
});

test('adopt(dgram.Socket): the bound UDP socket receives through xsock', async () => {
  const d = dgram.createSocket('udp4');
  await new Promise((res) => d.bind(0, '127.0.0.1', res));
  const { port } = d.address();
  const s = adopt(d);
  d.close();
  try {
    const tx = socket('inet', 'dgram');
    await tx.sendto('to adopted', `127.0.0.1:${port}`);
    const m = await within(s.recvfrom(100), 5000, 'recvfrom');
    assert.equal(m.data.toString(), 'to adopted');
    assert.equal(m.from.port, tx.getsockname().port, 'from the sender (its autobound port)');
    tx.close();
  } finally {
    s.close();
  }
});

test('adopt() refuses what has no socket, naming the argument', () => {
  assert.throws(() => adopt({}), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"source"/ });
  assert.throws(() => adopt(new net.Socket()), { code: 'ERR_XSOCK_BAD_FD', message: /"source"/ });
  const [a, b] = socketpair('unix', 'dgram');
  assert.throws(() => toNetSocket(a), { code: 'ERR_XSOCK_WRONG_SOCKET_TYPE' });
  a.close(); b.close();
  assert.throws(() => toNetSocket(a), { code: 'ERR_XSOCK_CLOSED' });
});

test('toNetSocket(): a connected xsock stream socket becomes a net.Socket', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const ns = toNetSocket(a);
  assert.equal(a.closed, true, 'xsock gave up the descriptor');
  ns.write('node writes');
  assert.equal((await within(b.recv(100), 5000, 'recv')).toString(), 'node writes');
  const data = once(ns, 'data');
  await b.sendAll('xsock writes');
  assert.equal((await within(data, 5000, 'net data'))[0].toString(), 'xsock writes');
  const ended = once(ns, 'end');
  b.shutdown('write');
  await within(ended, 5000, 'net end on half-close');
  ns.destroy();
  await once(ns, 'close');
  b.close();
});

test('toNetServer(): an xsock listener bound by xsock serves through net.Server', async () => {
  const lst = socket('inet', 'stream');
  lst.setsockopt('SOL_SOCKET', 'SO_REUSEADDR', true);
  lst.bind('127.0.0.1:0');
  lst.listen();
  const { port } = lst.getsockname();
  const server = await toNetServer(lst, net.createServer((c) => c.end('hello from net.Server')));
  const s = socket('inet', 'stream');
  await within(s.connect(`127.0.0.1:${port}`), 5000, 'connect');
  const chunks = [];
  for (let b; (b = await within(s.recv(100), 5000, 'recv')).length > 0;) chunks.push(b);
  assert.equal(Buffer.concat(chunks).toString(), 'hello from net.Server');
  s.close();
  await new Promise((res) => server.close(res));
});

test('a socket passed to a python child as fd 3 (extra stdio) talks to its peer', async () => {
  const [a, b] = socketpair('unix', 'seqpacket');
  const child = spawn('timeout', ['10', 'python3', '-c', `
import socket
s = socket.socket(fileno=3)
m = s.recv(100)
s.send(m.upper() + b' %d' % s.type)
`], { stdio: ['ignore', 'inherit', 'inherit', b.fd] });
  b.close(); // the child holds its own copy now
  await a.send('seqpacket to child');
  assert.equal((await within(a.recv(100), 5000, 'reply')).toString(), 'SEQPACKET TO CHILD 5');
  const [code] = await once(child, 'close');
  assert.equal(code, 0);
  a.close();
});

test('a node child adopts its inherited stdin socket with Socket.fromFd', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  const child = spawn('timeout', ['10', process.execPath, '--input-type=module', '-e', `
import { Socket } from ${JSON.stringify(dist)};
const s = Socket.fromFd(0);
const m = await s.recv(100);
await s.sendAll('child got ' + m + ' on ' + s.domainName + '/' + s.typeName);
s.close();
`], { stdio: [b.fd, 'inherit', 'inherit'] });
  b.close();
  await a.sendAll('hi');
  const chunks = [];
  for (let buf; (buf = await within(a.recv(100), 10000, 'child reply')).length > 0;) chunks.push(buf);
  assert.equal(Buffer.concat(chunks).toString(), 'child got hi on unix/stream');
  const [code] = await once(child, 'close');
  assert.equal(code, 0);
  a.close();
});
