/**
 * Thrown when a bucket policy cannot be analysed because it is not a policy document at all:
 * not JSON, not a JSON object, or without a usable `Statement`.
 *
 * A policy that parses but is semantically odd (an unknown principal type, an unknown condition
 * operator) is not an error: the analyser treats whatever it cannot prove fixed as public.
 *
 * @example
 * ```ts
 * try {
 *   analyzeBucketPolicy(text);
 * } catch (error) {
 *   if (error instanceof InvalidPolicyError) logger.warn('unreadable bucket policy', { error });
 *   else throw error;
 * }
 * ```
 */
export class InvalidPolicyError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidPolicyError';
  }
}
