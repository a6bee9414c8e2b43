/**
 * The AWS Config rule Lambda through its middy chain, with every AWS client mocked: what it
 * reads, what it reports to Config (PutEvaluations) and what it publishes (PutEvents), for each
 * kind of invocation; and that an invalid one is dropped without a single AWS call.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import {
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../functions/config-rule/handler';
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

const NOW = new Date('2025-03-01T12:05:00.000Z');
const BUS = 'endpoint-guard-findings';
const TOKEN = String(eventFixture('config-rule/scheduled.json').resultToken);
const CONTEXT = lambdaContext('endpoint-guard-config-rule') as Context;
const logger = new Logger({ serviceName: 'endpoint-guard-config-rule-test', logLevel: 'SILENT' });

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
    now: () => NOW,
  });
}

/** The findings published, decoded and validated, in order. */
function published() {
  return events
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => {
      expect(entry).toMatchObject({ Source: 'endpoint-guard', DetailType: 'Finding', EventBusName: BUS });
      return parseFinding(JSON.parse(entry.Detail ?? 'null'));
    });
}

/** Every AWS call made, by API name. */
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

function expectNoAwsCall(): void {
  expect(callCounts()).toEqual({});
}

beforeEach(() => {
  metricLines = [];
  for (const mock of ALL_MOCKS) mock.reset();
  ssm.reset();
  ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
  ec2State = defaultEc2State();
  s3State = { buckets: { 'eg-reports-111122223333': {} } };
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
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  events.on(PutEventsCommand).callsFake((input: { Entries?: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: (input.Entries ?? []).map((_, index) => ({ EventId: `event-${index}` })),
  }));
});

describe('config-rule handler: metrics', () => {
  it('counts the published findings by rule and status', async () => {
    await handler()(eventFixture('config-rule/change-route-table.json'), CONTEXT);

    expect(metricLines).toEqual([
      'Findings {"ruleId":"gateway-endpoint-routes","status":"COMPLIANT"} 1',
      'Findings {"ruleId":"gateway-endpoint-routes","status":"NON_COMPLIANT"} 1',
    ]);
  });

  it('counts nothing for an invalid event', async () => {
    await handler()(eventFixture('config-rule/malformed/unknown-rule-id.json'), CONTEXT);

    expect(metricLines).toEqual([]);
  });
});

