/**
 * `endpoint-guard scan --live` over mocked AWS clients: accounts through the member role, a
 * denied account reported without stopping the others, the organization's ACTIVE accounts,
 * progress only on a terminal, and the argument checks.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../bin/cli-error';
import { type ScanLiveDeps, scanLiveCommand } from '../../bin/commands/scan-live';
import { awsError, pagesByToken, sdkInterfaceEndpoint, sdkRouteTable, sdkSubnet } from '../aws/sdk-shapes';

const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);
const organizations = mockClient(OrganizationsClient);

/** The account the CLI runs in; the EC2 mocks describe resources owned by READABLE. */
const CENTRAL = '999900001111';
const READABLE = '111122223333';
const DENIED = '222233334444';
const roleArn = (account: string) => `arn:aws:iam::${account}:role/EndpointGuardMember`;
const DENIED_MESSAGE = `User: arn:aws:sts::${CENTRAL}:assumed-role/admin/me is not authorized to perform: sts:AssumeRole on resource: ${roleArn(DENIED)}`;

interface Captured {
  readonly io: CliIo;
  readonly stderr: () => string;
}

function cliIo(options: { stderrIsTty?: boolean } = {}): Captured {
  const chunks: string[] = [];
  return {
    io: {
      stdin: Readable.from([]),
      stdoutIsTty: false,
      stderr: { write: (text: string) => chunks.push(text), isTTY: options.stderrIsTty ?? false },
      env: {},
    },
    stderr: () => chunks.join(''),
  };
}

const deps: ScanLiveDeps = { defaultRegion: async () => 'eu-west-1' };

/** A shared config file with the profile `audit`. */
const tmp = mkdtempSync(join(tmpdir(), 'eg-scan-live-'));
const AUDIT_CONFIG = join(tmp, 'config');
writeFileSync(AUDIT_CONFIG, '[default]\nregion = us-west-2\n\n[profile audit]\nregion = us-east-1\n');

/** An endpoint in one AZ of a two-AZ VPC (NON_COMPLIANT), a main table without S3 gateway endpoint. */
function mockNetwork(): void {
  ec2
    .on(DescribeVpcEndpointsCommand)
    .resolves({ VpcEndpoints: [sdkInterfaceEndpoint('vpce-1', ['subnet-a'])] });
  ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: [sdkSubnet('subnet-a', 'us-east-1a'), sdkSubnet('subnet-b', 'us-east-1b')],
  });
  ec2
    .on(DescribeRouteTablesCommand)
    .resolves({ RouteTables: [sdkRouteTable('rtb-main', [], { main: true })] });
  ec2.on(DescribeVpcEndpointServicesCommand).resolves({
    ServiceDetails: [
      { ServiceName: 'com.amazonaws.us-east-1.ssm', AvailabilityZones: ['us-east-1a', 'us-east-1b'] },
    ],
  });
}

/** One bucket, locked down by its own Block Public Access (COMPLIANT). */
function mockStorage(): void {
  s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'private-data', BucketRegion: 'us-east-1' }] });
  s3.on(GetPublicAccessBlockCommand).resolves({
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
  });
  s3.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucketPolicy', 'none', 404));
  s3.on(GetBucketAclCommand).resolves({ Grants: [] });
  s3.on(GetBucketTaggingCommand).rejects(awsError('NoSuchTagSet', 'none', 404));
  s3control
    .on(GetAccountPublicAccessBlockCommand)
    .rejects(awsError('NoSuchPublicAccessBlockConfiguration', 'none', 404));
}

