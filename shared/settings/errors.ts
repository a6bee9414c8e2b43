/**
 * Errors of the settings area. Each names the document (or parameter) and every problem in it,
 * precisely enough for a person to fix it without reading the code.
 */
import { InputError } from '../errors';

/**
 * The settings document is not valid JSON or does not match the schema. `problems` lists every
 * problem with its JSON path (`rules.s3-bucket-public-access.mode: expected one of ...`).
 *
 * It is an {@link InputError}, so the CLI prints it as a clear message and exits with code 2.
 *
 * @example
 * try {
 *   parseSettings(JSON.parse(text), '/endpoint-guard/settings');
 * } catch (error) {
 *   if (error instanceof SettingsValidationError) for (const problem of error.problems) console.error(problem);
 *   else throw error;
 * }
 */
export class SettingsValidationError extends InputError {
  override readonly name: string = 'SettingsValidationError';
  /** Every problem, one sentence each, starting with its JSON path. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options: { source?: string; cause?: unknown } = {}) {
    super(describeProblems(problems), { location: options.source, cause: options.cause });
    this.problems = problems;
  }
}

function describeProblems(problems: readonly string[]): string {
  if (problems.length === 1) return `invalid settings: ${problems[0]}`;
  return `invalid settings, ${problems.length} problems:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`;
}

/**
 * Reading the settings parameter failed for a reason other than "it does not exist" (throttling,
 * access denied, network). Carries the parameter name and the SDK error as `cause`.
 *
 * @example
 * const provider = new SettingsProvider({ ssm, parameterName, onReadError: (error) => logger.warn(error.message) });
 */
export class SettingsReadError extends Error {
  override readonly name = 'SettingsReadError';
  readonly parameterName: string;

  constructor(parameterName: string, options: { cause: unknown }) {
    super(`cannot read settings parameter ${parameterName}: ${describeCause(options.cause)}`, {
      cause: options.cause,
    });
    this.parameterName = parameterName;
  }
}

/**
 * Writing the settings parameter failed (access denied, throttling, a document too large for
 * the parameter's tier). Carries the parameter name and the SDK error as `cause`.
 *
 * @example
 * try {
 *   await ssm.send(new PutParameterCommand({ Name, Value, Overwrite: true, Type: 'String' }));
 * } catch (error) {
 *   throw new SettingsWriteError(Name, { cause: error });
 * }
 */
export class SettingsWriteError extends Error {
  override readonly name = 'SettingsWriteError';
  readonly parameterName: string;

  constructor(parameterName: string, options: { cause: unknown }) {
    super(`cannot write settings parameter ${parameterName}: ${describeCause(options.cause)}`, {
      cause: options.cause,
    });
    this.parameterName = parameterName;
  }
}

function describeCause(error: unknown): string {
  if (error instanceof Error) {
    return error.message && error.message !== error.name ? `${error.name}: ${error.message}` : error.name;
  }
  return String(error);
}
