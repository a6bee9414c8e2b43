/**
 * Sweep cost: AWS calls and simulated wall time of one organization sweep, two ways, on the same
 * generated organization (bench/generate.ts):
 * - the aggregator sweep: the real `Sweeper` (shared/sweep) against in-process fakes of the
 *   Config aggregator, the findings table and the bus;
 * - a per-account fan-out: assume the member role in each account, then the real
 *   `LiveInventoryReader` (shared/aws, what the event-driven detectors use) in each account and
 *   region with the whole region in scope: DescribeVpcEndpoints / Subnets / RouteTables /
 *   VpcEndpointServices, ListBuckets, and GetPublicAccessBlock / GetBucketPolicy / GetBucketAcl /
 *   GetBucketTagging per bucket, plus the account's Block Public Access.
 *
 * Every call takes `latencyMs` of simulated time. EC2 calls are throttled per account, region
 * and API by a token bucket of 100 tokens refilled at 20 per second (EC2's documented request
 * token bucket for non-mutating actions; a throttled call waits for its token instead of failing
 * and retrying, which flatters the fan-out). Both sides compare with the store and publish only
 * changes the same way, so those calls are counted separately from the calls that read the
 * organization's state.
 */

import {
  BatchGetAggregateResourceConfigCommand,
  ConfigServiceClient,
  SelectAggregateResourceConfigCommand,
  type SelectAggregateResourceConfigCommandInput,
} from '@aws-sdk/client-config-service';
import {
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
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
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, type BatchGetCommandInput } from '@aws-sdk/lib-dynamodb';
import { mapWithConcurrency } from '../shared/aws/concurrency';
import { FindingPublisher } from '../shared/aws/finding-publisher';
import { LiveInventoryReader } from '../shared/aws/live-inventory';
import type { Finding } from '../shared/findings/finding';
import { DEFAULT_RULE_OPTIONS } from '../shared/rules/types';
import { AggregatorReader } from '../shared/sweep/aggregator';
import { type SweepCheckpoint, type SweepTotals, ZERO_TOTALS } from '../shared/sweep/checkpoint';
import type { PreviousStatus } from '../shared/sweep/previous-status';
import { PreviousStatusReader } from '../shared/sweep/previous-status';
import { Sweeper, type SweeperOptions } from '../shared/sweep/sweeper';
import { DEFAULT_REGIONS, organizationItems } from './generate';
import { CallCounter, TokenBucket, VirtualClock } from './simulation';

type Json = Record<string, unknown>;

export interface SweepCostOptions {
  readonly accounts: number;
  readonly regions?: readonly string[];
  /** Simulated latency of every AWS call. @default 50 */
  readonly latencyMs?: number;
  /** Account-regions the fan-out reads at once. @default 16 */
  readonly fanOutConcurrency?: number;
  /** The Lambda's timeout: the sweep resumes in a new invocation past it. @default 15 min */
  readonly invocationMs?: number;
}

export interface SideCost {
  /** Calls that read the organization's state, by API. */
  readonly collection: Record<string, number>;
  readonly collectionCalls: number;
  /** Calls that compare with the store and publish changes (the same for both designs). */
  readonly comparison: Record<string, number>;
  readonly comparisonCalls: number;
  /** Simulated wall time, ms. */
  readonly wallMs: number;
}

export interface SweepCostResult {
  readonly accounts: number;
  readonly regions: number;
  readonly items: number;
  readonly buckets: number;
  /** The first sweep of an organization the store knows nothing about. */
  readonly firstSweep: SideCost & { readonly published: number; readonly invocations: number };
  /** A later sweep (the store holds what the first one published): the recurring cost. */
  readonly steadySweep: SideCost & {
    readonly published: number;
    readonly invocations: number;
    readonly pages: number;
    readonly inProcessMs: number;
  };
  readonly fanOut: SideCost;
}

const COMPARISON_APIS = ['BatchGetItem', 'PutEvents', 'UpdateItem'];

/** Wires `send` of a real client instance (paginators check `instanceof`) to a fake. */
function fake<T extends object>(client: T, send: (command: object) => Promise<unknown>): T {
  Object.assign(client, { send });
  return client;
}

function noSuch(name: string): Error {
  return Object.assign(new Error(`${name} (simulated)`), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 404 },
  });
}

