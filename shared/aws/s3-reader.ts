/**
 * Reads live S3 state (a bucket's Block Public Access, policy, ACL and tags; the account's Block
 * Public Access; the buckets of a region) into the resource model.
 *
 * S3 answers "there is none" with an error; those answers are absence here, never failures.
 */
import {
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  type Grant,
  type PublicAccessBlockConfiguration,
  paginateListBuckets,
  type S3Client,
  type Grantee as SdkGrantee,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  type S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { arnFor } from '../inventory/arn';
import type { AccountPublicAccessBlock, AclGrant, Bucket, Grantee, PublicAccessBlock } from '../model';
import type { ReaderContext } from './ec2-reader';
import { isAwsError } from './errors';

const NO_PUBLIC_ACCESS_BLOCK = 'NoSuchPublicAccessBlockConfiguration';

/** Block Public Access when none is configured: every flag off. */
export const ALL_FLAGS_OFF: PublicAccessBlock = {
  blockPublicAcls: false,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
};

/** S3 API permission names in the spelling AWS Config uses, so every detector reports alike. */
const PERMISSION_NAMES: Readonly<Record<string, string>> = {
  FULL_CONTROL: 'FullControl',
  READ: 'Read',
  WRITE: 'Write',
  READ_ACP: 'ReadAcp',
  WRITE_ACP: 'WriteAcp',
};

const GROUP_URI_PREFIXES = ['http://acs.amazonaws.com/groups/global/', 'http://acs.amazonaws.com/groups/s3/'];

/**
 * Reads S3 state of one account; bucket reads go through `s3` (which follows region redirects),
 * the account setting through `s3control`.
 *
 * @example
 * const s3 = new S3Reader(clients, { accountId: '111122223333', region: 'us-east-1' });
 * const bucket = await s3.bucket('my-bucket'); // undefined when it no longer exists
 */
export class S3Reader {
  private readonly now: () => Date;

  constructor(
    private readonly clients: { readonly s3: S3Client; readonly s3control: S3ControlClient },
    private readonly context: ReaderContext,
  ) {
    this.now = context.now ?? (() => new Date());
  }

  /**
   * One bucket: GetPublicAccessBlock, GetBucketPolicy, GetBucketAcl and GetBucketTagging, sent at
   * once. `undefined` when the bucket no longer exists (NoSuchBucket).
   */
  async bucket(name: string): Promise<Bucket | undefined> {
    const { s3 } = this.clients;
    const capturedAt = this.now().toISOString();
    try {
      const [publicAccessBlock, policyText, aclGrants, tags] = await Promise.all([
        this.absentOn(NO_PUBLIC_ACCESS_BLOCK, 'GetPublicAccessBlock', async () =>
          toPublicAccessBlock(
            (await s3.send(new GetPublicAccessBlockCommand({ Bucket: name }))).PublicAccessBlockConfiguration,
          ),
        ),
        this.absentOn('NoSuchBucketPolicy', 'GetBucketPolicy', async () => {
          const policy = (await s3.send(new GetBucketPolicyCommand({ Bucket: name }))).Policy;
          return policy === undefined || policy.trim() === '' ? undefined : policy;
        }),
        this.absentOn('', 'GetBucketAcl', async () =>
          (await s3.send(new GetBucketAclCommand({ Bucket: name }))).Grants?.map(toAclGrant),
        ),
        this.absentOn('NoSuchTagSet', 'GetBucketTagging', async () => {
          const tagSet = (await s3.send(new GetBucketTaggingCommand({ Bucket: name }))).TagSet ?? [];
          const map: Record<string, string> = {};
          for (const tag of tagSet) if (tag.Key !== undefined) map[tag.Key] = tag.Value ?? '';
          return map;
        }),
      ]);
      const { accountId, region } = this.context;
      return {
        resourceType: 'AWS::S3::Bucket',
        resourceId: name,
        accountId,
        region,
        arn: arnFor('AWS::S3::Bucket', { region, accountId, resourceId: name }),
        itemStatus: 'OK',
        tags: tags ?? {},
        capturedAt,
        name,
        ...(publicAccessBlock === undefined ? {} : { publicAccessBlock }),
        ...(policyText === undefined ? {} : { policyText }),
        aclGrants: aclGrants ?? [],
      };
    } catch (error) {
      if (isAwsError(error, 'NoSuchBucket')) return undefined;
      throw error;
    }
  }

  /** The account's Block Public Access (S3 Control GetPublicAccessBlock); all off when none is set. */
  async accountPublicAccessBlock(): Promise<AccountPublicAccessBlock> {
    const { accountId, region } = this.context;
    const capturedAt = this.now().toISOString();
    const configuration = await this.absentOn(
      NO_PUBLIC_ACCESS_BLOCK,
      'GetAccountPublicAccessBlock',
      async () =>
        toPublicAccessBlock(
          (
            await this.clients.s3control.send(
              new GetAccountPublicAccessBlockCommand({ AccountId: accountId }),
            )
          ).PublicAccessBlockConfiguration,
        ),
    );
    return {
      resourceType: 'AWS::S3::AccountPublicAccessBlock',
      resourceId: accountId,
      accountId,
      region,
      // Config items of this type carry no ARN either.
      arn: '',
      itemStatus: 'OK',
      tags: {},
      capturedAt,
      configuration: configuration ?? ALL_FLAGS_OFF,
    };
  }

  /** The names of the account's buckets in `region` (ListBuckets with BucketRegion, paginated). */
  async bucketNames(region: string = this.context.region): Promise<string[]> {
    const names: string[] = [];
    for await (const page of paginateListBuckets(
      { client: this.clients.s3, pageSize: 1000 },
      { BucketRegion: region },
    )) {
      this.context.onCall?.('ListBuckets');
      for (const bucket of page.Buckets ?? []) if (bucket.Name) names.push(bucket.Name);
    }
    return names;
  }

  /** Runs one read, counting it; the error code `absentCode` means "none" and gives `undefined`. */
  private async absentOn<T>(absentCode: string, api: string, read: () => Promise<T>): Promise<T | undefined> {
    this.context.onCall?.(api);
    try {
      return await read();
    } catch (error) {
      if (absentCode !== '' && isAwsError(error, absentCode)) return undefined;
      throw error;
    }
  }
}

function toPublicAccessBlock(
  value: PublicAccessBlockConfiguration | undefined,
): PublicAccessBlock | undefined {
  if (value === undefined) return undefined;
  return {
    blockPublicAcls: value.BlockPublicAcls === true,
    ignorePublicAcls: value.IgnorePublicAcls === true,
    blockPublicPolicy: value.BlockPublicPolicy === true,
    restrictPublicBuckets: value.RestrictPublicBuckets === true,
  };
}

function toAclGrant(grant: Grant): AclGrant {
  const permission = grant.Permission ?? '';
  return { grantee: toGrantee(grant.Grantee), permission: PERMISSION_NAMES[permission] ?? permission };
}

/** `{Type: 'Group', URI}` → the group by name; `CanonicalUser` by ID; e-mail grantees by address. */
export function toGrantee(grantee: SdkGrantee | undefined): Grantee {
  if (grantee?.Type === 'Group' && grantee.URI) {
    const prefix = GROUP_URI_PREFIXES.find((candidate) => grantee.URI?.startsWith(candidate));
    return { kind: 'group', group: prefix ? grantee.URI.slice(prefix.length) : grantee.URI };
  }
  if (grantee?.Type === 'CanonicalUser' && grantee.ID) return { kind: 'canonicalUser', id: grantee.ID };
  if (grantee?.Type === 'AmazonCustomerByEmail' && grantee.EmailAddress) {
    return { kind: 'email', email: grantee.EmailAddress };
  }
  return { kind: 'unknown', raw: JSON.stringify(grantee ?? null) };
}
