/**
 * The `endpoint-guard` command line. Each command returns its whole output; it is printed only
 * when the command succeeded, so a failure never leaves half a result on stdout.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../shared/errors';
import { type CliIo, type CommandResult, UsageError } from './cli-error';
import { rollbackCommand } from './commands/rollback';
import { SCAN_USAGE, scanCommand } from './commands/scan';
import { settingsCommand } from './commands/settings';

const USAGE = `Usage: endpoint-guard <command> [options]

Commands:
  scan      evaluate AWS Config configuration items offline (endpoint-guard scan --help)
  settings  read, change and check the settings document (endpoint-guard settings --help)
  rollback  reverse a recorded fix by its audit id (endpoint-guard rollback --help)

Options:
  -h, --help     show this help
  --version      print the version`;

const VERSION = '0.1.0';

type Command = (args: readonly string[], io: CliIo) => Promise<CommandResult>;

const COMMANDS: Record<string, Command> = {
  scan: scanCommand,
  settings: settingsCommand,
  rollback: rollbackCommand,
};

/** Runs the CLI; returns the exit code. Errors are written to stderr as one clear line. */
export async function main(
  argv: readonly string[],
  io: CliIo,
  stdout: (text: string) => void,
): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      stdout(`${USAGE}\n`);
      return name === undefined ? 2 : 0;
    }
    if (name === '--version') {
      stdout(`${VERSION}\n`);
      return 0;
    }
    const command = COMMANDS[name];
    if (!command)
      throw new UsageError(`unknown command "${name}": expected one of ${Object.keys(COMMANDS).join(', ')}`);
    const result = await command(rest, io);
    stdout(result.stdout);
    return result.exitCode;
  } catch (error) {
    io.stderr.write(`endpoint-guard: ${describe(error)}\n`);
    return 2;
  }
}

function describe(error: unknown): string {
  if (error instanceof UsageError || error instanceof InputError) return error.message;
  // parseArgs reports unknown or malformed options with a code and a readable message.
  if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
    return error.message;
  }
  return `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const io: CliIo = {
    stdin: process.stdin,
    stdoutIsTty: process.stdout.isTTY === true,
    stderr: process.stderr,
    env: process.env,
  };
  const code = await main(process.argv.slice(2), io, (text) => process.stdout.write(text));
  process.exitCode = code;
}

export { SCAN_USAGE };
