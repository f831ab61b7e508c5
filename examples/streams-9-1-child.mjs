// The child of example 9-1: opens the test file and passes the descriptor to its parent
// over the pipe end it was given as fd 3 (sendfd() of the original).
import { openSync, closeSync, constants } from 'node:fs';
import { ioctl, close, I_SENDFD } from 'xsock/streams';

const TESTFILE = process.argv[2] ?? '/dev/null';
const PIPE = 3;

const tfd = openSync(TESTFILE, constants.O_RDWR);
console.log(`child: pid=${process.pid} uid=${process.getuid?.()} gid=${process.getgid?.()}`);
await ioctl(PIPE, I_SENDFD, tfd);
closeSync(tfd); // the parent has its own reference to the open file now
close(PIPE);
