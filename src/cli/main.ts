/**
 * The `xsock` command: subcommands dispatch from here. Exit codes: 0 ok, 1 runtime
 * failure, 2 bad usage (unknown command, bad address or option).
 */
import { parseArgs } from 'node:util';
import { measureSemantics, formatSemantics } from './semantics.js';

const USAGE = `usage: xsock COMMAND [options]

commands:
  semantics [--json] [--count N]   measure the socket property table on this kernel
`;

/** Thrown for bad usage: printed as one line, exit code 2. */
export class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'semantics': return await semantics(rest);
      case undefined: case '-h': case '--help': case 'help':
        process.stdout.write(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${cmd}' (xsock --help lists them)`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
      || (err as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`xsock: ${(err as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`xsock: ${(err as Error).message}\n`);
    return 1;
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
