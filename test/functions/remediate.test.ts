/**
 * remediate end to end: SQS batch → handler → processor → store (a real DynamoDB-compatible
 * engine, dynalite) with AWS (EC2, S3, SSM, SNS, EventBridge) mocked at the SDK client. The live
 * re-read and the rule evaluation are the real ones, over the mocked EC2 answers.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  CreateVpcEndpointCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  EC2ServiceException,
  ModifyVpcEndpointCommand,
  type State,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateOpsItemCommand,
  DescribeOpsItemsCommand,
  GetParameterCommand,
  ParameterNotFound,
  SSMClient,
  UpdateOpsItemCommand,
} from '@aws-sdk/client-ssm';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler, parseFindingRecord } from '../../functions/remediate/handler';
import { type Finding, findingIdOf } from '../../shared/findings/finding';
import { SnsNotifier } from '../../shared/notifications/sns-notifier';
import { EventBridgeRemediationSink } from '../../shared/remediation/event-publisher';
import type { RemediationEvent } from '../../shared/remediation/ports';
import { FindingProcessor } from '../../shared/remediation/processor';
import { SettingsProvider } from '../../shared/settings/provider';
import { FindingStore } from '../../shared/store/finding-store';
import { TicketLifecycle } from '../../shared/tickets/lifecycle';
import { decodeTicket } from '../../shared/tickets/reference';
import { TicketSinkFactory } from '../../shared/tickets/sink-factory';
import { ACCOUNT, endpointFinding, type FindingOverrides, fixPlan, REGION } from '../remediation/fixtures';
import { useDynalite } from '../support/dynalite';

const db = useDynalite();
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
const ec2 = new EC2Client({ region: REGION, credentials });
const s3 = new S3Client({ region: REGION, credentials });
const s3control = new S3ControlClient({ region: REGION, credentials });
const ssm = new SSMClient({ region: REGION, credentials });
const sns = new SNSClient({ region: REGION, credentials });
const eventBridge = new EventBridgeClient({ region: REGION, credentials });
const ec2Mock = mockClient(ec2);
const s3Mock = mockClient(s3);
const s3controlMock = mockClient(s3control);
const ssmMock = mockClient(ssm);
const snsMock = mockClient(sns);
const eventsMock = mockClient(eventBridge);

const TOPIC = `arn:aws:sns:${REGION}:111122223333:endpoint-guard`;
const SERVICE = `com.amazonaws.${REGION}.sqs`;
const AUTO_FIX = { version: 1, rules: { 'interface-endpoint-multi-az': { mode: 'auto-fix' } } };
const OPS_ITEM = 'oi-0123456789ab';

const context: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'endpoint-guard-remediate',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:endpoint-guard-remediate',
  memoryLimitInMB: '512',
  awsRequestId: 'request-1',
  logGroupName: '/aws/lambda/endpoint-guard-remediate',
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

/** Live EC2 state of vpc-01: two AZs with a subnet each; endpoints in `subnets` (mutated by Modify). */
let live: Map<string, string[]>;
let store: FindingStore;
let handler: ReturnType<typeof createHandler>;
let messageCounter = 0;

function ec2Error(name: string, fault: 'client' | 'server'): EC2ServiceException {
  return new EC2ServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode: fault === 'client' ? 400 : 503 },
    message: `${name} happened`,
  });
}

