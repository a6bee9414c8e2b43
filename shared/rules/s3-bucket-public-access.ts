/**
 * `s3-bucket-public-access`: every bucket has all four Block Public Access flags effectively on
 * (the bucket's setting OR its account's), and is CRITICAL when it is public right now.
 * See ARCHITECTURE.md, "The rules".
 */
import { everyBucket, namedBucket, s3 } from '../events/scope-finders';
import { parsedPolicyOf } from '../inventory/configuration-item';
import {
  type AclGrant,
  type Bucket,
  PRIVATE_ONLY_TAG,
  PUBLIC_ACCESS_BLOCK_FLAGS,
  type PublicAccessBlock,
} from '../model';
import { InvalidPolicyError } from '../s3/errors';
import { analyzeBucketPolicy, type EndpointLock, lockedToEndpoints, type PolicyAnalysis } from '../s3/policy';
import { evaluationOf, preliminaryVerdict } from './evaluation';
import type { Evaluation, EvaluationContext, RemediationPlan, Rule } from './types';

/** The groups whose grants make an ACL public. `LogDelivery` is not one of them. */
const PUBLIC_GROUPS: ReadonlySet<string> = new Set(['AllUsers', 'AuthenticatedUsers']);

/** The flag names as the S3 API and console spell them. */
const FLAG_NAMES: Record<keyof PublicAccessBlock, string> = {
  blockPublicAcls: 'BlockPublicAcls',
  ignorePublicAcls: 'IgnorePublicAcls',
  blockPublicPolicy: 'BlockPublicPolicy',
  restrictPublicBuckets: 'RestrictPublicBuckets',
};

