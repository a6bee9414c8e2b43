/**
 * The AWS Security Finding Format (ASFF) document of one evaluation: what the Security Hub sink
 * imports with `BatchImportFindings`, and what `scan --format asff` prints for
 * `aws securityhub batch-import-findings`. Pure: no clock, no AWS.
 *
 * - **One finding per rule and resource.** `Id` is derived from the rule and the resource ARN
 *   only, and `ProductArn` from the receiving account, so every later import of the same rule and
 *   resource updates the same Security Hub finding in place.
 * - **Whose hub.** With the account's default product ARN
 *   (`arn:<partition>:securityhub:<region>:<account>:product/<account>/default`), Security Hub
 *   accepts a finding only from the account named in `AwsAccountId` (any other is refused with
 *   `AccessDeniedException`). Findings about member accounts' resources are therefore imported by
 *   the central account, in its own name: `AwsAccountId` is the receiving account, and the
 *   resource's own account is in the resource ARN and in `ProductFields`
 *   (`endpoint-guard/ResourceAccountId`).
 * - **Status.** COMPLIANT → `PASSED`, NON_COMPLIANT → `FAILED`, NOT_APPLICABLE (the resource is
 *   gone, exempt or out of scope) → `NOT_AVAILABLE`. Only a NON_COMPLIANT finding is `ACTIVE`;
 *   the others are `ARCHIVED` with workflow `RESOLVED`. Security Hub keeps the workflow of an
 *   existing finding itself (an import cannot change it): it resets `RESOLVED` to `NEW` when the
 *   finding becomes `ACTIVE` or `FAILED` again.
 * - **Severity** is the evaluation's (the labels are the same five); `FindingProviderFields`
 *   repeats it and the types, because only those are updated by later imports.
 */
import { createHash } from 'node:crypto';
import type { AwsSecurityFinding, Partition } from '@aws-sdk/client-securityhub';
import { findingIdOf } from '../findings/finding';
import { partitionOf } from '../inventory/arn';
import type { ResourceType } from '../model';
import { ruleById } from '../rules/index';
import type { ComplianceStatus, Evaluation, RuleCompliance } from '../rules/types';

/** The ASFF version every document declares. */
export const ASFF_SCHEMA_VERSION = '2018-10-08';
/** `ProductName` and `CompanyName` of every document (custom integrations may set both). */
export const ASFF_PRODUCT_NAME = 'endpoint-guard';
/** The prefix of every `ProductFields` key. */
const FIELD = 'endpoint-guard/';

/** ASFF limits (AWS Security Hub API Reference, `AwsSecurityFinding`, `Remediation`, `Resource`). */
const MAX_ID = 512;
const MAX_TITLE = 256;
const MAX_DESCRIPTION = 1024;
const MAX_RECOMMENDATION = 512;
const MAX_FIELD_VALUE = 2048;
const MAX_REQUIREMENTS = 32;

/** What the builder needs of a verdict: an {@link Evaluation}, or a `Finding` event detail. */
export type AsffSubject = Pick<
  Evaluation,
  'ruleId' | 'resourceType' | 'resourceId' | 'accountId' | 'region' | 'status' | 'severity' | 'reason'
> & {
  readonly remediation: Evaluation['remediation'];
} & ({ readonly arn: string } | { readonly resourceArn: string });

/** Where the document goes, and when. */
export interface AsffOptions {
  /** The account whose Security Hub receives it: the account that calls `BatchImportFindings`. */
  readonly hubAccountId: string;
  /** The Region of that Security Hub (endpoint-guard's home Region). */
  readonly hubRegion: string;
  /** @default the partition of `hubRegion` */
  readonly partition?: string;
  /** When the state the verdict rests on was observed (ISO-8601): `LastObservedAt`, `UpdatedAt`. */
  readonly observedAt: string;
  /** When the finding was first seen (ISO-8601): `FirstObservedAt`, `CreatedAt`. @default observedAt */
  readonly firstObservedAt?: string;
}

