/**
 * The environment's two address slots, registered with the shim once (native/addrslot.c,
 * as scratch is): the destination connect(2) reads, kept encoded while a client connects to
 * the same unix name again, and the peer address accept4(2) writes. Every connect and
 * accept of the socket layer goes through them, so those calls pass the shim numbers only.
 */
import { native } from '../binding.js';
import { ADDR_BUF_SIZE } from '../address.js';
import { EncodeMemo } from './address-memo.js';

/** connect(2)'s destination: encode() into it, then connectSlot(fd, addrlen). */
export const destination = new EncodeMemo();
/** accept4(2)'s peer address, as acceptSlot(fd) left it (its length in scratch[0]). */
export const peer = Buffer.from(new ArrayBuffer(ADDR_BUF_SIZE));
native.addressSlots(destination.buf, peer);
