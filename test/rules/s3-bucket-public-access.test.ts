/**
 * Spec tests for `s3-bucket-public-access` (ARCHITECTURE.md, "The rules"; AWS-SHAPES.md
 * section d, "The meaning of public"), run end to end through `scanConfigurationItems` on
 * notification-form configuration items.
 */
import { describe, expect, it } from 'vitest';
import type { PublicAccessBlock } from '../../shared/model';
import type { Evaluation, PlannedAction, RemediationPlan, RuleId } from '../../shared/rules/types';
import { scanConfigurationItems } from '../../shared/scan/scan';
import {
  ACCOUNT,
  type AclGrantSpec,
  accountBpa,
  bucket,
  deleted,
  type PolicyStatement,
  policyDocument,
} from '../support/config-items';

const RULE: RuleId = 's3-bucket-public-access';

const BUCKET = 'example-data-bucket';
const OTHER_ACCOUNT = '444455556666';
const OBJECTS = `arn:aws:s3:::${BUCKET}/*`;
const ALL_ON: PublicAccessBlock = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};
const ALL_OFF: PublicAccessBlock = {
  blockPublicAcls: false,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
};
const ALL_USERS_URI = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS_URI = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

/** Scans the items and returns this rule's one evaluation of `resourceId`, checking the invariants. */
function evaluationOf(items: readonly unknown[], resourceId = BUCKET): Evaluation {
  const { evaluations } = scanConfigurationItems(items, { rules: [RULE] });
  const matches = evaluations.filter((e) => e.ruleId === RULE && e.resourceId === resourceId);
  expect(matches, `one ${RULE} evaluation of ${resourceId}`).toHaveLength(1);
  const [evaluation] = matches;
  if (evaluation === undefined) throw new Error(`no ${RULE} evaluation of ${resourceId}`);
  expect(evaluation.resourceType).toBe('AWS::S3::Bucket');
  expect(evaluation.reason.trim()).not.toBe('');
  expect(evaluation.reason.length).toBeLessThanOrEqual(256);
  expect(evaluation.remediation === null, 'remediation present exactly when NON_COMPLIANT').toBe(
    evaluation.status !== 'NON_COMPLIANT',
  );
  return evaluation;
}

/** The one fix for every NON_COMPLIANT bucket: all four flags on at bucket level. */
function expectBlockPublicAccessFix(evaluation: Evaluation, previous: PublicAccessBlock | null): void {
  const expected: PlannedAction = {
    service: 's3',
    action: 'PutPublicAccessBlock',
    parameters: {
      Bucket: BUCKET,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    },
    previous,
  };
  const plan: RemediationPlan | null = evaluation.remediation;
  expect(plan).toEqual({
    kind: 'fix',
    summary: expect.stringMatching(/\S/),
    actions: [expected],
    warnings: expect.any(Array),
  });
}

const publicRead: PolicyStatement = {
  Sid: 'PublicRead',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: OBJECTS,
};