interface RegionState {
  endpoints: Json[];
  subnets: Json[];
  tables: Json[];
  buckets: string[];
}

interface Organization {
  readonly rowsByAccount: Map<string, string[]>;
  readonly rowsByVpc: Map<string, string[]>;
  readonly bucketItems: Map<string, Json>;
  readonly regions: Map<string, RegionState>;
  readonly bucketDetails: Map<string, { bpa?: Json; policy?: string; grants: Json[]; tags: Json[] }>;
  readonly accountBlocks: Map<string, Json>;
  items: number;
  bucketCount: number;
}

/** Reads the generated organization once into the shapes each side's fakes answer with. */
function buildOrganization(accounts: number, regions: readonly string[]): Organization {
  const org: Organization = {
    rowsByAccount: new Map(),
    rowsByVpc: new Map(),
    bucketItems: new Map(),
    regions: new Map(),
    bucketDetails: new Map(),
    accountBlocks: new Map(),
    items: 0,
    bucketCount: 0,
  };
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V): void => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  const regionOf = (account: string, region: string): RegionState => {
    const key = `${account}|${region}`;
    let state = org.regions.get(key);
    if (!state) {
      state = { endpoints: [], subnets: [], tables: [], buckets: [] };
      org.regions.set(key, state);
    }
    return state;
  };
  for (const ci of organizationItems({ accounts, regions })) {
    org.items++;
    const type = String(ci.resourceType);
    const account = String(ci.awsAccountId);
    const region = String(ci.awsRegion);
    const id = String(ci.resourceId);
    const cfg = (ci.configuration ?? {}) as Json;
    const tags = Object.entries((ci.tags ?? {}) as Record<string, string>);
    const row: Json = {
      resourceId: id,
      resourceType: type,
      accountId: account,
      awsRegion: region,
      configurationItemStatus: ci.configurationItemStatus,
      configurationItemCaptureTime: ci.configurationItemCaptureTime,
      tags: tags.map(([key, value]) => ({ tag: `${key}=${value}`, key, value })),
    };
    const sdkTags = tags.map(([Key, Value]) => ({ Key, Value }));
    const state = regionOf(account, region);
    switch (type) {
      case 'AWS::EC2::VPCEndpoint':
        row.configuration = {
          vpcId: cfg.vpcId,
          vpcEndpointType: cfg.vpcEndpointType,
          serviceName: cfg.serviceName,
          state: { value: cfg.state },
          subnetIds: cfg.subnetIds,
          routeTableIds: cfg.routeTableIds,
        };
        state.endpoints.push({
          VpcEndpointId: id,
          VpcEndpointType: cfg.vpcEndpointType,
          VpcId: cfg.vpcId,
          ServiceName: cfg.serviceName,
          State: cfg.state,
          SubnetIds: cfg.subnetIds,
          RouteTableIds: cfg.routeTableIds,
          OwnerId: account,
          Tags: sdkTags,
        });
        break;
      case 'AWS::EC2::Subnet':
        row.configuration = {
          vpcId: cfg.vpcId,
          availabilityZone: cfg.availabilityZone,
          availableIpAddressCount: cfg.availableIpAddressCount,
          state: { value: cfg.state },
        };
        state.subnets.push({
          SubnetId: id,
          VpcId: cfg.vpcId,
          AvailabilityZone: cfg.availabilityZone,
          AvailableIpAddressCount: cfg.availableIpAddressCount,
          State: cfg.state,
          OwnerId: account,
          Tags: sdkTags,
        });
        break;
      case 'AWS::EC2::RouteTable': {
        const routes = (cfg.routes ?? []) as Json[];
        const associations = (cfg.associations ?? []) as Json[];
        row.configuration = {
          vpcId: cfg.vpcId,
          routes,
          associations: associations.map(({ associationState: _, ...association }) => association),
        };
        state.tables.push({
          RouteTableId: id,
          VpcId: cfg.vpcId,
          OwnerId: account,
          Routes: routes.map((route) => ({
            DestinationCidrBlock: route.destinationCidrBlock,
            DestinationPrefixListId: route.destinationPrefixListId,
            GatewayId: route.gatewayId,
            NatGatewayId: route.natGatewayId,
            State: route.state,
          })),
          Associations: associations.map((association) => ({
            Main: association.main,
            SubnetId: association.subnetId,
            RouteTableAssociationId: association.routeTableAssociationId,
            AssociationState: { State: 'associated' },
          })),
          Tags: sdkTags,
        });
        break;
      }
      case 'AWS::S3::Bucket': {
        org.bucketCount++;
        const supplementary = (ci.supplementaryConfiguration ?? {}) as Json;
        const bpa = supplementary.PublicAccessBlockConfiguration as Json | undefined;
        row.configuration = { name: cfg.name };
        if (bpa) row.supplementaryConfiguration = { PublicAccessBlockConfiguration: bpa };
        org.bucketItems.set(`${account}|${id}`, {
          version: '1.3',
          accountId: account,
          configurationItemCaptureTime: ci.configurationItemCaptureTime,
          configurationItemStatus: ci.configurationItemStatus,
          arn: ci.ARN,
          resourceType: type,
          resourceId: id,
          resourceName: id,
          awsRegion: region,
          configuration: JSON.stringify(cfg),
          supplementaryConfiguration: Object.fromEntries(
            Object.entries(supplementary).map(([key, value]) => [
              key,
              typeof value === 'string' ? value : JSON.stringify(value),
            ]),
          ),
        });
        state.buckets.push(id);
        const acl = JSON.parse(String(supplementary.AccessControlList ?? '{}')) as { grantList?: Json[] };
        const policy = (supplementary.BucketPolicy as Json | undefined)?.policyText;
        org.bucketDetails.set(id, {
          ...(bpa ? { bpa } : {}),
          ...(typeof policy === 'string' ? { policy } : {}),
          grants: (acl.grantList ?? []).map((grant) =>
            typeof grant.grantee === 'string'
              ? {
                  Grantee: { Type: 'Group', URI: `http://acs.amazonaws.com/groups/global/${grant.grantee}` },
                  Permission: 'READ',
                }
              : { Grantee: { Type: 'CanonicalUser', ID: 'owner' }, Permission: 'FULL_CONTROL' },
          ),
          tags: sdkTags,
        });
        break;
      }
      case 'AWS::S3::AccountPublicAccessBlock':
        row.configuration = {
          blockPublicAcls: cfg.blockPublicAcls,
          ignorePublicAcls: cfg.ignorePublicAcls,
          blockPublicPolicy: cfg.blockPublicPolicy,
          restrictPublicBuckets: cfg.restrictPublicBuckets,
        };
        org.accountBlocks.set(account, cfg);
        break;
      default:
        // VPCs: no rule reads them, the sweep does not select them.
        continue;
    }
    const text = JSON.stringify(row);
    push(org.rowsByAccount, account, text);
    if (type === 'AWS::EC2::Subnet' || type === 'AWS::EC2::RouteTable')
      push(org.rowsByVpc, String(cfg.vpcId), text);
  }
  return org;
}