/** The ASFF `Resources[].Type` of each resource type a rule judges (`Other` when ASFF has none). */
const ASFF_RESOURCE_TYPE: Readonly<Record<ResourceType, string>> = {
  // ASFF has `AwsEc2VpcEndpointService` (a service a provider offers), not the endpoint itself.
  'AWS::EC2::VPCEndpoint': 'Other',
  'AWS::EC2::Subnet': 'AwsEc2Subnet',
  'AWS::EC2::RouteTable': 'AwsEc2RouteTable',
  'AWS::EC2::VPC': 'AwsEc2Vpc',
  'AWS::S3::Bucket': 'AwsS3Bucket',
  'AWS::S3::AccountPublicAccessBlock': 'AwsS3AccountPublicAccessBlock',
};

/** ASFF spells two ARN partitions differently (`Resource.Partition`); others it does not list. */
const ASFF_PARTITION: Readonly<Record<string, Partition>> = {
  aws: 'aws',
  'aws-cn': 'aws-cn',
  'aws-us-gov': 'aws-us-gov',
  'aws-iso': 'aws-us-iso',
  'aws-iso-b': 'aws-us-iso-b',
};

const COMPLIANCE_STATUS: Readonly<Record<ComplianceStatus, 'PASSED' | 'FAILED' | 'NOT_AVAILABLE'>> = {
  COMPLIANT: 'PASSED',
  NON_COMPLIANT: 'FAILED',
  NOT_APPLICABLE: 'NOT_AVAILABLE',
};

/**
 * The product ARN of an account's own (default) integration, which accepts findings from that
 * account only.
 *
 * @example
 * defaultProductArn('111122223333', 'us-east-1');
 * // 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default'
 */
export function defaultProductArn(
  accountId: string,
  region: string,
  partition = partitionOf(region),
): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

/**
 * The ASFF `Id` of a rule's finding on a resource: `endpoint-guard/<rule>/<resource ARN>`, or,
 * when that is longer than ASFF allows, the SHA-256 of the ARN in its place.
 *
 * @example
 * asffFindingId('s3-bucket-public-access', 'arn:aws:s3:::reports');
 * // 'endpoint-guard/s3-bucket-public-access/arn:aws:s3:::reports'
 */
export function asffFindingId(ruleId: string, resourceArn: string): string {
  const plain = `${ASFF_PRODUCT_NAME}/${ruleId}/${resourceArn}`;
  if (plain.length <= MAX_ID) return plain;
  return `${ASFF_PRODUCT_NAME}/${ruleId}/sha256:${createHash('sha256').update(resourceArn).digest('hex')}`;
}

/**
 * `Compliance.RelatedRequirements` in Security Hub's own spelling.
 *
 * @example
 * relatedRequirements({ fsbp: ['S3.8'], nist80053r5: ['AC-3'], cis: [{ version: 'v3.0.0', id: '2.1.4' }], ... });
 * // ['AWS Foundational Security Best Practices v1.0.0/S3.8', 'NIST.800-53.r5 AC-3', 'CIS AWS Foundations Benchmark v3.0.0/2.1.4']
 */
export function relatedRequirements(compliance: RuleCompliance): string[] {
  return [
    ...compliance.fsbp.map((control) => `AWS Foundational Security Best Practices v1.0.0/${control}`),
    ...compliance.nist80053r5.map((control) => `NIST.800-53.r5 ${control}`),
    ...compliance.cis.map((item) => `CIS AWS Foundations Benchmark ${item.version}/${item.id}`),
  ].slice(0, MAX_REQUIREMENTS);
}

/**
 * The ASFF document of one evaluation.
 *
 * @example
 * const finding = toAsff(evaluation, {
 *   hubAccountId: '111122223333',
 *   hubRegion: 'us-east-1',
 *   observedAt: '2026-01-05T10:00:00.000Z',
 * });
 * await securityHub.send(new BatchImportFindingsCommand({ Findings: [finding] }));
 */
