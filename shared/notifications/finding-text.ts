/**
 * How a finding reads for people, shared by notifications and tickets: a title, why it matters,
 * where to look in the console, and what a planned fix costs.
 */
import type { Finding } from '../findings/finding';
import { actionModule } from '../remediation/actions/index';
import { ruleById } from '../rules/index';

/**
 * The rule's short title, for subjects and ticket summaries (its module's `text.title`).
 *
 * @example
 * ruleTitle('interface-endpoint-multi-az'); // 'Interface endpoint not in every AZ'
 */
export function ruleTitle(ruleId: string): string {
  return ruleById(ruleId).text.title;
}

/** Why the rule matters, in one or two sentences (its module's `text.whyItMatters`). */
export function whyItMatters(ruleId: string): string {
  return ruleById(ruleId).text.whyItMatters;
}

/**
 * `<title>: <resource id> (<account>, <region>)`, e.g. for a ticket summary.
 *
 * @example
 * findingTitle(finding); // 'Interface endpoint not in every AZ: vpce-0a1 (222233334444, eu-west-1)'
 */
export function findingTitle(finding: Finding): string {
  return `${ruleTitle(finding.ruleId)}: ${finding.resourceId} (${finding.accountId}, ${finding.region})`;
}

/**
 * A console link to the resource (the person must be signed in to the finding's account).
 *
 * @example
 * consoleUrl(finding); // 'https://eu-west-1.console.aws.amazon.com/vpcconsole/home?region=eu-west-1#EndpointDetails:vpcEndpointId=vpce-0a1'
 */
export function consoleUrl(finding: Finding): string | undefined {
  const region = finding.region;
  const id = encodeURIComponent(finding.resourceId);
  const vpc = `https://${region}.console.aws.amazon.com/vpcconsole/home?region=${region}`;
  switch (finding.resourceType) {
    case 'AWS::EC2::VPCEndpoint':
      return `${vpc}#EndpointDetails:vpcEndpointId=${id}`;
    case 'AWS::EC2::RouteTable':
      return `${vpc}#RouteTableDetails:RouteTableId=${id}`;
    case 'AWS::EC2::Subnet':
      return `${vpc}#SubnetDetails:subnetId=${id}`;
    case 'AWS::EC2::VPC':
      return `${vpc}#VpcDetails:VpcId=${id}`;
    case 'AWS::S3::Bucket':
      return `https://s3.console.aws.amazon.com/s3/buckets/${id}?region=${region}&tab=permissions`;
    case 'AWS::S3::AccountPublicAccessBlock':
      return `https://s3.console.aws.amazon.com/s3/settings?region=${region}`;
  }
}

/**
 * What the planned fix costs, in one line, or `undefined` when it adds nothing billed: each
 * action module says what its call costs (an interface endpoint's added subnet is one more
 * endpoint ENI, billed per AZ-hour; gateway endpoints have no hourly charge).
 *
 * @example
 * costImpact(finding); // 'Adds 1 endpoint network interface (1 AZ) to vpce-0a1: ...'
 */
export function costImpact(finding: Finding): string | undefined {
  const plan = finding.remediation;
  if (plan?.kind !== 'fix') return undefined;
  const lines: string[] = [];
  for (const action of plan.actions) {
    const line = actionModule(action).cost?.(action);
    if (line !== undefined) lines.push(line);
  }
  return lines.length === 0 ? undefined : [...new Set(lines)].join(' ');
}

/**
 * The planned fix in one line, or why none is automatic.
 *
 * @example
 * planText(finding); // 'Add subnet-0b (eu-west-1b) to endpoint vpce-0a1'
 */
export function planText(finding: Finding): string | undefined {
  const plan = finding.remediation;
  if (plan === null) return undefined;
  return plan.kind === 'fix' ? plan.summary : `no automatic fix: ${plan.why}`;
}
