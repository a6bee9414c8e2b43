/**
 * How remediation tells an AWS refusal (retrying changes nothing) from a failure that may pass.
 */

/** Error names AWS services use for throttling; all of them are worth a retry. */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);

/**
 * True when AWS answered and refused the request itself (bad parameter, missing resource, access
 * denied): a client fault that is not throttling. Anything else (server faults, throttling,
 * network, unknown errors) may pass on a retry.
 *
 * @example
 * if (isRefusal(error)) return failed(`EC2 refused ModifyVpcEndpoint: ${error.message}`);
 */
export function isRefusal(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { $fault, $retryable, name } = error as { $fault?: unknown; $retryable?: unknown; name?: unknown };
  if ($fault !== 'client') return false;
  if ($retryable !== undefined && $retryable !== null) return false;
  return !(typeof name === 'string' && THROTTLING.has(name));
}

/**
 * `Name: message` of an error, for reasons people read.
 *
 * @example
 * errorText(new Error('boom')); // 'Error: boom'
 */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    return error.message && error.message !== error.name ? `${error.name}: ${error.message}` : error.name;
  }
  return String(error);
}

/**
 * Whether an error carries one of these AWS error codes (SDK v3 puts the code in `name`).
 *
 * @example
 * if (hasCode(error, 'NoSuchPublicAccessBlockConfiguration')) return null;
 */
export function hasCode(error: unknown, ...codes: readonly string[]): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, Code } = error as { name?: unknown; Code?: unknown };
  return (
    (typeof name === 'string' && codes.includes(name)) || (typeof Code === 'string' && codes.includes(Code))
  );
}
