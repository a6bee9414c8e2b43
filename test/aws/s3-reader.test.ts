/**
 * S3Reader: the four bucket reads, S3's "there is none" errors as absence, a deleted bucket as
 * absence, the account setting through S3 Control, and ListBuckets by region.
 */
import {
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  NoSuchBucket,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3Reader } from '../../shared/aws/s3-reader';
import { ACCOUNT, awsError, pagesByToken, REGION } from './sdk-shapes';

const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);
const NOW = new Date('2025-03-01T12:00:00.000Z');
const BUCKET = 'example-data';
const OWNER_ID = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` },
  ],
});

function reader(calls?: string[]): S3Reader {
  return new S3Reader(
    { s3: new S3Client({ region: REGION }), s3control: new S3ControlClient({ region: REGION }) },
    {
      accountId: ACCOUNT,
      region: REGION,
      now: () => NOW,
      ...(calls ? { onCall: (api) => calls.push(api) } : {}),
    },
  );
}

describe('S3Reader', () => {
  beforeEach(() => {
    s3.reset();
    s3control.reset();
  });

  describe('bucket', () => {
    it('reads Block Public Access, policy, ACL and tags into the model', async () => {
      // Prepare
      s3.on(GetPublicAccessBlockCommand, { Bucket: BUCKET }).resolves({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: false,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: false,
        },
      });
      s3.on(GetBucketPolicyCommand, { Bucket: BUCKET }).resolves({ Policy: POLICY });
      s3.on(GetBucketAclCommand, { Bucket: BUCKET }).resolves({
        Owner: { ID: OWNER_ID },
        Grants: [
          { Grantee: { Type: 'CanonicalUser', ID: OWNER_ID }, Permission: 'FULL_CONTROL' },
          {
            Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
            Permission: 'READ',
          },
          {
            Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/s3/LogDelivery' },
            Permission: 'WRITE',
          },
          {
            Grantee: { Type: 'AmazonCustomerByEmail', EmailAddress: 'ops@example.com' },
            Permission: 'READ_ACP',
          },
        ],
      });
      s3.on(GetBucketTaggingCommand, { Bucket: BUCKET }).resolves({
        TagSet: [{ Key: 'endpoint-guard:exempt', Value: 'public website' }],
      });
      const calls: string[] = [];

      // Act
      const bucket = await reader(calls).bucket(BUCKET);

      // Assess
      expect(s3).toHaveReceivedCommandExactlyOnceWith(GetPublicAccessBlockCommand, { Bucket: BUCKET });
      expect(s3).toHaveReceivedCommandExactlyOnceWith(GetBucketPolicyCommand, { Bucket: BUCKET });
      expect(s3).toHaveReceivedCommandExactlyOnceWith(GetBucketAclCommand, { Bucket: BUCKET });
      expect(s3).toHaveReceivedCommandExactlyOnceWith(GetBucketTaggingCommand, { Bucket: BUCKET });
      expect(bucket).toEqual({
        resourceType: 'AWS::S3::Bucket',
        resourceId: BUCKET,
        accountId: ACCOUNT,
        region: REGION,
        arn: `arn:aws:s3:::${BUCKET}`,
        itemStatus: 'OK',
        tags: { 'endpoint-guard:exempt': 'public website' },
        capturedAt: NOW.toISOString(),
        name: BUCKET,
        publicAccessBlock: {
          blockPublicAcls: true,
          ignorePublicAcls: false,
          blockPublicPolicy: true,
          restrictPublicBuckets: false,
        },
        policyText: POLICY,
        aclGrants: [
          { grantee: { kind: 'canonicalUser', id: OWNER_ID }, permission: 'FullControl' },
          { grantee: { kind: 'group', group: 'AllUsers' }, permission: 'Read' },
          { grantee: { kind: 'group', group: 'LogDelivery' }, permission: 'Write' },
          { grantee: { kind: 'email', email: 'ops@example.com' }, permission: 'ReadAcp' },
        ],
      });
      expect(calls.sort()).toEqual([
        'GetBucketAcl',
        'GetBucketPolicy',
        'GetBucketTagging',
        'GetPublicAccessBlock',
      ]);
    });

    it('treats NoSuchPublicAccessBlockConfiguration, NoSuchBucketPolicy and NoSuchTagSet as absence', async () => {
      // Prepare
      s3.on(GetPublicAccessBlockCommand).rejects(
        awsError(
          'NoSuchPublicAccessBlockConfiguration',
          'The public access block configuration was not found',
          404,
        ),
      );
      s3.on(GetBucketPolicyCommand).rejects(
        awsError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404),
      );
      s3.on(GetBucketAclCommand).resolves({
        Owner: { ID: OWNER_ID },
        Grants: [{ Grantee: { Type: 'CanonicalUser', ID: OWNER_ID }, Permission: 'FULL_CONTROL' }],
      });
      s3.on(GetBucketTaggingCommand).rejects(awsError('NoSuchTagSet', 'The TagSet does not exist', 404));

      // Act
      const bucket = await reader().bucket(BUCKET);

      // Assess: no publicAccessBlock and no policyText keys at all
      expect(bucket).toEqual({
        resourceType: 'AWS::S3::Bucket',
        resourceId: BUCKET,
        accountId: ACCOUNT,
        region: REGION,
        arn: `arn:aws:s3:::${BUCKET}`,
        itemStatus: 'OK',
        tags: {},
        capturedAt: NOW.toISOString(),
        name: BUCKET,
        aclGrants: [{ grantee: { kind: 'canonicalUser', id: OWNER_ID }, permission: 'FullControl' }],
      });
      expect(bucket && 'publicAccessBlock' in bucket).toBe(false);
      expect(bucket && 'policyText' in bucket).toBe(false);
    });

    it('returns undefined for a bucket that no longer exists', async () => {
      const gone = new NoSuchBucket({
        message: 'The specified bucket does not exist',
        $metadata: { httpStatusCode: 404 },
      });
      s3.on(GetPublicAccessBlockCommand).rejects(gone);
      s3.on(GetBucketPolicyCommand).rejects(gone);
      s3.on(GetBucketAclCommand).rejects(gone);
      s3.on(GetBucketTaggingCommand).rejects(gone);

      expect(await reader().bucket(BUCKET)).toBeUndefined();
    });

    it('fails on any other error, naming it', async () => {
      s3.on(GetPublicAccessBlockCommand).resolves({});
      s3.on(GetBucketPolicyCommand).rejects(awsError('AccessDenied', 'Access Denied', 403));
      s3.on(GetBucketAclCommand).resolves({ Grants: [] });
      s3.on(GetBucketTaggingCommand).resolves({ TagSet: [] });

      await expect(reader().bucket(BUCKET)).rejects.toMatchObject({ name: 'AccessDenied' });
    });

    it('does not mistake NoSuchBucketPolicy on GetBucketAcl for absence', async () => {
      // Each "none" code only means none for its own API.
      s3.on(GetPublicAccessBlockCommand).resolves({});
      s3.on(GetBucketPolicyCommand).resolves({});
      s3.on(GetBucketAclCommand).rejects(awsError('NoSuchBucketPolicy'));
      s3.on(GetBucketTaggingCommand).resolves({ TagSet: [] });

      await expect(reader().bucket(BUCKET)).rejects.toMatchObject({ name: 'NoSuchBucketPolicy' });
    });
  });

  describe('accountPublicAccessBlock', () => {
    it('reads the account setting through S3 Control with the account id', async () => {
      s3control.on(GetAccountPublicAccessBlockCommand).resolves({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      });

      const block = await reader().accountPublicAccessBlock();

      expect(s3control).toHaveReceivedCommandExactlyOnceWith(GetAccountPublicAccessBlockCommand, {
        AccountId: ACCOUNT,
      });
      expect(block).toEqual({
        resourceType: 'AWS::S3::AccountPublicAccessBlock',
        resourceId: ACCOUNT,
        accountId: ACCOUNT,
        region: REGION,
        arn: '',
        itemStatus: 'OK',
        tags: {},
        capturedAt: NOW.toISOString(),
        configuration: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        },
      });
    });

    it('is all off when the account has none (NoSuchPublicAccessBlockConfiguration)', async () => {
      s3control
        .on(GetAccountPublicAccessBlockCommand)
        .rejects(
          awsError(
            'NoSuchPublicAccessBlockConfiguration',
            'The public access block configuration was not found',
            404,
          ),
        );

      const block = await reader().accountPublicAccessBlock();

      expect(block.configuration).toEqual({
        blockPublicAcls: false,
        ignorePublicAcls: false,
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      });
    });
  });

  describe('bucketNames', () => {
    it("lists the region's buckets with BucketRegion, following ContinuationToken", async () => {
      // Prepare
      const paged = pagesByToken(
        {
          '': { Buckets: [{ Name: 'a', BucketRegion: REGION }], ContinuationToken: 'c2' },
          c2: { Buckets: [{ Name: 'b', BucketRegion: REGION }] },
        },
        'ContinuationToken',
      );
      s3.on(ListBucketsCommand).callsFake(paged.fake);
      const calls: string[] = [];

      // Act
      const names = await reader(calls).bucketNames();

      // Assess
      expect(names).toEqual(['a', 'b']);
      expect(paged.tokens).toEqual([undefined, 'c2']);
      expect(s3).toHaveReceivedCommandWith(ListBucketsCommand, { BucketRegion: REGION, MaxBuckets: 1000 });
      expect(calls).toEqual(['ListBuckets', 'ListBuckets']);
    });
  });
});
