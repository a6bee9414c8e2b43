/**
 * How a finding reads for people, shared by notifications and tickets: a title, why it matters,
 * where to look in the console, and what a planned fix costs.
 */
import type { Finding } from '../findings/finding';
import type { RuleId } from '../rules/types';

/** A short title per rule, for subjects and ticket summaries. */
export const RULE_TITLES: Readonly<Record<RuleId, string>> = {
  'interface-endpoint-multi-az': 'Interface endpoint not in every AZ',
  's3-bucket-public-access': 'S3 bucket not fully blocked from public access',
  'gateway-endpoint-routes': 'Private route table without its gateway endpoint',
};

/** Why each rule matters, in one or two sentences. */
export const WHY_IT_MATTERS: Readonly<Record<RuleId, string>> = {
  'interface-endpoint-multi-az':
    'An interface endpoint only has a network interface in the AZs of its subnets: if that AZ fails, ' +
    'every workload of the VPC loses its private path to the service, including those in healthy AZs.',
  's3-bucket-public-access':
    'Without all four Block Public Access flags, one bucket policy or ACL change can expose the ' +
    "bucket's objects to anyone on the internet; a public policy or ACL in place is a data leak now.",
  'gateway-endpoint-routes':
    'Subnets using this route table send S3 / DynamoDB traffic through a NAT gateway (billed per GB ' +
    'processed) or have no path at all, instead of the free gateway endpoint.',
};

/**
 * `<title>: <resource id> (<account>, <region>)`, e.g. for a ticket summary.
 *
 * @example
 * findingTitle(finding); // 'Interface endpoint not in every AZ: vpce-0a1 (222233334444, eu-west-1)'
 */
export function findingTitle(finding: Finding): string {
  return `${RULE_TITLES[finding.ruleId]}: ${finding.resourceId} (${finding.accountId}, ${finding.region})`;
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

/** Hours in an average month, the unit AWS prices endpoint-hours in. */
const HOURS_PER_MONTH = 730;

/**
 * What the planned fix costs, in one line, or `undefined` when it adds nothing billed. Each subnet
 * added to an interface endpoint is one more endpoint ENI, billed per AZ-hour by PrivateLink;
 * gateway endpoints (S3, DynamoDB) have no hourly charge.
 *
 * @example
 * costImpact(finding); // 'Adds 1 endpoint network interface (1 AZ) to vpce-0a1: ...'
 */
export function costImpact(finding: Finding): string | undefined {
  const plan = finding.remediation;
  if (plan?.kind !== 'fix') return undefined;
  const lines: string[] = [];
  for (const action of plan.actions) {
    if (action.action === 'ModifyVpcEndpoint' && action.parameters.AddSubnetIds?.length) {
      const count = action.parameters.AddSubnetIds.length;
      const enis =
        count === 1
          ? '1 endpoint network interface (1 AZ)'
          : `${count} endpoint network interfaces (${count} AZs)`;
      lines.push(
        `Adds ${enis} to ${action.parameters.VpcEndpointId}: PrivateLink bills each interface endpoint per AZ-hour, ` +
          `so about ${count * HOURS_PER_MONTH} more endpoint-hours a month at your Region's rate ` +
          '(https://aws.amazon.com/privatelink/pricing/).',
      );
    } else if (action.action === 'ModifyVpcEndpoint' || action.action === 'CreateVpcEndpoint') {
      lines.push(
        'Gateway endpoints have no hourly or data processing charge; traffic moved off a NAT gateway stops being billed there.',
      );
    }
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
