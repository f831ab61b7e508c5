/**
 * The flags every recvmsg/recvmmsg hands the kernel. MSG_CMSG_CLOEXEC makes descriptors
 * received with SCM_RIGHTS close-on-exec atomically, so a child spawned before JavaScript
 * closes them never inherits one. Packet sockets refuse any flag they do not know
 * (EINVAL) and can never carry rights, so they are asked without it.
 */
import { constants as C } from '../constants.js';

/** `flags` plus MSG_CMSG_CLOEXEC, except on AF_PACKET sockets. */
export function recvFlags(domain: number, flags: number): number {
  return domain === C.AF_PACKET ? flags : flags | C.MSG_CMSG_CLOEXEC;
}
