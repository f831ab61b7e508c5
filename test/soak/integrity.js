// Integrity: records and bytes from a separate writer process, read by a slow reader,
// checked by sequence number and crc32. Seqpacket through recvmsg, recvBatch and
// messages() (with empty records and a shutdown right after the last send); framed
// records over TCP (GBs in the full soak); a break out of messages() must not lose what
// was read ahead.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { socket, socketpair } from '../../dist/index.js';
import { part, sleep, within } from './lib.js';
import { pool, record, payloadOf, EMPTY_EVERY, crc32 } from './frames.js';

const dir = mkdtempSync(join(tmpdir(), 'xs-int-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const writerScript = fileURLToPath(new URL('./integrity-writer.js', import.meta.url));

function writer(args) {
  const c = spawn(process.execPath, [writerScript, ...args.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  c.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  return { child: c, done: new Promise((r) => c.on('close', (code) => r({ code, err }))) };
}

/** Reads one seqpacket connection with `how`; returns what arrived, checked. */
async function readSeqpacket(ctx, conn, how, n, max, empties, p) {
  let seq = 0;
  let emptyNext = false;
  let got = 0;
  let bad = 0;
  let eofAt = -1;
  const expectBytes = () => {
    let b = 0;
    for (let i = seq; i < n; i++) b += record(p, i, max).length;
    return b;
  };
  const take = (m) => {
    if (emptyNext) {
      emptyNext = false;
      if (m.data.length !== 0) { bad++; ctx.fail({ check: 'integrity.seqpacket', fn: how, what: `expected the empty record after ${seq - 1}, got ${m.data.length} bytes` }); }
      ctx.tally.messages++;
      return;
    }
    if (m.data.length < 8) { bad++; ctx.fail({ check: 'integrity.seqpacket', fn: how, what: `record ${seq}: ${m.data.length} bytes, shorter than its header` }); return; }
    const s = m.data.readUInt32LE(0);
    const body = m.data.subarray(8);
    if (s !== seq) { bad++; ctx.fail({ check: 'integrity.seqpacket', fn: how, what: `expected record ${seq}, got ${s} (lost, duplicated or reordered)` }); seq = s; }
    if (crc32(body) !== m.data.readUInt32LE(4) || !body.equals(payloadOf(p, s, body.length))) { bad++; ctx.fail({ check: 'integrity.seqpacket', fn: how, what: `record ${s}: checksum mismatch` }); }
    got++;
    ctx.tally.messages++;
    ctx.tally.bytes += m.data.length;
    if (empties && seq % EMPTY_EVERY === EMPTY_EVERY - 1) emptyNext = true;
    seq++;
  };
  const slow = async (i) => { if (i % 400 === 399) await sleep(1 + (i % 3)); };
  let i = 0;
  if (how === 'messages') {
    for await (const m of conn.messages({ count: 64 })) {
      take(m);
      await slow(i++);
    }
    eofAt = seq;
  } else {
    for (;;) {
      const batch = how === 'recvBatch' ? await conn.recvBatch({ count: 64 }) : [await conn.recvmsg({ size: max + 8 })];
      let end = false;
      for (const m of batch) {
        if (m.eof) { end = true; break; }
        take(m);
      }
      if (end) break;
      await slow(i++);
    }
    eofAt = seq;
  }
  if (got !== n || emptyNext) {
    const lost = expectBytes();
    ctx.tally.bytesLost += lost;
    ctx.fail({ check: empties ? 'integrity.seqpacket-empty' : 'integrity.seqpacket', fn: how, arg: empties ? `records with an empty one after every ${EMPTY_EVERY}th` : 'records of 8..' + (max + 8) + ' bytes', what: `end-of-file after ${got} of ${n} records (at record ${eofAt}${emptyNext ? ', where an empty record was due' : ''}): ${lost} bytes lost` });
  }
  return bad;
}

async function seqpacketRuns(ctx, p, seed) {
  const empties = ctx.check('integrity.seqpacket-empty');
  const n = ctx.n(700000, 1500);
  const max = 600;
  for (const how of ['recvmsg', 'recvBatch', 'messages']) {
    ctx.doing(`seqpacket ${how}: ${n} records${empties ? ' with empty ones' : ''}`);
    const path = join(dir, `sp-${how}`);
    const l = socket('unix', 'seqpacket');
    l.bind(path);
    l.listen();
    const w = writer(['seqpacket', path, n, seed, max, empties ? 1 : 0]);
    let conn;
    try {
      conn = await within(l.accept(), 20000, 'the writer to connect');
      await within(readSeqpacket(ctx, conn, how, n, max, empties, p), 600000, `seqpacket ${how}`);
    } catch (err) {
      ctx.fail({ check: 'integrity.seqpacket', fn: how, what: `${err.code ?? 'no code'}: ${String(err.message).slice(0, 200)}` });
    } finally {
      conn?.close();
      l.close();
    }
    const r = await within(w.done, 60000, 'writer exit').catch((e) => ({ code: e.message, err: '' }));
    if (r.code !== 0) ctx.fail({ check: 'integrity.writer', fn: `seqpacket writer (${how})`, what: `exited ${r.code}: ${r.err.slice(-300)}` });
  }
}

async function tcpRun(ctx, p, seed) {
  const total = ctx.n(2 * 2 ** 30, 8 * 2 ** 20);
  ctx.doing(`TCP: ${total} bytes, slow reader`);
  const l = socket('inet', 'stream');
  l.bind('127.0.0.1:0');
  l.listen();
  const w = writer(['tcp', l.getsockname().port, total, seed]);
  let conn;
  let payload = 0;
  try {
    conn = await within(l.accept(), 20000, 'the TCP writer to connect');
    conn.setsockopt('SOL_SOCKET', 'SO_RCVBUF', 1 << 16); // a small window: the writer waits often
    let buf = Buffer.alloc(0);
    let seq = 0;
    let reads = 0;
    const t0 = performance.now();
    for (;;) {
      const chunk = await within(conn.recv(1 << 17), 30000, `TCP data after ${payload} bytes`);
      if (chunk.length === 0) break;
      ctx.tally.operations++;
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let off = 0;
      while (buf.length - off >= 12) {
        const len = buf.readUInt32LE(off);
        if (buf.length - off < 12 + len) break;
        const s = buf.readUInt32LE(off + 4);
        const body = buf.subarray(off + 12, off + 12 + len);
        if (s !== seq) { ctx.fail({ check: 'integrity.tcp', fn: 'recv', what: `expected frame ${seq}, got ${s}` }); seq = s; }
        if (crc32(body) !== buf.readUInt32LE(off + 8) || !body.equals(payloadOf(p, s, len))) ctx.fail({ check: 'integrity.tcp', fn: 'recv', what: `frame ${s}: checksum mismatch` });
        seq++;
        payload += len;
        ctx.tally.messages++;
        off += 12 + len;
      }
      buf = buf.subarray(off);
      ctx.tally.bytes += chunk.length;
      if (++reads % 64 === 0) await sleep(1); // the slow reader
    }
    if (buf.length) ctx.fail({ check: 'integrity.tcp', fn: 'recv', what: `${buf.length} bytes of a partial frame at end-of-file` });
    ctx.note(`TCP: ${payload} payload bytes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (err) {
    ctx.fail({ check: 'integrity.tcp', fn: 'recv', what: `${err.code ?? 'no code'}: ${String(err.message).slice(0, 200)}` });
  } finally {
    conn?.close();
    l.close();
  }
  if (payload !== total) {
    ctx.tally.bytesLost += total - payload;
    ctx.fail({ check: 'integrity.tcp', fn: 'recv', what: `${payload} of ${total} payload bytes arrived` });
  }
  const r = await within(w.done, 60000, 'writer exit').catch((e) => ({ code: e.message, err: '' }));
  if (r.code !== 0) ctx.fail({ check: 'integrity.writer', fn: 'tcp writer', what: `exited ${r.code}: ${r.err.slice(-300)}` });
}

/** Breaking out of messages() after 2 of 10: the other 8 must still be readable (item 7). */
async function breakRun(ctx) {
  if (!ctx.check('integrity.messages-break')) return;
  ctx.doing('break out of messages()');
  const rounds = ctx.n(2000, 20);
  for (let r = 0; r < rounds; r++) {
    const [a, b] = socketpair('unix', 'seqpacket');
    try {
      for (let i = 0; i < 10; i++) await a.send(`m${i}`);
      a.shutdown('write');
      let seen = 0;
      for await (const m of b.messages()) { void m; if (++seen === 2) break; }
      const rest = [];
      for (;;) {
        const m = await within(b.recvmsg(), 2000, 'the rest after the break');
        if (m.eof) break;
        rest.push(m.data.toString());
      }
      ctx.tally.messages += 10;
      ctx.tally.operations += 12;
      if (rest.length !== 8) {
        ctx.tally.bytesLost += 2 * (8 - rest.length);
        ctx.fail({ check: 'integrity.messages-break', fn: 'messages', arg: 'break after 2 of 10 records', what: `only ${rest.length} of the 8 others could be read after the break: [${rest.join(',')}]` });
      }
    } finally {
      a.close(); b.close();
    }
  }
}

await part('integrity', async (ctx) => {
  const seed = ctx.seed;
  const p = pool(seed);
  await seqpacketRuns(ctx, p, seed);
  await tcpRun(ctx, p, seed);
  await breakRun(ctx);
});
