/**
 * The CloudTrail event Lambda through its middy chain, with every AWS client mocked: for each
 * API call in the mapping table, the exact live reads and the Findings published; and that
 * failed, self-caused, unmapped and malformed events are dropped without a single AWS call.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { DescribeRouteTablesCommand, DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetBucketPolicyCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../functions/cloudtrail-event/handler';
import { AwsClientFactory } from '../../shared/aws/clients';
import { FindingPublisher } from '../../shared/aws/finding-publisher';
import { parseFinding } from '../../shared/findings/finding';
import {
  defaultEc2State,
  type Ec2State,
  lambdaContext,
  MEMBER_ACCOUNT,
  memberEc2State,
  OWN_ACCOUNT,
  REGION,
  routeTable,
  type S3State,
  serveEc2,
  serveS3,
  subnet,
} from '../events/fake-aws';
import { eventFixture, eventFixtureNames } from '../events/support';

// The handler built from the environment logs through its own logger: keep test output quiet.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);
const config = mockClient(ConfigServiceClient);
const events = mockClient(EventBridgeClient);
/** The settings parameter, read only by the handler built from the environment. */
const ssm = mockClient(SSMClient);
const ALL_MOCKS = [sts, ec2, s3, s3control, config, events];

const NOW = new Date('2025-03-01T12:00:30.000Z');
const BUS = 'endpoint-guard-findings';
const BUCKET = 'eg-reports-111122223333';
const CONTEXT = lambdaContext('endpoint-guard-cloudtrail-event') as Context;
const logger = new Logger({ serviceName: 'endpoint-guard-cloudtrail-event-test', logLevel: 'SILENT' });

let ec2State: Ec2State;
let s3State: S3State;

/** The counts the handler emitted, as `<metric> <dimensions> <value>` lines. */
let metricLines: string[] = [];
const metrics = {
  count(name: string, dimensions: Readonly<Record<string, string>>, value: number) {
    metricLines.push(`${name} ${JSON.stringify(dimensions)} ${value}`);
  },
};

function handler() {
  return createHandler({
    logger,
    metrics,
    adapters: () => ({
      clients: new AwsClientFactory({ memberRoleName: 'EndpointGuardMember', ownAccountId: OWN_ACCOUNT }),
      publisher: new FindingPublisher({
        eventBridge: new EventBridgeClient({ region: REGION }),
        eventBusName: BUS,
      }),
    }),
    selfCallers: () => ({ memberRoleName: 'EndpointGuardMember', functionRolePrefix: 'endpoint-guard-' }),
    now: () => NOW,
  });
}

function published() {
  return events
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => {
      expect(entry).toMatchObject({ Source: 'endpoint-guard', DetailType: 'Finding', EventBusName: BUS });
      return parseFinding(JSON.parse(entry.Detail ?? 'null'));
    });
}

function callCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const mock of ALL_MOCKS) {
    for (const call of mock.calls()) {
      const name = call.args[0].constructor.name.replace(/Command$/, '');
      counts[name] = (counts[name] ?? 0) + 1;
    }
  }
  return counts;
}

beforeEach(() => {
  metricLines = [];
  for (const mock of ALL_MOCKS) mock.reset();
  ssm.reset();
  ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
  // The scenario after the calls in the fixtures: subnet 1b moved to its own table rtb-0b000005,
  // which lacks the S3 gateway endpoint, so the main table has no implicit subnet left.
  ec2State = defaultEc2State();
  ec2State.routeTables.push(routeTable('rtb-0b000005', { subnetIds: ['subnet-0a000002'] }));
  s3State = { buckets: { [BUCKET]: {} } };
  serveEc2(ec2, ec2State);
  serveS3(s3, s3control, s3State);
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIAMEMBEREXAMPLE',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date('2025-03-01T13:00:00.000Z'),
    },
  });
  events.on(PutEventsCommand).callsFake((input: { Entries?: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: (input.Entries ?? []).map((_, index) => ({ EventId: `event-${index}` })),
  }));
});

const VPC_READS = {
  DescribeVpcEndpoints: 1,
  DescribeSubnets: 1,
  DescribeRouteTables: 1,
  DescribeVpcEndpointServices: 1,
};
const TABLES: [string, string][] = [
  ['rtb-0b000001', 'COMPLIANT'],
  ['rtb-0b000002', 'NOT_APPLICABLE'],
  ['rtb-0b000005', 'NON_COMPLIANT'],
];
const ENDPOINTS: [string, string][] = [
  ['vpce-0e000001', 'NON_COMPLIANT'],
  ['vpce-0e000002', 'NOT_APPLICABLE'],
];
const BUCKET_READS = {
  GetPublicAccessBlock: 2,
  GetBucketPolicy: 1,
  GetBucketAcl: 1,
  GetBucketTagging: 1,
};