export const s3BucketPublicAccess: Rule<'AWS::S3::Bucket', 's3-bucket-public-access', undefined> = {
  id: 's3-bucket-public-access',
  resourceType: 'AWS::S3::Bucket',
  reads: ['AWS::S3::AccountPublicAccessBlock'],
  severity: 'MEDIUM',
  title: 'S3 buckets block public access',
  description:
    'All four S3 Block Public Access flags must be effectively on (bucket OR account); a bucket whose ' +
    'policy or ACL makes it public right now is CRITICAL.',
  triggers: [
    s3('CreateBucket', 'a new bucket', namedBucket),
    s3('PutBucketPolicy', 'the policy may be public', namedBucket),
    s3('DeleteBucketPolicy', 'a public policy may be gone', namedBucket),
    s3('PutBucketAcl', 'the ACL may grant AllUsers / AuthenticatedUsers', namedBucket),
    s3('PutBucketTagging', 'the endpoint-guard:exempt tag exempts a bucket', namedBucket),
    s3('DeleteBucketTagging', 'removing endpoint-guard:exempt brings a bucket back', namedBucket),
    s3('PutBucketPublicAccessBlock', 'bucket-level Block Public Access changed', namedBucket),
    s3('DeleteBucketPublicAccessBlock', 'bucket-level Block Public Access removed', namedBucket),
    // Account-level Block Public Access is an S3 Control API (PutPublicAccessBlock /
    // DeletePublicAccessBlock with x-amz-account-id), but CloudTrail records it with the other S3
    // management events, as eventSource s3.amazonaws.com and these event names. Source: Amazon
    // S3 User Guide, "Amazon S3 CloudTrail events" > "Amazon S3 account-level actions tracked by
    // CloudTrail logging" (awsdocs/amazon-s3-userguide doc_source/cloudtrail-logging-s3-info.md),
    // which lists DeleteAccountPublicAccessBlock, GetAccountPublicAccessBlock and
    // PutAccountPublicAccessBlock.
    s3('PutAccountPublicAccessBlock', 'the account-level flags apply to every bucket', everyBucket),
    s3('DeleteAccountPublicAccessBlock', 'the account-level flags apply to every bucket', everyBucket),
  ],
  configurationFields: {
    'AWS::S3::Bucket': ['configuration.name', 'supplementaryConfiguration.PublicAccessBlockConfiguration'],
    'AWS::S3::AccountPublicAccessBlock': [
      'configuration.blockPublicAcls',
      'configuration.ignorePublicAcls',
      'configuration.blockPublicPolicy',
      'configuration.restrictPublicBuckets',
    ],
  },
  permissions: {
    detect: [
      's3:GetBucketPublicAccessBlock',
      's3:GetBucketPolicy',
      's3:GetBucketAcl',
      's3:GetBucketTagging',
      's3:GetAccountPublicAccessBlock',
      's3:ListAllMyBuckets',
    ],
    fix: ['s3:PutBucketPublicAccessBlock'],
  },
  options: undefined,
  text: {
    title: 'S3 bucket not fully blocked from public access',
    whyItMatters:
      'Without all four Block Public Access flags, one bucket policy or ACL change can expose the ' +
      "bucket's objects to anyone on the internet; a public policy or ACL in place is a data leak now.",
    ticketCategory: 'Security',
  },
  // Advanced queries cannot select a bucket's policy and ACL: they decide a non-compliant
  // bucket's severity (CRITICAL when public now), so the sweep reads the whole item for those.
  sweep: { fullItem: { when: (evaluation) => evaluation.status === 'NON_COMPLIANT', noun: 'bucket' } },
  compliance: {
    // S3.1 (account-level flags) and S3.8 (bucket-level flags) together are this rule's "effectively
    // on"; S3.2 and S3.3 are its CRITICAL "public right now" (read or write).
    fsbp: ['S3.1', 'S3.2', 'S3.3', 'S3.8'],
    nist80053r5: [
      'AC-3',
      'AC-3(7)',
      'AC-4',
      'AC-4(21)',
      'AC-6',
      'AC-21',
      'SC-7',
      'SC-7(3)',
      'SC-7(4)',
      'SC-7(9)',
      'SC-7(11)',
      'SC-7(16)',
      'SC-7(20)',
      'SC-7(21)',
    ],
    cis: [
      { version: 'v1.4.0', id: '2.1.5' },
      { version: 'v3.0.0', id: '2.1.4' },
      { version: 'v5.0.0', id: '2.1.4' },
    ],
    findingTypes: ['Software and Configuration Checks/AWS Security Best Practices', 'Effects/Data Exposure'],
    referenceUrl:
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html',
  },
  evaluate(bucket: Bucket, { inventory }: EvaluationContext): Evaluation {
    const rule = s3BucketPublicAccess;
    const preliminary = preliminaryVerdict(bucket);
    if (preliminary) return evaluationOf(rule, bucket, preliminary);

    const account = inventory.accountPublicAccessBlock(bucket.accountId)?.configuration;
    const effective = effectiveBlock(bucket.publicAccessBlock, account);
    const off = PUBLIC_ACCESS_BLOCK_FLAGS.filter((flag) => !effective[flag]);
    const policy =
      bucket.policyText === undefined
        ? undefined
        : analyzePolicy(parsedPolicyOf(bucket) ?? bucket.policyText);
    const publicGrants = bucket.aclGrants.filter(isPublicGrant);

    const policyPublicNow = policy?.isPublic === true && !effective.restrictPublicBuckets;
    const aclPublicNow = publicGrants.length > 0 && !effective.ignorePublicAcls;
    const evidence = {
      bucketPublicAccessBlock: bucket.publicAccessBlock ?? null,
      accountPublicAccessBlock: account ?? null,
      effectivePublicAccessBlock: effective,
      policyIsPublic: policy?.isPublic ?? false,
      publicPolicyStatements: policy?.publicStatements ?? [],
      publicAclGrants: publicGrants.map(describeGrant),
      publicNow: policyPublicNow || aclPublicNow,
    };

    const privateOnly = privateOnlyOf(bucket);
    const lockMissing = privateOnly !== undefined && !privateOnly.lock.locked;
    const withLock = privateOnly ? { ...evidence, privateOnly } : evidence;
    if (off.length === 0 && !lockMissing) {
      const locked = privateOnly ? `; reachable only through ${privateOnly.lock.through.join(', ')}` : '';
      return evaluationOf(rule, bucket, {
        status: 'COMPLIANT',
        reason: `Block Public Access is on for all four flags (${sourceOfFlags(bucket.publicAccessBlock, account)})${locked}`,
        evidence: withLock,
      });
    }

    const causes: string[] = [];
    if (policyPublicNow) causes.push(`public policy: ${policy?.publicStatements[0]?.reason ?? 'public'}`);
    if (aclPublicNow) causes.push(`ACL grants ${publicGrants.map(describeGrant).join(', ')}`);
    const problems: string[] = [];
    if (off.length)
      problems.push(`Block Public Access off: ${off.map((flag) => FLAG_NAMES[flag]).join(', ')}`);
    if (lockMissing)
      problems.push(
        `tagged ${PRIVATE_ONLY_TAG}, but its policy does not deny requests from outside ${privateOnly.wanted.join(', ') || 'a VPC endpoint'}`,
      );
    const text = problems.join('; ');
    return evaluationOf(rule, bucket, {
      status: 'NON_COMPLIANT',
      severity: causes.length ? 'CRITICAL' : 'MEDIUM',
      reason: causes.length ? `bucket is public now (${causes.join('; ')}); ${text}` : text,
      evidence: withLock,
      remediation: off.length
        ? planFix(bucket, causes.length > 0, lockMissing)
        : lockTicket(bucket, privateOnly?.wanted ?? []),
    });
  },
};

