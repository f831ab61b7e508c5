// The plain data calls pass their scalars to the shim through the shared scratch: the shim
// must still refuse (EINVAL, no syscall) any range outside the view it is given, whatever
// JavaScript wrote there, and the socket-layer helper must never cut a bad range to fit.
// The peer socket is the oracle: a refused send queues nothing, a refused recv takes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socketpair, constants as C } from '../dist/index.js';
import { native, DATA_ARGS, DATA_RESULT } from '../dist/binding.js';
import { scratch } from '../dist/readiness.js';
import { sendCall, recvCall, sendtoCall, recvfromCall } from '../dist/socket/data-call.js';
import { checkFdsAtEnd } from './helpers.js';

checkFdsAtEnd();

const out = Buffer.from('0123456789abcdef');

function put(fd, off, len, flags = 0) {
  scratch[DATA_ARGS] = fd;
  scratch[DATA_ARGS + 1] = off;
  scratch[DATA_ARGS + 2] = len;
  scratch[DATA_ARGS + 3] = flags;
}

test('the shim refuses a range outside the view with EINVAL, and the kernel sees nothing', () => {
  const [a, b] = socketpair('unix', 'seqpacket');
  try {
    const bad = [[-1, 1], [0, -1], [17, 0], [0, 17], [16, 1], [8, 9], [-2147483648, 4], [4, 2147483647]];
    for (const [off, len] of bad) {
      put(a.fd, off, len);
      scratch[DATA_RESULT] = 999;
      native.send(out);
      assert.equal(scratch[DATA_RESULT], -C.EINVAL, `send off ${off} len ${len}`);
      assert.equal(sendCall(a.fd, out, off, len, 0), -C.EINVAL, `sendCall off ${off} len ${len}`);
    }
    assert.equal(b.tryRecvInto(Buffer.alloc(32)), null, 'nothing was queued');
    assert.equal(a.trySend(out), 16);
    const inb = Buffer.alloc(16, 0x2e);
    for (const [off, len] of bad) {
      put(b.fd, off, len);
      scratch[DATA_RESULT] = 999;
      native.recv(inb);
      assert.equal(scratch[DATA_RESULT], -C.EINVAL, `recv off ${off} len ${len}`);
      assert.equal(recvCall(b.fd, inb, off, len, 0), -C.EINVAL, `recvCall off ${off} len ${len}`);
    }
    assert.equal(inb.toString(), '.'.repeat(16), 'nothing was written into the view');
    assert.equal(b.tryRecvInto(inb), 16, 'the message is still queued');
    assert.equal(inb.toString(), out.toString());
  } finally {
    a.close();
    b.close();
  }
});

test('a range the helper cannot pass as int32 is refused, never cut to fit the view', () => {
  const [a, b] = socketpair('unix', 'seqpacket');
  try {
    for (const [off, len] of [[1.5, 2], [0, 2.5], [NaN, 1], [0, Infinity], [2 ** 32, 1], [1, 2 ** 32], [-(2 ** 33), 1]]) {
      assert.equal(sendCall(a.fd, out, off, len, 0), -C.EINVAL, `off ${off} len ${len}`);
    }
    assert.equal(b.tryRecvInto(Buffer.alloc(32)), null, 'nothing was queued');
  } finally {
    a.close();
    b.close();
  }
});

test('off and len select the bytes sent and the place received; flags reach the kernel', () => {
  const [a, b] = socketpair('unix', 'dgram');
  try {
    assert.equal(sendCall(a.fd, out, 3, 5, 0), 5);
    const inb = Buffer.alloc(12, 0x2e);
    assert.equal(recvCall(b.fd, inb, 4, 8, C.MSG_PEEK), 5, 'peeked');
    assert.equal(inb.toString(), '....34567...');
    assert.equal(recvCall(b.fd, inb, 0, 2, C.MSG_TRUNC), 5, 'MSG_TRUNC: the datagram\'s length');
    assert.equal(inb.subarray(0, 2).toString(), '34');
    assert.equal(recvCall(b.fd, inb, 0, 12, 0), -C.EAGAIN, 'consumed by the truncating receive');
    assert.equal(recvCall(-1, inb, 0, 12, 0), -C.EBADF);
  } finally {
    a.close();
    b.close();
  }
});

test('sendto/recvfrom: the address length is checked against its view; the sender is reported', () => {
  const [a, b] = socketpair('unix', 'dgram');
  try {
    const addr = Buffer.alloc(2);
    addr.writeUInt16LE(C.AF_UNIX, 0);
    assert.equal(sendtoCall(a.fd, out, 0, 4, 0, addr, 3), -C.EINVAL, 'addrlen past the view');
    assert.equal(sendtoCall(a.fd, out, 0, 4, 0, addr, -1), -C.EINVAL, 'negative addrlen');
    assert.equal(b.tryRecvInto(Buffer.alloc(8)), null, 'nothing was queued');
    a.bind({ family: 'unix' }); // autobind: "\0" and five hex digits, so the sender has a name
    assert.equal(sendCall(a.fd, out, 2, 4, 0), 4);
    const from = Buffer.alloc(128, 0xff);
    const inb = Buffer.alloc(8);
    scratch[0] = -1;
    assert.equal(recvfromCall(b.fd, inb, 1, 7, 0, from), 4);
    assert.equal(inb.subarray(1, 5).toString(), '2345');
    assert.equal(scratch[0], 8, 'family, NUL, five hex digits');
    assert.equal(from.readUInt16LE(0), C.AF_UNIX);
    assert.equal(from.subarray(3, 8).toString(), a.getsockname().abstract);
    assert.equal(from[8], 0xff, 'nothing written past the address');
  } finally {
    a.close();
    b.close();
  }
});
