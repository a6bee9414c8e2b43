/**
 * The sweep end to end over a real DynamoDB-compatible engine (dynalite: statuses, checkpoint,
 * lease) with the aggregator and the bus mocked: what it queries, what it publishes (only changes
 * of status), how it pages, resumes, shares the work, and survives a member account it cannot read.
 */
import {
  BatchGetAggregateResourceConfigCommand,
  ConfigServiceClient,
  SelectAggregateResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { FindingPublisher } from '../../shared/aws/finding-publisher';
import type { Finding } from '../../shared/findings/finding';
import type { ResourceType } from '../../shared/model';
import { DEFAULT_RULE_OPTIONS, type RuleId, type Severity } from '../../shared/rules/types';
import { FindingStore } from '../../shared/store/finding-store';
import { AggregatorReader } from '../../shared/sweep/aggregator';
import { SweepCheckpointStore, sweepPk } from '../../shared/sweep/checkpoint';
import { PreviousStatusReader } from '../../shared/sweep/previous-status';
import { type ServiceZoneLookup, Sweeper, type SweeperOptions } from '../../shared/sweep/sweeper';
import { useDynalite } from '../support/dynalite';
import {
  accountBlockRow,
  bucketItem,
  bucketRow,
  CAPTURED,
  endpointRow,
  findingIdFor,
  REGION,
  type Row,
  serveAggregator,
  subnetRow,
  tableRow,
} from './support';

const db = useDynalite();
const config = mockClient(ConfigServiceClient);
const events = mockClient(EventBridgeClient);

const AGGREGATOR = 'org-aggregator';
const BUS = 'endpoint-guard-findings';
const NOW = new Date('2025-06-01T12:00:00.000Z');
const A = '111111111111';
const B = '222222222222';
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

let tableName: string;
let store: FindingStore;

beforeEach(async () => {
  config.reset();
  events.reset();
  events.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
    FailedEntryCount: 0,
    Entries: (input.Entries ?? []).map((_, index) => ({ EventId: `event-${index}` })),
  }));
  tableName = await db.createTable();
  store = new FindingStore({ client: db.documentClient, tableName, now: () => NOW });
});

function sweeper(overrides: Partial<SweeperOptions> = {}): Sweeper {
  return new Sweeper({
    aggregator: new AggregatorReader(new ConfigServiceClient({ region: REGION }), {
      aggregatorName: AGGREGATOR,
      sleep: async () => undefined,
    }),
    previous: new PreviousStatusReader({ client: db.documentClient, tableName }),
    checkpoints: new SweepCheckpointStore({
      client: db.documentClient,
      tableName,
      aggregatorName: AGGREGATOR,
    }),
    publisher: new FindingPublisher({
      eventBridge: new EventBridgeClient({ region: REGION }),
      eventBusName: BUS,
      sleep: async () => undefined,
    }),
    serviceZones: async (_account, _region, names) => new Map(names.map((name) => [name, ZONES])),
    ruleOptions: async () => DEFAULT_RULE_OPTIONS,
    now: () => NOW,
    newRunId: () => 'run-1',
    ...overrides,
  });
}

const plenty = { owner: 'invocation-1', remainingMs: () => 600_000, minIntervalMs: 3_600_000 };

/** What the store recorded before the sweep. */
async function recorded(
  ruleId: RuleId,
  resourceType: ResourceType,
  accountId: string,
  resourceId: string,
  status: Finding['status'],
  severity: Severity,
  observedAt = '2025-06-01T09:00:00.000Z',
): Promise<void> {
  const findingId = findingIdFor(ruleId, resourceType, accountId, resourceId);
  await store.recordObservation({
    schemaVersion: '1',
    findingId,
    ruleId,
    resourceType,
    resourceId,
    resourceArn: findingId.slice(ruleId.length + 1),
    accountId,
    region: REGION,
    status,
    severity,
    reason: 'recorded before the sweep',
    evidence: {},
    remediation: status === 'NON_COMPLIANT' ? { kind: 'ticket-only', summary: 'fix it', why: 'test' } : null,
    observedAt,
    detector: 'config-rule',
  });
}

