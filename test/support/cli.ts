import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The bundled CLI, built by test/global-setup.ts exactly as `npm ci` builds it. */
export const CLI = resolve(import.meta.dirname, '../../dist/bin/endpoint-guard.js');

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `endpoint-guard` bin in a child process. */
export function runCli(
  args: readonly string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {},
): CliRun {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    input: options.input,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ...options.env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
