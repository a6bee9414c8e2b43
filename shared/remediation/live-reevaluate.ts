/**
 * Re-evaluates a finding's resource against live state, for the executor: reads just the
 * resource's VPC (or bucket) in the finding's account and region and runs the finding's rule.
 */
import type { AccountClients } from '../aws/clients';
import { evaluateLive, LiveInventoryReader, type LiveScope } from '../aws/live-inventory';
import type { Finding } from '../findings/finding';
import type { Evaluation, RuleOptions } from '../rules/types';

/**
 * What to read live to re-evaluate a finding: the endpoint or route table (the reader brings its
 * whole VPC in, which the rules judge it against) or the bucket (with the account's setting).
 *
 * @example
 * liveScopeOf(finding); // { endpointIds: ['vpce-0a1'] }
 */
export function liveScopeOf(finding: Pick<Finding, 'resourceType' | 'resourceId'>): LiveScope {
  switch (finding.resourceType) {
    case 'AWS::EC2::VPCEndpoint':
      return { endpointIds: [finding.resourceId] };
    case 'AWS::EC2::RouteTable':
      return { routeTableIds: [finding.resourceId] };
    case 'AWS::S3::Bucket':
      return { bucketNames: [finding.resourceId], accountPublicAccessBlock: true };
    default:
      throw new TypeError(
        `no live re-evaluation for ${finding.resourceType} (finding of ${finding.resourceId})`,
      );
  }
}

/**
 * A `reevaluate` function for {@link RemediationExecutor}: the live evaluation of the finding's
 * resource by the finding's rule, or `undefined` when the resource no longer exists.
 *
 * @example
 * const executor = new RemediationExecutor({ ec2, s3, reevaluate: liveReevaluator(clients, ruleOptionsOf(settings)) });
 */
export function liveReevaluator(
  clients: Pick<AccountClients, 'accountId' | 'region' | 'ec2' | 's3' | 's3control'>,
  ruleOptions: RuleOptions,
): (finding: Finding) => Promise<Evaluation | undefined> {
  const reader = new LiveInventoryReader(clients);
  return async (finding) => {
    const { evaluations } = await evaluateLive(reader, liveScopeOf(finding), [finding.ruleId], ruleOptions);
    return evaluations.find(
      (evaluation) => evaluation.ruleId === finding.ruleId && evaluation.resourceId === finding.resourceId,
    );
  };
}
