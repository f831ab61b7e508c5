/**
 * The socket layer: the one door to the kernel. Everything above it — XTI, STREAMS
 * pipes, the command, the Node faces — reaches descriptors only through what is exported
 * here.
 */
export { Socket, socket, socketpair, untilReady, socketOwning } from './socket.js';
export { batchSender, BATCH_ADDR_SLOT } from './batch.js';
export type { BindOptions, AcceptOptions, Datagram, Message, OutgoingMessage, RecvmsgOptions, QueuedError, BatchOptions, MessagesOptions, ChunksOptions } from './socket.js';
export { ReceivedFds } from './rights.js';
export { MAX_FDS_PER_MESSAGE, type ControlItem, type ExtendedError } from './ancillary.js';
export { optionTable, lookupOption, encodeOption, decodeOption, type Linger, type Credentials, type OptionSpec, type OptionName, type OptionLevel, type OptionValue, type OptionInput, type OptionKindOf, type OptionKindValue, type OptionKindInput, type AnyOptionValue, type OptionTableRow } from './options.js';
export { register, lookup, require as requireSocket, unregister } from './descriptors.js';
export { pollFd, dupOnto, dupCloexec, isCloexec, setNonblocking, clearNonblocking, closeFd } from './descriptor.js';
export { retry, attemptOrRetry, rejecting, datagramOutputPace, type Waiting, type Pace } from './retry.js';
export { ifNameToIndex, ifIndexToName } from './interfaces.js';
export { pipe } from './pipe.js';
export { splice, trySplice, tee, tryTee, sendfile, trySendfile, copyFileRange, makePipe, type SpliceEndpoint, type SpliceOptions, type SendfileOptions } from './splice.js';
export { listenSigurg } from './sigurg.js';
