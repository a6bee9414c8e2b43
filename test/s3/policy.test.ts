import { describe, expect, it } from 'vitest';
import { InvalidPolicyError } from '../../shared/s3/errors';
import { analyzeBucketPolicy, type PublicStatement } from '../../shared/s3/policy';

const OBJECTS = 'arn:aws:s3:::example-bucket/*';
const ACCOUNT = '111122223333';

type Statement = Record<string, unknown>;

/** An Allow statement on the bucket's objects; `fields` override or add elements. */
function allow(fields: Statement): Statement {
  return { Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECTS, ...fields };
}

/** An Allow to everyone, narrowed only by `condition`. */
function anyoneWhen(condition: Record<string, Record<string, unknown>>): Statement {
  return allow({ Principal: '*', Condition: condition });
}

function policyOf(...statements: Statement[]): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: statements };
}

const fixedAccount = allow({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } });

describe('analyzeBucketPolicy', () => {
  describe('public policies', () => {
    it.each<[string, Record<string, unknown>, PublicStatement[]]>([
      [
        'Principal "*" with no condition',
        policyOf(allow({ Sid: 'PublicRead', Principal: '*' })),
        [
          {
            index: 0,
            sid: 'PublicRead',
            reason: 'statement 0 ("PublicRead") allows Principal "*" with no restricting condition',
          },
        ],
      ],
      [
        'Principal {"AWS":"*"}, the same wildcard',
        policyOf(allow({ Principal: { AWS: '*' } })),
        [{ index: 0, reason: 'statement 0 allows Principal "*" with no restricting condition' }],
      ],
      [
        'a "*" hidden in a list of AWS principals',
        policyOf(allow({ Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`, '*'] } })),
        [{ index: 0, reason: 'statement 0 allows Principal "*" with no restricting condition' }],
      ],
      [
        'a wildcard account in a principal ARN',
        policyOf(allow({ Principal: { AWS: 'arn:aws:iam::*:root' } })),
        [
          {
            index: 0,
            reason:
              'statement 0 allows AWS principal "arn:aws:iam::*:root" (wildcard) with no restricting condition',
          },
        ],
      ],
      [
        'an aws:username policy variable in a principal ARN',
        policyOf(allow({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/\${aws:username}` } })),
        [
          {
            index: 0,
            reason: `statement 0 allows AWS principal "arn:aws:iam::${ACCOUNT}:user/\${aws:username}" (policy variable) with no restricting condition`,
          },
        ],
      ],
      [
        'a Federated principal (the S3 guide example)',
        policyOf(allow({ Principal: { Federated: 'graph.facebook.com' } })),
        [
          {
            index: 0,
            reason:
              'statement 0 allows Federated principal "graph.facebook.com" with no restricting condition',
          },
        ],
      ],
      [
        'an unknown principal type',
        policyOf(allow({ Principal: { Everyone: 'yes' } })),
        [
          {
            index: 0,
            reason:
              'statement 0 allows an unrecognised principal type "Everyone" with no restricting condition',
          },
        ],
      ],
      [
        'NotPrincipal with Allow, even next to fixed statements',
        policyOf(
          fixedAccount,
          fixedAccount,
          allow({ Sid: 'AllButOne', NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }),
        ),
        [{ index: 2, sid: 'AllButOne', reason: 'statement 2 ("AllButOne") uses NotPrincipal' }],
      ],
      [
        'an Allow without Principal',
        policyOf(allow({})),
        [{ index: 0, reason: 'statement 0 has no Principal' }],
      ],
      [
        'an innocuous-looking action (actions are not considered)',
        policyOf(
          allow({ Principal: '*', Action: 's3:GetBucketLocation', Resource: 'arn:aws:s3:::example-bucket' }),
        ),
        [{ index: 0, reason: 'statement 0 allows Principal "*" with no restricting condition' }],
      ],
      [
        'a condition on an irrelevant key only (s3:prefix)',
        policyOf(anyoneWhen({ StringEquals: { 's3:prefix': 'home/' } })),
        [{ index: 0, reason: 'statement 0 allows Principal "*" with no restricting condition' }],
      ],
      [
        'StringLike aws:SourceVpc "vpc-*" (the S3 guide example)',
        policyOf(anyoneWhen({ StringLike: { 'aws:SourceVpc': 'vpc-*' } })),
        [{ index: 0, reason: 'statement 0 allows aws:SourceVpc "vpc-*" (wildcard)' }],
      ],
      [
        'aws:SourceIp 0.0.0.0/0',
        policyOf(fixedAccount, anyoneWhen({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } })),
        [{ index: 1, reason: 'statement 1 allows aws:SourceIp 0.0.0.0/0 (broader than /8)' }],
      ],
      [
        'aws:SourceIp 0.0.0.0/1 (the S3 guide example)',
        policyOf(anyoneWhen({ IpAddress: { 'aws:SourceIp': '0.0.0.0/1' } })),
        [{ index: 0, reason: 'statement 0 allows aws:SourceIp 0.0.0.0/1 (broader than /8)' }],
      ],
      [
        'aws:SourceIp 1.0.0.0/7, one bit broader than allowed',
        policyOf(anyoneWhen({ IpAddress: { 'aws:SourceIp': '1.0.0.0/7' } })),
        [{ index: 0, reason: 'statement 0 allows aws:SourceIp 1.0.0.0/7 (broader than /8)' }],
      ],
      [
        'aws:SourceIp ::/0',
        policyOf(anyoneWhen({ IpAddress: { 'aws:SourceIp': '::/0' } })),
        [{ index: 0, reason: 'statement 0 allows aws:SourceIp ::/0 (broader than /32)' }],
      ],
      [
        'aws:SourceIp 2001:db8::/31, one bit broader than allowed',
        policyOf(anyoneWhen({ IpAddress: { 'aws:SourceIp': '2001:db8::/31' } })),
        [{ index: 0, reason: 'statement 0 allows aws:SourceIp 2001:db8::/31 (broader than /32)' }],
      ],
      [
        'one broad range among narrow ones',
        policyOf(anyoneWhen({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '0.0.0.0/0'] } })),
        [{ index: 0, reason: 'statement 0 allows aws:SourceIp 0.0.0.0/0 (broader than /8)' }],
      ],
      [
        'a malformed aws:SourceIp value',
        policyOf(anyoneWhen({ IpAddress: { 'aws:SourceIp': 'not-an-ip' } })),
        [
          {
            index: 0,
            reason: 'statement 0 allows aws:SourceIp "not-an-ip" (not an IP address or CIDR range)',
          },
        ],
      ],
      [
        'an out-of-range prefix length',
        policyOf(anyoneWhen({ IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } })),
        [
          {
            index: 0,
            reason: 'statement 0 allows aws:SourceIp "10.0.0.0/33" (not an IP address or CIDR range)',
          },
        ],
      ],
      [
        'aws:SourceIp under a string operator',
        policyOf(anyoneWhen({ StringEquals: { 'aws:SourceIp': '203.0.113.7' } })),
        [
          {
            index: 0,
            reason: 'statement 0 allows aws:SourceIp via StringEquals (does not pin fixed values)',
          },
        ],
      ],
      [
        'NotIpAddress',
        policyOf(anyoneWhen({ NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })),
        [
          {
            index: 0,
            reason: 'statement 0 allows aws:SourceIp via NotIpAddress (does not pin fixed values)',
          },
        ],
      ],
      [
        'aws:PrincipalOrgID "o-*"',
        policyOf(anyoneWhen({ StringLike: { 'aws:PrincipalOrgID': 'o-*' } })),
        [{ index: 0, reason: 'statement 0 allows aws:PrincipalOrgID "o-*" (wildcard)' }],
      ],
      [
        'aws:userid in the role-session pattern "AROLEID:*"',
        policyOf(anyoneWhen({ StringLike: { 'aws:userid': 'AROAEXAMPLEROLEID:*' } })),
        [{ index: 0, reason: 'statement 0 allows aws:userid "AROAEXAMPLEROLEID:*" (wildcard)' }],
      ],
      [
        'an aws:username policy variable in a condition value',
        policyOf(
          anyoneWhen({
            StringEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/\${aws:username}` },
          }),
        ),
        [
          {
            index: 0,
            reason: `statement 0 allows aws:PrincipalArn "arn:aws:iam::${ACCOUNT}:user/\${aws:username}" (policy variable)`,
          },
        ],
      ],
      [
        'StringEqualsIfExists (the key may be absent)',
        policyOf(anyoneWhen({ StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })),
        [
          {
            index: 0,
            reason:
              'statement 0 allows aws:SourceVpce via StringEqualsIfExists (matches requests without the key)',
          },
        ],
      ],
      [
        'ForAllValues:StringEquals (true when the key is absent)',
        policyOf(anyoneWhen({ 'ForAllValues:StringEquals': { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })),
        [
          {
            index: 0,
            reason:
              'statement 0 allows aws:SourceVpce via ForAllValues:StringEquals (matches requests without the key)',
          },
        ],
      ],
      [
        'StringNotEquals',
        policyOf(anyoneWhen({ StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })),
        [
          {
            index: 0,
            reason: 'statement 0 allows aws:SourceVpce via StringNotEquals (does not pin fixed values)',
          },
        ],
      ],
      [
        'Null:false alone (the key must exist, any value)',
        policyOf(anyoneWhen({ Null: { 'aws:SourceVpce': 'false' } })),
        [{ index: 0, reason: 'statement 0 allows aws:SourceVpce via Null (does not pin fixed values)' }],
      ],
      [
        'an empty list of condition values',
        policyOf(anyoneWhen({ StringEquals: { 'aws:SourceVpce': [] } })),
        [{ index: 0, reason: 'statement 0 allows aws:SourceVpce with no usable value []' }],
      ],
      [
        'an access point ARN whose account is a wildcard',
        policyOf(
          anyoneWhen({ ArnLike: { 's3:DataAccessPointArn': 'arn:aws:s3:us-east-1:*:accesspoint/*' } }),
        ),
        [
          {
            index: 0,
            reason:
              'statement 0 allows s3:DataAccessPointArn "arn:aws:s3:us-east-1:*:accesspoint/*" (wildcard)',
          },
        ],
      ],
      [
        'several public statements, each reported',
        policyOf(
          allow({ Sid: 'Read', Principal: '*' }),
          fixedAccount,
          anyoneWhen({ StringLike: { 'aws:SourceVpc': 'vpc-*' } }),
        ),
        [
          {
            index: 0,
            sid: 'Read',
            reason: 'statement 0 ("Read") allows Principal "*" with no restricting condition',
          },
          { index: 2, reason: 'statement 2 allows aws:SourceVpc "vpc-*" (wildcard)' },
        ],
      ],
    ])('is public with %s', (_name, policy, expected) => {
      const analysis = analyzeBucketPolicy(policy);

      expect(analysis).toStrictEqual({ isPublic: true, publicStatements: expected });
    });
  });

  describe('non-public policies', () => {
    it.each<[string, Record<string, unknown>]>([
      ['a fixed account id principal', policyOf(allow({ Principal: { AWS: ACCOUNT } }))],
      ['a fixed account root principal', policyOf(fixedAccount)],
      [
        'a role ARN principal',
        policyOf(allow({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/reader` } })),
      ],
      ['a service principal', policyOf(allow({ Principal: { Service: 'cloudtrail.amazonaws.com' } }))],
      [
        'a CanonicalUser principal',
        policyOf(
          allow({
            Principal: { CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' },
          }),
        ),
      ],
      [
        'a mix of fixed principal types',
        policyOf(
          allow({ Principal: { AWS: [ACCOUNT, '444455556666'], Service: 'logging.s3.amazonaws.com' } }),
        ),
      ],
      [
        'Deny statements only',
        policyOf({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: OBJECTS }),
      ],
      [
        'a Deny to "*" next to a fixed Allow',
        policyOf(
          { Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: OBJECTS },
          fixedAccount,
        ),
      ],
      [
        'an Effect that is not exactly "Allow" (IAM compares case-sensitively)',
        policyOf({ Effect: 'allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS }),
      ],
      [
        'StringEquals aws:SourceVpce with a fixed endpoint',
        policyOf(anyoneWhen({ StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })),
      ],
      [
        'StringEquals aws:SourceVpc "vpc-91237329" (the S3 guide example)',
        policyOf(anyoneWhen({ StringEquals: { 'aws:SourceVpc': 'vpc-91237329' } })),
      ],
      [
        'condition key names in another case',
        policyOf(anyoneWhen({ StringEquals: { 'AWS:SOURCEVPCE': 'vpce-1a2b3c4d' } })),
      ],
      [
        'StringLike without a wildcard',
        policyOf(anyoneWhen({ StringLike: { 'aws:SourceVpce': ['vpce-1a2b3c4d', 'vpce-5e6f7a8b'] } })),
      ],
      [
        'StringEqualsIgnoreCase',
        policyOf(anyoneWhen({ StringEqualsIgnoreCase: { 'aws:SourceVpc': 'VPC-91237329' } })),
      ],
      [
        'ForAnyValue:StringEquals (false when the key is absent)',
        policyOf(anyoneWhen({ 'ForAnyValue:StringEquals': { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })),
      ],
      [
        'ForAllValues:StringEquals with Null:false demanding the key',
        policyOf(
          anyoneWhen({
            'ForAllValues:StringEquals': { 'aws:SourceVpce': 'vpce-1a2b3c4d' },
            Null: { 'aws:SourceVpce': 'false' },
          }),
        ),
      ],
      [
        'StringEqualsIfExists with Null:false demanding the key',
        policyOf(
          anyoneWhen({
            StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' },
            Null: { 'aws:SourceVpce': false },
          }),
        ),
      ],
      [
        'one restricting entry among irrelevant ones (conditions are ANDed)',
        policyOf(
          anyoneWhen({
            StringLike: { 's3:prefix': '*' },
            Bool: { 'aws:SecureTransport': 'true' },
            StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' },
          }),
        ),
      ],
      [
        'one restricting entry next to a broad one (conditions are ANDed)',
        policyOf(
          anyoneWhen({
            IpAddress: { 'aws:SourceIp': '0.0.0.0/0' },
            StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' },
          }),
        ),
      ],
      [
        'aws:SourceIp 10.0.0.0/8 (RFC 1918)',
        policyOf(anyoneWhen({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })),
      ],
      [
        'aws:SourceIp 172.16.0.0/12 and 192.168.0.0/16 (RFC 1918)',
        policyOf(anyoneWhen({ IpAddress: { 'aws:SourceIp': ['172.16.0.0/12', '192.168.0.0/16'] } })),
      ],
      [
        'aws:SourceIp 203.0.113.0/24',
        policyOf(anyoneWhen({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })),
      ],
      [
        'aws:SourceIp 8.0.0.0/8 (exactly /8)',
        policyOf(anyoneWhen({ IpAddress: { 'aws:SourceIp': '8.0.0.0/8' } })),
      ],
      ['a bare IPv4 address (/32)', policyOf(anyoneWhen({ IpAddress: { 'aws:SourceIp': '198.51.100.7' } }))],
      [
        'aws:SourceIp 2001:db8::/32',
        policyOf(anyoneWhen({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } })),
      ],
      ['a bare IPv6 address (/128)', policyOf(anyoneWhen({ IpAddress: { 'aws:SourceIp': '2001:db8::1' } }))],
      [
        'a fixed aws:PrincipalOrgID',
        policyOf(anyoneWhen({ StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } })),
      ],
      [
        'a fixed aws:userid',
        policyOf(anyoneWhen({ StringEquals: { 'aws:userid': 'AROAEXAMPLEROLEID:session-name' } })),
      ],
      [
        'ArnLike aws:SourceArn without a wildcard',
        policyOf(
          anyoneWhen({ ArnLike: { 'aws:SourceArn': `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main` } }),
        ),
      ],
      [
        'a numeric aws:SourceAccount',
        policyOf(anyoneWhen({ StringEquals: { 'aws:SourceAccount': 111122223333 } })),
      ],
      [
        'a wildcard access point name in a fixed account',
        policyOf(
          anyoneWhen({
            ArnLike: { 's3:DataAccessPointArn': `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/*` },
          }),
        ),
      ],
      [
        'a fixed s3:DataAccessPointAccount',
        policyOf(anyoneWhen({ StringEquals: { 's3:DataAccessPointAccount': ACCOUNT } })),
      ],
      [
        'a fixed KMS key for server-side encryption',
        policyOf(
          anyoneWhen({
            StringEquals: {
              's3:x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
            },
          }),
        ),
      ],
      ['an empty Statement array', policyOf()],
    ])('is not public with %s', (_name, policy) => {
      const analysis = analyzeBucketPolicy(policy);

      expect(analysis).toStrictEqual({ isPublic: false, publicStatements: [] });
    });
  });

  describe('input forms', () => {
    const publicRead = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS };
    const expected = {
      isPublic: true,
      publicStatements: [
        { index: 0, reason: 'statement 0 allows Principal "*" with no restricting condition' },
      ],
    };

    it.each<[string, string | Record<string, unknown>]>([
      ['JSON text', JSON.stringify(policyOf(publicRead))],
      ['a parsed object', policyOf(publicRead)],
      ['JSON text whose Statement is a single object', JSON.stringify({ Statement: publicRead })],
      ['a parsed object whose Statement is a single object', { Statement: publicRead }],
    ])('accepts %s', (_name, policy) => {
      expect(analyzeBucketPolicy(policy)).toStrictEqual(expected);
    });
  });

  describe('invalid policies', () => {
    const jsonMessage = (() => {
      try {
        JSON.parse('not json');
        return 'unreachable';
      } catch (error) {
        return (error as Error).message;
      }
    })();

    it.each<[string, string | Record<string, unknown>, string]>([
      ['text that is not JSON', 'not json', `bucket policy is not valid JSON: ${jsonMessage}`],
      ['a JSON array', '[{"Statement":[]}]', 'bucket policy is not a JSON object (got array)'],
      ['JSON null', 'null', 'bucket policy is not a JSON object (got null)'],
      ['no Statement', '{"Version":"2012-10-17"}', 'bucket policy has no "Statement"'],
      [
        'a Statement that is a string',
        { Statement: 'Allow everything' },
        'bucket policy "Statement" must be an object or an array of objects (got string)',
      ],
      [
        'a Statement array holding a non-object',
        { Statement: [{ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' }, 42] },
        'bucket policy "Statement"[1] is not an object (got number)',
      ],
    ])('rejects %s', (_name, policy, message) => {
      const act = () => analyzeBucketPolicy(policy);

      expect(act).toThrow(InvalidPolicyError);
      expect(act).toThrow(expect.objectContaining({ name: 'InvalidPolicyError', message }));
    });

    it('keeps the JSON parser error as the cause', () => {
      let caught: unknown;
      try {
        analyzeBucketPolicy('{"Statement":');
      } catch (error) {
        caught = error;
      }

      expect(caught).toBeInstanceOf(InvalidPolicyError);
      expect((caught as InvalidPolicyError).cause).toBeInstanceOf(SyntaxError);
    });
  });
});