describe('config-rule handler: change notification', () => {
  it('evaluates the endpoint’s VPC from live state, reports to Config and publishes one Finding per verdict', async () => {
    // Act
    const result = await handler()(eventFixture('config-rule/change-vpc-endpoint.json'), CONTEXT);

    // Assess: read the VPC (no AssumeRole: the event is from the function's own account)...
    expect(result).toEqual({
      status: 'reported',
      reason: 'AWS::EC2::VPCEndpoint vpce-0e000001 changed',
      evaluations: 2,
    });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    const byVpc = { Filters: [{ Name: 'vpc-id', Values: ['vpc-0a000001'] }] };
    expect(ec2).toHaveReceivedCommandWith(DescribeVpcEndpointsCommand, byVpc);
    expect(ec2).toHaveReceivedCommandWith(DescribeSubnetsCommand, byVpc);
    expect(ec2).toHaveReceivedCommandWith(DescribeRouteTablesCommand, byVpc);
    expect(ec2).toHaveReceivedCommandWith(DescribeVpcEndpointServicesCommand, {
      ServiceNames: ['com.amazonaws.us-east-1.ssm'],
    });
    // ...report every endpoint of the VPC, in one call, with the item's capture time...
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: TOKEN,
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::VPCEndpoint',
          ComplianceResourceId: 'vpce-0e000001',
          ComplianceType: 'NON_COMPLIANT',
          Annotation:
            'endpoint has subnets in 1 AZ (us-east-1a); its VPC vpc-0a000001 uses 2 AZs (us-east-1a, us-east-1b); missing us-east-1b',
          OrderingTimestamp: new Date('2025-03-01T12:00:00.000Z'),
        },
        {
          ComplianceResourceType: 'AWS::EC2::VPCEndpoint',
          ComplianceResourceId: 'vpce-0e000002',
          ComplianceType: 'NOT_APPLICABLE',
          Annotation: 'Gateway endpoint: only interface endpoints need a subnet per AZ',
          OrderingTimestamp: new Date('2025-03-01T12:00:00.000Z'),
        },
      ],
    });
    // ...and publish the same verdicts as Findings.
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const findings = published();
    expect(findings.map((f) => [f.resourceId, f.status, f.severity])).toEqual([
      ['vpce-0e000001', 'NON_COMPLIANT', 'HIGH'],
      ['vpce-0e000002', 'NOT_APPLICABLE', 'INFORMATIONAL'],
    ]);
    expect(findings[0]).toMatchObject({
      schemaVersion: '1',
      findingId: 'interface-endpoint-multi-az:arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-0e000001',
      ruleId: 'interface-endpoint-multi-az',
      resourceArn: 'arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-0e000001',
      accountId: OWN_ACCOUNT,
      region: REGION,
      observedAt: NOW.toISOString(),
      detector: 'config-rule',
      trigger: { configRuleName: 'OrgConfigRule-eg-interface-endpoint-multi-az-5kdh2w1x' },
      remediation: {
        kind: 'fix',
        actions: [
          {
            service: 'ec2',
            action: 'ModifyVpcEndpoint',
            parameters: { VpcEndpointId: 'vpce-0e000001', AddSubnetIds: ['subnet-0a000002'] },
          },
        ],
      },
    });
    // Calls for one resource: 4 reads, 1 PutEvaluations, 1 PutEvents.
    expect(callCounts()).toEqual({
      DescribeVpcEndpoints: 1,
      DescribeSubnets: 1,
      DescribeRouteTables: 1,
      DescribeVpcEndpointServices: 1,
      PutEvaluations: 1,
      PutEvents: 1,
    });
  });

  it('reports the route tables of the VPC for the route rule', async () => {
    await handler()(eventFixture('config-rule/change-route-table.json'), CONTEXT);

    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: TOKEN,
      Evaluations: [
        expect.objectContaining({ ComplianceResourceId: 'rtb-0b000001', ComplianceType: 'COMPLIANT' }),
        expect.objectContaining({
          ComplianceResourceType: 'AWS::EC2::RouteTable',
          ComplianceResourceId: 'rtb-0b000002',
          ComplianceType: 'NON_COMPLIANT',
        }),
      ],
    });
    expect(published().map((f) => [f.resourceId, f.status])).toEqual([
      ['rtb-0b000001', 'COMPLIANT'],
      ['rtb-0b000002', 'NON_COMPLIANT'],
    ]);
  });

  it('reads a changed bucket and the account’s Block Public Access', async () => {
    // Act
    await handler()(eventFixture('config-rule/change-bucket.json'), CONTEXT);

    // Assess
    const bucket = { Bucket: 'eg-reports-111122223333' };
    expect(s3).toHaveReceivedCommandWith(GetPublicAccessBlockCommand, bucket);
    expect(s3).toHaveReceivedCommandWith(GetBucketPolicyCommand, bucket);
    expect(s3).toHaveReceivedCommandWith(GetBucketAclCommand, bucket);
    expect(s3).toHaveReceivedCommandWith(GetBucketTaggingCommand, bucket);
    expect(s3control).toHaveReceivedCommandWith(GetAccountPublicAccessBlockCommand, {
      AccountId: OWN_ACCOUNT,
    });
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: TOKEN,
      Evaluations: [
        expect.objectContaining({
          ComplianceResourceType: 'AWS::S3::Bucket',
          ComplianceResourceId: 'eg-reports-111122223333',
          ComplianceType: 'NON_COMPLIANT',
        }),
      ],
    });
    expect(published().map((f) => [f.resourceId, f.status, f.severity])).toEqual([
      ['eg-reports-111122223333', 'NON_COMPLIANT', 'MEDIUM'],
    ]);
    expect(callCounts()).toEqual({
      GetPublicAccessBlock: 2,
      GetBucketPolicy: 1,
      GetBucketAcl: 1,
      GetBucketTagging: 1,
      PutEvaluations: 1,
      PutEvents: 1,
    });
  });

  it('reports the notified endpoint NOT_APPLICABLE when live state no longer has it', async () => {
    // Prepare: deleted between Config's recording and this read.
    ec2State.endpoints.splice(0, 1);

    // Act
    await handler()(eventFixture('config-rule/change-vpc-endpoint.json'), CONTEXT);

    // Assess
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: TOKEN,
      Evaluations: [
        expect.objectContaining({ ComplianceResourceId: 'vpce-0e000002', ComplianceType: 'NOT_APPLICABLE' }),
        expect.objectContaining({
          ComplianceResourceId: 'vpce-0e000001',
          ComplianceType: 'NOT_APPLICABLE',
          Annotation:
            'not found in live state: the resource was deleted after AWS Config recorded the change',
        }),
      ],
    });
  });
});