describe('s3-bucket-public-access', () => {
  describe('Noncompliance: guard rail missing (MEDIUM)', () => {
    it('Noncompliance 1: is NON_COMPLIANT (MEDIUM) with no Block Public Access anywhere, even if nothing is public', () => {
      // Prepare
      const items = [bucket({ name: BUCKET })];

      // Act
      const evaluation = evaluationOf(items);

      // Assess
      expect(evaluation).toMatchObject({
        status: 'NON_COMPLIANT',
        severity: 'MEDIUM',
        resourceType: 'AWS::S3::Bucket',
        accountId: ACCOUNT,
        region: 'us-east-1',
        arn: `arn:aws:s3:::${BUCKET}`,
      });
      expectBlockPublicAccessFix(evaluation, null);
    });

    it('Noncompliance 2: records the bucket’s partial configuration as `previous`', () => {
      // Prepare
      const items = [bucket({ name: BUCKET, bpa: { blockPublicAcls: true, ignorePublicAcls: true } })];

      // Act
      const evaluation = evaluationOf(items);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
      expectBlockPublicAccessFix(evaluation, {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      });
    });

    it('Noncompliance 3: is NON_COMPLIANT when bucket and account together still leave one flag off', () => {
      // Prepare
      const items = [
        bucket({ name: BUCKET, bpa: { blockPublicAcls: true, ignorePublicAcls: true } }),
        accountBpa({ flags: { blockPublicPolicy: true } }),
      ];

      // Act
      const evaluation = evaluationOf(items);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
      expectBlockPublicAccessFix(evaluation, {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      });
    });

    it('Noncompliance 4: ignores another account’s account-level Block Public Access', () => {
      // Prepare
      const items = [bucket({ name: BUCKET }), accountBpa({ account: OTHER_ACCOUNT, flags: ALL_ON })];

      // Act
      const evaluation = evaluationOf(items);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
      expectBlockPublicAccessFix(evaluation, null);
    });

    it.each<{ case: string; statements: PolicyStatement[] }>([
      {
        case: 'Principal "*" limited to aws:SourceVpce',
        statements: [
          {
            Sid: 'VpceOnly',
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: OBJECTS,
            Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-05300001' } },
          },
        ],
      },
      {
        case: 'Principal "*" limited to aws:SourceVpc',
        statements: [
          {
            Sid: 'VpcOnly',
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: OBJECTS,
            Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-0a000001' } },
          },
        ],
      },
      {
        case: 'Principal "*" limited to aws:SourceIp /24 ranges',
        statements: [
          {
            Sid: 'OfficeOnly',
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: OBJECTS,
            Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.0/24'] } },
          },
        ],
      },
      {
        case: 'Principal "*" limited to an aws:SourceIp /8 (not broader than /8)',
        statements: [
          {
            Sid: 'SlashEight',
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: OBJECTS,
            Condition: { IpAddress: { 'aws:SourceIp': '52.0.0.0/8' } },
          },
        ],
      },
      {
        case: 'Principal {"AWS":"*"} limited to aws:PrincipalOrgID',
        statements: [
          {
            Sid: 'OrgOnly',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 's3:GetObject',
            Resource: OBJECTS,
            Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
          },
        ],
      },
      {
        case: 'a named principal in another account',
        statements: [
          {
            Sid: 'PartnerRead',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:role/reader` },
            Action: 's3:GetObject',
            Resource: OBJECTS,
          },
        ],
      },
      {
        case: 'the S3 log-delivery service principal limited to aws:SourceAccount',
        statements: [
          {
            Sid: 'S3ServerAccessLogsPolicy',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: OBJECTS,
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          },
        ],
      },
      {
        case: 'a Deny-only policy with Principal "*"',
        statements: [
          {
            Sid: 'DenyOutsideVpce',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [`arn:aws:s3:::${BUCKET}`, OBJECTS],
            Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-05300001' } },
          },
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Resource: [`arn:aws:s3:::${BUCKET}`, OBJECTS],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    ])(
      'Noncompliance 5: a non-public policy ($case) without Block Public Access is MEDIUM',
      ({ statements }) => {
        // Prepare
        const items = [bucket({ name: BUCKET, policy: policyDocument(...statements) })];

        // Act
        const evaluation = evaluationOf(items);

        // Assess
        expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
        expectBlockPublicAccessFix(evaluation, null);
      },
    );

    it.each<{ case: string; bpa?: Partial<PublicAccessBlock>; account?: Partial<PublicAccessBlock> }>([
      { case: 'on the bucket', bpa: { restrictPublicBuckets: true } },
      { case: 'on the account', account: { restrictPublicBuckets: true } },
    ])(
      'Noncompliance 6: a public policy is MEDIUM when RestrictPublicBuckets is on $case',
      ({ bpa, account }) => {
        // Prepare
        const items = [
          bucket({ name: BUCKET, policy: policyDocument(publicRead), ...(bpa ? { bpa } : {}) }),
          ...(account ? [accountBpa({ flags: account })] : []),
        ];

        // Act
        const evaluation = evaluationOf(items);

        // Assess
        expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
        expectBlockPublicAccessFix(evaluation, bpa ? { ...ALL_OFF, ...bpa } : null);
      },
    );

    it.each<{ case: string; bpa?: Partial<PublicAccessBlock>; account?: Partial<PublicAccessBlock> }>([
      { case: 'on the bucket', bpa: { ignorePublicAcls: true } },
      { case: 'on the account', account: { ignorePublicAcls: true } },
    ])(
      'Noncompliance 7: an AllUsers grant is MEDIUM when IgnorePublicAcls is on $case',
      ({ bpa, account }) => {
        // Prepare
        const items = [
          bucket({
            name: BUCKET,
            grants: [{ grantee: 'AllUsers', permission: 'Read' }],
            ...(bpa ? { bpa } : {}),
          }),
          ...(account ? [accountBpa({ flags: account })] : []),
        ];

        // Act
        const evaluation = evaluationOf(items);

        // Assess
        expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
        expectBlockPublicAccessFix(evaluation, bpa ? { ...ALL_OFF, ...bpa } : null);
      },
    );

    it('Noncompliance 8: a LogDelivery grant is not public (MEDIUM)', () => {
      // Prepare
      const items = [
        bucket({
          name: BUCKET,
          grants: [
            { grantee: 'LogDelivery', permission: 'Write' },
            { grantee: 'LogDelivery', permission: 'ReadAcp' },
          ],
        }),
      ];

      // Act
      const evaluation = evaluationOf(items);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
      expectBlockPublicAccessFix(evaluation, null);
    });
  });

  describe('Noncompliance: public now (CRITICAL)', () => {
    it.each<{ case: string; statements: PolicyStatement[] }>([
      { case: 'Principal "*" with no condition', statements: [publicRead] },
      { case: 'Principal {"AWS":"*"}', statements: [{ ...publicRead, Principal: { AWS: '*' } }] },
      { case: 'Principal {"AWS":["*"]}', statements: [{ ...publicRead, Principal: { AWS: ['*'] } }] },
      {
        case: 'an Allow with NotPrincipal',
        statements: [
          {
            Sid: 'PublicRead',
            Effect: 'Allow',
            NotPrincipal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
            Action: 's3:GetObject',
            Resource: OBJECTS,
          },
        ],
      },
      {
        case: 'aws:SourceIp 0.0.0.0/0',
        statements: [{ ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } }],
      },
      {
        case: 'aws:SourceIp broader than /8 (52.0.0.0/7)',
        statements: [
          { ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '52.0.0.0/7'] } } },
        ],
      },
      {
        case: 'a wildcard aws:SourceVpce',
        statements: [{ ...publicRead, Condition: { StringLike: { 'aws:SourceVpce': 'vpce-*' } } }],
      },
      {
        case: 'a policy variable in aws:SourceVpc',
        statements: [
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
          { ...publicRead, Condition: { StringEquals: { 'aws:SourceVpc': '${aws:PrincipalTag/vpc}' } } },
        ],
      },
      {
        case: 'a condition on a key that does not limit who (aws:SecureTransport)',
        statements: [{ ...publicRead, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }],
      },
      {
        case: 'one public Allow next to a private Allow and a Deny',
        statements: [
          {
            Sid: 'VpceOnly',
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: OBJECTS,
            Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-05300001' } },
          },
          publicRead,
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: OBJECTS,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    ])(
      'Noncompliance 9: a public policy ($case) without RestrictPublicBuckets is CRITICAL',
      ({ statements }) => {
        // Prepare
        const items = [bucket({ name: BUCKET, policy: policyDocument(...statements) })];

        // Act
        const evaluation = evaluationOf(items);

        // Assess
        expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'CRITICAL' });
        expect(evaluation.reason).toMatch(/PublicRead/);
        expectBlockPublicAccessFix(evaluation, null);
      },
    );

    it('Noncompliance 10: a public policy stays CRITICAL when only BlockPublicPolicy (not RestrictPublicBuckets) is on', () => {
      // Prepare: BlockPublicPolicy only refuses new public policies; the stored one still applies.
      const bpa = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true };
      const items = [bucket({ name: BUCKET, bpa, policy: policyDocument(publicRead) })];

      // Act
      const evaluation = evaluationOf(items);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'CRITICAL' });
      expect(evaluation.reason).toMatch(/PublicRead/);
      expectBlockPublicAccessFix(evaluation, { ...ALL_OFF, ...bpa });
    });

    it.each<{ case: string; grant: AclGrantSpec; names: RegExp }>([
      { case: 'AllUsers Read', grant: { grantee: 'AllUsers', permission: 'Read' }, names: /AllUsers/ },
      {
        case: 'AllUsers WriteAcp',
        grant: { grantee: 'AllUsers', permission: 'WriteAcp' },
        names: /AllUsers/,
      },
      {
        case: 'AuthenticatedUsers Read',
        grant: { grantee: 'AuthenticatedUsers', permission: 'Read' },
        names: /AuthenticatedUsers/,
      },
      { case: 'the AllUsers URI', grant: { grantee: ALL_USERS_URI, permission: 'Read' }, names: /AllUsers/ },
      {
        case: 'the AuthenticatedUsers URI',
        grant: { grantee: AUTHENTICATED_USERS_URI, permission: 'FullControl' },
        names: /AuthenticatedUsers/,
      },
    ])('Noncompliance 11: an ACL grant to $case without IgnorePublicAcls is CRITICAL', ({ grant, names }) => {
      // Prepare
      const items = [bucket({ name: BUCKET, grants: [grant] })];

      // Act
      const evaluation = evaluationOf(items);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'CRITICAL' });
      expect(evaluation.reason).toMatch(names);
      expectBlockPublicAccessFix(evaluation, null);
    });

    it('Noncompliance 12: a public ACL stays CRITICAL when only BlockPublicAcls (not IgnorePublicAcls) is on', () => {
      // Prepare: BlockPublicAcls only refuses new public ACLs; the stored grant still applies.
      const items = [
        bucket({
          name: BUCKET,
          grants: [{ grantee: 'AllUsers', permission: 'Read' }],
          bpa: { blockPublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
        }),
      ];

      // Act
      const evaluation = evaluationOf(items);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'CRITICAL' });
      expect(evaluation.reason).toMatch(/AllUsers/);
      expectBlockPublicAccessFix(evaluation, {
        blockPublicAcls: true,
        ignorePublicAcls: false,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      });
    });
  });

  describe('Compliance', () => {
    it.each<{ case: string; bpa?: Partial<PublicAccessBlock>; account?: Partial<PublicAccessBlock> }>([
      { case: 'all four flags on the bucket', bpa: ALL_ON },
      { case: 'all four flags on the account', account: ALL_ON },
      {
        case: 'the ACL flags on the bucket and the policy flags on the account',
        bpa: { blockPublicAcls: true, ignorePublicAcls: true },
        account: { blockPublicPolicy: true, restrictPublicBuckets: true },
      },
      {
        case: 'the flags interleaved between bucket and account',
        bpa: { blockPublicAcls: true, blockPublicPolicy: true },
        account: { ignorePublicAcls: true, restrictPublicBuckets: true },
      },
      {
        case: 'three flags on the bucket and all four on the account',
        bpa: { blockPublicAcls: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        account: ALL_ON,
      },
    ])('is COMPLIANT with $case', ({ bpa, account }) => {
      // Prepare
      const items = [
        bucket({ name: BUCKET, ...(bpa ? { bpa } : {}) }),
        ...(account ? [accountBpa({ flags: account })] : []),
      ];

      // Act
      const evaluation = evaluationOf(items);

      // Assess
      expect(evaluation).toMatchObject({ status: 'COMPLIANT', severity: 'INFORMATIONAL', remediation: null });
    });

    it('is COMPLIANT when all four flags are on even though the stored policy and ACL are public', () => {
      // Prepare
      const items = [
        bucket({
          name: BUCKET,
          bpa: ALL_ON,
          policy: policyDocument(publicRead),
          grants: [{ grantee: 'AllUsers', permission: 'Read' }],
        }),
      ];

      // Act
      const evaluation = evaluationOf(items);

      // Assess
      expect(evaluation).toMatchObject({ status: 'COMPLIANT', severity: 'INFORMATIONAL', remediation: null });
    });
  });

  describe('Not applicable', () => {
    it('is NOT_APPLICABLE when tagged endpoint-guard:exempt, even when public', () => {
      // Prepare
      const items = [
        bucket({
          name: BUCKET,
          policy: policyDocument(publicRead),
          grants: [{ grantee: 'AllUsers', permission: 'Read' }],
          tags: { 'endpoint-guard:exempt': 'public website' },
        }),
      ];

      // Act
      const evaluation = evaluationOf(items);

      // Assess
      expect(evaluation).toMatchObject({
        status: 'NOT_APPLICABLE',
        severity: 'INFORMATIONAL',
        remediation: null,
      });
    });

    it.each([
      { status: 'ResourceDeleted' },
      { status: 'ResourceNotRecorded' },
      { status: 'ResourceDeletedNotRecorded' },
    ] as const)('is NOT_APPLICABLE when the configuration item says $status', ({ status }) => {
      // Prepare
      const items = [deleted(bucket({ name: BUCKET, policy: policyDocument(publicRead) }), status)];

      // Act
      const evaluation = evaluationOf(items);

      // Assess
      expect(evaluation).toMatchObject({
        status: 'NOT_APPLICABLE',
        severity: 'INFORMATIONAL',
        remediation: null,
      });
    });
  });

  it('reports every bucket exactly once and never the account-level resource', () => {
    // Prepare
    const items = [
      bucket({ name: 'bucket-one', bpa: ALL_ON }),
      bucket({ name: 'bucket-two', grants: [{ grantee: 'AllUsers', permission: 'Read' }] }),
      accountBpa({ flags: { blockPublicAcls: true } }),
    ];

    // Act
    const { evaluations } = scanConfigurationItems(items, { rules: [RULE] });

    // Assess
    const mine = evaluations.filter((e) => e.ruleId === RULE);
    expect(mine.map((e) => [e.resourceId, e.status, e.severity]).sort()).toEqual([
      ['bucket-one', 'COMPLIANT', 'INFORMATIONAL'],
      ['bucket-two', 'NON_COMPLIANT', 'CRITICAL'],
    ]);
  });
});

describe('s3-bucket-public-access: private-only buckets (tag endpoint-guard:private-only)', () => {
  const VPCE = 'vpce-0a1b2c3d4e5f60001';
  const lock = (through: string | readonly string[], operator = 'StringNotEquals'): PolicyStatement => ({
    Sid: 'OnlyThroughTheEndpoint',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [`arn:aws:s3:::${BUCKET}`, OBJECTS],
    Condition: { [operator]: { 'aws:SourceVpce': through } },
  });
  const tagged = (value: string, policy?: ReturnType<typeof policyDocument>) =>
    bucket({
      name: BUCKET,
      bpa: ALL_ON,
      tags: { 'endpoint-guard:private-only': value },
      ...(policy ? { policy } : {}),
    });

  it('is COMPLIANT when the policy denies every request not through the tagged endpoint', () => {
    const evaluation = evaluationOf([tagged(VPCE, policyDocument(lock(VPCE)))]);

    expect(evaluation.status).toBe('COMPLIANT');
    expect(evaluation.reason).toContain(`reachable only through ${VPCE}`);
  });

  it('is COMPLIANT with an empty tag value and a lock to any endpoint', () => {
    expect(evaluationOf([tagged('', policyDocument(lock('vpce-0ffffffffffffffff')))]).status).toBe(
      'COMPLIANT',
    );
  });

  it.each([
    ['no policy at all', undefined],
    ['a lock to another endpoint', policyDocument(lock('vpce-0ffffffffffffffff'))],
    [
      'a lock that lets requests without the key through (IfExists)',
      policyDocument(lock(VPCE, 'StringNotEqualsIfExists')),
    ],
    ['a lock to a wildcard', policyDocument(lock('vpce-*'))],
  ])('Noncompliance: %s → MEDIUM, ticket only (a person writes the policy)', (_case, policy) => {
    const evaluation = evaluationOf([tagged(VPCE, policy)]);

    expect(evaluation.status).toBe('NON_COMPLIANT');
    expect(evaluation.severity).toBe('MEDIUM');
    expect(evaluation.reason).toBe(
      `tagged endpoint-guard:private-only, but its policy does not deny requests from outside ${VPCE}`,
    );
    expect(evaluation.remediation).toMatchObject({
      kind: 'ticket-only',
      why: expect.stringContaining('lock out'),
    });
  });

  it('still plans the Block Public Access fix when flags are off too, and says the lock needs a ticket', () => {
    const item = bucket({ name: BUCKET, tags: { 'endpoint-guard:private-only': VPCE } });

    const evaluation = evaluationOf([item]);

    expect(evaluation.status).toBe('NON_COMPLIANT');
    expectBlockPublicAccessFix(evaluation, null);
    expect(evaluation.remediation?.kind === 'fix' && evaluation.remediation.warnings).toContainEqual(
      expect.stringContaining('Not fixed automatically (ticket)'),
    );
  });

  it('leaves untagged buckets alone', () => {
    expect(evaluationOf([bucket({ name: BUCKET, bpa: ALL_ON })]).status).toBe('COMPLIANT');
  });
});
