// The unprivileged side of privsep-open.mjs: fd 3 is its end of the STREAMS pipe.
import { openSync, readFileSync, closeSync } from 'node:fs';
import { ioctl, close, I_RECVFD } from 'xsock/streams';

const FILE = process.argv[2];
const PIPE = 3;

try {
  closeSync(openSync(FILE, 'r'));
  console.log(`worker: uid=${process.getuid?.()} open ${FILE}: allowed (nothing to separate)`);
} catch (err) {
  console.log(`worker: uid=${process.getuid?.()} gid=${process.getgid?.()} open ${FILE}: ${err instanceof Error && 'code' in err ? err.code : err}`);
}
const r = await ioctl(PIPE, I_RECVFD);
const text = readFileSync(r.fd, 'utf8');
closeSync(r.fd);
close(PIPE);
console.log(`worker: received fd from uid=${r.uid} gid=${r.gid}; read ${Buffer.byteLength(text)} bytes: ${JSON.stringify(text.trim())}`);
