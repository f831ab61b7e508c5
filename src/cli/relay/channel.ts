/**
 * A channel: one opened endpoint of a relay, whatever is behind it (a socket, stdio, a
 * file, a child). Reads come in batches so a datagram endpoint can use recvmmsg(2) and
 * one wake-up moves many messages; a byte-stream endpoint returns batches of one.
 */
import type { SockAddr } from '../../address.js';
import type { Socket } from '../../socket/index.js';
import type { WaitOptions } from '../../readiness.js';

/** One unit read from an endpoint: a datagram, a sequenced packet, or a run of stream bytes. */
export interface Message {
  data: Buffer;
  /** Where a datagram came from (unconnected receivers). */
  from?: SockAddr;
  /** Descriptors that arrived with it (SCM_RIGHTS), when the endpoint reads ancillary data. */
  fds?: readonly number[];
  /** Sender credentials (SCM_CREDENTIALS), when the endpoint reads ancillary data. */
  credentials?: { pid: number; uid: number; gid: number } | null;
  /** MSG_* flags the kernel set (MSG_TRUNC, MSG_CTRUNC ...). */
  flags?: number | undefined;
}

/**
 * What the relay's zero-copy path (splice-pump.ts) may move bytes through: a plain byte
 * stream socket, or a regular file read or written at its file position.
 */
export type ZeroCopyEnd =
  | { kind: 'socket'; socket: Socket; urgent: boolean; wait?: WaitOptions }
  | { kind: 'file'; fd: number };

export interface Channel {
  /** Text for traces and errors. */
  readonly name: string;
  /** Message-oriented: each read is one message and each write sends one (dgram, seqpacket). */
  readonly boundaries: boolean;
  readonly readable: boolean;
  readonly writable: boolean;
  /** Reading can reach end-of-file (a datagram socket never does). */
  readonly ends: boolean;
  /** The next batch; null at end-of-file. The buffers are valid until the next read. */
  read(): Promise<Message[] | null>;
  /** Writes every message, waiting for room; resolves once the kernel (or stream) took them. */
  write(batch: Message[]): Promise<void>;
  /** Half-close: no more writes (shutdown(SHUT_WR), end of a pipe). */
  endWrite(): void;
  /**
   * The zero-copy view of this endpoint, or null where every byte must pass through
   * read()/write() (messages, ancillary data, stdio). Asked once, before any read or write.
   */
  zeroCopy?(): ZeroCopyEnd | null;
  /** Releases the endpoint; resolves once buffered output is flushed. */
  close(): void | Promise<void>;
}
