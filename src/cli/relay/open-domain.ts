/**
 * Opening the raw IP, packet, vsock and netlink endpoints of domain-addresses.ts: socket,
 * bind, then connect/listen+accept or nothing (a receiver replies to its last sender, a
 * sender names its peer on every write).
 */
import { socket, type Socket } from '../../socket/index.js';
import type { Channel } from './channel.js';
import type { DomainSpec } from './domain-addresses.js';
import type { OpenContext } from './open.js';
import { SocketChannel, type SocketChannelOptions } from './socket-channel.js';

export async function openDomainEndpoint(spec: DomainSpec, ctx: OpenContext): Promise<Channel> {
  const s = socket(spec.domain, spec.type, spec.protocol);
  const opened: Socket[] = [s];
  try {
    const base: SocketChannelOptions = { size: ctx.size, wait: ctx.wait, ancillary: false, senders: ctx.senders };
    if (spec.local) s.bind(spec.local);
    if (spec.promisc) s.setsockopt('SOL_PACKET', 'PACKET_ADD_MEMBERSHIP', { ifindex: spec.ifindex ?? 0, type: 'promisc' });
    if (spec.local && spec.role !== 'sendto') ctx.onListening?.(s.getsockname());
    switch (spec.role) {
      case 'recv': return new SocketChannel(s, spec.text, { ...base, replyToSender: true });
      case 'sendto': return new SocketChannel(s, spec.text, { ...base, to: spec.remote });
      case 'bound': return new SocketChannel(s, spec.text, base);
      case 'connect': {
        const timeout = ctx.connectTimeout;
        await s.connect(spec.remote!, timeout === undefined ? ctx.wait : { ...ctx.wait, timeout });
        return new SocketChannel(s, spec.text, base);
      }
      case 'listen': {
        s.listen();
        const c = await s.accept(ctx.wait);
        opened.push(c);
        s.close();
        return new SocketChannel(c, spec.text, base);
      }
    }
  } catch (err) {
    for (const o of opened) o.close();
    throw err;
  }
}