const LOCK_WHY =
  'the private-only lock is a bucket policy Deny of requests from outside the VPC endpoint, which can ' +
  'lock out administrators and AWS services: a person writes it';

/** The private-only request of a bucket tagged for it, and whether its policy fulfils it. */
function privateOnlyOf(
  bucket: Bucket,
): { readonly wanted: string[]; readonly lock: EndpointLock } | undefined {
  const value = bucket.tags[PRIVATE_ONLY_TAG];
  if (value === undefined) return undefined;
  const wanted = value.split(/[\s,]+/).filter((item) => item !== '');
  if (bucket.policyText === undefined) return { wanted, lock: { locked: false, through: [] } };
  try {
    return { wanted, lock: lockedToEndpoints(bucket.policyText, wanted) };
  } catch (error) {
    if (!(error instanceof InvalidPolicyError)) throw error;
    return { wanted, lock: { locked: false, through: [] } };
  }
}

function lockTicket(bucket: Bucket, wanted: readonly string[]): RemediationPlan {
  return {
    kind: 'ticket-only',
    summary: `Add a bucket policy to ${bucket.name} that denies every request not from ${wanted.join(', ') || 'its VPC endpoint'} (aws:SourceVpce)`,
    why: LOCK_WHY,
  };
}

/** Block Public Access as S3 applies it: flag by flag, the bucket's setting OR the account's. */
export function effectiveBlock(
  bucket: PublicAccessBlock | undefined,
  account: PublicAccessBlock | undefined,
): PublicAccessBlock {
  const on = (flag: keyof PublicAccessBlock): boolean => bucket?.[flag] === true || account?.[flag] === true;
  return {
    blockPublicAcls: on('blockPublicAcls'),
    ignorePublicAcls: on('ignorePublicAcls'),
    blockPublicPolicy: on('blockPublicPolicy'),
    restrictPublicBuckets: on('restrictPublicBuckets'),
  };
}

/** A grant to AllUsers or AuthenticatedUsers, whatever the permission. */
export function isPublicGrant(grant: AclGrant): boolean {
  return grant.grantee.kind === 'group' && PUBLIC_GROUPS.has(grant.grantee.group);
}

function describeGrant(grant: AclGrant): string {
  const who = grant.grantee.kind === 'group' ? grant.grantee.group : grant.grantee.kind;
  return `${grant.permission} to ${who}`;
}

/**
 * S3 never stores a policy it cannot parse, so an unreadable one can only come from a damaged
 * input: treat it as public, as S3's own analysis starts from "public" until proven otherwise.
 */
function analyzePolicy(policy: string | Readonly<Record<string, unknown>>): PolicyAnalysis {
  try {
    return analyzeBucketPolicy(policy);
  } catch (error) {
    if (!(error instanceof InvalidPolicyError)) throw error;
    return {
      isPublic: true,
      publicStatements: [{ index: -1, reason: `unreadable policy (${error.message})` }],
    };
  }
}

function sourceOfFlags(
  bucket: PublicAccessBlock | undefined,
  account: PublicAccessBlock | undefined,
): string {
  const all = (block: PublicAccessBlock | undefined): boolean =>
    block !== undefined && PUBLIC_ACCESS_BLOCK_FLAGS.every((flag) => block[flag]);
  if (all(bucket)) return 'bucket setting';
  if (all(account)) return 'account setting';
  return 'bucket and account settings combined';
}

function planFix(bucket: Bucket, publicNow: boolean, lockMissing: boolean): RemediationPlan {
  const warnings = publicNow
    ? [
        'The bucket is public now: turning Block Public Access on cuts that access off. If it must stay public ' +
          '(a website, a public dataset), tag it endpoint-guard:exempt with the reason instead.',
      ]
    : [];
  if (lockMissing) warnings.push(`Not fixed automatically (ticket): ${LOCK_WHY}`);
  return {
    kind: 'fix',
    summary: `Turn on all four Block Public Access flags on bucket ${bucket.name}`,
    actions: [
      {
        service: 's3',
        action: 'PutPublicAccessBlock',
        parameters: {
          Bucket: bucket.name,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true,
          },
        },
        previous: bucket.publicAccessBlock ?? null,
      },
    ],
    warnings,
  };
}
