/**
 * AWS errors, in one place: the adapters' error classes (each names the account, role,
 * resources or findings involved and carries the SDK error as `cause`, so a log line is enough
 * to act on), and how to read an SDK error: its text, its code, whether it is throttling, and
 * whether AWS refused the request itself (retrying changes nothing) or it may pass.
 */

/** Error names AWS services use for throttling; all of them are worth a retry. */
export const THROTTLING_ERROR_NAMES: ReadonlySet<string> = new Set([
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
 * if (isRefusal(error)) return failed(`EC2 refused ModifyVpcEndpoint: ${describeAwsError(error)}`);
 */
export function isRefusal(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { $fault, $retryable, name } = error as { $fault?: unknown; $retryable?: unknown; name?: unknown };
  if ($fault !== 'client') return false;
  if ($retryable !== undefined && $retryable !== null) return false;
  return !(typeof name === 'string' && THROTTLING_ERROR_NAMES.has(name));
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

/**
 * AssumeRole into a member account's role failed: the role is missing, its trust policy does not
 * allow the caller, or an SCP denies it. Other accounts can still be read.
 *
 * @example
 * try {
 *   await factory.forAccount('222233334444', 'eu-west-1');
 * } catch (error) {
 *   if (error instanceof MemberAccessError) console.error(error.accountId, error.roleArn);
 *   else throw error;
 * }
 */
export class MemberAccessError extends Error {
  override readonly name = 'MemberAccessError';
  readonly accountId: string;
  readonly roleArn: string;

  constructor(accountId: string, roleArn: string, options: { cause: unknown }) {
    super(`cannot assume ${roleArn} in account ${accountId}: ${describeAwsError(options.cause)}`, {
      cause: options.cause,
    });
    this.accountId = accountId;
    this.roleArn = roleArn;
  }
}

/** One evaluation AWS Config refused, as PutEvaluations returned it. */
export interface FailedEvaluation {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly complianceType: string;
}

/**
 * AWS Config answered PutEvaluations with `FailedEvaluations`: those verdicts were not recorded.
 *
 * @example
 * try {
 *   await config.putEvaluations(token, evaluations, new Date());
 * } catch (error) {
 *   if (error instanceof PutEvaluationsError) logger.error('not recorded', { failed: error.failed });
 *   throw error;
 * }
 */
export class PutEvaluationsError extends Error {
  override readonly name = 'PutEvaluationsError';
  readonly failed: readonly FailedEvaluation[];

  constructor(failed: readonly FailedEvaluation[]) {
    super(
      `AWS Config rejected ${failed.length} evaluation${failed.length === 1 ? '' : 's'}: ${failed
        .slice(0, 10)
        .map((f) => `${f.resourceType} ${f.resourceId} (${f.complianceType})`)
        .join(', ')}${failed.length > 10 ? ', ...' : ''}`,
    );
    this.failed = failed;
  }
}

/**
 * BatchGetResourceConfig still left keys unprocessed after the bounded retries. Carries the items
 * it did return, so a caller may use them and report the rest.
 *
 * @example
 * try {
 *   await config.batchGet(keys);
 * } catch (error) {
 *   if (error instanceof UnprocessedResourceKeysError) logger.warn('partial', { keys: error.keys });
 * }
 */
export class UnprocessedResourceKeysError extends Error {
  override readonly name = 'UnprocessedResourceKeysError';
  readonly keys: readonly { readonly resourceType: string; readonly resourceId: string }[];
  readonly items: readonly Record<string, unknown>[];

  constructor(
    keys: readonly { readonly resourceType: string; readonly resourceId: string }[],
    items: readonly Record<string, unknown>[],
  ) {
    super(
      `BatchGetResourceConfig left ${keys.length} key${keys.length === 1 ? '' : 's'} unprocessed: ${keys
        .slice(0, 10)
        .map((key) => `${key.resourceType} ${key.resourceId}`)
        .join(', ')}${keys.length > 10 ? ', ...' : ''}`,
    );
    this.keys = keys;
    this.items = items;
  }
}

/** One Finding event EventBridge refused, with its error code. */
export interface FailedFinding {
  readonly findingId: string;
  readonly errorCode: string;
  readonly errorMessage?: string;
}

/**
 * EventBridge refused Finding events even after one retry of the failed entries.
 *
 * @example
 * try {
 *   await publisher.publish(findings);
 * } catch (error) {
 *   if (error instanceof PublishError) logger.error('not published', { failed: error.failed });
 *   throw error;
 * }
 */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  readonly failed: readonly FailedFinding[];

  constructor(eventBusName: string, failed: readonly FailedFinding[]) {
    super(
      `EventBridge bus ${eventBusName} rejected ${failed.length} finding${failed.length === 1 ? '' : 's'}: ${failed
        .slice(0, 10)
        .map((f) => `${f.findingId} (${f.errorCode})`)
        .join(', ')}${failed.length > 10 ? ', ...' : ''}`,
    );
    this.failed = failed;
  }
}

/**
 * True when `error` is an AWS service error with one of these codes. SDK v3 puts the code in
 * `name` (modelled exceptions and unmodelled ones alike); some XML services also set `Code`.
 *
 * @example
 * if (isAwsError(error, 'NoSuchBucketPolicy')) return undefined;
 */
export function isAwsError(error: unknown, ...codes: readonly string[]): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, Code } = error as { name?: unknown; Code?: unknown };
  return (
    (typeof name === 'string' && codes.includes(name)) || (typeof Code === 'string' && codes.includes(Code))
  );
}

/** `AccessDenied: User ... is not authorized` — the code and message of an SDK error. */
export function describeAwsError(error: unknown): string {
  if (error instanceof Error) {
    return error.message && error.message !== error.name ? `${error.name}: ${error.message}` : error.name;
  }
  return String(error);
}
