/**
 * Errors of the Lambda entry points' shared plumbing.
 */

/**
 * The function's environment is missing or holds an invalid variable (ARCHITECTURE.md, "Function
 * contract"). A deployment problem, not an event problem: it fails every invocation loudly.
 *
 * @example
 * throw new EnvironmentError('EVENT_BUS_NAME', 'is not set');
 */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
  /** The environment variable at fault. */
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`environment variable ${variable} ${problem}`);
    this.variable = variable;
  }
}
