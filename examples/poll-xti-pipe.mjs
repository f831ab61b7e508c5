#!/usr/bin/env node
// One process serving several streams at once with poll(2), as TLI-era clients did: two
// XTI endpoints connected to two servers and a STREAMS pipe whose other end is a child
// process's standard output. Every readable entry is read as it becomes ready; the program
// ends when both servers have released their connections and the child has hung up.
//
// usage: node examples/poll-xti-pipe.mjs HOST:PORT HOST:PORT
// Prints "EP1 <text>", "EP2 <text>", "PIPE <text>" for data, "EP<n> RELEASED" at an
// orderly release, "PIPE HUP" at the child's end, then "DONE".
import { spawn } from 'node:child_process';
import { readSync } from 'node:fs';
import {
  t_open, t_bind, t_alloc, t_connect, t_rcv, t_look, t_rcvrel, t_sndrel, t_rcvdis, t_close, t_error, t_errno,
  addressBytes, O_RDWR, T_CALL, T_ADDR, TLOOK, T_ORDREL, T_DISCONNECT,
} from 'xsock/xti';
import { pipe, close, poll, POLLIN, POLLRDNORM, POLLHUP, POLLERR, POLLNVAL } from 'xsock/streams';

const servers = process.argv.slice(2);
if (servers.length !== 2) {
  console.error('usage: poll-xti-pipe HOST:PORT HOST:PORT');
  process.exit(2);
}

/** @param {string} server HOST:PORT */
async function connectTo(server) {
  const fd = t_open('/dev/tcp', O_RDWR, null);
  t_bind(fd, null, null);
  const call = t_alloc(fd, T_CALL, T_ADDR);
  const addr = addressBytes(server);
  addr.copy(call.addr.buf);
  call.addr.len = addr.length;
  try {
    await t_connect(fd, call, null);
  } catch {
    t_error(`t_connect ${server}`);
    process.exit(1);
  }
  return fd;
}

const ep = [await connectTo(servers[0]), await connectTo(servers[1])];

/* the pipe: the child writes into one end, we poll the other */
const [mine, theirs] = pipe();
const child = spawn(process.execPath, ['-e', "process.stdout.write('hello from the child')"], { stdio: ['ignore', theirs, 'inherit'] });
close(theirs);

const names = ['EP1', 'EP2', 'PIPE'];
const fds = [
  { fd: ep[0], events: POLLIN | POLLRDNORM },
  { fd: ep[1], events: POLLIN | POLLRDNORM },
  { fd: mine, events: POLLIN | POLLRDNORM },
];
const buf = Buffer.alloc(512);
let open = fds.length;

/**
 * An endpoint is readable: data, or (t_rcv fails TLOOK) a release or disconnect.
 * @param {number} i its index in fds
 */
async function serviceEndpoint(i) {
  const fd = fds[i].fd;
  try {
    const n = await t_rcv(fd, buf, buf.length, { flags: 0 });
    console.log(`${names[i]} ${buf.toString('utf8', 0, n)}`);
    return;
  } catch {
    if (t_errno !== TLOOK) { t_error('t_rcv'); process.exit(1); }
  }
  const ev = t_look(fd);
  if (ev === T_ORDREL) {
    t_rcvrel(fd);
    t_sndrel(fd);
    console.log(`${names[i]} RELEASED`);
  } else if (ev === T_DISCONNECT) {
    t_rcvdis(fd, null);
    console.log(`${names[i]} DISCONNECTED`);
  }
  t_close(fd);
  fds[i].fd = -1; /* poll ignores negative descriptors */
  open--;
}

/** @param {number} i the pipe's index in fds */
function servicePipe(i) {
  let n = 0;
  try {
    n = readSync(fds[i].fd, buf, 0, buf.length, null);
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'EAGAIN')) throw err;
    return;
  }
  if (n > 0) {
    console.log(`PIPE ${buf.toString('utf8', 0, n)}`);
    return;
  }
  console.log('PIPE HUP');
  close(fds[i].fd);
  fds[i].fd = -1;
  open--;
}

while (open > 0) {
  const ready = await poll(fds, 10000);
  if (ready.every((e) => e.revents === 0)) { console.error('poll: timed out'); process.exit(1); }
  for (const [i, e] of ready.entries()) {
    if (e.revents & POLLNVAL) { console.error(`${names[i]}: not open`); process.exit(1); }
    if (!(e.revents & (POLLIN | POLLRDNORM | POLLHUP | POLLERR))) continue;
    if (i < 2) await serviceEndpoint(i);
    else servicePipe(i);
  }
}
/** @type {Promise<void>} */
const childExited = new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
await childExited;
console.log('DONE');
