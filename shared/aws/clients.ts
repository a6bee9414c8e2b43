/**
 * SDK v3 clients per member account and region, built from the default configuration chain
 * (region, credentials, `AWS_ENDPOINT_URL` are resolved by the SDK itself), so the same code
 * runs against AWS or any AWS-compatible endpoint.
 *
 * The function's own account is used as is; any other account is entered through the member
 * role (ARCHITECTURE.md, "Safety": one role per member account).
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { partitionOf } from '../inventory/arn';
import { MemberAccessError, THROTTLING_ERROR_NAMES } from './errors';

export { MemberAccessError } from './errors';

/** The clients of one account in one region. */
export interface AccountClients {
  readonly accountId: string;
  readonly region: string;
  readonly ec2: EC2Client;
  readonly s3: S3Client;
  readonly s3control: S3ControlClient;
  readonly config: ConfigServiceClient;
}

export interface AwsClientFactoryOptions {
  /** The role assumed in member accounts (`MEMBER_ROLE_NAME`, `EndpointGuardMember` by default). */
  readonly memberRoleName: string;
  /** The caller's own account; when absent it is resolved once with STS GetCallerIdentity. */
  readonly ownAccountId?: string;
  /** @default an STSClient from the default chain, with the retry settings below */
  readonly sts?: STSClient;
  /** Shows in member accounts' CloudTrail as the session name. @default 'endpoint-guard' */
  readonly roleSessionName?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Extra configuration for every client (`profile`, `endpoint`...); wins over the defaults. */
  readonly clientConfig?: Record<string, unknown>;
}

/** Adaptive retry paces calls when a member account throttles; bounded so a Lambda still ends. */
export const RETRY_CONFIG = { retryMode: 'adaptive', maxAttempts: 5 } as const;

/** Assumed credentials are refreshed this long before they expire, so no call carries stale ones. */
export const CREDENTIAL_REFRESH_MARGIN_MS = 5 * 60 * 1000;

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

interface CachedCredentials {
  readonly promise: Promise<Credentials>;
  /** Set once the promise resolved; until then concurrent callers share the one AssumeRole. */
  expiresAt?: number;
}

/** `arn:aws:iam::222233334444:role/EndpointGuardMember`, in the region's partition. */
export function memberRoleArn(accountId: string, roleName: string, region: string): string {
  return `arn:${partitionOf(region)}:iam::${accountId}:role/${roleName}`;
}

/**
 * Builds and caches the SDK clients of each (account, region).
 *
 * @example
 * const factory = new AwsClientFactory({ memberRoleName: 'EndpointGuardMember' });
 * const { ec2 } = await factory.forAccount('222233334444', 'eu-west-1');
 */
export class AwsClientFactory {
  private readonly options: AwsClientFactoryOptions;
  private readonly sts: STSClient;
  private readonly now: () => Date;
  private ownAccount: Promise<string> | undefined;
  private readonly credentials = new Map<string, CachedCredentials>();
  private readonly clients = new Map<string, AccountClients>();

  constructor(options: AwsClientFactoryOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
    this.sts = options.sts ?? new STSClient({ ...RETRY_CONFIG, ...options.clientConfig });
    if (options.ownAccountId !== undefined) this.ownAccount = Promise.resolve(options.ownAccountId);
  }

  /**
   * The clients of `accountId` in `region`. For another account this assumes the member role
   * first (or reuses credentials still valid for 5 minutes), so a denied role fails here with a
   * {@link MemberAccessError} rather than on the first read.
   */
  async forAccount(accountId: string, region: string): Promise<AccountClients> {
    const own = (await this.ownAccountId()) === accountId;
    if (!own) await this.credentialsFor(accountId, region);
    const key = `${accountId}|${region}`;
    const cached = this.clients.get(key);
    if (cached) return cached;
    // The SDK calls this provider again when the credentials near expiry; it returns the cache.
    const credentials = own ? {} : { credentials: () => this.credentialsFor(accountId, region) };
    const config = { region, ...RETRY_CONFIG, ...credentials, ...this.options.clientConfig };
    const clients: AccountClients = {
      accountId,
      region,
      ec2: new EC2Client(config),
      // A bucket read through another region's client is redirected instead of failing.
      s3: new S3Client({ followRegionRedirects: true, ...config }),
      s3control: new S3ControlClient(config),
      config: new ConfigServiceClient(config),
    };
    this.clients.set(key, clients);
    return clients;
  }

  /** The caller's own account: the option, or STS GetCallerIdentity (called once). */
  ownAccountId(): Promise<string> {
    if (this.ownAccount === undefined) {
      const resolving = this.sts.send(new GetCallerIdentityCommand({})).then((identity) => {
        if (!identity.Account) throw new Error('STS GetCallerIdentity returned no Account');
        return identity.Account;
      });
      // A failure is not cached: the next call asks again.
      resolving.catch(() => {
        if (this.ownAccount === resolving) this.ownAccount = undefined;
      });
      this.ownAccount = resolving;
    }
    return this.ownAccount;
  }

  private credentialsFor(accountId: string, region: string): Promise<Credentials> {
    const cached = this.credentials.get(accountId);
    if (
      cached &&
      (cached.expiresAt === undefined ||
        cached.expiresAt - CREDENTIAL_REFRESH_MARGIN_MS > this.now().getTime())
    ) {
      return cached.promise;
    }
    const entry: CachedCredentials = { promise: this.assumeRole(accountId, region) };
    this.credentials.set(accountId, entry);
    entry.promise.then(
      (credentials) => {
        entry.expiresAt = credentials.expiration.getTime();
      },
      () => {
        if (this.credentials.get(accountId) === entry) this.credentials.delete(accountId);
      },
    );
    return entry.promise;
  }

  private async assumeRole(accountId: string, region: string): Promise<Credentials> {
    const roleArn = memberRoleArn(accountId, this.options.memberRoleName, region);
    const command = new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: this.options.roleSessionName ?? 'endpoint-guard',
    });
    const response = await this.sts.send(command).catch((error: unknown) => {
      // Throttling and outages are not a verdict on the role: they surface as they are, so a
      // Lambda invocation is retried instead of reporting the account unreadable.
      throw isTransient(error) ? error : new MemberAccessError(accountId, roleArn, { cause: error });
    });
    const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = response.Credentials ?? {};
    if (!AccessKeyId || !SecretAccessKey || !SessionToken || !Expiration) {
      throw new MemberAccessError(accountId, roleArn, {
        cause: new Error('AssumeRole returned no credentials'),
      });
    }
    return {
      accessKeyId: AccessKeyId,
      secretAccessKey: SecretAccessKey,
      sessionToken: SessionToken,
      expiration: Expiration,
    };
  }
}

/** A server fault, throttling, or a network error: worth retrying, says nothing about access. */
function isTransient(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { $fault, $retryable, name, code } = error as {
    $fault?: unknown;
    $retryable?: unknown;
    name?: unknown;
    code?: unknown;
  };
  return (
    $fault === 'server' ||
    $retryable !== undefined ||
    (typeof name === 'string' && (THROTTLING_ERROR_NAMES.has(name) || name === 'TimeoutError')) ||
    // Node system errors (ECONNRESET, ENOTFOUND...) carry a string code.
    (typeof code === 'string' && code.startsWith('E'))
  );
}
