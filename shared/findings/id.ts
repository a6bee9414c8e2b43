/**
 * The identity of a finding, without the Finding schema (so offline reports need not load it).
 */
import type { Evaluation } from '../rules/types';

/** The stable id of a finding: one per rule and resource, whatever its status. */
export function findingIdOf(ruleId: string, resourceArn: string): string {
  return `${ruleId}:${resourceArn}`;
}

/**
 * The ARN a finding names its resource by: the resource's own, or for a resource without one
 * (an account's Block Public Access) `<type>:<account>:<region>:<id>`.
 */
export function findingResourceArn(
  evaluation: Pick<Evaluation, 'arn' | 'resourceType' | 'accountId' | 'region' | 'resourceId'>,
): string {
  return (
    evaluation.arn ||
    `${evaluation.resourceType}:${evaluation.accountId}:${evaluation.region}:${evaluation.resourceId}`
  );
}