function mockRoles(): void {
  sts.on(GetCallerIdentityCommand).resolves({ Account: CENTRAL });
  sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied', DENIED_MESSAGE, 403));
  sts.on(AssumeRoleCommand, { RoleArn: roleArn(READABLE) }).resolves({
    Credentials: {
      AccessKeyId: 'ASIAREADABLE',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
}

interface JsonOutput {
  findings: { accountId: string; resourceId: string; rule: string; status: string }[];
  summary: { evaluated: number; nonCompliant: number; compliant: number };
  errors: { accountId: string; region: string | null; error: string }[];
}

describe('endpoint-guard scan --live', () => {
  beforeEach(() => {
    for (const mock of [sts, ec2, s3, s3control, organizations]) mock.reset();
    mockRoles();
    mockNetwork();
    mockStorage();
  });

  it('scans two accounts, reports the one whose role is denied, and keeps the other', async () => {
    // Prepare
    const { io, stderr } = cliIo();

    // Act
    const result = await scanLiveCommand(
      ['--live', '--accounts', `${READABLE},${DENIED}`, '--region', 'us-east-1', '--format', 'json'],
      io,
      deps,
    );

    // Assess: the member role was asked for in both accounts, once each
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: roleArn(READABLE),
      RoleSessionName: 'endpoint-guard-scan',
    });
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: roleArn(DENIED) });

    // Assess: the readable account's findings, the denied one in errors and on stderr
    const expectedError = `cannot assume ${roleArn(DENIED)} in account ${DENIED}: AccessDenied: ${DENIED_MESSAGE}`;
    expect(result.exitCode).toBe(0);
    const output = JSON.parse(result.stdout) as JsonOutput;
    expect(output.findings.map((f) => [f.accountId, f.rule, f.resourceId, f.status])).toEqual([
      [READABLE, 'gateway-endpoint-routes', 'rtb-main', 'NON_COMPLIANT'],
      [READABLE, 'interface-endpoint-multi-az', 'vpce-1', 'NON_COMPLIANT'],
      [READABLE, 's3-bucket-public-access', 'private-data', 'COMPLIANT'],
    ]);
    expect(output.summary).toMatchObject({ evaluated: 3, nonCompliant: 2, compliant: 1 });
    expect(output.errors).toEqual([{ accountId: DENIED, region: null, error: expectedError }]);
    const cause = expectedError.replaceAll(DENIED, '<account>').replaceAll(CENTRAL, '<account>');
    expect(stderr()).toBe(`endpoint-guard: not scanned: 1 account (${DENIED}): ${cause}\n`);
  });

  it('asks a denied account once, whatever the number of regions', async () => {
    const { io, stderr } = cliIo();

    const result = await scanLiveCommand(
      [
        '--live',
        '--accounts',
        `${READABLE},${DENIED}`,
        '--region',
        'us-east-1',
        '--region',
        'us-west-2',
        '--concurrency',
        '1',
      ],
      io,
      deps,
    );

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(stderr().match(/endpoint-guard: not scanned/g)).toHaveLength(1);
    expect(result.stdout).toContain(`Account ${READABLE} · us-east-1`);
    expect(result.stdout).toContain(`Account ${READABLE} · us-west-2`);
    expect(result.stdout).toContain(
      `Not scanned:\n  1 account (${DENIED}): cannot assume ${roleArn('<account>')} in account <account>`,
    );
  });

  it('groups the accounts it could not read by cause: one line for many accounts', async () => {
    const { io, stderr } = cliIo();
    const others = ['222233334445', '222233334446'];

    const result = await scanLiveCommand(
      ['--live', '--accounts', [READABLE, DENIED, ...others].join(','), '--region', 'us-east-1'],
      io,
      deps,
    );

    const cause = `cannot assume ${roleArn('<account>')} in account <account>: AccessDenied: ${DENIED_MESSAGE.replaceAll(DENIED, '<account>').replaceAll(CENTRAL, '<account>')}`;
    expect(stderr()).toBe(
      `endpoint-guard: not scanned: 3 accounts (${DENIED}, ${others.join(', ')}): ${cause}\n`,
    );
    expect(result.stdout).toContain(
      `Not scanned:\n  3 accounts (${DENIED}, ${others.join(', ')}): ${cause}\n`,
    );
  });

  it('exits 2 with nothing on stdout when no account can be read', async () => {
    const { io, stderr } = cliIo();

    const result = await scanLiveCommand(['--live', '--accounts', DENIED, '--region', 'us-east-1'], io, deps);

    expect(result).toEqual({ stdout: '', exitCode: 2 });
    expect(stderr()).toContain(
      `endpoint-guard: not scanned: 1 account (${DENIED}): cannot assume ${roleArn('<account>')}`,
    );
    expect(stderr()).toContain('endpoint-guard: no account could be read (1 account)\n');
    expect(ec2).not.toHaveReceivedAnyCommand();
  });

  it("scans the caller's own account with the default chain and no AssumeRole", async () => {
    const { io } = cliIo();

    const result = await scanLiveCommand(['--live', '--format', 'json'], io, deps);

    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
    // No --region: the chain's region (eu-west-1 here) is the one scanned.
    expect(s3).toHaveReceivedCommandWith(ListBucketsCommand, { BucketRegion: 'eu-west-1' });
    expect((JSON.parse(result.stdout) as JsonOutput).errors).toEqual([]);
  });

  it('gives STS the first scanned region when the chain has none', async () => {
    const { io } = cliIo();

    await scanLiveCommand(['--live', '--region', 'ap-south-1', '--region', 'us-west-2'], io, {
      defaultRegion: async () => undefined,
    });

    const [call] = sts.commandCalls(GetCallerIdentityCommand);
    if (call === undefined) throw new Error('GetCallerIdentity was not called');
    expect(await (call.thisValue as STSClient).config.region()).toBe('ap-south-1');
  });

  it("scans the organization's ACTIVE accounts across ListAccounts pages", async () => {
    // Prepare: the management account (the caller) is scanned without AssumeRole
    const paged = pagesByToken({
      '': {
        Accounts: [
          { Id: CENTRAL, State: 'ACTIVE', Status: 'ACTIVE' },
          { Id: '333344445555', State: 'SUSPENDED', Status: 'SUSPENDED' },
        ],
        NextToken: 'more',
      },
      more: {
        Accounts: [
          { Id: READABLE, State: 'ACTIVE' },
          { Id: '444455556666', State: 'CLOSED' },
        ],
      },
    });
    organizations.on(ListAccountsCommand).callsFake(paged.fake);
    const { io } = cliIo();

    // Act
    const result = await scanLiveCommand(
      [
        '--live',
        '--organization',
        '--region',
        'us-east-1',
        '--rule',
        's3-bucket-public-access',
        '--format',
        'json',
      ],
      io,
      { ...deps, organizations: () => new OrganizationsClient({ region: 'us-east-1' }) },
    );

    // Assess
    expect(paged.tokens).toEqual([undefined, 'more']);
    expect(sts).toHaveReceivedCommandExactlyOnceWith(AssumeRoleCommand, { RoleArn: roleArn(READABLE) });
    expect(ec2).not.toHaveReceivedAnyCommand();
    const output = JSON.parse(result.stdout) as JsonOutput;
    expect(output.findings.map((f) => f.rule)).toEqual([
      's3-bucket-public-access',
      's3-bucket-public-access',
    ]);
    expect(result.exitCode).toBe(0);
  });

  it("addresses ASFF to the caller's own Security Hub in the first region scanned", async () => {
    const { io } = cliIo();

    const result = await scanLiveCommand(
      ['--live', '--accounts', READABLE, '--region', 'us-east-1,us-west-2', '--format', 'asff'],
      io,
      deps,
    );

    const documents = JSON.parse(result.stdout) as { AwsAccountId: string; ProductArn: string; Id: string }[];
    expect(documents).toHaveLength(6);
    for (const document of documents) {
      expect(document.AwsAccountId).toBe(CENTRAL);
      expect(document.ProductArn).toBe(`arn:aws:securityhub:us-east-1:${CENTRAL}:product/${CENTRAL}/default`);
    }
  });

  it('exits 1 with --fail-on-findings when something is NON_COMPLIANT', async () => {
    const { io } = cliIo();

    const result = await scanLiveCommand(
      ['--live', '--accounts', READABLE, '--region', 'us-east-1', '--fail-on-findings'],
      io,
      deps,
    );

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      '3 evaluated: 2 NON_COMPLIANT (1 HIGH, 1 MEDIUM), 1 COMPLIANT, 0 NOT_APPLICABLE',
    );
  });

  it('shows progress on stderr only when it is a terminal', async () => {
    const args = [
      '--live',
      '--accounts',
      READABLE,
      '--region',
      'us-east-1',
      '--region',
      'us-west-2',
      '--concurrency',
      '1',
    ];
    const quiet = cliIo({ stderrIsTty: false });
    const terminal = cliIo({ stderrIsTty: true });

    const quietResult = await scanLiveCommand(args, quiet.io, deps);
    const terminalResult = await scanLiveCommand(args, terminal.io, deps);

    expect(quiet.stderr()).toBe('');
    expect(terminal.stderr()).toContain('1/2 account×region done, 2 findings so far');
    expect(terminal.stderr()).toContain('2/2 account×region done, 4 findings so far');
    expect(terminal.stderr()).toMatch(/2 account×region scanned with \d+ AWS calls\n$/);
    expect(terminalResult.stdout).toBe(quietResult.stdout);
  });

  it.each([
    [
      ['--live', '--accounts', READABLE, '--organization'],
      'pass either --accounts or --organization, not both',
    ],
    [['--live', '--accounts', '12345'], 'invalid account id "12345": expected 12 digits'],
    [['--live', '--region', 'mars'], 'invalid --region "mars": expected e.g. us-east-1'],
    [['--live', '--concurrency', '0'], 'invalid --concurrency "0": expected a whole number from 1 to 32'],
    [
      ['--live', '--rule', 'nope'],
      'unknown --rule "nope": expected one of interface-endpoint-multi-az, s3-bucket-public-access, gateway-endpoint-routes',
    ],
    [
      ['--live', '--format', 'xml'],
      'unknown --format "xml": expected one of table, json, csv, ocsf, asff, html',
    ],
    [['--live', '--format', 'jsno'], 'unknown --format "jsno": did you mean json?'],
    [['--live', '--profle', 'x'], "unknown option '--profle' for scan --live: did you mean --profile?"],
    [['--live', '--role-name', 'bad name'], 'invalid --role-name "bad name"'],
  ])('rejects %j', async (args, message) => {
    await expect(scanLiveCommand(args, cliIo().io, deps)).rejects.toThrow(message);
    expect(sts).not.toHaveReceivedAnyCommand();
  });

  it('asks for a region when the chain has none', async () => {
    await expect(
      scanLiveCommand(['--live'], cliIo().io, { defaultRegion: async () => undefined }),
    ).rejects.toThrow('no region: pass --region, or set AWS_REGION or a region in the profile');
  });

  it('passes --profile to every client through the SDK profile setting', async () => {
    const seen: Record<string, unknown>[] = [];
    const { io } = cliIo();

    await scanLiveCommand(
      ['--live', '--profile', 'audit', '--accounts', READABLE],
      { ...io, env: { AWS_CONFIG_FILE: AUDIT_CONFIG, AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'none') } },
      {
        defaultRegion: async (config) => {
          seen.push(config);
          return 'us-east-1';
        },
        clientFactory: (options) => {
          seen.push(options.clientConfig ?? {});
          return {
            ownAccountId: async () => CENTRAL,
            forAccount: async () => {
              throw new Error('not reached in this test');
            },
          };
        },
      },
    );

    // Once to resolve the chain's region, once for the factory's clients.
    expect(seen).toEqual([{ profile: 'audit' }, { profile: 'audit' }]);
  });
});
