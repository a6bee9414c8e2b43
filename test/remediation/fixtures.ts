/**
 * Findings and evaluations for the store, remediation, rollback and remediate tests: one
 * NON_COMPLIANT finding per fix kind, in member account 222233334444, eu-west-1.
 */
import { type Finding, findingIdOf, parseFinding } from '../../shared/findings/finding';
import type { PublicAccessBlock } from '../../shared/model';
import type { Evaluation, PlannedAction, RemediationPlan } from '../../shared/rules/types';

/** Overrides of a fixture finding; the result is validated by parseFinding like any Finding. */
export type FindingOverrides = Partial<Omit<Finding, 'remediation'>> & {
  readonly remediation?: RemediationPlan | null;
};

export const ACCOUNT = '222233334444';
export const REGION = 'eu-west-1';
export const OBSERVED_AT = '2025-06-01T12:00:00.000Z';

const ENDPOINT_ARN = `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/vpce-0a1`;
const TABLE_ARN = `arn:aws:ec2:${REGION}:${ACCOUNT}:route-table/rtb-0p1`;

export const ADD_SUBNET: PlannedAction = {
  service: 'ec2',
  action: 'ModifyVpcEndpoint',
  parameters: { VpcEndpointId: 'vpce-0a1', AddSubnetIds: ['subnet-0b'] },
};

export const ADD_ROUTE_TABLE: PlannedAction = {
  service: 'ec2',
  action: 'ModifyVpcEndpoint',
  parameters: { VpcEndpointId: 'vpce-0s3', AddRouteTableIds: ['rtb-0p1'] },
};

export const CREATE_ENDPOINT: PlannedAction = {
  service: 'ec2',
  action: 'CreateVpcEndpoint',
  parameters: {
    VpcId: 'vpc-01',
    ServiceName: `com.amazonaws.${REGION}.s3`,
    VpcEndpointType: 'Gateway',
    RouteTableIds: ['rtb-0p1'],
    ClientToken: 'endpoint-guard-vpc-01-s3',
  },
};

export function putBlock(previous: PublicAccessBlock | null, bucket = 'reports-bucket'): PlannedAction {
  return {
    service: 's3',
    action: 'PutPublicAccessBlock',
    parameters: {
      Bucket: bucket,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    },
    previous,
  };
}

export function fixPlan(
  actions: readonly PlannedAction[],
  summary = 'fix it',
  warnings: string[] = [],
): RemediationPlan {
  return { kind: 'fix', summary, actions, warnings };
}

/** interface-endpoint-multi-az on vpce-0a1: add subnet-0b (eu-west-1b). */
export function endpointFinding(overrides: FindingOverrides = {}): Finding {
  return parseFinding({
    schemaVersion: '1',
    findingId: findingIdOf('interface-endpoint-multi-az', ENDPOINT_ARN),
    ruleId: 'interface-endpoint-multi-az',
    resourceType: 'AWS::EC2::VPCEndpoint',
    resourceId: 'vpce-0a1',
    resourceArn: ENDPOINT_ARN,
    accountId: ACCOUNT,
    region: REGION,
    status: 'NON_COMPLIANT',
    severity: 'HIGH',
    reason:
      'endpoint has subnets in 1 AZ (eu-west-1a); its VPC vpc-01 uses 2 AZs (eu-west-1a, eu-west-1b); missing eu-west-1b',
    evidence: { vpcId: 'vpc-01' },
    remediation: fixPlan([ADD_SUBNET], 'Add subnet-0b (eu-west-1b) to endpoint vpce-0a1', [
      'Adds 1 endpoint network interface: each added AZ is billed one more endpoint ENI-hour.',
    ]),
    observedAt: OBSERVED_AT,
    detector: 'sweep',
    ...overrides,
  });
}

/** gateway-endpoint-routes on rtb-0p1: add it to S3 gateway endpoint vpce-0s3 (or create one). */
export function routeTableFinding(
  actions: readonly PlannedAction[] = [ADD_ROUTE_TABLE],
  overrides: FindingOverrides = {},
): Finding {
  return parseFinding({
    schemaVersion: '1',
    findingId: findingIdOf('gateway-endpoint-routes', TABLE_ARN),
    ruleId: 'gateway-endpoint-routes',
    resourceType: 'AWS::EC2::RouteTable',
    resourceId: 'rtb-0p1',
    resourceArn: TABLE_ARN,
    accountId: ACCOUNT,
    region: REGION,
    status: 'NON_COMPLIANT',
    severity: 'MEDIUM',
    reason: 'private route table (used by subnet-0a): not associated with S3 gateway endpoint vpce-0s3',
    evidence: { vpcId: 'vpc-01' },
    remediation: fixPlan(actions, 'add rtb-0p1 to vpce-0s3'),
    observedAt: OBSERVED_AT,
    detector: 'cloudtrail-event',
    ...overrides,
  });
}

/** s3-bucket-public-access on reports-bucket: turn Block Public Access on. */
export function bucketFinding(previous: PublicAccessBlock | null, overrides: FindingOverrides = {}): Finding {
  return parseFinding({
    schemaVersion: '1',
    findingId: findingIdOf('s3-bucket-public-access', 'arn:aws:s3:::reports-bucket'),
    ruleId: 's3-bucket-public-access',
    resourceType: 'AWS::S3::Bucket',
    resourceId: 'reports-bucket',
    resourceArn: 'arn:aws:s3:::reports-bucket',
    accountId: ACCOUNT,
    region: REGION,
    status: 'NON_COMPLIANT',
    severity: 'MEDIUM',
    reason: 'Block Public Access off: BlockPublicPolicy, RestrictPublicBuckets',
    evidence: {},
    remediation: fixPlan(
      [putBlock(previous)],
      'Turn on all four Block Public Access flags on bucket reports-bucket',
    ),
    observedAt: OBSERVED_AT,
    detector: 'config-rule',
    ...overrides,
  });
}

/** The evaluation of a finding's resource, as a live re-read would give it. */
export function evaluationOf(
  finding: Finding,
  status: Evaluation['status'],
  overrides: Partial<Pick<Evaluation, 'reason' | 'remediation' | 'evidence'>> = {},
): Evaluation {
  const nonCompliant = status === 'NON_COMPLIANT';
  return {
    ruleId: finding.ruleId,
    resourceType: finding.resourceType,
    resourceId: finding.resourceId,
    accountId: finding.accountId,
    region: finding.region,
    arn: finding.resourceArn,
    status,
    severity: nonCompliant ? finding.severity : 'INFORMATIONAL',
    reason: overrides.reason ?? (nonCompliant ? finding.reason : `${finding.resourceId} is ${status}`),
    evidence: overrides.evidence ?? {},
    remediation:
      'remediation' in overrides
        ? (overrides.remediation ?? null)
        : nonCompliant
          ? finding.remediation
          : null,
  };
}

export const HALF_BLOCKED: PublicAccessBlock = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
};