function listIn(expression: string, field: string): string[] | undefined {
  const match = new RegExp(`${field.replace('.', '\\.')} IN \\(([^)]*)\\)`).exec(expression);
  return match?.[1] ? [...match[1].matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '') : undefined;
}

/** The aggregator sweep, invocation after invocation until the run completes. */
async function simulateSweep(
  org: Organization,
  store: Map<string, PreviousStatus>,
  options: Required<Pick<SweepCostOptions, 'latencyMs' | 'invocationMs'>>,
): Promise<SideCost & { published: number; invocations: number; pages: number; inProcessMs: number }> {
  const clock = new VirtualClock();
  const calls = new CallCounter();
  const latency = (): Promise<void> => clock.sleep(options.latencyMs);
  const ec2Buckets = new Map<string, TokenBucket>();
  let pages = 0;

  const config = fake(new ConfigServiceClient({ region: 'us-east-1' }), async (command) => {
    if (command instanceof SelectAggregateResourceConfigCommand) {
      calls.add('SelectAggregateResourceConfig');
      pages++;
      await latency();
      const input: SelectAggregateResourceConfigCommandInput = command.input;
      const expression = input.Expression ?? '';
      let results: string[];
      if (expression.includes('GROUP BY accountId')) {
        results = [...org.rowsByAccount].map(([accountId, rows]) =>
          JSON.stringify({ accountId, 'COUNT(*)': rows.length }),
        );
      } else if (expression.includes('configuration.vpcId IN')) {
        results = (listIn(expression, 'configuration.vpcId') ?? []).flatMap(
          (vpc) => org.rowsByVpc.get(vpc) ?? [],
        );
      } else {
        results = (listIn(expression, 'accountId') ?? []).flatMap(
          (account) => org.rowsByAccount.get(account) ?? [],
        );
      }
      const size = input.MaxResults ?? 500;
      const offset = Number(input.NextToken ?? 0);
      return {
        Results: results.slice(offset, offset + size),
        ...(offset + size < results.length ? { NextToken: String(offset + size) } : {}),
      };
    }
    if (command instanceof BatchGetAggregateResourceConfigCommand) {
      calls.add('BatchGetAggregateResourceConfig');
      await latency();
      const items = (command.input.ResourceIdentifiers ?? []).flatMap((id) => {
        const item = org.bucketItems.get(`${id.SourceAccountId}|${id.ResourceId}`);
        return item ? [item] : [];
      });
      return { BaseConfigurationItems: items, UnprocessedResourceIdentifiers: [] };
    }
    throw new Error(`unexpected Config command ${command.constructor.name}`);
  });

  const documents = {
    send: async (command: object) => {
      if (!(command instanceof BatchGetCommand))
        throw new Error(`unexpected DynamoDB command ${command.constructor.name}`);
      calls.add('BatchGetItem');
      await latency();
      const input: BatchGetCommandInput = command.input;
      const [table, request] = Object.entries(input.RequestItems ?? {})[0] ?? ['', { Keys: [] }];
      const items = (request.Keys ?? []).flatMap((key) => {
        const findingId = String(key.pk).slice('FINDING#'.length);
        const state = store.get(findingId);
        return state ? [{ findingId, ...state }] : [];
      });
      return { Responses: { [table]: items }, UnprocessedKeys: {} };
    },
  } as unknown as DynamoDBDocumentClient;

  const published: Finding[] = [];
  const eventBridge = fake(new EventBridgeClient({ region: 'us-east-1' }), async (command) => {
    if (!(command instanceof PutEventsCommand)) throw new Error('unexpected EventBridge command');
    calls.add('PutEvents');
    await latency();
    const input: PutEventsCommandInput = command.input;
    for (const entry of input.Entries ?? []) published.push(JSON.parse(entry.Detail ?? '{}') as Finding);
    return { FailedEntryCount: 0, Entries: (input.Entries ?? []).map(() => ({ EventId: 'e' })) };
  });

  let checkpoint: SweepCheckpoint & { runId?: string } = { shards: [], nextShard: 0, totals: ZERO_TOTALS };
  const write = async (): Promise<void> => {
    calls.add('UpdateItem');
    await latency();
  };
  const checkpoints: SweeperOptions['checkpoints'] = {
    acquire: async () => {
      await write();
      return checkpoint;
    },
    start: async (_owner, run) => {
      await write();
      checkpoint = {
        ...checkpoint,
        runId: run.runId,
        startedAt: run.startedAt,
        shards: run.shards,
        nextShard: 0,
        totals: ZERO_TOTALS,
      };
    },
    advance: async (_owner, _runId, nextShard: number, totals: SweepTotals) => {
      await write();
      checkpoint = { ...checkpoint, nextShard, totals };
    },
    complete: async (_owner, _runId, completedAt: string) => {
      await write();
      checkpoint = { ...checkpoint, lastCompletedAt: completedAt };
    },
    release: write,
  };

  const assumed = new Set<string>();
  const start = Date.parse('2025-05-12T12:00:00.000Z');
  const sweeper = new Sweeper({
    aggregator: new AggregatorReader(config, {
      aggregatorName: 'organization',
      sleep: (ms) => clock.sleep(ms),
    }),
    previous: new PreviousStatusReader({
      client: documents,
      tableName: 'endpoint-guard',
      sleep: (ms) => clock.sleep(ms),
    }),
    checkpoints,
    publisher: new FindingPublisher({
      eventBridge,
      eventBusName: 'endpoint-guard',
      sleep: (ms) => clock.sleep(ms),
    }),
    serviceZones: async (account, region, names) => {
      if (!assumed.has(account)) {
        assumed.add(account);
        calls.add('AssumeRole');
        await latency();
      }
      const key = `${account}|${region}|DescribeVpcEndpointServices`;
      let bucket = ec2Buckets.get(key);
      if (!bucket) {
        bucket = new TokenBucket(clock, 100, 20);
        ec2Buckets.set(key, bucket);
      }
      await bucket.take();
      calls.add('DescribeVpcEndpointServices');
      await latency();
      return new Map(names.map((name) => [name, ['a', 'b', 'c'].map((letter) => `${region}${letter}`)]));
    },
    ruleOptions: async () => DEFAULT_RULE_OPTIONS,
    now: () => new Date(start + clock.now),
    newRunId: () => 'bench-run',
  });

  let invocations = 0;
  const cpuStarted = process.cpuUsage();
  await clock.run(async () => {
    for (;;) {
      invocations++;
      const began = clock.now;
      const result = await sweeper.run({
        owner: `invocation-${invocations}`,
        remainingMs: () => options.invocationMs - (clock.now - began),
        minIntervalMs: 0,
      });
      if (result.outcome === 'completed') return;
      if (result.outcome !== 'paused') throw new Error(`sweep ended ${result.outcome}`);
    }
  });
  const cpu = process.cpuUsage(cpuStarted);
  // What remediate would record: the store then knows every finding published.
  for (const finding of published) {
    store.set(finding.findingId, {
      status: finding.status,
      severity: finding.severity,
      lastObservedAt: finding.observedAt,
    });
  }
  const counts = calls.toJSON();
  const collection = Object.fromEntries(
    Object.entries(counts).filter(([api]) => !COMPARISON_APIS.includes(api)),
  );
  const comparison = Object.fromEntries(
    Object.entries(counts).filter(([api]) => COMPARISON_APIS.includes(api)),
  );
  return {
    collection,
    collectionCalls: Object.values(collection).reduce((a, b) => a + b, 0),
    comparison,
    comparisonCalls: Object.values(comparison).reduce((a, b) => a + b, 0),
    wallMs: clock.now,
    published: published.length,
    invocations,
    pages,
    inProcessMs: (cpu.user + cpu.system) / 1000,
  };
}

