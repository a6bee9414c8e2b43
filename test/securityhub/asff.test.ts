/**
 * The ASFF builder, on the evaluations of the example organization: the exact document, and every
 * document against the AWS Security Finding Format's required attributes and value constraints
 * (AWS Security Hub API Reference, `AwsSecurityFinding`; User Guide, "Required top-level ASFF
 * attributes").
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { describe, expect, it } from 'vitest';
import { Inventory } from '../../shared/inventory/inventory';
import { normalizeItems, parseConfigurationItems } from '../../shared/inventory/load';
import { RULES } from '../../shared/rules/index';
import type { Evaluation } from '../../shared/rules/types';
import { scanInventory } from '../../shared/scan/scan';
import { asffFindingId, defaultProductArn, relatedRequirements, toAsff } from '../../shared/securityhub/asff';

const HUB = '999988887777';
const OBSERVED = '2026-01-05T10:00:00.000Z';
const FIRST = '2026-01-04T08:00:00.000Z';
const OPTIONS = { hubAccountId: HUB, hubRegion: 'us-east-1', observedAt: OBSERVED, firstObservedAt: FIRST };

const snapshot = readFileSync(resolve(import.meta.dirname, '../../examples/organization-snapshot.json'));
const { evaluations } = scanInventory(
  Inventory.from(normalizeItems(parseConfigurationItems(snapshot, 'example'))),
);

function evaluationOf(arn: string): Evaluation {
  const found = evaluations.find((evaluation) => evaluation.arn === arn);
  if (!found) throw new Error(`no evaluation of ${arn} in the example organization`);
  return found;
}

/** The top-level attributes every ASFF finding must have (User Guide, "Required top-level ASFF attributes"). */
const REQUIRED = [
  'AwsAccountId',
  'CreatedAt',
  'Description',
  'GeneratorId',
  'Id',
  'ProductArn',
  'Resources',
  'SchemaVersion',
  'Severity',
  'Title',
  'Types',
  'UpdatedAt',
] as const;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const TYPE_NAMESPACES = [
  'Software and Configuration Checks',
  'TTPs',
  'Effects',
  'Unusual Behaviors',
  'Sensitive Data Identifications',
];

/** Every way a document breaks the ASFF schema's required attributes and constraints. */
function asffProblems(finding: AwsSecurityFinding): string[] {
  const problems: string[] = [];
  const record: Readonly<Record<string, unknown>> = { ...finding };
  for (const key of REQUIRED) {
    const value = record[key];
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
      problems.push(`${key} is missing`);
    }
  }
  if (finding.SchemaVersion !== '2018-10-08') problems.push('SchemaVersion is not 2018-10-08');
  if (!/^\d{12}$/.test(finding.AwsAccountId ?? '')) problems.push('AwsAccountId is not 12 digits');
  if ((finding.Id ?? '').length > 512) problems.push('Id is longer than 512');
  if (
    !/^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:\d{12}:product\/\d{12}\/default$/.test(finding.ProductArn ?? '')
  ) {
    problems.push('ProductArn is not a default product ARN');
  }
  for (const key of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt'] as const) {
    const value = finding[key];
    if (value !== undefined && !ISO_8601.test(value)) problems.push(`${key} is not ISO-8601`);
  }
  if ((finding.Title ?? '').length > 256) problems.push('Title is longer than 256');
  if ((finding.Description ?? '').length > 1024) problems.push('Description is longer than 1024');
  for (const type of finding.Types ?? []) {
    const parts = type.split('/');
    if (parts.length < 1 || parts.length > 3 || !TYPE_NAMESPACES.includes(parts[0] ?? '')) {
      problems.push(`Types has ${type}`);
    }
  }
  if (!['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].includes(finding.Severity?.Label ?? '')) {
    problems.push('Severity.Label is not a label');
  }
  if (finding.Resources && finding.Resources.length > 32) problems.push('more than 32 Resources');
  for (const resource of finding.Resources ?? []) {
    if (!resource.Type || !resource.Id) problems.push('a resource lacks Type or Id');
    if (
      resource.Partition !== undefined &&
      !['aws', 'aws-cn', 'aws-us-gov', 'aws-us-iso', 'aws-us-iso-b'].includes(resource.Partition)
    ) {
      problems.push(`Partition ${resource.Partition}`);
    }
  }
  const compliance = finding.Compliance;
  if (compliance?.Status && !['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE'].includes(compliance.Status)) {
    problems.push('Compliance.Status');
  }
  if ((compliance?.RelatedRequirements?.length ?? 0) > 32) problems.push('more than 32 RelatedRequirements');
  if (finding.RecordState && !['ACTIVE', 'ARCHIVED'].includes(finding.RecordState))
    problems.push('RecordState');
  if (
    finding.Workflow?.Status &&
    !['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'].includes(finding.Workflow.Status)
  ) {
    problems.push('Workflow.Status');
  }
  if ((finding.Remediation?.Recommendation?.Text ?? '').length > 512)
    problems.push('Recommendation.Text > 512');
  const fields = Object.entries(finding.ProductFields ?? {});
  if (fields.length > 50) problems.push('more than 50 ProductFields');
  for (const [key, value] of fields) {
    if (key.length > 128 || value.length > 2048) problems.push(`ProductFields.${key} too long`);
  }
  if (Buffer.byteLength(JSON.stringify(finding)) > 240 * 1024) problems.push('larger than 240 KB');
  return problems;
}