describe('cloudtrail-event handler: every mapped API call', () => {
  it.each<[string, Record<string, number>, [string, string][]]>([
    ['create-vpc-endpoint.json', VPC_READS, [...TABLES, ...ENDPOINTS]],
    // The endpoint id is resolved to its VPC first: one more DescribeVpcEndpoints.
    ['modify-vpc-endpoint.json', { ...VPC_READS, DescribeVpcEndpoints: 2 }, [...TABLES, ...ENDPOINTS]],
    ['create-subnet.json', VPC_READS, [...TABLES, ...ENDPOINTS]],
    // The VPC of a deleted subnet is unknown: the region is read (unfiltered).
    ['delete-subnet.json', VPC_READS, [...TABLES, ...ENDPOINTS]],
    ['create-route-table.json', VPC_READS, TABLES],
    ['associate-route-table.json', { ...VPC_READS, DescribeRouteTables: 2 }, TABLES],
    ['replace-route-table-association.json', { ...VPC_READS, DescribeRouteTables: 2 }, TABLES],
    ['disassociate-route-table.json', VPC_READS, TABLES],
    ['create-route.json', { ...VPC_READS, DescribeRouteTables: 2 }, TABLES],
    ['replace-route.json', { ...VPC_READS, DescribeRouteTables: 2 }, TABLES],
    ['delete-route.json', { ...VPC_READS, DescribeRouteTables: 2 }, TABLES],
    ['create-bucket.json', BUCKET_READS, [[BUCKET, 'NON_COMPLIANT']]],
    ['put-bucket-policy.json', BUCKET_READS, [[BUCKET, 'NON_COMPLIANT']]],
    ['delete-bucket-policy.json', BUCKET_READS, [[BUCKET, 'NON_COMPLIANT']]],
    ['put-bucket-acl.json', BUCKET_READS, [[BUCKET, 'NON_COMPLIANT']]],
    ['put-bucket-public-access-block.json', BUCKET_READS, [[BUCKET, 'NON_COMPLIANT']]],
    ['delete-bucket-public-access-block.json', BUCKET_READS, [[BUCKET, 'NON_COMPLIANT']]],
    [
      'put-account-public-access-block.json',
      { ListBuckets: 1, ...BUCKET_READS },
      [[BUCKET, 'NON_COMPLIANT']],
    ],
    [
      'delete-account-public-access-block.json',
      { ListBuckets: 1, ...BUCKET_READS },
      [[BUCKET, 'NON_COMPLIANT']],
    ],
  ])('%s: reads %j, publishes %j', async (file, reads, findings) => {
    // Prepare
    const event = eventFixture(`cloudtrail/${file}`);
    const detail = event.detail as { eventName: string; eventID: string };

    // Act
    const result = await handler()(event, CONTEXT);

    // Assess: the exact calls (no AssumeRole: the call was made in the function's own account,
    // nothing reported to Config, one PutEvents per 10 findings).
    expect(result.status).toBe('evaluated');
    expect(callCounts()).toEqual({ ...reads, PutEvents: Math.ceil(findings.length / 10) });
    const sent = published();
    expect(sent.map((f) => [f.resourceId, f.status])).toEqual(findings);
    for (const finding of sent) {
      expect(finding).toMatchObject({
        accountId: OWN_ACCOUNT,
        region: REGION,
        detector: 'cloudtrail-event',
        observedAt: NOW.toISOString(),
        trigger: { eventName: detail.eventName, eventId: detail.eventID },
      });
    }
  });

  it('reads the VPC named by CreateSubnet, and finds the endpoint now misses the new AZ', async () => {
    // Prepare: the subnet CreateSubnet created, in us-east-1c.
    ec2State.subnets.push(subnet('subnet-0a000003', 'us-east-1c'));

    // Act
    await handler()(eventFixture('cloudtrail/create-subnet.json'), CONTEXT);

    // Assess
    expect(ec2).toHaveReceivedCommandWith(DescribeVpcEndpointsCommand, {
      Filters: [{ Name: 'vpc-id', Values: ['vpc-0a000001'] }],
    });
    const endpoint = published().find((f) => f.resourceId === 'vpce-0e000001');
    expect(endpoint).toMatchObject({
      status: 'NON_COMPLIANT',
      severity: 'HIGH',
      reason:
        'endpoint has subnets in 1 AZ (us-east-1a); its VPC vpc-0a000001 uses 3 AZs (us-east-1a, us-east-1b, us-east-1c); missing us-east-1b, us-east-1c',
      trigger: { eventName: 'CreateSubnet', eventId: '6f1c0007-3b4d-4e5f-8a9b-0c1d2e3f0007' },
    });
    // One Findings count per rule and status published (two route tables lack the S3 route).
    expect(metricLines).toEqual([
      'Findings {"ruleId":"gateway-endpoint-routes","status":"COMPLIANT"} 1',
      'Findings {"ruleId":"gateway-endpoint-routes","status":"NON_COMPLIANT"} 2',
      'Findings {"ruleId":"interface-endpoint-multi-az","status":"NON_COMPLIANT"} 1',
      'Findings {"ruleId":"interface-endpoint-multi-az","status":"NOT_APPLICABLE"} 1',
    ]);
  });

  it('resolves the route table of CreateRoute to its VPC, then reads that VPC', async () => {
    await handler()(eventFixture('cloudtrail/create-route.json'), CONTEXT);

    expect(ec2).toHaveReceivedNthCommandWith(DescribeRouteTablesCommand, 1, {
      Filters: [{ Name: 'route-table-id', Values: ['rtb-0b000001'] }],
    });
    expect(ec2).toHaveReceivedNthCommandWith(DescribeRouteTablesCommand, 2, {
      Filters: [{ Name: 'vpc-id', Values: ['vpc-0a000001'] }],
    });
  });

  it('reads every bucket of the account after an account-level Block Public Access change', async () => {
    // Prepare
    s3State.account = {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    };
    s3State.buckets['eg-public-site'] = {
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::eg-public-site/*',
          },
        ],
      }),
    };

    // Act
    await handler()(eventFixture('cloudtrail/put-account-public-access-block.json'), CONTEXT);

    // Assess
    expect(s3).toHaveReceivedCommandWith(ListBucketsCommand, { BucketRegion: REGION });
    expect(s3).toHaveReceivedCommandWith(GetBucketPolicyCommand, { Bucket: 'eg-public-site' });
    expect(s3control).toHaveReceivedCommandWith(GetAccountPublicAccessBlockCommand, {
      AccountId: OWN_ACCOUNT,
    });
    expect(published().map((f) => [f.resourceId, f.status])).toEqual([
      ['eg-public-site', 'COMPLIANT'],
      [BUCKET, 'COMPLIANT'],
    ]);
  });

  it('evaluates in the member account and region of a forwarded call, through the member role', async () => {
    // Prepare
    const member = memberEc2State();
    ec2State.endpoints.push(...member.endpoints);
    ec2State.subnets.push(...member.subnets);
    ec2State.routeTables.push(...member.routeTables);

    // Act
    await handler()(eventFixture('cloudtrail/cross-account-create-route.json'), CONTEXT);

    // Assess
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::222233334444:role/EndpointGuardMember',
      RoleSessionName: 'endpoint-guard',
    });
    expect(published().map((f) => [f.accountId, f.region, f.resourceId, f.status])).toEqual([
      [MEMBER_ACCOUNT, 'eu-west-1', 'rtb-0b000101', 'NON_COMPLIANT'],
    ]);
  });

  it('never reports to AWS Config', async () => {
    await handler()(eventFixture('cloudtrail/create-vpc-endpoint.json'), CONTEXT);

    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });

  it('publishes nothing when the named resource no longer exists', async () => {
    // Prepare
    ec2State.routeTables = [];

    // Act
    const result = await handler()(eventFixture('cloudtrail/create-route.json'), CONTEXT);

    // Assess
    expect(result).toEqual({ status: 'evaluated', reason: 'CreateRoute re-evaluated', findings: 0 });
    expect(callCounts()).toEqual({ DescribeRouteTables: 1 });
  });
});

describe('cloudtrail-event handler: dropped without any AWS call', () => {
  it.each([
    ['ignored/create-route-failed.json', 'failed: the call failed with Client.UnauthorizedOperation'],
    [
      'ignored/modify-vpc-endpoint-by-member-role.json',
      "self: made by endpoint-guard's own role EndpointGuardMember",
    ],
    [
      'ignored/put-bucket-public-access-block-by-function.json',
      "self: made by endpoint-guard's own role endpoint-guard-remediate-role",
    ],
    [
      'ignored/create-security-group.json',
      'unmapped: no rule reacts to ec2.amazonaws.com CreateSecurityGroup',
    ],
    [
      'malformed/request-without-route-table.json',
      'unresolved: gateway-endpoint-routes: the request names no routeTableId',
    ],
  ])('%s', async (file, reason) => {
    // Act
    const result = await handler()(eventFixture(`cloudtrail/${file}`), CONTEXT);

    // Assess
    expect(result).toEqual({ status: 'ignored', reason, findings: 0 });
    expect(callCounts()).toEqual({});
  });

  it('logs an unmapped call as a warning (the forwarding rule matches more than the table)', async () => {
    // Prepare
    const warn = vi.spyOn(logger, 'warn');

    // Act
    await handler()(eventFixture('cloudtrail/ignored/create-security-group.json'), CONTEXT);

    // Assess
    expect(warn).toHaveBeenCalledWith('CloudTrail event ignored', {
      eventSource: 'ec2.amazonaws.com',
      why: 'unmapped',
      detail: 'no rule reacts to ec2.amazonaws.com CreateSecurityGroup',
    });
  });

  it.each(
    eventFixtureNames('cloudtrail/malformed').filter((name) => name !== 'request-without-route-table.json'),
  )('drops malformed %s with a logged reason', async (file) => {
    // Prepare
    const error = vi.spyOn(logger, 'error');

    // Act
    const result = await handler()(eventFixture(`cloudtrail/malformed/${file}`), CONTEXT);

    // Assess
    expect(result.status).toBe('invalid');
    expect(error).toHaveBeenCalledWith('invalid CloudTrail event: dropped', {
      reason: result.reason,
      field: expect.any(String),
    });
    expect(callCounts()).toEqual({});
  });

  it('drops a batch-shaped or empty payload', async () => {
    expect((await handler()([], CONTEXT)).status).toBe('invalid');
    expect((await handler()(undefined, CONTEXT)).status).toBe('invalid');
    expect(callCounts()).toEqual({});
  });
});

describe('cloudtrail-event handler: AWS errors', () => {
  it('rethrows a read failure, publishing nothing', async () => {
    ec2
      .on(DescribeRouteTablesCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'RequestLimitExceeded' }));

    await expect(handler()(eventFixture('cloudtrail/create-route.json'), CONTEXT)).rejects.toThrow(
      'slow down',
    );
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it('rethrows a publishing failure', async () => {
    events.on(PutEventsCommand).rejects(Object.assign(new Error('bus down'), { name: 'InternalException' }));

    await expect(handler()(eventFixture('cloudtrail/create-route.json'), CONTEXT)).rejects.toThrow(
      'bus down',
    );
  });
});

describe('cloudtrail-event handler built from the environment', () => {
  const saved = { ...process.env };

  /** A fresh copy of the module: the environment is read once per module instance, on first use. */
  async function envHandler(event: unknown, context: Context) {
    vi.resetModules();
    const module = await import('../../functions/cloudtrail-event/handler');
    return module.handler(event, context);
  }

  afterEach(() => {
    process.env = { ...saved };
  });

  it('ignores calls by the configured MEMBER_ROLE_NAME, and publishes to EVENT_BUS_NAME', async () => {
    // Prepare
    process.env.EVENT_BUS_NAME = 'org-findings';
    process.env.MEMBER_ROLE_NAME = 'Admin';

    // Act: the fixtures' human caller has the role Admin.
    const ignored = await envHandler(eventFixture('cloudtrail/create-route.json'), CONTEXT);

    // Assess
    expect(ignored).toEqual({
      status: 'ignored',
      reason: "self: made by endpoint-guard's own role Admin",
      findings: 0,
    });
    expect(callCounts()).toEqual({});
  });

  it('fails loudly, before any AWS call, when EVENT_BUS_NAME is not set', async () => {
    delete process.env.EVENT_BUS_NAME;

    await expect(envHandler(eventFixture('cloudtrail/create-route.json'), CONTEXT)).rejects.toThrow(
      'environment variable EVENT_BUS_NAME is not set: the Finding events have nowhere to go',
    );
    expect(callCounts()).toEqual({});
  });
});
