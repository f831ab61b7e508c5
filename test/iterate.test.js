// `for await` over sockets: a connected stream socket yields byte chunks and ends at EOF
// without closing (a server reads to the end and still replies); datagram and seqpacket
// sockets yield Messages; a toDuplex() stream keeps its writable side at EOF when
// allowHalfOpen (the default) and is destroyed when the loop is left early. Peers are
// python3 and Node's own net module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { socket, socketpair, toDuplex } from '../dist/index.js';
import { checkFdsAtEnd, within, python } from './helpers.js';

checkFdsAtEnd();

/** Resolves when the stream has emitted 'close' (now or later). */
function closed(stream) {
  return stream.closed ? Promise.resolve() : once(stream, 'close');
}

/** A listening loopback TCP socket and its port. */
function listener() {
  const server = socket('inet', 'stream');
  server.bind('127.0.0.1:0');
  server.listen(4);
  return { server, port: server.getsockname().port };
}

const CLIENT = `
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
print('READY', flush=True)
s.sendall(b'x' * int(sys.argv[2]))
s.shutdown(socket.SHUT_WR)
reply = b''
while True:
    b = s.recv(65536)
    if not b: break
    reply += b
print(reply.decode())
`;

test('TCP: for await over an accepted socket reads a python request to EOF, then the server replies', async () => {
  const { server, port } = listener();
  try {
    const peer = python(CLIENT, [String(port), '200000']);
    const conn = await within(server.accept(), 5000, 'accept');
    try {
      let bytes = 0;
      let chunks = 0;
      await within((async () => {
        for await (const chunk of conn) {
          assert.ok(Buffer.isBuffer(chunk), 'a stream socket yields Buffers');
          bytes += chunk.length;
          chunks++;
        }
      })(), 10000, 'iteration to EOF');
      assert.equal(bytes, 200000);
      assert.ok(chunks >= 1);
      assert.equal(conn.closed, false, 'the end of the loop does not close the socket');
      await conn.sendAll(`got ${bytes} in ${chunks > 0 ? 'chunks' : 'none'}`);
      conn.shutdown('write');
      assert.equal(await within(peer.exited, 10000, 'python exit'), 0, peer.stderr());
      assert.deepEqual(peer.lines, ['got 200000 in chunks']);
    } finally {
      conn.close();
    }
  } finally {
    server.close();
  }
});

test('socketpair stream: 4 MiB arrive intact through chunks(); break leaves the socket usable', async () => {
  const [a, b] = socketpair('unix', 'stream');
  try {
    const data = randomBytes(4 << 20);
    const writer = a.sendAll(data).then(() => a.shutdown('write'));
    const hash = createHash('sha256');
    let n = 0;
    await within((async () => { for await (const c of b.chunks({ size: 10000 })) { assert.ok(c.length <= 10000); hash.update(c); n += c.length; } })(), 20000, 'read 4 MiB');
    await writer;
    assert.equal(n, data.length);
    assert.equal(hash.digest('hex'), createHash('sha256').update(data).digest('hex'));
    // break: the socket stays open and the rest is still there
    await b.sendAll('abcdef');
    for await (const c of a) { assert.equal(c.toString(), 'abcdef'); break; }
    assert.equal(a.closed, false);
    await b.sendAll('g');
    assert.equal((await within(a.recv(10))).toString(), 'g');
  } finally {
    a.close(); b.close();
  }
});

test('iteration ends when the socket is closed; chunks() refuses message sockets; dgram iterates Messages', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const ended = (async () => { for await (const c of a) void c; return 'ended'; })();
  setTimeout(() => a.close(), 20);
  assert.equal(await within(ended, 5000, 'end on close'), 'ended');
  b.close();
  const [c, d] = socketpair('unix', 'dgram');
  try {
    assert.throws(() => c.chunks(), { code: 'ERR_XSOCK_WRONG_SOCKET_TYPE' });
    assert.throws(() => socket('inet', 'stream').chunks({ size: 0 }), { code: 'ERR_XSOCK_OUT_OF_RANGE' });
    await d.send('m1');
    for await (const m of c) { assert.equal(m.data.toString(), 'm1'); break; }
  } finally {
    c.close(); d.close();
  }
});

test('toDuplex: a server reads a Node net client to the end with for await and still replies (allowHalfOpen)', async () => {
  const { server, port } = listener();
  try {
    const client = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const conn = await within(server.accept(), 5000, 'accept');
    const d = toDuplex(conn);
    await once(client, 'connect');
    client.end('question');
    let got = '';
    for await (const chunk of d) got += chunk;
    assert.equal(got, 'question');
    assert.equal(d.destroyed, false, 'EOF with allowHalfOpen keeps the stream');
    assert.equal(conn.closed, false);
    d.end('answer to ' + got);
    let reply = '';
    client.on('data', (c) => { reply += c; });
    await within(once(client, 'end'), 5000, 'client end');
    assert.equal(reply, 'answer to question');
    client.destroy();
    assert.equal(d.writableFinished, true);
    d.destroy();
    await within(closed(d), 5000, 'close');
    assert.equal(conn.closed, true, 'destroy closes the socket the stream owns');
  } finally {
    server.close();
  }
});

test('toDuplex: leaving the loop early destroys the stream; allowHalfOpen false destroys it at EOF', async () => {
  {
    const [a, b] = socketpair('unix', 'stream');
    const d = toDuplex(a);
    await b.sendAll('one');
    for await (const chunk of d) { assert.equal(chunk.toString(), 'one'); break; }
    assert.equal(d.destroyed, true);
    await within(closed(d), 5000, 'close');
    assert.equal(a.closed, true);
    b.close();
  }
  {
    const [a, b] = socketpair('unix', 'stream');
    const d = toDuplex(a, { allowHalfOpen: false });
    await b.sendAll('two');
    b.shutdown('write');
    let got = '';
    for await (const chunk of d) got += chunk;
    assert.equal(got, 'two');
    assert.equal(d.destroyed, true, 'without allowHalfOpen the end destroys, as Node does');
    await within(closed(d), 5000, 'close');
    assert.equal(a.closed, true);
    b.close();
  }
});