describe('config-rule handler: NOT_APPLICABLE without reading', () => {
  it('reports a deleted resource without reading anything', async () => {
    // Act
    const result = await handler()(eventFixture('config-rule/deleted-vpc-endpoint.json'), CONTEXT);

    // Assess
    expect(result).toEqual({ status: 'reported', reason: 'ResourceDeleted', evaluations: 1 });
    expect(callCounts()).toEqual({ PutEvaluations: 1, PutEvents: 1 });
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: TOKEN,
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::VPCEndpoint',
          ComplianceResourceId: 'vpce-0e000003',
          ComplianceType: 'NOT_APPLICABLE',
          Annotation: 'configuration item status is ResourceDeleted',
          OrderingTimestamp: new Date('2025-03-01T13:00:00.000Z'),
        },
      ],
    });
    expect(published().map((f) => [f.resourceId, f.status, f.reason])).toEqual([
      ['vpce-0e000003', 'NOT_APPLICABLE', 'configuration item status is ResourceDeleted'],
    ]);
  });

  it('reports a resource that left the rule’s scope without reading anything', async () => {
    await handler()(eventFixture('config-rule/left-scope.json'), CONTEXT);

    expect(callCounts()).toEqual({ PutEvaluations: 1, PutEvents: 1 });
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: TOKEN,
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::VPCEndpoint',
          ComplianceResourceId: 'vpce-0e000004',
          ComplianceType: 'NOT_APPLICABLE',
          Annotation: 'the resource is no longer in the scope of the AWS Config rule',
          OrderingTimestamp: new Date('2025-03-01T12:00:00.000Z'),
        },
      ],
    });
  });
});

describe('config-rule handler: oversized notification', () => {
  it('fetches the item with GetResourceConfigHistory, then evaluates its VPC', async () => {
    // Prepare: the item in API form, as GetResourceConfigHistory returns it.
    config.on(GetResourceConfigHistoryCommand).resolves({
      configurationItems: [
        {
          version: '1.3',
          accountId: OWN_ACCOUNT,
          configurationItemCaptureTime: new Date('2025-03-01T12:00:00.000Z'),
          configurationItemStatus: 'OK',
          configurationStateId: '1740830400123',
          arn: `arn:aws:ec2:${REGION}:${OWN_ACCOUNT}:route-table/rtb-0b000001`,
          resourceType: 'AWS::EC2::RouteTable',
          resourceId: 'rtb-0b000001',
          awsRegion: REGION,
          availabilityZone: 'Not Applicable',
          tags: {},
          relatedEvents: [],
          relationships: [],
          configuration: JSON.stringify({
            routeTableId: 'rtb-0b000001',
            vpcId: 'vpc-0a000001',
            routes: [],
            associations: [
              { routeTableAssociationId: 'rtbassoc-1', subnetId: 'subnet-0a000001', main: false },
            ],
          }),
          supplementaryConfiguration: {},
        },
      ],
    });

    // Act
    const result = await handler()(eventFixture('config-rule/oversized-route-table.json'), CONTEXT);

    // Assess
    expect(result.status).toBe('reported');
    expect(config).toHaveReceivedCommandWith(GetResourceConfigHistoryCommand, {
      resourceType: 'AWS::EC2::RouteTable',
      resourceId: 'rtb-0b000001',
      limit: 1,
    });
    expect(ec2).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
      Filters: [{ Name: 'vpc-id', Values: ['vpc-0a000001'] }],
    });
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: TOKEN,
      Evaluations: [
        expect.objectContaining({ ComplianceResourceId: 'rtb-0b000001', ComplianceType: 'COMPLIANT' }),
        expect.objectContaining({ ComplianceResourceId: 'rtb-0b000002', ComplianceType: 'NON_COMPLIANT' }),
      ],
    });
    // The reader also asks for the AZs of the VPC's interface endpoint service, which only the
    // endpoint rule needs.
    expect(callCounts()).toEqual({
      GetResourceConfigHistory: 1,
      DescribeVpcEndpoints: 1,
      DescribeSubnets: 1,
      DescribeRouteTables: 1,
      DescribeVpcEndpointServices: 1,
      PutEvaluations: 1,
      PutEvents: 1,
    });
  });

  it('reads the table by id when Config has no item', async () => {
    // Prepare
    config.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [] });

    // Act
    await handler()(eventFixture('config-rule/oversized-route-table.json'), CONTEXT);

    // Assess: one extra call resolves the table to its VPC.
    expect(ec2).toHaveReceivedNthCommandWith(DescribeRouteTablesCommand, 1, {
      Filters: [{ Name: 'route-table-id', Values: ['rtb-0b000001'] }],
    });
    expect(ec2).toHaveReceivedNthCommandWith(DescribeRouteTablesCommand, 2, {
      Filters: [{ Name: 'vpc-id', Values: ['vpc-0a000001'] }],
    });
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
  });
});

