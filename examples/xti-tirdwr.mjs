#!/usr/bin/env node
// The TLI read/write module: a client connects with XTI, then pops timod and pushes tirdwr
// so the rest of the program can use plain read(2) and write(2) on the endpoint — as the
// TLI programs did that handed a connection to code written for files and pipes.
//
// usage: node examples/xti-tirdwr.mjs HOST:PORT [MESSAGE]
// Writes MESSAGE, and prints everything read until end of file
// (the server's orderly release) as "READ <text>", then "EOF".
import { readSync, writeSync } from 'node:fs';
import { t_open, t_bind, t_alloc, t_connect, t_close, t_error, addressBytes, O_RDWR, T_CALL, T_ADDR } from 'xsock/xti';
import { ioctl, I_POP, I_PUSH, I_LOOK } from 'xsock/streams';

const [server, message = 'hello'] = process.argv.slice(2);
if (!server) {
  console.error('usage: xti-tirdwr HOST:PORT [MESSAGE]');
  process.exit(2);
}

const fd = t_open('/dev/tcp', O_RDWR, null);
t_bind(fd, null, null);
const call = t_alloc(fd, T_CALL, T_ADDR);
const addr = addressBytes(server);
addr.copy(call.addr.buf);
call.addr.len = addr.length;
try {
  await t_connect(fd, call, null);
} catch {
  t_error('t_connect');
  process.exit(1);
}

/* from here on the endpoint is a plain descriptor */
ioctl(fd, I_POP, 0);          /* timod */
ioctl(fd, I_PUSH, 'tirdwr');
console.log(`MODULE ${ioctl(fd, I_LOOK)}`);

writeSync(fd, message);
const buf = Buffer.alloc(256);
let text = '';
for (;;) {
  const n = readSync(fd, buf, 0, buf.length, null); /* blocks, as read(2) does in C */
  if (n === 0) break;                                 /* orderly release: end of file */
  text += buf.toString('utf8', 0, n);
}
console.log(`READ ${text}`);
console.log('EOF');
t_close(fd);
