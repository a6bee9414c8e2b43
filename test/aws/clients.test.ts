/**
 * AwsClientFactory: own account without AssumeRole, member accounts through the member role,
 * credentials cached until 5 minutes before they expire, clients cached per account and region.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory, MemberAccessError, memberRoleArn } from '../../shared/aws/clients';
import { ACCOUNT, awsError, MEMBER } from './sdk-shapes';

const sts = mockClient(STSClient);
const T0 = new Date('2025-03-01T12:00:00.000Z');
const HOUR = 60 * 60 * 1000;

/** A clock the test moves by hand. */
function clock(start = T0): { now: () => Date; advance: (ms: number) => void } {
  let time = start.getTime();
  return { now: () => new Date(time), advance: (ms) => (time += ms) };
}

function credentials(key: string, expiration: Date) {
  return {
    Credentials: {
      AccessKeyId: key,
      SecretAccessKey: `secret-${key}`,
      SessionToken: `token-${key}`,
      Expiration: expiration,
    },
  };
}

describe('AwsClientFactory', () => {
  beforeEach(() => {
    sts.reset();
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/fn/x` });
  });

  it('uses the default chain for its own account: no AssumeRole, no identity call when told the account', async () => {
    // Prepare
    const factory = new AwsClientFactory({
      memberRoleName: 'EndpointGuardMember',
      ownAccountId: ACCOUNT,
      sts: new STSClient({}),
    });

    // Act
    const clients = await factory.forAccount(ACCOUNT, 'eu-west-1');

    // Assess
    expect(sts).not.toHaveReceivedAnyCommand();
    expect(clients.accountId).toBe(ACCOUNT);
    expect(clients.region).toBe('eu-west-1');
    expect(await clients.ec2.config.region()).toBe('eu-west-1');
    expect(await clients.s3.config.region()).toBe('eu-west-1');
    expect(await clients.config.config.region()).toBe('eu-west-1');
  });

  it('resolves its own account once with GetCallerIdentity', async () => {
    const factory = new AwsClientFactory({ memberRoleName: 'EndpointGuardMember', sts: new STSClient({}) });

    await factory.forAccount(ACCOUNT, 'us-east-1');
    await factory.forAccount(ACCOUNT, 'eu-west-1');

    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
  });

  it('assumes the member role in another account and signs its clients with those credentials', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(credentials('AKIA1', new Date(T0.getTime() + HOUR)));
    const factory = new AwsClientFactory({
      memberRoleName: 'EndpointGuardMember',
      sts: new STSClient({}),
      now: clock().now,
    });

    // Act
    const clients = await factory.forAccount(MEMBER, 'us-east-1');

    // Assess
    expect(sts).toHaveReceivedCommandExactlyOnceWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/EndpointGuardMember`,
      RoleSessionName: 'endpoint-guard',
    });
    expect(await clients.ec2.config.credentials()).toMatchObject({
      accessKeyId: 'AKIA1',
      secretAccessKey: 'secret-AKIA1',
      sessionToken: 'token-AKIA1',
    });
    expect(await clients.s3control.config.credentials()).toMatchObject({ accessKeyId: 'AKIA1' });
  });

  it('makes one AssumeRole for two calls, and a new one within 5 minutes of expiry', async () => {
    // Prepare
    const time = clock();
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(credentials('AKIA1', new Date(T0.getTime() + HOUR)))
      .resolvesOnce(credentials('AKIA2', new Date(T0.getTime() + 2 * HOUR)));
    const factory = new AwsClientFactory({
      memberRoleName: 'EndpointGuardMember',
      sts: new STSClient({}),
      now: time.now,
    });

    // Act + Assess: two calls, one AssumeRole
    const first = await factory.forAccount(MEMBER, 'us-east-1');
    await factory.forAccount(MEMBER, 'eu-west-1');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);

    // 54 minutes later the credentials have 6 minutes left: still used
    time.advance(54 * 60 * 1000);
    await factory.forAccount(MEMBER, 'us-east-1');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);

    // 56 minutes: 4 minutes left, inside the margin: refreshed, and the cached clients use the new ones
    time.advance(2 * 60 * 1000);
    const again = await factory.forAccount(MEMBER, 'us-east-1');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(again).toBe(first);
    expect(await again.ec2.config.credentials()).toMatchObject({ accessKeyId: 'AKIA2' });
  });

  it('shares one AssumeRole between concurrent calls for the same account', async () => {
    sts.on(AssumeRoleCommand).resolves(credentials('AKIA1', new Date(T0.getTime() + HOUR)));
    const factory = new AwsClientFactory({ memberRoleName: 'R', sts: new STSClient({}), now: clock().now });

    await Promise.all([factory.forAccount(MEMBER, 'us-east-1'), factory.forAccount(MEMBER, 'us-west-2')]);

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  it('caches clients per account and region', async () => {
    sts.on(AssumeRoleCommand).resolves(credentials('AKIA1', new Date(T0.getTime() + HOUR)));
    const factory = new AwsClientFactory({ memberRoleName: 'R', sts: new STSClient({}), now: clock().now });

    const a = await factory.forAccount(MEMBER, 'us-east-1');
    const b = await factory.forAccount(MEMBER, 'us-east-1');
    const c = await factory.forAccount(MEMBER, 'us-west-2');

    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(c.ec2).not.toBe(a.ec2);
  });

  it('builds clients with adaptive retry and at most 5 attempts', async () => {
    const factory = new AwsClientFactory({
      memberRoleName: 'R',
      ownAccountId: ACCOUNT,
      sts: new STSClient({}),
    });

    const clients = await factory.forAccount(ACCOUNT, 'us-east-1');

    for (const client of [clients.ec2, clients.s3, clients.s3control, clients.config]) {
      expect(await client.config.maxAttempts()).toBe(5);
      expect(client.config.retryMode).toBe('adaptive');
      expect(((await client.config.retryStrategy()) as { mode?: string }).mode).toBe('adaptive');
    }
  });

  it('passes clientConfig to every client, over the defaults', async () => {
    const factory = new AwsClientFactory({
      memberRoleName: 'R',
      ownAccountId: ACCOUNT,
      sts: new STSClient({}),
      clientConfig: { maxAttempts: 2, endpoint: 'http://127.0.0.1:4566' },
    });

    const clients = await factory.forAccount(ACCOUNT, 'us-east-1');

    for (const client of [clients.ec2, clients.s3, clients.s3control, clients.config]) {
      expect(await client.config.maxAttempts()).toBe(2);
    }
    expect((await clients.ec2.config.endpoint?.())?.hostname).toBe('127.0.0.1');
  });

  it.each([
    ['cn-north-1', `arn:aws-cn:iam::${MEMBER}:role/EndpointGuardMember`],
    ['us-gov-west-1', `arn:aws-us-gov:iam::${MEMBER}:role/EndpointGuardMember`],
    ['eu-central-1', `arn:aws:iam::${MEMBER}:role/EndpointGuardMember`],
  ])('assumes the role in the partition of %s', async (region, arn) => {
    sts.on(AssumeRoleCommand).resolves(credentials('AKIA1', new Date(T0.getTime() + HOUR)));
    const factory = new AwsClientFactory({
      memberRoleName: 'EndpointGuardMember',
      sts: new STSClient({}),
      now: clock().now,
    });

    await factory.forAccount(MEMBER, region);

    expect(memberRoleArn(MEMBER, 'EndpointGuardMember', region)).toBe(arn);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: arn });
  });

  it('throws MemberAccessError naming the account and role when AssumeRole is denied, and asks again next time', async () => {
    // Prepare
    const denied = awsError(
      'AccessDenied',
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/fn/x is not authorized to perform: sts:AssumeRole`,
      403,
    );
    sts.on(AssumeRoleCommand).rejects(denied);
    const factory = new AwsClientFactory({
      memberRoleName: 'EndpointGuardMember',
      sts: new STSClient({}),
      now: clock().now,
    });

    // Act
    const error = await factory.forAccount(MEMBER, 'us-east-1').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(MemberAccessError);
    const access = error as MemberAccessError;
    expect(access.accountId).toBe(MEMBER);
    expect(access.roleArn).toBe(`arn:aws:iam::${MEMBER}:role/EndpointGuardMember`);
    expect(access.cause).toBe(denied);
    expect(access.message).toBe(
      `cannot assume arn:aws:iam::${MEMBER}:role/EndpointGuardMember in account ${MEMBER}: AccessDenied: ${denied.message}`,
    );
    await expect(factory.forAccount(MEMBER, 'us-east-1')).rejects.toBeInstanceOf(MemberAccessError);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('lets throttling through unwrapped, so the caller retries rather than reporting the account unreadable', async () => {
    const throttled = awsError('Throttling', 'Rate exceeded', 400);
    sts.on(AssumeRoleCommand).rejects(throttled);
    const factory = new AwsClientFactory({ memberRoleName: 'R', sts: new STSClient({}), now: clock().now });

    await expect(factory.forAccount(MEMBER, 'us-east-1')).rejects.toBe(throttled);
  });
});
