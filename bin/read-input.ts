import { readFile } from 'node:fs/promises';
import { type CliIo, UsageError } from './cli-error';

/**
 * The bytes of an input file named on the command line; `-` reads standard input. A file that
 * cannot be read is a {@link UsageError} saying why in words, not an errno.
 *
 * @example
 * const data = await readInput(values.snapshot, io);
 */
export async function readInput(path: string, io: Pick<CliIo, 'stdin'>): Promise<Buffer> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${describeReadError(error)}`);
  }
}

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
};

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code !== undefined && READ_ERRORS[code]) || (error as Error).message;
}
