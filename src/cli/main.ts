/**
 * The `xsock` command: subcommands dispatch from here; anything else is a relay
 * (`xsock [options] ADDRESS ADDRESS`). Exit codes: 0 ok, 1 runtime failure, 2 bad usage
 * (unknown command, bad address or option) with one line on stderr.
 */
import { parseArgs } from 'node:util';
import { measureSemantics, formatSemantics } from './commands/semantics.js';
import { UsageError, isUsage } from './usage.js';
import { relayCommand } from './relay/relay.js';
import { resolveCommand } from './commands/resolve.js';
import { sendfdCommand, recvfdCommand } from './commands/fdpass.js';
import { demoCommand } from './commands/demo.js';
import { infoCommand } from './commands/info.js';

export { UsageError };

const USAGE = `usage: xsock [options] ADDRESS ADDRESS     relay between two endpoints (xsock relay --help)
       xsock COMMAND [options]             (xsock COMMAND --help for each)

commands:
  relay [options] A B            the same as xsock A B
  semantics [--json] [--count N] measure the socket property table on this kernel
  demo [--json]                  a short tour: rendezvous over every type, rights, credentials,
                                 out-of-band data, an XTI asynchronous connect
  resolve HOST SERVICE           getaddrinfo(3): the addresses of a name, per socket type
  sendfd SOCKET FILE             open FILE and pass the descriptor over a unix socket
  recvfd SOCKET [OUT]            receive a descriptor on a unix socket and copy its contents out
  info [PROVIDER]                t_getinfo(3) of each XTI transport provider
`;

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  relay: relayCommand,
  semantics,
  demo: demoCommand,
  resolve: resolveCommand,
  sendfd: sendfdCommand,
  recvfd: recvfdCommand,
  info: infoCommand,
};

/** Runs the command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  // A reader that stops early (xsock info | head) is not an error of ours.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
      (cmd === undefined ? process.stderr : process.stdout).write(USAGE);
      return cmd === undefined ? 2 : 0;
    }
    const run = COMMANDS[cmd];
    return run ? await run(rest) : await relayCommand(argv);
  } catch (err) {
    const message = (err as Error).message.split('\n')[0];
    process.stderr.write(`xsock: ${message}\n`);
    return isUsage(err) ? 2 : 1;
  }
}

async function semantics(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, count: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write('usage: xsock semantics [--json] [--count N]\n\nCreates every domain x type on this kernel and measures ordered, unduplicated,\nreliable, connection-oriented, message boundaries and out-of-band on live traffic.\n');
    return 0;
  }
  const count = values.count === undefined ? 10000 : Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 10_000_000) throw new UsageError(`--count must be a positive integer; got '${values.count}'`);
  const rows = await measureSemantics(count);
  process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatSemantics(rows)}\n`);
  return 0;
}