/** The Finding details published, in order. */
function published(): Finding[] {
  return events
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => JSON.parse(entry.Detail ?? '{}') as Finding);
}

/** Account A: one VPC over three AZs; account B: one VPC over two. */
function organization(): Row[] {
  return [
    subnetRow(A, 'vpc-a', 'subnet-a1', 'eu-west-1a'),
    subnetRow(A, 'vpc-a', 'subnet-a2', 'eu-west-1b'),
    subnetRow(A, 'vpc-a', 'subnet-a3', 'eu-west-1c'),
    tableRow(A, 'vpc-a', 'rtb-a1', { main: true }),
    tableRow(A, 'vpc-a', 'rtb-a2', {
      subnets: ['subnet-a1', 'subnet-a2', 'subnet-a3'],
      gatewayEndpoints: ['vpce-a-s3'],
    }),
    endpointRow(A, 'vpc-a', 'vpce-a-s3', {
      type: 'Gateway',
      service: `com.amazonaws.${REGION}.s3`,
      tables: ['rtb-a2'],
    }),
    endpointRow(A, 'vpc-a', 'vpce-a-ssm', { subnets: ['subnet-a1'] }),
    endpointRow(A, 'vpc-a', 'vpce-a-kms', {
      service: `com.amazonaws.${REGION}.kms`,
      subnets: ['subnet-a1', 'subnet-a2', 'subnet-a3'],
    }),
    bucketRow(A, 'bucket-a-ok', true),
    bucketRow(A, 'bucket-a-open', false),
    accountBlockRow(A, false),
    subnetRow(B, 'vpc-b', 'subnet-b1', 'eu-west-1a'),
    subnetRow(B, 'vpc-b', 'subnet-b2', 'eu-west-1b'),
    tableRow(B, 'vpc-b', 'rtb-b1', { main: true, internet: true }),
    endpointRow(B, 'vpc-b', 'vpce-b-ssm', { subnets: ['subnet-b1'] }),
    accountBlockRow(B, true),
  ];
}

