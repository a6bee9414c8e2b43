/**
 * Per-event work of each handler path, wired as deployed (the exported `handler`s, clients from
 * the default chain) with in-process fakes: every SDK client mocked with aws-sdk-client-mock,
 * except DynamoDB, which is a local engine (dynalite) reached through AWS_ENDPOINT_URL_DYNAMODB.
 * For each path: the AWS calls one event makes, by API, and the in-process time per event
 * (median over warm invocations: the AWS latency is not included).
 *
 * Run in a child process of its own (`node --import tsx bench/per-event.ts`): it sets the
 * environment and mocks the SDK for the whole process. Prints one JSON object.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  ModifyVpcEndpointCommand,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { median } from './cold-start';

export interface PathWork {
  readonly path: string;
  /** AWS calls one event makes, by API. */
  readonly calls: Record<string, number>;
  readonly totalCalls: number;
  /** In-process time per event, ms (median of warm invocations). */
  readonly inProcessMs: number;
  /** Set when the path could not be measured (its setup failed): why. */
  readonly error?: string;
}

const REGION = 'us-east-1';
const ACCOUNT = '111122223333';
const RUNS = Number(process.env.BENCH_EVENT_RUNS ?? 40);

const mocks = {
  ec2: mockClient(EC2Client),
  s3: mockClient(S3Client),
  s3control: mockClient(S3ControlClient),
  config: mockClient(ConfigServiceClient),
  events: mockClient(EventBridgeClient),
  ssm: mockClient(SSMClient),
  sts: mockClient(STSClient),
  sns: mockClient(SNSClient),
};

/** DynamoDB operations received by the local engine since the last reset. */
const dynamoCalls: string[] = [];

function callCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const operation of dynamoCalls) counts[operation] = (counts[operation] ?? 0) + 1;
  for (const mock of Object.values(mocks)) {
    for (const call of mock.calls()) {
      const name = call.args[0].constructor.name.replace(/Command$/, '');
      counts[name] = (counts[name] ?? 0) + 1;
    }
  }
  return counts;
}