describe('config-rule handler: scheduled notification', () => {
  it('evaluates every route table of the account and region', async () => {
    // Act
    const result = await handler()(eventFixture('config-rule/scheduled.json'), CONTEXT);

    // Assess: unfiltered reads of the region.
    expect(result).toEqual({
      status: 'reported',
      reason: 'periodic run: every AWS::EC2::RouteTable of the account and region',
      evaluations: 2,
    });
    expect(ec2).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {});
    expect(ec2.commandCalls(DescribeRouteTablesCommand)[0]?.args[0].input.Filters).toBeUndefined();
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: TOKEN,
      Evaluations: [
        expect.objectContaining({
          ComplianceResourceId: 'rtb-0b000001',
          OrderingTimestamp: new Date('2025-03-01T00:00:00.000Z'),
        }),
        expect.objectContaining({
          ComplianceResourceId: 'rtb-0b000002',
          OrderingTimestamp: new Date('2025-03-01T00:00:00.000Z'),
        }),
      ],
    });
  });

  it('sends more than 100 evaluations in calls of at most 100, and Findings in calls of 10', async () => {
    // Prepare: 150 private tables.
    ec2State.routeTables = Array.from({ length: 150 }, (_, index) =>
      routeTable(`rtb-1${String(index).padStart(7, '0')}`, {
        subnetIds: [`subnet-1${String(index).padStart(7, '0')}`],
      }),
    );

    // Act
    const result = await handler()(eventFixture('config-rule/scheduled.json'), CONTEXT);

    // Assess
    expect(result.evaluations).toBe(150);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
    const sent = config.commandCalls(PutEvaluationsCommand).map((call) => call.args[0].input);
    expect(sent.map((input) => [input.ResultToken, input.Evaluations?.length])).toEqual([
      [TOKEN, 100],
      [TOKEN, 50],
    ]);
    expect(
      new Set(sent.flatMap((input) => input.Evaluations ?? []).map((e) => e.ComplianceResourceId)).size,
    ).toBe(150);
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 15);
    expect(published()).toHaveLength(150);
  });

  it('evaluates every bucket of the region for the bucket rule', async () => {
    // Prepare
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
    const raw = {
      ...eventFixture('config-rule/scheduled.json'),
      ruleParameters: '{"ruleId":"s3-bucket-public-access"}',
    };

    // Act
    await handler()(raw, CONTEXT);

    // Assess
    expect(s3).toHaveReceivedCommandTimes(GetBucketPolicyCommand, 2);
    expect(published().map((f) => [f.resourceId, f.status, f.severity])).toEqual([
      ['eg-public-site', 'NON_COMPLIANT', 'CRITICAL'],
      ['eg-reports-111122223333', 'NON_COMPLIANT', 'MEDIUM'],
    ]);
  });
});

