/** Findings and plans for the settings tests: one per rule, with a fix plan or a ticket-only plan. */
import type { Finding } from '../../shared/findings/finding';
import type { RuleId } from '../../shared/rules/types';

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const BUCKET_ARN = 'arn:aws:s3:::www.example.com';

type Plan = NonNullable<Finding['remediation']>;

export const FIX_PLANS: Readonly<Record<RuleId, Plan>> = {
  'interface-endpoint-multi-az': {
    kind: 'fix',
    summary: 'Add subnet-0a1b2c3d4e5f60012 (us-east-1b) to endpoint vpce-0a1b2c3d4e5f60003',
    actions: [
      {
        service: 'ec2',
        action: 'ModifyVpcEndpoint',
        parameters: { VpcEndpointId: 'vpce-0a1b2c3d4e5f60003', AddSubnetIds: ['subnet-0a1b2c3d4e5f60012'] },
      },
    ],
    warnings: ['Adds 1 endpoint network interface.'],
  },
  's3-bucket-public-access': {
    kind: 'fix',
    summary: 'Turn on all four Block Public Access flags on bucket www.example.com',
    actions: [
      {
        service: 's3',
        action: 'PutPublicAccessBlock',
        parameters: {
          Bucket: 'www.example.com',
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true,
          },
        },
        previous: null,
      },
    ],
    warnings: [],
  },
  'gateway-endpoint-routes': {
    kind: 'fix',
    summary: 'add rtb-0a1b2c3d4e5f61005 to vpce-0a1b2c3d4e5f61001',
    actions: [
      {
        service: 'ec2',
        action: 'ModifyVpcEndpoint',
        parameters: { VpcEndpointId: 'vpce-0a1b2c3d4e5f61001', AddRouteTableIds: ['rtb-0a1b2c3d4e5f61005'] },
      },
    ],
    warnings: [],
  },
};

export const TICKET_ONLY_PLAN: Plan = {
  kind: 'ticket-only',
  summary: 'Add subnets in a second Availability Zone to the VPC, then to the endpoint',
  why: 'VPC vpc-0a1b2c3d4e5f60001 has subnets in 1 AZ (us-east-1a): there is no other AZ to add',
};

const RESOURCES: Readonly<Record<RuleId, { type: Finding['resourceType']; id: string; arn: string }>> = {
  'interface-endpoint-multi-az': {
    type: 'AWS::EC2::VPCEndpoint',
    id: 'vpce-0a1b2c3d4e5f60003',
    arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc-endpoint/vpce-0a1b2c3d4e5f60003`,
  },
  's3-bucket-public-access': { type: 'AWS::S3::Bucket', id: 'www.example.com', arn: BUCKET_ARN },
  'gateway-endpoint-routes': {
    type: 'AWS::EC2::RouteTable',
    id: 'rtb-0a1b2c3d4e5f61005',
    arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:route-table/rtb-0a1b2c3d4e5f61005`,
  },
};

/** A NON_COMPLIANT finding of the rule with its fix plan, unless overridden. */
export function finding(
  ruleId: RuleId = 's3-bucket-public-access',
  overrides: Partial<Pick<Finding, 'status' | 'remediation' | 'accountId'>> = {},
): Finding {
  const resource = RESOURCES[ruleId];
  const status = overrides.status ?? 'NON_COMPLIANT';
  return {
    schemaVersion: '1',
    findingId: `${ruleId}:${resource.arn}`,
    ruleId,
    resourceType: resource.type,
    resourceId: resource.id,
    resourceArn: resource.arn,
    accountId: overrides.accountId ?? ACCOUNT,
    region: 'us-east-1',
    status,
    severity: status === 'NON_COMPLIANT' ? 'HIGH' : 'INFORMATIONAL',
    reason: 'test finding',
    evidence: {},
    remediation:
      'remediation' in overrides
        ? (overrides.remediation ?? null)
        : status === 'NON_COMPLIANT'
          ? FIX_PLANS[ruleId]
          : null,
    observedAt: '2026-05-01T12:00:00.000Z',
    detector: 'config-rule',
  };
}