function mockLiveEc2(): void {
  const endpoint = (id: string) => ({
    VpcEndpointId: id,
    VpcEndpointType: 'Interface',
    VpcId: 'vpc-01',
    ServiceName: SERVICE,
    State: 'available' as State,
    SubnetIds: [...(live.get(id) ?? [])],
    RouteTableIds: [],
    OwnerId: ACCOUNT,
  });
  ec2Mock.on(DescribeVpcEndpointsCommand).callsFake(() => ({ VpcEndpoints: [...live.keys()].map(endpoint) }));
  ec2Mock.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      {
        SubnetId: 'subnet-0a',
        VpcId: 'vpc-01',
        AvailabilityZone: `${REGION}a`,
        AvailableIpAddressCount: 200,
        State: 'available',
        OwnerId: ACCOUNT,
      },
      {
        SubnetId: 'subnet-0b',
        VpcId: 'vpc-01',
        AvailabilityZone: `${REGION}b`,
        AvailableIpAddressCount: 200,
        State: 'available',
        OwnerId: ACCOUNT,
      },
    ],
  });
  ec2Mock.on(DescribeRouteTablesCommand).resolves({
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
  ec2Mock.on(DescribeVpcEndpointServicesCommand).resolves({
    ServiceDetails: [{ ServiceName: SERVICE, AvailabilityZones: [`${REGION}a`, `${REGION}b`] }],
  });
  ec2Mock
    .on(ModifyVpcEndpointCommand)
    .callsFake((input: { VpcEndpointId: string; AddSubnetIds?: string[] }) => {
      live.set(input.VpcEndpointId, [
        ...(live.get(input.VpcEndpointId) ?? []),
        ...(input.AddSubnetIds ?? []),
      ]);
      return { Return: true };
    });
}

function settingsAre(document: unknown | undefined): void {
  if (document === undefined) {
    ssmMock.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
  } else {
    ssmMock.on(GetParameterCommand).resolves({
      Parameter: { Name: '/endpoint-guard/settings', Value: JSON.stringify(document), Version: 3 },
    });
  }
}

/** A finding of interface endpoint `id` (vpce-0a1 by default) with the fix "add subnet-0b". */
function findingOf(id = 'vpce-0a1', overrides: FindingOverrides = {}): Finding {
  const arn = `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/${id}`;
  return endpointFinding({
    findingId: findingIdOf('interface-endpoint-multi-az', arn),
    resourceId: id,
    resourceArn: arn,
    remediation: fixPlan(
      [
        {
          service: 'ec2',
          action: 'ModifyVpcEndpoint',
          parameters: { VpcEndpointId: id, AddSubnetIds: ['subnet-0b'] },
        },
      ],
      `Add subnet-0b (${REGION}b) to endpoint ${id}`,
      ['Adds 1 endpoint network interface: each added AZ is billed one more endpoint ENI-hour.'],
    ),
    ...overrides,
  });
}

function sqsRecord(body: unknown, messageId = `message-${++messageCounter}`): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1748779200000',
      SenderId: 'AIDAEVENTS',
      ApproximateFirstReceiveTimestamp: '1748779200000',
    },
    messageAttributes: {},
    md5OfBody: 'md5',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:111122223333:endpoint-guard-remediate`,
    awsRegion: REGION,
  };
}

function findingMessage(finding: Finding, messageId?: string): SQSRecord {
  return sqsRecord(
    {
      version: '0',
      id: `event-${finding.observedAt}`,
      'detail-type': 'Finding',
      source: 'endpoint-guard',
      account: '111122223333',
      time: finding.observedAt,
      region: REGION,
      resources: [],
      detail: finding,
    },
    messageId,
  );
}

function batch(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

function remediationEvents(): RemediationEvent[] {
  return eventsMock.commandCalls(PutEventsCommand).flatMap((call) =>
    (call.args[0].input.Entries ?? []).map((entry) => {
      expect(entry).toMatchObject({
        Source: 'endpoint-guard',
        DetailType: 'Remediation',
        EventBusName: 'endpoint-guard',
      });
      return JSON.parse(entry.Detail ?? '{}') as RemediationEvent;
    }),
  );
}

function awsWrites(): string[] {
  const write = /^(Modify|Create|Delete|Put|Associate|Replace)/;
  return [...ec2Mock.calls(), ...s3Mock.calls(), ...s3controlMock.calls()]
    .map((call) => call.args[0].constructor.name)
    .filter((name) => write.test(name));
}

/** The dashboard counts the processor emitted, as `<metric> <dimensions> <value>` lines. */
let metricLines: string[] = [];

beforeEach(async () => {
  metricLines = [];
  for (const mock of [ec2Mock, s3Mock, s3controlMock, ssmMock, snsMock, eventsMock]) mock.reset();
  live = new Map([
    ['vpce-0a1', ['subnet-0a']],
    ['vpce-0a2', ['subnet-0a']],
  ]);
  mockLiveEc2();
  snsMock.on(PublishCommand).resolves({ MessageId: 'sns-1' });
  ssmMock.on(DescribeOpsItemsCommand).resolves({ OpsItemSummaries: [] });
  ssmMock.on(CreateOpsItemCommand).resolves({ OpsItemId: OPS_ITEM });
  ssmMock.on(UpdateOpsItemCommand).resolves({});
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

  const tableName = await db.createTable();
  store = new FindingStore({ client: db.documentClient, tableName });
  const processor = new FindingProcessor({
    store,
    settings: new SettingsProvider({ ssm, parameterName: '/endpoint-guard/settings', maxAgeSeconds: 0 }),
    clientsFor: async (accountId, region) => ({ accountId, region, ec2, s3, s3control }),
    notifier: new SnsNotifier({ sns, topicArn: TOPIC }),
    tickets: new TicketLifecycle({
      store,
      sinks: new TicketSinkFactory({
        ssm,
        // OpsCenter, the default sink, needs no secret.
        secrets: { getJson: () => Promise.reject(new Error('no secret in this test')) },
      }),
    }),
    events: new EventBridgeRemediationSink({ eventBridge, eventBusName: 'endpoint-guard' }),
    metrics: {
      count: (name, dimensions, value) => metricLines.push(`${name} ${JSON.stringify(dimensions)} ${value}`),
    },
  });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName,
    keyAttr: 'pk',
    sortKeyAttr: 'sk',
    expiryAttr: 'expiresAt',
    awsSdkV3Client: db.client,
  });
  handler = createHandler({
    logger: new Logger({ serviceName: 'remediate-test', logLevel: 'SILENT' }),
    adapters: () => ({ processor, persistenceStore }),
  });
});

describe('remediate with the default settings', () => {
  it('changes nothing in AWS: the finding is ticketed in OpsCenter, notified and announced', async () => {
    // Prepare
    settingsAre(undefined);
    const finding = findingOf();

    // Act
    const response = await handler(batch(findingMessage(finding)), context);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(awsWrites()).toEqual([]);
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(ssmMock).toHaveReceivedCommandTimes(DescribeOpsItemsCommand, 1);
    expect(ssmMock).toHaveReceivedCommandTimes(CreateOpsItemCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(CreateOpsItemCommand, {
      Source: 'endpoint-guard',
      Severity: '2',
      Category: 'Availability',
      Title: 'Interface endpoint not in every AZ: vpce-0a1 (222233334444, eu-west-1)',
    });
    const [event] = remediationEvents();
    expect(event).toMatchObject({
      findingId: finding.findingId,
      outcome: 'ticketed',
      decision: { action: 'ticket', mode: 'ticket', dryRun: false },
      why: expect.stringContaining(`Opened opscenter ${OPS_ITEM}.`),
    });
    const state = await store.getState(finding.findingId);
    expect(state).toMatchObject({
      status: 'NON_COMPLIANT',
      lastAction: 'ticket',
      lastOutcome: 'ticketed',
      remediationAttempts: 0,
    });
    expect(decodeTicket(state?.ticketReference)).toMatchObject({
      sink: 'opscenter',
      id: OPS_ITEM,
      url: `https://${REGION}.console.aws.amazon.com/systems-manager/opsitems/${OPS_ITEM}?region=${REGION}`,
      status: 'open',
    });
    expect(await store.getAudit(event?.auditId ?? '')).toMatchObject({
      kind: 'ticket',
      outcome: 'ticketed',
      ticketReference: `opscenter ${OPS_ITEM}`,
      changes: [],
    });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: `[endpoint-guard] Ticket ${OPS_ITEM}: vpce-0a1 (222233334444) interface-endpoint-multi-az`,
      MessageAttributes: {
        rule: { DataType: 'String', StringValue: 'interface-endpoint-multi-az' },
        severity: { DataType: 'String', StringValue: 'HIGH' },
        accountId: { DataType: 'String', StringValue: ACCOUNT },
        action: { DataType: 'String', StringValue: 'ticket' },
      },
    });
    expect(metricLines).toEqual([
      'TicketsOpened {"ruleId":"interface-endpoint-multi-az"} 1',
      'NotificationsSent {"ruleId":"interface-endpoint-multi-az"} 1',
    ]);
  });

  it('opens one ticket for two deliveries of the same finding at different times', async () => {
    // Prepare
    settingsAre(undefined);

    // Act
    await handler(batch(findingMessage(findingOf())), context);
    await handler(
      batch(findingMessage(findingOf('vpce-0a1', { observedAt: '2025-06-01T12:05:00.000Z' }))),
      context,
    );

    // Assess
    const audits = await store.listAudits(findingOf().findingId);
    expect(audits.map((audit) => audit.outcome)).toEqual(['ticketed']);
    expect(ssmMock).toHaveReceivedCommandTimes(CreateOpsItemCommand, 1);
    expect(ssmMock).toHaveReceivedCommandTimes(UpdateOpsItemCommand, 0);
    expect(remediationEvents().map((event) => event.outcome)).toEqual(['ticketed', 'ticketed']);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('resolves the OpsItem when the finding is COMPLIANT again', async () => {
    // Prepare
    settingsAre(undefined);
    await handler(batch(findingMessage(findingOf())), context);
    const compliant = findingOf('vpce-0a1', {
      status: 'COMPLIANT',
      severity: 'INFORMATIONAL',
      remediation: null,
      reason: 'endpoint has subnets in 2 AZs',
      observedAt: '2025-06-01T13:00:00.000Z',
    });

    // Act
    await handler(batch(findingMessage(compliant)), context);

    // Assess
    expect(ssmMock).toHaveReceivedCommandTimes(UpdateOpsItemCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(UpdateOpsItemCommand, {
      OpsItemId: OPS_ITEM,
      Status: 'Resolved',
    });
    expect(remediationEvents().map((event) => event.outcome)).toEqual(['ticketed', 'resolved']);
    expect(decodeTicket((await store.getState(compliant.findingId))?.ticketReference)?.status).toBe(
      'resolved',
    );
  });
});

describe('remediate with the rule toggled to auto-fix', () => {
  it('fixes the finding, verifies it live, audits it, notifies and announces it', async () => {
    // Prepare
    settingsAre(AUTO_FIX);
    const finding = findingOf();

    // Act
    const response = await handler(batch(findingMessage(finding)), context);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ec2Mock).toHaveReceivedCommandTimes(ModifyVpcEndpointCommand, 1);
    expect(ec2Mock.commandCalls(ModifyVpcEndpointCommand)[0]?.args[0].input).toEqual({
      VpcEndpointId: 'vpce-0a1',
      AddSubnetIds: ['subnet-0b'],
    });
    expect(awsWrites()).toEqual(['ModifyVpcEndpointCommand']);
    expect(live.get('vpce-0a1')).toEqual(['subnet-0a', 'subnet-0b']);
    // Re-read (5 reads: the endpoint, then its VPC's endpoints, subnets, tables, service AZs), write, verify.
    const read = [
      'DescribeVpcEndpoints',
      'DescribeVpcEndpoints',
      'DescribeSubnets',
      'DescribeRouteTables',
      'DescribeVpcEndpointServices',
    ];
    expect(ec2Mock.calls().map((call) => call.args[0].constructor.name.replace(/Command$/, ''))).toEqual([
      ...read,
      'ModifyVpcEndpoint',
      ...read,
    ]);

    const [event] = remediationEvents();
    expect(event).toEqual({
      findingId: finding.findingId,
      ruleId: 'interface-endpoint-multi-az',
      resourceId: 'vpce-0a1',
      accountId: ACCOUNT,
      region: REGION,
      decision: {
        action: 'fix',
        mode: 'auto-fix',
        dryRun: false,
        why: expect.stringContaining('Add subnet-0b (eu-west-1b) to endpoint vpce-0a1'),
      },
      outcome: 'applied',
      why: expect.stringMatching(/^added subnet-0b to vpce-0a1; verified: COMPLIANT \(subnets in 2 AZs/),
      auditId: expect.stringMatching(/^[0-9A-Z]{26}$/),
    });
    const audit = await store.getAudit(event?.auditId ?? '');
    expect(audit).toMatchObject({
      kind: 'fix',
      actor: 'endpoint-guard',
      outcome: 'applied',
      changes: [{ kind: 'subnets-added', vpcEndpointId: 'vpce-0a1', subnetIds: ['subnet-0b'] }],
      before: { status: 'NON_COMPLIANT' },
      after: { status: 'COMPLIANT' },
      decision: { action: 'fix' },
      plan: finding.remediation,
    });
    expect(await store.getState(finding.findingId)).toMatchObject({
      lastFixOutcome: 'applied',
      remediationAttempts: 1,
      lastAuditId: event?.auditId,
    });
    expect(await store.fixesThisHour(ACCOUNT)).toBe(1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const published = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(published?.TopicArn).toBe(TOPIC);
    expect(published?.Subject).toBe(
      '[endpoint-guard] Fixed: vpce-0a1 (222233334444) interface-endpoint-multi-az',
    );
    expect(published?.Message).toContain(`ROLL BACK\nendpoint-guard rollback ${event?.auditId}`);
    expect(published?.Message).toContain('each added AZ is billed one more endpoint ENI-hour');
    expect(published?.Message).toContain('COST\nAdds 1 endpoint network interface (1 AZ) to vpce-0a1');
    expect(published?.MessageAttributes?.action).toEqual({ DataType: 'String', StringValue: 'fix-applied' });
    expect(metricLines).toEqual([
      'FixesApplied {"ruleId":"interface-endpoint-multi-az"} 1',
      'NotificationsSent {"ruleId":"interface-endpoint-multi-az"} 1',
    ]);
  });

  it('keys idempotency records apart from its own items in the shared table', async () => {
    // Prepare
    settingsAre(AUTO_FIX);
    const finding = findingOf();

    // Act
    await handler(batch(findingMessage(finding)), context);

    // Assess: Powertools wrote its record under idempotency#..., the state under FINDING#...
    const state = await db.documentClient.send(
      new GetCommand({
        TableName: store.tableName,
        Key: { pk: `FINDING#${finding.findingId}`, sk: 'STATE' },
      }),
    );
    expect(state.Item?.status).toBe('NON_COMPLIANT');
    const redelivered = await handler(batch(findingMessage(finding)), context);
    expect(redelivered).toEqual({ batchItemFailures: [] });
    // The redelivery returned the stored result: no second fix, no second event.
    expect(ec2Mock).toHaveReceivedCommandTimes(ModifyVpcEndpointCommand, 1);
    expect(remediationEvents()).toHaveLength(1);
  });

  it('gives exactly one ModifyVpcEndpoint for 10 concurrent deliveries of one finding in one batch', async () => {
    // Prepare
    settingsAre(AUTO_FIX);
    const finding = findingOf();
    const records = Array.from({ length: 10 }, () => findingMessage(finding));

    // Act
    const response = await handler(batch(...records), context);
    // SQS redelivers the records reported as in progress; they get the first result.
    const retry = await handler(
      batch(
        ...records.filter((record) =>
          response.batchItemFailures.some((failure) => failure.itemIdentifier === record.messageId),
        ),
      ),
      context,
    );

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(ModifyVpcEndpointCommand, 1);
    // The nine others found the first in progress (reported for redelivery), or already done.
    expect(response.batchItemFailures.length).toBeLessThanOrEqual(9);
    expect(retry).toEqual({ batchItemFailures: [] });
    expect((await store.listAudits(finding.findingId)).map((audit) => audit.outcome)).toEqual(['applied']);
  });

  it('gives exactly one ModifyVpcEndpoint for 10 Lambdas delivering the finding as seen by different detectors at once', async () => {
    // Prepare
    settingsAre(AUTO_FIX);
    const findings = Array.from({ length: 10 }, (_, i) =>
      findingOf('vpce-0a1', {
        observedAt: new Date(Date.parse('2025-06-01T12:00:00Z') + i * 1000).toISOString(),
      }),
    );

    // Act
    const responses = await Promise.all(
      findings.map((finding) => handler(batch(findingMessage(finding)), context)),
    );

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(ModifyVpcEndpointCommand, 1);
    expect(responses.flatMap((response) => response.batchItemFailures)).toEqual([]);
    const outcomes = remediationEvents().map((event) => event.outcome);
    expect(outcomes.filter((outcome) => outcome === 'applied')).toHaveLength(1);
    expect(
      outcomes.filter((outcome) => outcome !== 'applied' && outcome !== 'skipped' && outcome !== 'ignored'),
    ).toEqual([]);
    expect(await store.fixesThisHour(ACCOUNT)).toBe(1);
  });

  it('reports only the record whose AWS call throws as a batch item failure, and fixes it on redelivery', async () => {
    // Prepare
    settingsAre(AUTO_FIX);
    let outage = true;
    ec2Mock
      .on(ModifyVpcEndpointCommand)
      .callsFake((input: { VpcEndpointId: string; AddSubnetIds?: string[] }) => {
        if (input.VpcEndpointId === 'vpce-0a2' && outage) throw ec2Error('InternalError', 'server');
        live.set(input.VpcEndpointId, [
          ...(live.get(input.VpcEndpointId) ?? []),
          ...(input.AddSubnetIds ?? []),
        ]);
        return { Return: true };
      });
    const healthy = findingMessage(findingOf('vpce-0a1'), 'ok-1');
    const failing = findingMessage(findingOf('vpce-0a2'), 'fails-1');

    // Act
    const response = await handler(batch(healthy, failing), context);
    outage = false;
    const redelivery = await handler(batch(failing), context);

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'fails-1' }] });
    expect(redelivery).toEqual({ batchItemFailures: [] });
    expect(live.get('vpce-0a1')).toEqual(['subnet-0a', 'subnet-0b']);
    expect(live.get('vpce-0a2')).toEqual(['subnet-0a', 'subnet-0b']);
    expect(remediationEvents().map((event) => [event.resourceId, event.outcome])).toEqual([
      ['vpce-0a1', 'applied'],
      ['vpce-0a2', 'applied'],
    ]);
  });

  it('fixes nothing in dry run: it notifies what it would do', async () => {
    // Prepare
    settingsAre({ ...AUTO_FIX, dryRun: true });
    const finding = findingOf();

    // Act
    await handler(batch(findingMessage(finding)), context);

    // Assess
    expect(awsWrites()).toEqual([]);
    const [event] = remediationEvents();
    expect(event).toMatchObject({ outcome: 'notified', decision: { action: 'notify', dryRun: true } });
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Subject).toBe(
      '[endpoint-guard] Dry run, would fix: vpce-0a1 (222233334444) interface-endpoint-multi-az',
    );
    expect(await store.getAudit(event?.auditId ?? '')).toMatchObject({ kind: 'notify', outcome: 'notified' });
  });

  it('tickets instead of fixing once the account reached its hourly cap', async () => {
    // Prepare
    settingsAre({ ...AUTO_FIX, maxFixesPerAccountPerHour: 1 });
    await handler(batch(findingMessage(findingOf('vpce-0a1'))), context);

    // Act
    await handler(batch(findingMessage(findingOf('vpce-0a2'))), context);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(ModifyVpcEndpointCommand, 1);
    expect(remediationEvents().map((event) => [event.resourceId, event.outcome])).toEqual([
      ['vpce-0a1', 'applied'],
      ['vpce-0a2', 'ticketed'],
    ]);
  });

  it('skips, writing nothing, a finding whose resource is compliant by the time it is handled', async () => {
    // Prepare
    settingsAre(AUTO_FIX);
    live.set('vpce-0a1', ['subnet-0a', 'subnet-0b']);

    // Act
    await handler(batch(findingMessage(findingOf())), context);

    // Assess
    expect(awsWrites()).toEqual([]);
    expect(remediationEvents()[0]).toMatchObject({
      outcome: 'skipped',
      why: expect.stringContaining('vpce-0a1 is COMPLIANT now'),
    });
  });
});

