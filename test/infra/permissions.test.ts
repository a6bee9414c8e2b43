/**
 * Spec tests for the registry-generated IAM statements and EventBridge patterns
 * (infra/permissions.ts).
 */
import { describe, expect, it } from 'vitest';
import { UnscopedActionError } from '../../infra/errors';
import {
  anyResourceWriteExceptions,
  cloudTrailEventPatterns,
  detectStatements,
  fixStatements,
} from '../../infra/permissions';
import { RULES } from '../../shared/rules/index';
import type { Rule } from '../../shared/rules/types';

const SCOPE = { partition: 'aws', account: '222222222222', regions: ['us-east-1', 'eu-west-1'] };

function ruleWith(overrides: Partial<Rule>): Rule {
  const base = RULES[0];
  if (base === undefined) throw new Error('the registry is empty');
  return { ...base, ...overrides };
}

describe('cloudTrailEventPatterns', () => {
  it('builds one pattern per event source with every trigger of every rule, sorted, failed calls dropped', () => {
    // Prepare
    const triggers = RULES.flatMap((rule) => rule.triggers);
    const names = (source: string) =>
      [...new Set(triggers.filter((t) => t.eventSource === source).map((t) => t.eventName))].sort();

    // Act
    const patterns = cloudTrailEventPatterns(RULES);

    // Assess
    expect(patterns).toEqual([
      {
        source: ['aws.ec2'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['ec2.amazonaws.com'],
          eventName: names('ec2.amazonaws.com'),
          errorCode: [{ exists: false }],
        },
      },
      {
        source: ['aws.s3'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['s3.amazonaws.com'],
          eventName: names('s3.amazonaws.com'),
          errorCode: [{ exists: false }],
        },
      },
    ]);
    expect(names('ec2.amazonaws.com')).toContain('ModifyVpcEndpoint');
    expect(names('s3.amazonaws.com')).toContain('PutBucketPolicy');
  });

  it('leaves out a service no rule triggers on', () => {
    // Prepare
    const ec2Only = ruleWith({ triggers: [{ eventSource: 'ec2.amazonaws.com', eventName: 'CreateSubnet' }] });

    // Act
    const patterns = cloudTrailEventPatterns([ec2Only]);

    // Assess
    expect(patterns.map((pattern) => pattern.source)).toEqual([['aws.ec2']]);
    expect(patterns[0]?.detail.eventName).toEqual(['CreateSubnet']);
  });
});

describe('fixStatements', () => {
  it('scopes every fix action to resource types of the own account in the governed regions', () => {
    // Act
    const statements = fixStatements(SCOPE).map((statement) => statement.toStatementJson());

    // Assess
    const ec2 = (type: string) => [
      `arn:aws:ec2:us-east-1:222222222222:${type}/*`,
      `arn:aws:ec2:eu-west-1:222222222222:${type}/*`,
    ];
    expect(statements).toEqual([
      {
        Sid: 'FixCreateVpcEndpoint',
        Effect: 'Allow',
        Action: 'ec2:CreateVpcEndpoint',
        Resource: expect.arrayContaining([
          ...ec2('vpc-endpoint'),
          ...ec2('vpc'),
          ...ec2('route-table'),
          ...ec2('subnet'),
          ...ec2('security-group'),
        ]),
      },
      {
        Sid: 'FixModifyVpcEndpoint',
        Effect: 'Allow',
        Action: 'ec2:ModifyVpcEndpoint',
        Resource: expect.arrayContaining([
          ...ec2('vpc-endpoint'),
          ...ec2('subnet'),
          ...ec2('route-table'),
          ...ec2('security-group'),
        ]),
      },
      {
        Sid: 'FixPutBucketPublicAccessBlock',
        Effect: 'Allow',
        Action: 's3:PutBucketPublicAccessBlock',
        Resource: 'arn:aws:s3:::*',
      },
    ]);
    expect(statements[0]?.Resource).toHaveLength(10);
    expect(statements[1]?.Resource).toHaveLength(8);
  });

  it('refuses a fix action it cannot scope instead of granting it on "*"', () => {
    // Prepare
    const rule = ruleWith({ permissions: { detect: [], fix: ['ec2:DeleteVpcEndpoints'] } });

    // Act
    const act = () => fixStatements(SCOPE, [rule]);

    // Assess
    expect(act).toThrow(UnscopedActionError);
    expect(act).toThrow(
      `rule "${rule.id}" needs "ec2:DeleteVpcEndpoints", which infra/permissions.ts does not scope: add it to ACTION_RESOURCES`,
    );
  });
});

describe('detectStatements', () => {
  it('grants bucket reads on buckets and everything else the detectors read on "*"', () => {
    // Act
    const statements = detectStatements(SCOPE).map((statement) => statement.toStatementJson());

    // Assess
    const bySid = Object.fromEntries(statements.map((statement) => [statement.Sid, statement]));
    expect(Object.keys(bySid).sort()).toEqual([
      'DetectConfigAnyResource',
      'DetectEc2AnyResource',
      'DetectS3AnyResource',
      'DetectS3Scoped',
    ]);
    expect(bySid.DetectS3Scoped).toEqual({
      Sid: 'DetectS3Scoped',
      Effect: 'Allow',
      Action: [
        's3:GetBucketAcl',
        's3:GetBucketPolicy',
        's3:GetBucketPublicAccessBlock',
        's3:GetBucketTagging',
      ],
      Resource: 'arn:aws:s3:::*',
    });
    expect(bySid.DetectConfigAnyResource).toEqual({
      Sid: 'DetectConfigAnyResource',
      Effect: 'Allow',
      Action: ['config:BatchGetResourceConfig', 'config:GetResourceConfigHistory', 'config:PutEvaluations'],
      Resource: '*',
    });
    expect(bySid.DetectS3AnyResource?.Action).toEqual([
      's3:GetAccountPublicAccessBlock',
      's3:ListAllMyBuckets',
    ]);
  });

  it('covers every detect action of every rule', () => {
    // Act
    const granted = detectStatements(SCOPE).flatMap((statement) => statement.actions);

    // Assess
    for (const action of RULES.flatMap((rule) => rule.permissions.detect)) expect(granted).toContain(action);
  });
});

describe('anyResourceWriteExceptions', () => {
  it('documents config:PutEvaluations as the only write action on "*"', () => {
    // Act
    const exceptions = anyResourceWriteExceptions();

    // Assess
    expect(exceptions).toEqual({
      'config:PutEvaluations':
        'AWS Config PutEvaluations has no resource-level permissions (the result token names the rule)',
    });
  });
});
