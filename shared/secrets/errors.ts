/**
 * Errors of the secrets area. A message names the secret (its ARN) and what is wrong with it, and
 * never any part of its value: not in the message, not in a `cause`.
 */

/**
 * A secret could not be read (access denied, not found, throttled), is not JSON, or does not have
 * the expected shape. `retryable` says whether a later attempt may succeed without a person.
 *
 * @example
 * catch (error) { if (error instanceof SecretError) logger.error(error.message, { secretArn: error.secretArn }); }
 */
export class SecretError extends Error {
  override readonly name = 'SecretError';
  readonly secretArn: string;
  readonly retryable: boolean;

  constructor(secretArn: string, problem: string, options: { retryable: boolean; cause?: unknown }) {
    super(`secret ${secretArn}: ${problem}`, options.cause === undefined ? {} : { cause: options.cause });
    this.secretArn = secretArn;
    this.retryable = options.retryable;
  }
}