/** The per-account fan-out through the live readers, `concurrency` account-regions at a time. */
async function simulateFanOut(
  org: Organization,
  regions: readonly string[],
  comparisonCalls: Record<string, number>,
  options: Required<Pick<SweepCostOptions, 'latencyMs' | 'fanOutConcurrency'>>,
): Promise<SideCost> {
  const clock = new VirtualClock();
  const calls = new CallCounter();
  const latency = (): Promise<void> => clock.sleep(options.latencyMs);
  const buckets = new Map<string, TokenBucket>();
  const throttle = async (key: string): Promise<void> => {
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(clock, 100, 20);
      buckets.set(key, bucket);
    }
    await bucket.take();
  };
  const page = <T>(list: readonly T[], token: unknown, size = 1000) => {
    const offset = Number(token ?? 0);
    return {
      items: list.slice(offset, offset + size),
      next: offset + size < list.length ? String(offset + size) : undefined,
    };
  };

  const clientsOf = (account: string, region: string) => {
    const state = org.regions.get(`${account}|${region}`) ?? {
      endpoints: [],
      subnets: [],
      tables: [],
      buckets: [],
    };
    const ec2 = fake(new EC2Client({ region }), async (command) => {
      const api = command.constructor.name.replace(/Command$/, '');
      await throttle(`${account}|${region}|${api}`);
      calls.add(api);
      await latency();
      const input = (command as { input: Json }).input;
      if (command instanceof DescribeVpcEndpointsCommand) {
        const { items, next } = page(state.endpoints, input.NextToken);
        return { VpcEndpoints: items, ...(next ? { NextToken: next } : {}) };
      }
      if (command instanceof DescribeSubnetsCommand) {
        const { items, next } = page(state.subnets, input.NextToken);
        return { Subnets: items, ...(next ? { NextToken: next } : {}) };
      }
      if (command instanceof DescribeRouteTablesCommand) {
        const { items, next } = page(state.tables, input.NextToken);
        return { RouteTables: items, ...(next ? { NextToken: next } : {}) };
      }
      if (command instanceof DescribeVpcEndpointServicesCommand) {
        const names = (input.ServiceNames ?? []) as string[];
        return {
          ServiceDetails: names.map((ServiceName) => ({
            ServiceName,
            AvailabilityZones: ['a', 'b', 'c'].map((letter) => `${region}${letter}`),
          })),
        };
      }
      throw new Error(`unexpected EC2 command ${api}`);
    });
    const s3 = fake(new S3Client({ region }), async (command) => {
      const api = command.constructor.name.replace(/Command$/, '');
      calls.add(api);
      await latency();
      const input = (command as { input: Json }).input;
      const detail = org.bucketDetails.get(String(input.Bucket));
      if (command instanceof ListBucketsCommand) {
        const { items, next } = page(
          state.buckets,
          input.ContinuationToken,
          Number(input.MaxBuckets ?? 1000),
        );
        return {
          Buckets: items.map((Name) => ({ Name, BucketRegion: region })),
          ...(next ? { ContinuationToken: next } : {}),
        };
      }
      if (command instanceof GetPublicAccessBlockCommand) {
        if (!detail?.bpa) throw noSuch('NoSuchPublicAccessBlockConfiguration');
        const { blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets } = detail.bpa;
        return {
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: blockPublicAcls,
            IgnorePublicAcls: ignorePublicAcls,
            BlockPublicPolicy: blockPublicPolicy,
            RestrictPublicBuckets: restrictPublicBuckets,
          },
        };
      }
      if (command instanceof GetBucketPolicyCommand) {
        if (!detail?.policy) throw noSuch('NoSuchBucketPolicy');
        return { Policy: detail.policy };
      }
      if (command instanceof GetBucketAclCommand) return { Grants: detail?.grants ?? [] };
      if (command instanceof GetBucketTaggingCommand) return { TagSet: detail?.tags ?? [] };
      throw new Error(`unexpected S3 command ${api}`);
    });
    const s3control = fake(new S3ControlClient({ region }), async (command) => {
      if (!(command instanceof GetAccountPublicAccessBlockCommand))
        throw new Error('unexpected S3 Control command');
      calls.add('GetAccountPublicAccessBlock');
      await latency();
      const block = org.accountBlocks.get(account);
      return {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: block?.blockPublicAcls === true,
          IgnorePublicAcls: block?.ignorePublicAcls === true,
          BlockPublicPolicy: block?.blockPublicPolicy === true,
          RestrictPublicBuckets: block?.restrictPublicBuckets === true,
        },
      };
    });
    return { accountId: account, region, ec2, s3, s3control };
  };

  const accounts = [...org.rowsByAccount.keys()];
  const credentials = new Map<string, Promise<void>>();
  const targets = accounts.flatMap((account) => regions.map((region) => ({ account, region })));
  await clock.run(() =>
    mapWithConcurrency(targets, options.fanOutConcurrency, async ({ account, region }) => {
      let assumed = credentials.get(account);
      if (!assumed) {
        calls.add('AssumeRole');
        assumed = latency();
        credentials.set(account, assumed);
      }
      await assumed;
      await new LiveInventoryReader(clientsOf(account, region)).load({ allVpcs: true, allBuckets: true });
    }),
  );
  return {
    collection: calls.toJSON(),
    collectionCalls: calls.total,
    comparison: comparisonCalls,
    comparisonCalls: Object.values(comparisonCalls).reduce((a, b) => a + b, 0),
    wallMs: clock.now,
  };
}

/**
 * Runs the comparison.
 *
 * @example
 * const result = await measureSweepCost({ accounts: 1000 });
 */
export async function measureSweepCost(options: SweepCostOptions): Promise<SweepCostResult> {
  const regions = options.regions ?? DEFAULT_REGIONS;
  const latencyMs = options.latencyMs ?? 50;
  const invocationMs = options.invocationMs ?? 15 * 60_000;
  const org = buildOrganization(options.accounts, regions);
  const store = new Map<string, PreviousStatus>();
  const firstSweep = await simulateSweep(org, store, { latencyMs, invocationMs });
  const steadySweep = await simulateSweep(org, store, { latencyMs, invocationMs });
  const fanOut = await simulateFanOut(org, regions, steadySweep.comparison, {
    latencyMs,
    fanOutConcurrency: options.fanOutConcurrency ?? 16,
  });
  return {
    accounts: options.accounts,
    regions: regions.length,
    items: org.items,
    buckets: org.bucketCount,
    firstSweep,
    steadySweep,
    fanOut,
  };
}