describe('toAsff', () => {
  it('builds the exact document of a member account bucket that is public now, for the central hub', () => {
    const evaluation = evaluationOf('arn:aws:s3:::acme-prod-media-444455556666');
    expect(toAsff(evaluation, OPTIONS)).toEqual({
      SchemaVersion: '2018-10-08',
      Id: 'endpoint-guard/s3-bucket-public-access/arn:aws:s3:::acme-prod-media-444455556666',
      ProductArn: 'arn:aws:securityhub:us-east-1:999988887777:product/999988887777/default',
      ProductName: 'endpoint-guard',
      CompanyName: 'endpoint-guard',
      GeneratorId: 'endpoint-guard/s3-bucket-public-access',
      AwsAccountId: '999988887777',
      Types: ['Software and Configuration Checks/AWS Security Best Practices', 'Effects/Data Exposure'],
      FirstObservedAt: FIRST,
      LastObservedAt: OBSERVED,
      CreatedAt: FIRST,
      UpdatedAt: OBSERVED,
      Severity: { Label: 'CRITICAL', Original: 'CRITICAL' },
      Title: 'S3 buckets block public access',
      Description:
        'bucket is public now (ACL grants Read to AllUsers); Block Public Access off: IgnorePublicAcls, ' +
        'RestrictPublicBuckets. Rule: All four S3 Block Public Access flags must be effectively on (bucket OR ' +
        'account); a bucket whose policy or ACL makes it public right now is CRITICAL.',
      Remediation: {
        Recommendation: {
          Text:
            'endpoint-guard fix plan (PutPublicAccessBlock): Turn on all four Block Public Access flags on bucket ' +
            'acme-prod-media-444455556666. Warnings: The bucket is public now: turning Block Public Access on ' +
            'cuts that access off. If it must stay public (a website, a public dataset), tag it ' +
            'endpoint-guard:exempt with the reason instead.',
          Url: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html',
        },
      },
      ProductFields: {
        'endpoint-guard/RuleId': 's3-bucket-public-access',
        'endpoint-guard/FindingId': 's3-bucket-public-access:arn:aws:s3:::acme-prod-media-444455556666',
        'endpoint-guard/ResourceType': 'AWS::S3::Bucket',
        'endpoint-guard/ResourceId': 'acme-prod-media-444455556666',
        'endpoint-guard/ResourceAccountId': '444455556666',
        'endpoint-guard/ResourceRegion': 'us-east-1',
        'endpoint-guard/Status': 'NON_COMPLIANT',
        'endpoint-guard/RemediationKind': 'fix',
      },
      Resources: [
        {
          Type: 'AwsS3Bucket',
          Id: 'arn:aws:s3:::acme-prod-media-444455556666',
          Partition: 'aws',
          Region: 'us-east-1',
        },
      ],
      Compliance: {
        Status: 'FAILED',
        RelatedRequirements: [
          'AWS Foundational Security Best Practices v1.0.0/S3.1',
          'AWS Foundational Security Best Practices v1.0.0/S3.2',
          'AWS Foundational Security Best Practices v1.0.0/S3.3',
          'AWS Foundational Security Best Practices v1.0.0/S3.8',
          'NIST.800-53.r5 AC-3',
          'NIST.800-53.r5 AC-3(7)',
          'NIST.800-53.r5 AC-4',
          'NIST.800-53.r5 AC-4(21)',
          'NIST.800-53.r5 AC-6',
          'NIST.800-53.r5 AC-21',
          'NIST.800-53.r5 SC-7',
          'NIST.800-53.r5 SC-7(3)',
          'NIST.800-53.r5 SC-7(4)',
          'NIST.800-53.r5 SC-7(9)',
          'NIST.800-53.r5 SC-7(11)',
          'NIST.800-53.r5 SC-7(16)',
          'NIST.800-53.r5 SC-7(20)',
          'NIST.800-53.r5 SC-7(21)',
          'CIS AWS Foundations Benchmark v1.4.0/2.1.5',
          'CIS AWS Foundations Benchmark v3.0.0/2.1.4',
          'CIS AWS Foundations Benchmark v5.0.0/2.1.4',
        ],
      },
      Workflow: { Status: 'NEW' },
      RecordState: 'ACTIVE',
      FindingProviderFields: {
        Severity: { Label: 'CRITICAL', Original: 'CRITICAL' },
        Types: ['Software and Configuration Checks/AWS Security Best Practices', 'Effects/Data Exposure'],
      },
    });
  });

  it('gives every evaluation of the example organization a document with every required ASFF attribute', () => {
    expect(evaluations.length).toBeGreaterThan(40);
    for (const evaluation of evaluations) {
      const finding = toAsff(evaluation, OPTIONS);
      expect({ arn: evaluation.arn, problems: asffProblems(finding) }).toEqual({
        arn: evaluation.arn,
        problems: [],
      });
    }
  });

  it('the schema check finds a missing required attribute and a wrong value', () => {
    const finding = toAsff(evaluationOf('arn:aws:s3:::acme-prod-media-444455556666'), OPTIONS);
    const { Types: _types, ...withoutTypes } = finding;
    expect(asffProblems(withoutTypes)).toEqual(['Types is missing']);
    expect(asffProblems({ ...finding, AwsAccountId: '4444' })).toEqual(['AwsAccountId is not 12 digits']);
  });

  it('names a VPC endpoint as Other (ASFF has no endpoint type) with its CloudFormation type in Details', () => {
    const arn = 'arn:aws:ec2:us-east-1:444455556666:vpc-endpoint/vpce-0a1b2c3d4e5f62002';
    const finding = toAsff(evaluationOf(arn), OPTIONS);
    expect(finding.Resources).toEqual([
      {
        Type: 'Other',
        Id: arn,
        Partition: 'aws',
        Region: 'us-east-1',
        Details: {
          Other: {
            ResourceType: 'AWS::EC2::VPCEndpoint',
            ResourceId: 'vpce-0a1b2c3d4e5f62002',
            AccountId: '444455556666',
          },
        },
      },
    ]);
    expect(finding.Severity).toEqual({ Label: 'HIGH', Original: 'HIGH' });
    expect(finding.Compliance).toEqual({
      Status: 'FAILED',
      RelatedRequirements: [
        'NIST.800-53.r5 CP-6(2)',
        'NIST.800-53.r5 CP-10',
        'NIST.800-53.r5 SC-5(2)',
        'NIST.800-53.r5 SC-36',
        'NIST.800-53.r5 SI-13(5)',
      ],
    });
  });

  it('names a route table AwsEc2RouteTable, and a ticket-only plan says why there is no automatic fix', () => {
    const arn = 'arn:aws:ec2:us-east-1:777788889999:route-table/rtb-0a1b2c3d4e5f64003';
    const evaluation = evaluationOf(arn);
    const plan = evaluation.remediation;
    if (plan?.kind !== 'ticket-only') throw new Error('expected a ticket-only plan');
    const finding = toAsff(evaluation, OPTIONS);
    expect(finding.Resources?.[0]?.Type).toBe('AwsEc2RouteTable');
    expect(finding.Remediation?.Recommendation).toEqual({
      Text: `Ticket only (${plan.why}): ${plan.summary}.`.slice(0, 512),
      Url: 'https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html',
    });
  });

  it('archives and resolves a compliant finding, and keeps its Id', () => {
    const evaluation = evaluationOf('arn:aws:s3:::acme-prod-media-444455556666');
    const compliant: Evaluation = {
      ...evaluation,
      status: 'COMPLIANT',
      severity: 'INFORMATIONAL',
      reason: 'all four Block Public Access flags are on',
      remediation: null,
    };
    const before = toAsff(evaluation, OPTIONS);
    const after = toAsff(compliant, { ...OPTIONS, observedAt: '2026-01-06T09:00:00.000Z' });
    expect(after.Id).toBe(before.Id);
    expect(after.ProductArn).toBe(before.ProductArn);
    expect(after).toMatchObject({
      Compliance: { Status: 'PASSED' },
      RecordState: 'ARCHIVED',
      Workflow: { Status: 'RESOLVED' },
      Severity: { Label: 'INFORMATIONAL', Original: 'INFORMATIONAL' },
      FindingProviderFields: { Severity: { Label: 'INFORMATIONAL', Original: 'INFORMATIONAL' } },
      CreatedAt: FIRST,
      UpdatedAt: '2026-01-06T09:00:00.000Z',
      Remediation: { Recommendation: { Text: 'Nothing to do: the resource is compliant.' } },
    });
    expect(after.ProductFields?.['endpoint-guard/RemediationKind']).toBeUndefined();
  });

  it('reports NOT_APPLICABLE (gone, exempt, out of scope) as NOT_AVAILABLE, archived', () => {
    const evaluation = evaluationOf('arn:aws:s3:::acme-prod-tmp-export-444455556666');
    expect(evaluation.status).toBe('NOT_APPLICABLE');
    expect(toAsff(evaluation, OPTIONS)).toMatchObject({
      Compliance: { Status: 'NOT_AVAILABLE' },
      RecordState: 'ARCHIVED',
      Workflow: { Status: 'RESOLVED' },
    });
  });

  it('uses the first observation as CreatedAt only when given one', () => {
    const evaluation = evaluationOf('arn:aws:s3:::acme-prod-media-444455556666');
    const finding = toAsff(evaluation, { hubAccountId: HUB, hubRegion: 'us-east-1', observedAt: OBSERVED });
    expect([finding.CreatedAt, finding.FirstObservedAt, finding.UpdatedAt]).toEqual([
      OBSERVED,
      OBSERVED,
      OBSERVED,
    ]);
  });

  it('takes a Finding event detail (resourceArn) as well as an evaluation (arn)', () => {
    const { arn, ...rest } = evaluationOf('arn:aws:s3:::acme-prod-media-444455556666');
    expect(toAsff({ ...rest, resourceArn: arn }, OPTIONS)).toEqual(toAsff({ ...rest, arn }, OPTIONS));
  });

  it('builds ARNs and partitions for the partition of each side', () => {
    expect(defaultProductArn('111122223333', 'cn-north-1')).toBe(
      'arn:aws-cn:securityhub:cn-north-1:111122223333:product/111122223333/default',
    );
    const evaluation = evaluationOf('arn:aws:ec2:us-east-1:444455556666:vpc-endpoint/vpce-0a1b2c3d4e5f62002');
    const iso = toAsff(
      {
        ...evaluation,
        region: 'us-iso-east-1',
        arn: evaluation.arn.replace('arn:aws:ec2:us-east-1', 'arn:aws-iso:ec2:us-iso-east-1'),
      },
      { ...OPTIONS, hubRegion: 'us-iso-east-1' },
    );
    expect(iso.ProductArn).toBe(
      'arn:aws-iso:securityhub:us-iso-east-1:999988887777:product/999988887777/default',
    );
    // ASFF spells the ISO partitions its own way.
    expect(iso.Resources?.[0]?.Partition).toBe('aws-us-iso');
    const isoe = toAsff(
      {
        ...evaluation,
        region: 'eu-isoe-west-1',
        arn: evaluation.arn.replace('arn:aws:ec2:us-east-1', 'arn:aws-iso-e:ec2:eu-isoe-west-1'),
      },
      { ...OPTIONS, hubRegion: 'eu-isoe-west-1' },
    );
    // A partition ASFF does not list is left out (the attribute is optional).
    expect(isoe.Resources?.[0]).not.toHaveProperty('Partition');
    expect(isoe.ProductArn).toBe(
      'arn:aws-iso-e:securityhub:eu-isoe-west-1:999988887777:product/999988887777/default',
    );
  });

  it('keeps the Id within 512 characters for any ARN, and stable', () => {
    const long = `arn:aws:s3:::${'b'.repeat(600)}`;
    const id = asffFindingId('s3-bucket-public-access', long);
    expect(id).toMatch(/^endpoint-guard\/s3-bucket-public-access\/sha256:[0-9a-f]{64}$/);
    expect(asffFindingId('s3-bucket-public-access', long)).toBe(id);
    expect(asffFindingId('s3-bucket-public-access', `${long}c`)).not.toBe(id);
  });
});

describe('the rules’ compliance mappings', () => {
  it('every rule names its controls and a reference', () => {
    for (const rule of RULES) {
      expect(rule.compliance, rule.id).toBeDefined();
      expect(rule.compliance?.referenceUrl, rule.id).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect(
        relatedRequirements(
          rule.compliance ?? { fsbp: [], nist80053r5: [], cis: [], findingTypes: [], referenceUrl: '' },
        ).length,
      ).toBeGreaterThan(0);
    }
  });

  it('maps public buckets to the Foundational Security Best Practices S3 public-access controls', () => {
    const rule = RULES.find((candidate) => candidate.id === 's3-bucket-public-access');
    expect(rule?.compliance?.fsbp).toEqual(['S3.1', 'S3.2', 'S3.3', 'S3.8']);
  });
});