function context(functionName: string, requestId: string) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** dynalite on a loopback port with the endpoint-guard table. */
async function startTable(): Promise<{ endpoint: string; tableName: string; stop(): Promise<void> }> {
  const require = createRequire(import.meta.url);
  const createDynalite = require('dynalite') as (options: Record<string, number>) => Server;
  const server = createDynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // DynamoDB is the one real service here: count its calls at the engine, by operation.
  server.on('request', (request: { headers: Record<string, string | string[] | undefined> }) => {
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string') dynamoCalls.push(target.replace(/^DynamoDB_\d+\./, ''));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tableName = 'endpoint-guard-bench';
  const client = new DynamoDBClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  client.destroy();
  return { endpoint, tableName, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Invokes `invoke` warm RUNS times, each with a fresh event; the calls of one event. */
async function measure(path: string, invoke: (run: number) => Promise<unknown>): Promise<PathWork> {
  try {
    // Warm-up: builds the adapters, reads the settings, JIT.
    for (let run = 0; run < 3; run++) await invoke(-1 - run);
    const times: number[] = [];
    let calls: Record<string, number> = {};
    for (let run = 0; run < RUNS; run++) {
      for (const mock of Object.values(mocks)) mock.resetHistory();
      dynamoCalls.length = 0;
      const started = performance.now();
      await invoke(run);
      times.push(performance.now() - started);
      if (run === 0) calls = callCounts();
    }
    return {
      path,
      calls,
      totalCalls: Object.values(calls).reduce((a, b) => a + b, 0),
      inProcessMs: median(times),
    };
  } catch (error) {
    return {
      path,
      calls: {},
      totalCalls: 0,
      inProcessMs: Number.NaN,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

async function main(): Promise<void> {
  const table = await startTable();
  Object.assign(process.env, {
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    EVENT_BUS_NAME: 'endpoint-guard',
    TABLE_NAME: table.tableName,
    TOPIC_ARN: `arn:aws:sns:${REGION}:${ACCOUNT}:endpoint-guard`,
    MEMBER_ROLE_NAME: 'EndpointGuardMember',
    AGGREGATOR_NAME: 'organization',
  });
  const { defaultEc2State, serveEc2, serveS3 } = await import('../test/events/fake-aws');
  const { eventFixture } = await import('../test/events/support');

  const baseline = (): void => {
    for (const mock of Object.values(mocks)) mock.reset();
    serveEc2(mocks.ec2, defaultEc2State());
    serveS3(mocks.s3, mocks.s3control, { buckets: { 'eg-reports-111122223333': {} } });
    mocks.ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    mocks.config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    mocks.events.on(PutEventsCommand).callsFake((input: { Entries?: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: (input.Entries ?? []).map((_, index) => ({ EventId: `event-${index}` })),
    }));
    mocks.sns.on(PublishCommand).resolves({ MessageId: 'message' });
    mocks.sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIABENCH',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
  };

  const results: PathWork[] = [];

  baseline();
  const configRule = (await import('../functions/config-rule/handler')).handler;
  const changeEvent = eventFixture('config-rule/change-vpc-endpoint.json');
  results.push(
    await measure('config-rule: configuration change', (run) =>
      configRule(changeEvent, context('endpoint-guard-config-rule', `config-${run}`) as never),
    ),
  );

  baseline();
  const cloudTrail = (await import('../functions/cloudtrail-event/handler')).handler;
  const trailEvent = eventFixture('cloudtrail/modify-vpc-endpoint.json');
  results.push(
    await measure('cloudtrail-event: API call', (run) =>
      cloudTrail(trailEvent, context('endpoint-guard-cloudtrail-event', `trail-${run}`) as never),
    ),
  );

  // remediate: an auto-fix of an interface endpoint missing an AZ, a new endpoint each event
  // (so that each is a real fix: the fix claim and the hourly cap count per plan and account).
  baseline();
  const live = new Map<string, string[]>();
  mocks.ssm.on(GetParameterCommand).resolves({
    Parameter: {
      Name: '/endpoint-guard/settings',
      Value: JSON.stringify({
        version: 1,
        rules: { 'interface-endpoint-multi-az': { mode: 'auto-fix' } },
        maxFixesPerAccountPerHour: 1_000_000,
      }),
      Version: 1,
    },
  });
  const subnet = (id: string, az: string) => ({
    SubnetId: id,
    VpcId: 'vpc-01',
    AvailabilityZone: az,
    AvailableIpAddressCount: 200,
    State: 'available' as const,
    OwnerId: ACCOUNT,
  });
  mocks.ec2
    .on(DescribeVpcEndpointsCommand)
    .callsFake((input: { Filters?: { Name?: string; Values?: string[] }[] }) => {
      const ids = input.Filters?.find((filter) => filter.Name === 'vpc-endpoint-id')?.Values ?? [
        ...live.keys(),
      ];
      return {
        VpcEndpoints: ids
          .filter((id) => live.has(id))
          .map((id) => ({
            VpcEndpointId: id,
            VpcEndpointType: 'Interface' as const,
            VpcId: 'vpc-01',
            ServiceName: `com.amazonaws.${REGION}.sqs`,
            State: 'available' as const,
            SubnetIds: [...(live.get(id) ?? [])],
            RouteTableIds: [],
            OwnerId: ACCOUNT,
          })),
      };
    });
  mocks.ec2
    .on(DescribeSubnetsCommand)
    .resolves({ Subnets: [subnet('subnet-0a', `${REGION}a`), subnet('subnet-0b', `${REGION}b`)] });
  mocks.ec2.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [
      {
        RouteTableId: 'rtb-0main',
        VpcId: 'vpc-01',
        OwnerId: ACCOUNT,
        Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' }],
        Associations: [
          { Main: true, RouteTableAssociationId: 'rtbassoc-1', AssociationState: { State: 'associated' } },
        ],
      },
    ],
  });
  mocks.ec2.on(DescribeVpcEndpointServicesCommand).resolves({
    ServiceDetails: [
      { ServiceName: `com.amazonaws.${REGION}.sqs`, AvailabilityZones: [`${REGION}a`, `${REGION}b`] },
    ],
  });
  mocks.ec2
    .on(ModifyVpcEndpointCommand)
    .callsFake((input: { VpcEndpointId: string; AddSubnetIds?: string[] }) => {
      live.set(input.VpcEndpointId, [
        ...(live.get(input.VpcEndpointId) ?? []),
        ...(input.AddSubnetIds ?? []),
      ]);
      return { Return: true };
    });
  const remediate = (await import('../functions/remediate/handler')).handler;
  results.push(
    await measure('remediate: auto-fix', (run) => {
      const id = `vpce-${String(run + 100).padStart(8, '0')}`;
      live.set(id, ['subnet-0a']);
      const arn = `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/${id}`;
      const finding = {
        schemaVersion: '1',
        findingId: `interface-endpoint-multi-az:${arn}`,
        ruleId: 'interface-endpoint-multi-az',
        resourceType: 'AWS::EC2::VPCEndpoint',
        resourceId: id,
        resourceArn: arn,
        accountId: ACCOUNT,
        region: REGION,
        status: 'NON_COMPLIANT',
        severity: 'HIGH',
        reason: `endpoint has subnets in 1 AZ (${REGION}a); its VPC vpc-01 uses 2 AZs; missing ${REGION}b`,
        evidence: { vpcId: 'vpc-01' },
        remediation: {
          kind: 'fix',
          summary: `Add subnet-0b (${REGION}b) to endpoint ${id}`,
          actions: [
            {
              service: 'ec2',
              action: 'ModifyVpcEndpoint',
              parameters: { VpcEndpointId: id, AddSubnetIds: ['subnet-0b'] },
            },
          ],
          warnings: [],
        },
        observedAt: new Date().toISOString(),
        detector: 'cloudtrail-event',
      };
      const body = JSON.stringify({
        version: '0',
        source: 'endpoint-guard',
        'detail-type': 'Finding',
        detail: finding,
      });
      const event = {
        Records: [
          {
            messageId: `message-${run}`,
            receiptHandle: `handle-${run}`,
            body,
            attributes: {
              ApproximateReceiveCount: '1',
              SentTimestamp: String(Date.now()),
              SenderId: 'AIDAEVENTS',
              ApproximateFirstReceiveTimestamp: String(Date.now()),
            },
            messageAttributes: {},
            md5OfBody: 'md5',
            eventSource: 'aws:sqs',
            eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:endpoint-guard-findings`,
            awsRegion: REGION,
          },
        ],
      };
      return remediate(event as never, context('endpoint-guard-remediate', `remediate-${run}`) as never);
    }),
  );

  await table.stop();
  process.stdout.write(`${JSON.stringify(results)}\n`);
  process.exit(0);
}

// Only when run as its own process (see the module comment).
if (/(^|[\\/])per-event\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
