/** A problem with how the CLI was called or with its input: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What a command hands back: text for stdout and the exit code. Printed only when complete. */
export interface CommandResult {
  readonly stdout: string;
  readonly exitCode: number;
}

/** The streams and environment a command may use; injected so tests need no child process. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdoutIsTty: boolean;
  /** The terminal's width when stdout is one; long lines wrap to it (else to $COLUMNS, if set). */
  readonly stdoutColumns?: number | undefined;
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}
