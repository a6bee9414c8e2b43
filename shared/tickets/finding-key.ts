/**
 * A short, stable key per finding for backends with length or character limits: a Jira label
 * (no spaces), a ServiceNow `correlation_id` (100 characters at most), an OpsCenter dedup string.
 * A finding id (`<rule>:<resource ARN>`) can be longer than those limits allow.
 */
import { createHash } from 'node:crypto';

/**
 * `endpoint-guard-` and the first 24 hex digits (96 bits) of the SHA-256 of the finding id.
 *
 * @example
 * findingKey('s3-bucket-public-access:arn:aws:s3:::reports'); // 'endpoint-guard-3b1f...' (39 characters)
 */
export function findingKey(findingId: string): string {
  return `endpoint-guard-${createHash('sha256').update(findingId).digest('hex').slice(0, 24)}`;
}