describe('config-rule handler: cross-account', () => {
  it('assumes the member role of the invoking account and reports there', async () => {
    // Prepare
    const member = memberEc2State();
    ec2State.endpoints.push(...member.endpoints);
    ec2State.subnets.push(...member.subnets);
    ec2State.routeTables.push(...member.routeTables);

    // Act
    await handler()(eventFixture('config-rule/cross-account.json'), CONTEXT);

    // Assess
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::222233334444:role/EndpointGuardMember',
      RoleSessionName: 'endpoint-guard',
    });
    expect(ec2).toHaveReceivedCommandWith(DescribeVpcEndpointsCommand, {
      Filters: [{ Name: 'vpc-id', Values: ['vpc-0a000101'] }],
    });
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: TOKEN,
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::VPCEndpoint',
          ComplianceResourceId: 'vpce-0e000101',
          ComplianceType: 'COMPLIANT',
          Annotation: 'subnets in 2 AZs (us-east-1a, us-east-1b) cover every AZ of vpc-0a000101',
          OrderingTimestamp: new Date('2025-03-01T12:00:00.000Z'),
        },
      ],
    });
    expect(published().map((f) => [f.accountId, f.resourceId, f.status])).toEqual([
      [MEMBER_ACCOUNT, 'vpce-0e000101', 'COMPLIANT'],
    ]);
  });

  it('fails (so Lambda retries) when the member role cannot be assumed, and writes nothing', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));

    // Act / Assess
    await expect(handler()(eventFixture('config-rule/cross-account.json'), CONTEXT)).rejects.toThrow(
      'cannot assume arn:aws:iam::222233334444:role/EndpointGuardMember in account 222233334444',
    );
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });
});