export function toAsff(subject: AsffSubject, options: AsffOptions): AwsSecurityFinding {
  const rule = ruleById(subject.ruleId);
  const resourceArn = 'resourceArn' in subject ? subject.resourceArn : subject.arn;
  const partition = options.partition ?? partitionOf(options.hubRegion);
  const resourcePartition = ASFF_PARTITION[arnPartition(resourceArn) ?? partitionOf(subject.region)];
  const compliance = rule.compliance;
  const types = [
    ...(compliance?.findingTypes ?? ['Software and Configuration Checks/AWS Security Best Practices']),
  ];
  const severity = { Label: subject.severity, Original: subject.severity };
  const active = subject.status === 'NON_COMPLIANT';
  const firstObservedAt = options.firstObservedAt ?? options.observedAt;
  const requirements = compliance ? relatedRequirements(compliance) : [];
  const resourceType = ASFF_RESOURCE_TYPE[subject.resourceType];
  const plan = subject.remediation;

  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: asffFindingId(subject.ruleId, resourceArn),
    ProductArn: defaultProductArn(options.hubAccountId, options.hubRegion, partition),
    ProductName: ASFF_PRODUCT_NAME,
    CompanyName: ASFF_PRODUCT_NAME,
    GeneratorId: `${ASFF_PRODUCT_NAME}/${subject.ruleId}`,
    AwsAccountId: options.hubAccountId,
    Types: types,
    FirstObservedAt: firstObservedAt,
    LastObservedAt: options.observedAt,
    CreatedAt: firstObservedAt,
    UpdatedAt: options.observedAt,
    Severity: severity,
    Title: truncate(rule.title, MAX_TITLE),
    Description: truncate(
      subject.reason ? `${subject.reason}. Rule: ${rule.description}` : rule.description,
      MAX_DESCRIPTION,
    ),
    Remediation: {
      Recommendation: {
        Text: truncate(recommendationOf(subject.status, plan), MAX_RECOMMENDATION),
        ...(compliance ? { Url: compliance.referenceUrl } : {}),
      },
    },
    ProductFields: productFields(subject, resourceArn),
    Resources: [
      {
        Type: resourceType,
        Id: resourceArn,
        ...(resourcePartition ? { Partition: resourcePartition } : {}),
        Region: subject.region,
        ...(resourceType === 'Other'
          ? {
              Details: {
                Other: {
                  ResourceType: subject.resourceType,
                  ResourceId: subject.resourceId,
                  AccountId: subject.accountId,
                },
              },
            }
          : {}),
      },
    ],
    Compliance: {
      Status: COMPLIANCE_STATUS[subject.status],
      ...(requirements.length > 0 ? { RelatedRequirements: requirements } : {}),
    },
    Workflow: { Status: active ? 'NEW' : 'RESOLVED' },
    RecordState: active ? 'ACTIVE' : 'ARCHIVED',
    FindingProviderFields: { Severity: severity, Types: types },
  };
}

/** What `Remediation.Recommendation.Text` says: the plan, by name, or why nothing is to be done. */
function recommendationOf(status: ComplianceStatus, plan: Evaluation['remediation']): string {
  if (status === 'COMPLIANT') return 'Nothing to do: the resource is compliant.';
  if (status === 'NOT_APPLICABLE')
    return 'Nothing to do: the rule does not apply to the resource (gone, exempt or out of scope).';
  if (!plan) return 'Fix it by hand: endpoint-guard has no plan for it.';
  if (plan.kind === 'fix') {
    const warnings = plan.warnings.length > 0 ? ` Warnings: ${plan.warnings.join(' ')}` : '';
    return `endpoint-guard fix plan (${plan.actions.map((action) => action.action).join(', ')}): ${plan.summary}.${warnings}`;
  }
  return `Ticket only (${plan.why}): ${plan.summary}.`;
}

function productFields(subject: AsffSubject, resourceArn: string): Record<string, string> {
  const fields: Record<string, string> = {
    [`${FIELD}RuleId`]: subject.ruleId,
    [`${FIELD}FindingId`]: findingIdOf(subject.ruleId, resourceArn),
    [`${FIELD}ResourceType`]: subject.resourceType,
    [`${FIELD}ResourceId`]: subject.resourceId,
    [`${FIELD}ResourceAccountId`]: subject.accountId,
    [`${FIELD}ResourceRegion`]: subject.region,
    [`${FIELD}Status`]: subject.status,
  };
  if (subject.remediation) fields[`${FIELD}RemediationKind`] = subject.remediation.kind;
  for (const key of Object.keys(fields)) fields[key] = truncate(fields[key] ?? '', MAX_FIELD_VALUE);
  return fields;
}

/** The partition of an ARN (`arn:<partition>:...`), when it is one. */
function arnPartition(arn: string): string | undefined {
  const match = /^arn:([a-z-]+):/.exec(arn);
  return match?.[1];
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
