/**
 * The helper process behind openThroughHelper(): started by helper.ts with its end of a
 * SOCK_SEQPACKET socketpair as fd 3. It runs open(2) for each request — in its own libuv
 * threadpool, so an open that blocks in the kernel (a FIFO with no writer yet, a hung
 * network filesystem) stalls only this process — and passes the descriptor back with
 * SCM_RIGHTS. Requests are served concurrently; replies carry the request's id.
 * It exits when its parent's end closes (end-of-file), so it never outlives the caller.
 */
import { open } from 'node:fs/promises';
import { Socket } from '../socket/socket.js';
import { ensureInit } from '../readiness.js';
import { encode, decode, MAX_MESSAGE, type OpenRequest, type OpenReply } from './opener-protocol.js';

ensureInit(); // the shim's out-params need the scratch even when no socket was created here
const chan = Socket.fromFd(3);

async function serve(req: OpenRequest): Promise<void> {
  let reply: OpenReply;
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(req.path, req.flags, req.mode);
    reply = { id: req.id, ok: true };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    reply = { id: req.id, ok: false, errno: Math.abs(e.errno ?? 5), code: e.code ?? 'EIO' };
  }
  try {
    await chan.sendmsg({ data: encode(reply), fds: fh ? [fh.fd] : undefined });
  } catch {
    leave(); // the caller is gone: nothing left to serve
  } finally {
    await fh?.close();
  }
}

try {
  for (;;) {
    const m = await chan.recvmsg({ size: MAX_MESSAGE });
    m.fds.close(); // requests never carry rights; refuse to hold any
    if (m.eof || m.bytes === 0) break;
    const req = decode<OpenRequest>(m.data);
    if (req) void serve(req);
  }
} catch {
  // ECONNRESET and the like: the caller died with a reply unread. Its stderr is the user's
  // terminal, and an orphan has nobody to tell: leave without a trace.
}
leave();

/**
 * Exits at once. process.exit() would wait for libuv's threadpool, where an open(2) may
 * block forever (a FIFO nobody will write): the helper must not outlive its caller.
 */
function leave(): never {
  chan.close();
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}