describe('config-rule handler: nothing to evaluate, invalid events, AWS errors', () => {
  it('ignores a snapshot-delivery notification without any AWS call', async () => {
    const result = await handler()(eventFixture('config-rule/snapshot-delivery-completed.json'), CONTEXT);

    expect(result).toEqual({
      status: 'ignored',
      reason: 'a snapshot delivery notification carries nothing to evaluate',
      evaluations: 0,
    });
    expectNoAwsCall();
  });

  it.each(eventFixtureNames('config-rule/malformed'))(
    'drops %s with a logged reason and no AWS call',
    async (file) => {
      // Prepare
      const error = vi.spyOn(logger, 'error');

      // Act
      const result = await handler()(eventFixture(`config-rule/malformed/${file}`), CONTEXT);

      // Assess
      expect(result.status).toBe('invalid');
      expect(error).toHaveBeenCalledTimes(1);
      expect(error).toHaveBeenCalledWith('invalid AWS Config rule event: dropped without evaluation', {
        reason: result.reason,
        field: expect.any(String),
      });
      expectNoAwsCall();
    },
  );

  it('names the field of an item without configuration', async () => {
    const result = await handler()(
      eventFixture('config-rule/malformed/item-without-configuration.json'),
      CONTEXT,
    );

    expect(result.reason).toBe(
      'invokingEvent.configurationItem: AWS::EC2::VPCEndpoint vpce-0e000001: missing configuration',
    );
  });

  it('drops an event that is not even an object', async () => {
    expect((await handler()('not an event', CONTEXT)).status).toBe('invalid');
    expectNoAwsCall();
  });

  it('rethrows a read failure, before reporting anything', async () => {
    // Prepare
    ec2
      .on(DescribeSubnetsCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'RequestLimitExceeded' }));

    // Act / Assess
    await expect(handler()(eventFixture('config-rule/change-vpc-endpoint.json'), CONTEXT)).rejects.toThrow(
      'slow down',
    );
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it('rethrows a PutEvaluations failure, before publishing', async () => {
    // Prepare
    config
      .on(PutEvaluationsCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));

    // Act / Assess
    await expect(handler()(eventFixture('config-rule/change-vpc-endpoint.json'), CONTEXT)).rejects.toThrow(
      'throttled',
    );
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it('appends ruleId, resourceId and accountId to the log lines of the invocation', async () => {
    // Prepare
    const append = vi.spyOn(logger, 'appendKeys');
    const info = vi.spyOn(logger, 'info');

    // Act
    await handler()(eventFixture('config-rule/cross-account.json'), CONTEXT);

    // Assess
    expect(append).toHaveBeenCalledWith({
      ruleId: 'interface-endpoint-multi-az',
      accountId: MEMBER_ACCOUNT,
      resourceId: 'vpce-0e000101',
    });
    expect(info).toHaveBeenCalledWith('evaluations reported', {
      messageType: 'ConfigurationItemChangeNotification',
      reason: 'AWS::EC2::VPCEndpoint vpce-0e000101 changed',
      region: REGION,
      // The member VPC is not in the fake's state: the endpoint is gone from live state.
      evaluations: 1,
      byStatus: { NOT_APPLICABLE: 1 },
      missing: ['vpc-0a000101'],
      reads: { DescribeVpcEndpoints: 1, DescribeSubnets: 1, DescribeRouteTables: 1 },
    });
  });
});

describe('config-rule handler built from the environment', () => {
  const saved = { ...process.env };

  /** A fresh copy of the module: the environment is read once per module instance, on first use. */
  async function envHandler(event: unknown, context: Context) {
    vi.resetModules();
    const module = await import('../../functions/config-rule/handler');
    return module.handler(event, context);
  }

  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads EVENT_BUS_NAME and MEMBER_ROLE_NAME, and takes its own account from the function ARN', async () => {
    // Prepare
    process.env.EVENT_BUS_NAME = 'org-findings';
    process.env.MEMBER_ROLE_NAME = 'PlatformGuardMember';
    const member = memberEc2State();
    ec2State.endpoints.push(...member.endpoints);
    ec2State.subnets.push(...member.subnets);

    // Act
    await envHandler(eventFixture('config-rule/cross-account.json'), CONTEXT);

    // Assess: no GetCallerIdentity (the account comes from the context), the configured role.
    expect(callCounts()).toMatchObject({ AssumeRole: 1, PutEvaluations: 1, PutEvents: 1 });
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::222233334444:role/PlatformGuardMember',
    });
    expect(events).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [expect.objectContaining({ EventBusName: 'org-findings' })],
    });
    // ...and the rule options from the settings parameter (missing here: the defaults).
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/endpoint-guard/settings' });
  });

  it('evaluates with the rule options of the settings parameter named by SETTINGS_PARAMETER', async () => {
    // Prepare: the settings stop requiring S3 gateway endpoints, so the main table without one passes.
    process.env.EVENT_BUS_NAME = 'org-findings';
    process.env.SETTINGS_PARAMETER = '/platform/endpoint-guard';
    ssm.on(GetParameterCommand, { Name: '/platform/endpoint-guard' }).resolves({
      Parameter: {
        Name: '/platform/endpoint-guard',
        Version: 3,
        Value: JSON.stringify({
          version: 1,
          rules: { 'gateway-endpoint-routes': { services: { s3: 'ignore', dynamodb: 'if-present' } } },
        }),
      },
    });

    // Act
    await envHandler(eventFixture('config-rule/change-route-table.json'), CONTEXT);

    // Assess: rtb-0b000002 is NON_COMPLIANT under the defaults (see the change-notification tests).
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/platform/endpoint-guard' });
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: TOKEN,
      Evaluations: [
        expect.objectContaining({ ComplianceResourceId: 'rtb-0b000001', ComplianceType: 'COMPLIANT' }),
        expect.objectContaining({ ComplianceResourceId: 'rtb-0b000002', ComplianceType: 'COMPLIANT' }),
      ],
    });
  });

  it('drops an invalid event even when the environment is incomplete', async () => {
    delete process.env.EVENT_BUS_NAME;

    expect(
      await envHandler(eventFixture('config-rule/malformed/unknown-rule-id.json'), CONTEXT),
    ).toMatchObject({
      status: 'invalid',
    });
    expect(callCounts()).toEqual({});
  });

  it('fails loudly, before any AWS call, when EVENT_BUS_NAME is not set', async () => {
    delete process.env.EVENT_BUS_NAME;

    await expect(envHandler(eventFixture('config-rule/change-vpc-endpoint.json'), CONTEXT)).rejects.toThrow(
      'environment variable EVENT_BUS_NAME is not set: the Finding events have nowhere to go',
    );
    expect(callCounts()).toEqual({});
  });

  it('rejects an invalid MEMBER_ROLE_NAME', async () => {
    process.env.EVENT_BUS_NAME = 'org-findings';
    process.env.MEMBER_ROLE_NAME = 'role/with/path';

    await expect(envHandler(eventFixture('config-rule/change-vpc-endpoint.json'), CONTEXT)).rejects.toThrow(
      'environment variable MEMBER_ROLE_NAME is not a valid IAM role name: "role/with/path"',
    );
  });
});