describe('remediate input handling', () => {
  it('drops a malformed record without failing it or recording anything', async () => {
    // Prepare
    settingsAre(AUTO_FIX);
    const broken = { ...findingOf(), accountId: '12' };

    // Act
    const response = await handler(
      batch(
        findingMessage(broken as Finding, 'bad-finding'),
        sqsRecord('{not json', 'not-json'),
        sqsRecord(
          { source: 'aws.ec2', 'detail-type': 'AWS API Call via CloudTrail', detail: {} },
          'not-a-finding',
        ),
      ),
      context,
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ssmMock.calls()).toHaveLength(0);
    expect(await store.getState(broken.findingId)).toBeUndefined();
    expect(remediationEvents()).toEqual([]);
  });

  it('names what is wrong with a malformed record', () => {
    expect(
      parseFindingRecord({
        body: JSON.stringify({
          source: 'endpoint-guard',
          'detail-type': 'Finding',
          detail: { ...findingOf(), accountId: '12' },
        }),
      }),
    ).toEqual({
      invalid: 'invalid Finding: accountId: accountId must be 12 digits',
    });
    expect(parseFindingRecord({ body: '[]' })).toEqual({
      invalid: 'body is not an EventBridge event object',
    });
    expect(parseFindingRecord({ body: JSON.stringify({ source: 'aws.ec2', 'detail-type': 'X' }) })).toEqual({
      invalid:
        'not a Finding event: source "aws.ec2", detail-type "X" (expected "endpoint-guard", "Finding")',
    });
  });

  it('ignores an observation older than the last one recorded', async () => {
    // Prepare
    settingsAre(AUTO_FIX);
    const compliant = findingOf('vpce-0a1', {
      status: 'COMPLIANT',
      severity: 'INFORMATIONAL',
      remediation: null,
      observedAt: '2025-06-01T12:10:00.000Z',
    });
    await handler(batch(findingMessage(compliant)), context);

    // Act: the NON_COMPLIANT observation of 12:00 arrives after it
    await handler(batch(findingMessage(findingOf())), context);

    // Assess
    expect(awsWrites()).toEqual([]);
    expect(remediationEvents().map((event) => event.outcome)).toEqual(['ignored', 'ignored']);
    expect(remediationEvents()[1]?.why).toBe(
      'observation of 2025-06-01T12:00:00.000Z is older than the last one recorded (2025-06-01T12:10:00.000Z): ignored',
    );
  });

  it('never writes PutPublicAccessBlock or CreateVpcEndpoint for an interface endpoint finding', async () => {
    // Prepare
    settingsAre(AUTO_FIX);

    // Act
    await handler(batch(findingMessage(findingOf())), context);

    // Assess
    expect(s3Mock).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 0);
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateVpcEndpointCommand, 0);
  });
});
