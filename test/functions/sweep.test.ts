/**
 * The sweep Lambda through its middy chain, wired as deployed (clients from the default chain):
 * DynamoDB is a real local engine (dynalite, through AWS_ENDPOINT_URL_DYNAMODB), the aggregator,
 * the bus, SSM, STS and EC2 are mocked. What it reads, whom it assumes, what it publishes; and an
 * invalid input dropped without a single AWS call.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  BatchGetAggregateResourceConfigCommand,
  ConfigServiceClient,
  SelectAggregateResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { DescribeVpcEndpointServicesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EnvironmentError } from '../../functions/common/errors';
import { readSweepEnvironment } from '../../functions/sweep/environment';
import { createHandler, lazySweeper } from '../../functions/sweep/handler';
import type { Finding } from '../../shared/findings/finding';
import { useDynalite } from '../support/dynalite';
import {
  accountBlockRow,
  bucketItem,
  bucketRow,
  endpointRow,
  REGION,
  serveAggregator,
  subnetRow,
  tableRow,
} from '../sweep/support';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

const db = useDynalite();
const config = mockClient(ConfigServiceClient);
const events = mockClient(EventBridgeClient);
const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);

const OWN = '111111111111';
const MEMBER = '222222222222';
const logger = new Logger({ serviceName: 'endpoint-guard-sweep-test', logLevel: 'SILENT' });
const saved: Record<string, string | undefined> = {};
let tableName: string;

function context(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'endpoint-guard-sweep',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${OWN}:function:endpoint-guard-sweep`,
    memoryLimitInMB: '1024',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/endpoint-guard-sweep',
    logStreamName: '2025/06/01/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 840_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function handler() {
  return createHandler({
    logger,
    sweeper: lazySweeper(
      () =>
        readSweepEnvironment({
          AGGREGATOR_NAME: 'org-aggregator',
          TABLE_NAME: tableName,
          EVENT_BUS_NAME: 'findings',
        }),
      logger,
    ),
  });
}

beforeAll(() => {
  for (const name of [
    'AWS_REGION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_ENDPOINT_URL_DYNAMODB',
  ]) {
    saved[name] = process.env[name];
  }
  process.env.AWS_REGION = REGION;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint;
});

afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

beforeEach(async () => {
  for (const mock of [config, events, ssm, sts, ec2]) mock.reset();
  tableName = await db.createTable();
  ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
  events.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
    FailedEntryCount: 0,
    Entries: (input.Entries ?? []).map((_, index) => ({ EventId: `event-${index}` })),
  }));
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIAMEMBER',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date('2099-01-01T00:00:00.000Z'),
    },
  });
  ec2.on(DescribeVpcEndpointServicesCommand).callsFake((input: { ServiceNames?: string[] }) => ({
    ServiceDetails: (input.ServiceNames ?? []).map((ServiceName) => ({
      ServiceName,
      AvailabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    })),
  }));
});

describe('sweep handler', () => {
  it('sweeps the organization, publishes what changed, and enters a member account only for its endpoint services', async () => {
    // Prepare: an endpoint in one AZ of two in the function's own account (non-compliant whatever
    // the service), one in two AZs of three in a member account (depends on the service's AZs).
    serveAggregator(
      config,
      [
        subnetRow(OWN, 'vpc-own', 'subnet-o1', 'eu-west-1a'),
        subnetRow(OWN, 'vpc-own', 'subnet-o2', 'eu-west-1b'),
        tableRow(OWN, 'vpc-own', 'rtb-o1', { main: true, internet: true }),
        endpointRow(OWN, 'vpc-own', 'vpce-own', { subnets: ['subnet-o1'] }),
        subnetRow(MEMBER, 'vpc-member', 'subnet-m1', 'eu-west-1a'),
        subnetRow(MEMBER, 'vpc-member', 'subnet-m2', 'eu-west-1b'),
        subnetRow(MEMBER, 'vpc-member', 'subnet-m3', 'eu-west-1c'),
        tableRow(MEMBER, 'vpc-member', 'rtb-m1', { main: true, internet: true }),
        // Two AZs of three: compliant if the service were not offered in the third.
        endpointRow(MEMBER, 'vpc-member', 'vpce-member', {
          service: `com.amazonaws.${REGION}.logs`,
          subnets: ['subnet-m1', 'subnet-m2'],
        }),
        bucketRow(MEMBER, 'member-data', false),
        accountBlockRow(MEMBER, false),
      ],
      [bucketItem(MEMBER, 'member-data')],
    );

    // Act
    const result = await handler()({ minIntervalMinutes: 30 }, context());

    // Assess
    expect(result).toEqual({
      outcome: 'completed',
      runId: expect.any(String),
      shardsSwept: 1,
      shardsLeft: 0,
      published: 3,
    });
    const findings = events
      .commandCalls(PutEventsCommand)
      .flatMap((call) => call.args[0].input.Entries ?? [])
      .map((entry) => JSON.parse(entry.Detail ?? '{}') as Finding);
    expect(findings.map((f) => [f.accountId, f.resourceId, f.status, f.severity])).toEqual([
      [OWN, 'vpce-own', 'NON_COMPLIANT', 'HIGH'],
      [MEMBER, 'vpce-member', 'NON_COMPLIANT', 'HIGH'],
      [MEMBER, 'member-data', 'NON_COMPLIANT', 'MEDIUM'],
    ]);
    expect(config).toHaveReceivedCommandWith(SelectAggregateResourceConfigCommand, {
      ConfigurationAggregatorName: 'org-aggregator',
    });
    expect(config).toHaveReceivedCommandTimes(BatchGetAggregateResourceConfigCommand, 1);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/EndpointGuardMember`,
      RoleSessionName: 'endpoint-guard-sweep',
    });
    expect(ec2).toHaveReceivedCommandTimes(DescribeVpcEndpointServicesCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(DescribeVpcEndpointServicesCommand, {
      ServiceNames: [`com.amazonaws.${REGION}.logs`],
    });
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/endpoint-guard/settings' });
  });

  it('resumes nothing and starts nothing when the last run is recent', async () => {
    // Prepare
    serveAggregator(config, [accountBlockRow(OWN, true)]);
    await handler()({}, context());
    config.resetHistory();

    // Act
    const result = await handler()(
      { minIntervalMinutes: 60 },
      { ...context(), awsRequestId: 'second-invocation' },
    );

    // Assess
    expect(result).toEqual({
      outcome: 'not-due',
      runId: expect.any(String),
      shardsSwept: 0,
      shardsLeft: 0,
      published: 0,
    });
    expect(config).toHaveReceivedCommandTimes(SelectAggregateResourceConfigCommand, 0);
  });

  it('drops an invalid input without a single AWS call', async () => {
    // Act
    const result = await handler()({ minIntervalMinutes: 'soon' }, context());

    // Assess
    expect(result).toEqual({
      outcome: 'invalid',
      reason: 'sweep input: minIntervalMinutes must be a number of minutes from 0 to 525600, got "soon"',
      shardsSwept: 0,
      shardsLeft: 0,
      published: 0,
    });
    for (const mock of [config, events, ssm, sts, ec2]) expect(mock.calls()).toHaveLength(0);
  });
});

describe('readSweepEnvironment', () => {
  it('requires the aggregator, the table and the bus, and defaults the rest', () => {
    expect(() => readSweepEnvironment({ TABLE_NAME: 't', EVENT_BUS_NAME: 'b' })).toThrow(EnvironmentError);
    expect(() => readSweepEnvironment({ TABLE_NAME: 't', EVENT_BUS_NAME: 'b' })).toThrow(
      'environment variable AGGREGATOR_NAME is not set: there is no AWS Config aggregator to sweep',
    );
    expect(() =>
      readSweepEnvironment({ AGGREGATOR_NAME: 'a b', TABLE_NAME: 't', EVENT_BUS_NAME: 'b' }),
    ).toThrow('environment variable AGGREGATOR_NAME is not a valid aggregator name: "a b"');
    expect(
      readSweepEnvironment({
        AGGREGATOR_NAME: 'org',
        TABLE_NAME: 't',
        EVENT_BUS_NAME: 'b',
        HOME_REGION: 'us-east-1',
      }),
    ).toEqual({
      aggregatorName: 'org',
      tableName: 't',
      eventBusName: 'b',
      memberRoleName: 'EndpointGuardMember',
      settingsParameter: '/endpoint-guard/settings',
      homeRegion: 'us-east-1',
    });
  });
});
