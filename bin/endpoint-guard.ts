/**
 * The `endpoint-guard` command line. Each command returns its whole output; it is printed only
 * when the command succeeded, so a failure never leaves half a result on stdout.
 *
 * Startup: this entry imports nothing heavy. Each command is loaded with `import()` when it is
 * run, and the parts of a command that call AWS load their SDK clients only when they run, so
 * `--help`, `--version`, offline scans and `settings validate` never load the AWS SDK.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../shared/errors';
import { suggest } from './args';
import { type CliIo, type CommandResult, UsageError } from './cli-error';
import { VERSION } from './version';

const USAGE = `Usage: endpoint-guard <command> [options]

Commands:
  scan      evaluate AWS Config configuration items offline, or live state (endpoint-guard scan --help)
  settings  read, change and check the settings document (endpoint-guard settings --help)
  rollback  reverse a recorded fix by its audit id (endpoint-guard rollback --help)

Options:
  -h, --help       show this help (each command has its own: endpoint-guard <command> --help)
  -V, --version    print the version

Commands that call AWS (scan --live, settings get|set|exempt, rollback) take --profile NAME and
--region REGION, like the AWS CLI. Set NO_COLOR=1 or FORCE_COLOR=0 for output without colour.`;

type Command = (args: readonly string[], io: CliIo) => Promise<CommandResult>;

/** Each command's module is loaded only when that command runs. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  scan: async () => (await import('./commands/scan')).scanCommand,
  settings: async () => (await import('./commands/settings')).settingsCommand,
  rollback: async () => (await import('./commands/rollback')).rollbackCommand,
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
    if (name === '--version' || name === '-V' || name === 'version') {
      stdout(`${VERSION}\n`);
      return 0;
    }
    const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!load) throw new UsageError(unknownCommand(name));
    const result = await (await load())(rest, io);
    stdout(result.stdout);
    return result.exitCode;
  } catch (error) {
    io.stderr.write(`endpoint-guard: ${describe(error)}\n`);
    return 2;
  }
}

function unknownCommand(name: string): string {
  const names = Object.keys(COMMANDS);
  if (name.startsWith('-')) return `unknown option '${name}' (see endpoint-guard --help)`;
  const guess = suggest(name, names);
  return guess
    ? `unknown command "${name}": did you mean ${guess}?`
    : `unknown command "${name}": expected one of ${names.join(', ')}`;
}

function describe(error: unknown): string {
  if (error instanceof UsageError || error instanceof InputError) return error.message;
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
  // The SDK warns on every client it builds under Node 20 that its releases after January 2027
  // need Node 22. The CLI states its own supported range (README, package.json engines); the
  // warning is not repeated on every command. Set the variable to "false" to see it again.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // `endpoint-guard scan … | head`: the reader left; stop quietly, as other CLIs do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  const io: CliIo = {
    stdin: process.stdin,
    stdoutIsTty: process.stdout.isTTY === true,
    stdoutColumns: process.stdout.isTTY ? process.stdout.columns : undefined,
    stderr: process.stderr,
    env: process.env,
  };
  const code = await main(process.argv.slice(2), io, (text) => process.stdout.write(text));
  process.exitCode = code;
}
