// The separate writer process of the integrity part.
//   seqpacket PATH COUNT SEED MAX EMPTIES : records (+ an empty one after every 97th), then
//                                            shutdown(SHUT_WR) at once (the race) and exit
//   tcp PORT BYTES SEED                    : framed records [len][seq][crc][payload] over TCP
import { socket } from '../../dist/index.js';
import { pool, record, payloadOf, EMPTY_EVERY, crc32 } from './frames.js';

const [mode, where, countText, seedText, maxText, empties] = process.argv.slice(2);
const p = pool(Number(seedText));

if (mode === 'seqpacket') {
  const s = socket('unix', 'seqpacket');
  await s.connect(where);
  const n = Number(countText);
  const max = Number(maxText);
  const batch = [];
  for (let seq = 0; seq < n; seq++) {
    batch.push(record(p, seq, max));
    if (empties === '1' && seq % EMPTY_EVERY === EMPTY_EVERY - 1) batch.push(Buffer.alloc(0));
    if (batch.length >= 64 || seq === n - 1) {
      // Alternate the send paths: sendBatch (sendmmsg) and one sendmsg per record.
      if ((seq >> 6) % 2 === 0) await s.sendBatch(batch.splice(0));
      else for (const m of batch.splice(0)) await s.sendmsg({ data: m });
    }
  }
  s.shutdown('write');
  s.close();
} else {
  const s = socket('inet', 'stream');
  await s.connect({ family: 'inet', address: '127.0.0.1', port: Number(where) });
  let left = Number(countText);
  let seq = 0;
  const chunk = [];
  let size = 0;
  while (left > 0) {
    const len = Math.min(left, (Math.imul(seq, 2654435761) >>> 0) % 60000);
    const body = payloadOf(p, seq, len);
    const h = Buffer.allocUnsafe(12);
    h.writeUInt32LE(len, 0);
    h.writeUInt32LE(seq, 4);
    h.writeUInt32LE(crc32(body), 8);
    chunk.push(h, body);
    size += 12 + len;
    left -= len;
    seq++;
    if (size >= 1 << 18 || left <= 0) {
      await s.sendAll(Buffer.concat(chunk.splice(0)));
      size = 0;
    }
  }
  s.shutdown('write');
  s.close();
}
process.stdout.write('done\n');
