import { randomBytes } from 'node:crypto';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './cli-error';

/**
 * Checks, before any work is done, that `--output-file` names a file that can be written: its
 * folder exists and it is not a folder itself. The write itself can still fail (disk full).
 */
export async function checkOutputFile(path: string): Promise<void> {
  if (path === '') throw new UsageError('--output-file needs a file name');
  const folder = dirname(path);
  const folderStat = await stat(folder).catch(() => undefined);
  if (!folderStat?.isDirectory()) throw new UsageError(`cannot write ${path}: no such folder ${folder}`);
  const fileStat = await stat(path).catch(() => undefined);
  if (fileStat?.isDirectory()) throw new UsageError(`cannot write ${path}: it is a folder`);
}

/**
 * Writes `text` to `path` atomically: into a temporary file in the same folder, then renamed over
 * the target. A reader never sees half a report, and on any error the target is left as it was
 * (and the temporary file removed).
 *
 * @example
 * await writeFileAtomic('report.html', html);
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { flag: 'wx', mode: 0o644 });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EACCES'
        ? 'permission denied'
        : code === 'ENOSPC'
          ? 'no space left'
          : (error as Error).message;
    throw new UsageError(`cannot write ${path}: ${why}`);
  }
}