describe('Sweeper', () => {
  it('publishes only the findings whose status or severity changed since the store recorded them', async () => {
    // Prepare
    serveAggregator(config, organization(), [bucketItem(A, 'bucket-a-open', { publicPolicy: true })]);
    await recorded(
      'interface-endpoint-multi-az',
      'AWS::EC2::VPCEndpoint',
      A,
      'vpce-a-ssm',
      'NON_COMPLIANT',
      'HIGH',
    );
    await recorded('gateway-endpoint-routes', 'AWS::EC2::RouteTable', A, 'rtb-a2', 'NON_COMPLIANT', 'MEDIUM');
    await recorded(
      's3-bucket-public-access',
      'AWS::S3::Bucket',
      A,
      'bucket-a-open',
      'NON_COMPLIANT',
      'MEDIUM',
    );
    // Recorded after the aggregator captured the bucket: the store knows better.
    await recorded(
      's3-bucket-public-access',
      'AWS::S3::Bucket',
      A,
      'bucket-a-ok',
      'NON_COMPLIANT',
      'MEDIUM',
      '2025-06-01T11:00:00.000Z',
    );

    // Act
    const result = await sweeper().run(plenty);

    // Assess
    expect(result).toEqual({
      outcome: 'completed',
      runId: 'run-1',
      shardsSwept: 1,
      shardsLeft: 0,
      totals: { items: 16, evaluated: 9, published: 3, unverified: 0, skipped: 0 },
    });
    const findings = published();
    expect(findings.map((f) => [f.resourceId, f.status, f.severity, f.detector, f.observedAt])).toEqual([
      ['rtb-a2', 'COMPLIANT', 'INFORMATIONAL', 'sweep', CAPTURED],
      ['bucket-a-open', 'NON_COMPLIANT', 'CRITICAL', 'sweep', '2025-06-01T10:05:00.000Z'],
      ['vpce-b-ssm', 'NON_COMPLIANT', 'HIGH', 'sweep', CAPTURED],
    ]);
    expect(findings[1]?.reason).toBe(
      'bucket is public now (public policy: statement 0 allows Principal "*" with no restricting condition); ' +
        'Block Public Access off: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets',
    );
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(events).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: expect.arrayContaining([
        expect.objectContaining({ Source: 'endpoint-guard', DetailType: 'Finding', EventBusName: BUS }),
      ]),
    });
    // Only the non-compliant bucket's policy and ACL were read.
    expect(config).toHaveReceivedCommandTimes(BatchGetAggregateResourceConfigCommand, 1);
    expect(config).toHaveReceivedCommandWith(BatchGetAggregateResourceConfigCommand, {
      ConfigurationAggregatorName: AGGREGATOR,
      ResourceIdentifiers: [
        {
          SourceAccountId: A,
          SourceRegion: REGION,
          ResourceType: 'AWS::S3::Bucket',
          ResourceId: 'bucket-a-open',
        },
      ],
    });
  });

  it('plans shards with one account-count query, then queries each shard with only the fields the rules read', async () => {
    // Prepare
    const aggregator = serveAggregator(config, organization());

    // Act
    await sweeper().run(plenty);

    // Assess
    expect(aggregator.expressions[0]).toBe(
      "SELECT accountId, COUNT(*) WHERE resourceType IN ('AWS::EC2::VPCEndpoint', 'AWS::EC2::Subnet', " +
        "'AWS::EC2::RouteTable', 'AWS::S3::Bucket', 'AWS::S3::AccountPublicAccessBlock') GROUP BY accountId",
    );
    expect(config).toHaveReceivedNthCommandWith(SelectAggregateResourceConfigCommand, 1, {
      ConfigurationAggregatorName: AGGREGATOR,
      Expression: aggregator.expressions[0],
    });
    expect(aggregator.expressions[1]).toMatch(
      /^SELECT resourceId, resourceType, accountId, awsRegion, configurationItemStatus, configurationItemCaptureTime, tags, configuration\.vpcId, .* WHERE resourceType IN \(.*\) AND accountId IN \('111111111111', '222222222222'\)$/,
    );
    expect(config).toHaveReceivedNthCommandWith(SelectAggregateResourceConfigCommand, 2, {
      ConfigurationAggregatorName: AGGREGATOR,
      MaxResults: 100,
    });
  });

  it('follows NextToken to the last page, 100 rows a page', async () => {
    // Prepare: 250 subnets and one endpoint in one account.
    const rows: Row[] = [endpointRow(A, 'vpc-a', 'vpce-a-ssm', { subnets: ['subnet-0'] })];
    for (let i = 0; i < 249; i++) rows.push(subnetRow(A, 'vpc-a', `subnet-${i}`, ZONES[i % 3] ?? ''));
    serveAggregator(config, rows);

    // Act
    const result = await sweeper().run(plenty);

    // Assess: counts (one page), then the shard in three pages.
    expect(config).toHaveReceivedCommandTimes(SelectAggregateResourceConfigCommand, 4);
    expect(config).toHaveReceivedNthCommandWith(SelectAggregateResourceConfigCommand, 3, {
      NextToken: '100',
      MaxResults: 100,
    });
    expect(config).toHaveReceivedNthCommandWith(SelectAggregateResourceConfigCommand, 4, {
      NextToken: '200',
      MaxResults: 100,
    });
    expect(result.totals.items).toBe(250);
    expect(published().map((f) => f.resourceId)).toEqual(['vpce-a-ssm']);
  });

  it('pauses between shards when time runs short and resumes at the next shard on the next invocation', async () => {
    // Prepare: one shard per account (at most 6 items each).
    const C = '333333333333';
    const rows = [
      ...organization(),
      subnetRow(C, 'vpc-c', 'subnet-c1', 'eu-west-1a'),
      endpointRow(C, 'vpc-c', 'vpce-c-ssm', { subnets: ['subnet-c1'] }),
    ];
    const aggregator = serveAggregator(config, rows, [bucketItem(A, 'bucket-a-open')]);
    const budget = [600_000, 600_000, 0];
    const first = sweeper({
      shardLimits: { maxItems: 6 },
      shardConcurrency: 1,
      reserveMs: 0,
      firstShardEstimateMs: 1_000,
    });

    // Act
    const paused = await first.run({ ...plenty, remainingMs: () => budget.shift() ?? 0 });
    const before = aggregator.expressions.length;
    const resumed = await sweeper({ shardLimits: { maxItems: 6 }, shardConcurrency: 1 }).run({
      ...plenty,
      owner: 'invocation-2',
    });

    // Assess
    expect(paused).toEqual({
      outcome: 'paused',
      runId: 'run-1',
      shardsSwept: 1,
      shardsLeft: 2,
      totals: expect.objectContaining({ evaluated: 7 }),
    });
    expect(resumed).toEqual(
      expect.objectContaining({ outcome: 'completed', runId: 'run-1', shardsSwept: 2, shardsLeft: 0 }),
    );
    const later = aggregator.expressions.slice(before);
    expect(later).toHaveLength(2);
    expect(later[0]).toContain(`accountId IN ('${B}')`);
    expect(later[1]).toContain(`accountId IN ('${C}')`);
    expect(later.join('\n')).not.toContain('GROUP BY');
    expect(published().map((f) => f.resourceId)).toEqual([
      'vpce-a-ssm',
      'bucket-a-open',
      'vpce-b-ssm',
      'vpce-c-ssm',
    ]);
    const checkpoint = await db.documentClient.send(
      new GetCommand({ TableName: tableName, Key: { pk: sweepPk(AGGREGATOR), sk: 'CHECKPOINT' } }),
    );
    expect(checkpoint.Item).toEqual({
      pk: 'SWEEP#org-aggregator',
      sk: 'CHECKPOINT',
      runId: 'run-1',
      startedAt: NOW.toISOString(),
      shards: [[A], [B], [C]],
      nextShard: 3,
      totals: { items: 18, evaluated: 10, published: 4, unverified: 0, skipped: 0 },
      lastCompletedAt: NOW.toISOString(),
    });
  });

  it('does not sweep while another invocation holds the lease', async () => {
    // Prepare
    serveAggregator(config, organization());
    await new SweepCheckpointStore({
      client: db.documentClient,
      tableName,
      aggregatorName: AGGREGATOR,
    }).acquire('other-invocation', NOW, 900);

    // Act
    const result = await sweeper().run(plenty);

    // Assess
    expect(result).toEqual({ outcome: 'busy', shardsSwept: 0, shardsLeft: 0, totals: expect.anything() });
    expect(config).toHaveReceivedCommandTimes(SelectAggregateResourceConfigCommand, 0);
  });

  it('starts no new run before the interval since the last one has passed, unless forced', async () => {
    // Prepare
    const aggregator = serveAggregator(config, organization());
    await sweeper().run(plenty);
    const later = () => new Date(NOW.getTime() + 10 * 60_000);

    // Act
    const notDue = await sweeper({ now: later }).run({ ...plenty, owner: 'invocation-2' });
    const forced = await sweeper({ now: later, newRunId: () => 'run-2' }).run({
      ...plenty,
      owner: 'invocation-3',
      force: true,
    });

    // Assess
    expect(notDue).toEqual(expect.objectContaining({ outcome: 'not-due', runId: 'run-1', shardsSwept: 0 }));
    expect(forced).toEqual(expect.objectContaining({ outcome: 'completed', runId: 'run-2', shardsSwept: 1 }));
    expect(aggregator.expressions.filter((e) => e.includes('GROUP BY'))).toHaveLength(2);
  });

  it('stops without recording progress when another invocation took the lease over', async () => {
    // Prepare: while the shard is swept, the lease expires and another invocation takes it.
    serveAggregator(config, organization());
    const checkpoints = new SweepCheckpointStore({
      client: db.documentClient,
      tableName,
      aggregatorName: AGGREGATOR,
    });
    const previous = new PreviousStatusReader({ client: db.documentClient, tableName });
    const intruding = {
      statuses: async (ids: readonly string[]) => {
        await checkpoints.acquire('intruder', new Date(NOW.getTime() + 3_600_000), 900);
        return previous.statuses(ids);
      },
    };

    // Act
    const result = await sweeper({ previous: intruding }).run(plenty);

    // Assess
    expect(result).toEqual(
      expect.objectContaining({ outcome: 'lease-lost', runId: 'run-1', shardsSwept: 1 }),
    );
    const checkpoint = await db.documentClient.send(
      new GetCommand({ TableName: tableName, Key: { pk: sweepPk(AGGREGATOR), sk: 'CHECKPOINT' } }),
    );
    expect(checkpoint.Item).toEqual(expect.objectContaining({ nextShard: 0, leaseOwner: 'intruder' }));
  });

  it('asks member accounts for endpoint-service AZs at most lookupConcurrency at a time', async () => {
    // Prepare: ten accounts, each with an endpoint in two AZs of three (it could pass).
    const rows: Row[] = [];
    const accounts = Array.from({ length: 10 }, (_, i) => String(100000000000 + i));
    for (const account of accounts) {
      rows.push(
        subnetRow(account, `vpc-${account}`, `subnet-${account}-a`, 'eu-west-1a'),
        subnetRow(account, `vpc-${account}`, `subnet-${account}-b`, 'eu-west-1b'),
        subnetRow(account, `vpc-${account}`, `subnet-${account}-c`, 'eu-west-1c'),
        endpointRow(account, `vpc-${account}`, `vpce-${account}`, {
          subnets: [`subnet-${account}-a`, `subnet-${account}-b`],
        }),
      );
    }
    serveAggregator(config, rows);
    let inFlight = 0;
    let most = 0;
    const asked: string[] = [];
    const lookup: ServiceZoneLookup = async (account, region, names) => {
      asked.push(`${account} ${region} ${names.join(',')}`);
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      // The service is not offered in eu-west-1c: two AZs are all it can have.
      return new Map(names.map((name) => [name, ['eu-west-1a', 'eu-west-1b']]));
    };

    // Act
    await sweeper({ serviceZones: lookup, lookupConcurrency: 3 }).run(plenty);

    // Assess
    expect(most).toBe(3);
    expect(asked).toHaveLength(10);
    expect(asked).toContain(`100000000004 ${REGION} com.amazonaws.${REGION}.ssm`);
    // Compliant once the service's AZs are known, and never recorded: nothing to publish.
    expect(published()).toEqual([]);
  });

  it('leaves the endpoints of an account it cannot read unpublished, and publishes the other accounts', async () => {
    // Prepare: three accounts, each with an endpoint in two AZs of three, recorded COMPLIANT.
    const accounts = [A, B, '333333333333'];
    const rows: Row[] = [];
    for (const account of accounts) {
      rows.push(
        subnetRow(account, `vpc-${account}`, `subnet-${account}-a`, 'eu-west-1a'),
        subnetRow(account, `vpc-${account}`, `subnet-${account}-b`, 'eu-west-1b'),
        subnetRow(account, `vpc-${account}`, `subnet-${account}-c`, 'eu-west-1c'),
        endpointRow(account, `vpc-${account}`, `vpce-${account}`, {
          subnets: [`subnet-${account}-a`, `subnet-${account}-b`],
        }),
      );
      await recorded(
        'interface-endpoint-multi-az',
        'AWS::EC2::VPCEndpoint',
        account,
        `vpce-${account}`,
        'COMPLIANT',
        'INFORMATIONAL',
      );
    }
    serveAggregator(config, rows);
    const lookup: ServiceZoneLookup = async (account, _region, names) => {
      if (account === A) {
        throw Object.assign(new Error('not authorized to perform sts:AssumeRole'), {
          name: 'MemberAccessError',
        });
      }
      // B's service is offered in two AZs (the endpoint covers them); the third account's in all three.
      return new Map(names.map((name) => [name, account === B ? ZONES.slice(0, 2) : ZONES]));
    };

    // Act
    const shard = await sweeper({ serviceZones: lookup }).sweepShard(accounts, DEFAULT_RULE_OPTIONS);

    // Assess
    expect(shard.failedLookups).toEqual([
      { accountId: A, region: REGION, error: 'MemberAccessError: not authorized to perform sts:AssumeRole' },
    ]);
    expect(published().map((f) => [f.resourceId, f.status])).toEqual([
      ['vpce-333333333333', 'NON_COMPLIANT'],
    ]);
    expect(shard.totals).toEqual({ items: 12, evaluated: 3, published: 1, unverified: 1, skipped: 0 });
  });

  it('reads the subnets and tables of a VPC shared from an account of another shard', async () => {
    // Prepare: B's endpoint sits in A's VPC (RAM sharing); one account per shard.
    const rows = [
      subnetRow(A, 'vpc-shared', 'subnet-s1', 'eu-west-1a'),
      subnetRow(A, 'vpc-shared', 'subnet-s2', 'eu-west-1b'),
      tableRow(A, 'vpc-shared', 'rtb-s1', { main: true, internet: true }),
      endpointRow(B, 'vpc-shared', 'vpce-b-ssm', { subnets: ['subnet-s1', 'subnet-s2'] }),
    ];
    const aggregator = serveAggregator(config, rows);

    // Act
    await sweeper({ shardLimits: { maxItems: 1 } }).run(plenty);

    // Assess: B's shard asked for the shared VPC, and the endpoint covers both of its AZs.
    expect(aggregator.expressions.at(-1)).toMatch(
      /WHERE resourceType IN \('AWS::EC2::Subnet', 'AWS::EC2::RouteTable'\) AND configuration\.vpcId IN \('vpc-shared'\)$/,
    );
    expect(published()).toEqual([]);
  });

  it('fetches bucket details and service AZs only where the store observed less recently than the aggregator', async () => {
    // Prepare: the store judged the open bucket and a two-of-three-AZ endpoint after the aggregator captured them.
    const rows = [
      ...organization(),
      endpointRow(A, 'vpc-a', 'vpce-a-logs', {
        service: `com.amazonaws.${REGION}.logs`,
        subnets: ['subnet-a1', 'subnet-a2'],
      }),
    ];
    serveAggregator(config, rows, [bucketItem(A, 'bucket-a-open', { publicPolicy: true })]);
    const later = '2025-06-01T11:00:00.000Z';
    await recorded(
      's3-bucket-public-access',
      'AWS::S3::Bucket',
      A,
      'bucket-a-open',
      'NON_COMPLIANT',
      'CRITICAL',
      later,
    );
    await recorded(
      'interface-endpoint-multi-az',
      'AWS::EC2::VPCEndpoint',
      A,
      'vpce-a-logs',
      'NON_COMPLIANT',
      'HIGH',
      later,
    );
    await recorded(
      'interface-endpoint-multi-az',
      'AWS::EC2::VPCEndpoint',
      A,
      'vpce-a-ssm',
      'NON_COMPLIANT',
      'HIGH',
      later,
    );
    await recorded(
      'interface-endpoint-multi-az',
      'AWS::EC2::VPCEndpoint',
      B,
      'vpce-b-ssm',
      'NON_COMPLIANT',
      'HIGH',
      later,
    );
    const asked: string[] = [];
    const lookup: ServiceZoneLookup = async (account, _region, names) => {
      asked.push(account);
      return new Map(names.map((name) => [name, ZONES]));
    };

    // Act
    const result = await sweeper({ serviceZones: lookup }).run(plenty);

    // Assess
    expect(config).toHaveReceivedCommandTimes(BatchGetAggregateResourceConfigCommand, 0);
    expect(asked).toEqual([]);
    expect(published()).toEqual([]);
    expect(result.totals).toEqual({ items: 17, evaluated: 10, published: 0, unverified: 0, skipped: 0 });
  });

  it('leaves a non-compliant bucket the aggregator no longer returns unverified', async () => {
    // Prepare: no BatchGet item for bucket-a-open.
    serveAggregator(config, organization(), []);

    // Act
    const result = await sweeper().run(plenty);

    // Assess
    expect(published().map((f) => f.resourceId)).not.toContain('bucket-a-open');
    expect(result.totals.unverified).toBe(1);
  });
});
