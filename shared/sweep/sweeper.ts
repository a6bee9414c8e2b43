/**
 * The organization sweep: the backstop for events that never arrived (EventBridge delivers
 * CloudTrail events on a best-effort basis). It reads every in-scope resource from the AWS Config
 * aggregator, evaluates the same rules as the event-driven detectors, and publishes a `Finding`
 * only where the status (or severity) differs from what the store recorded.
 *
 * ## Continuation: checkpointed pagination, not a Step Functions distributed map
 *
 * The organization is split into shards of whole accounts (about 20,000 items each, planned from
 * one `GROUP BY accountId` query), swept a few at a time (`shardConcurrency`, 3: their Config page
 * chains side by side). After each wave the checkpoint item in the findings table records the
 * next shard; an invocation that runs short of time stops between waves, and the next scheduled
 * invocation resumes there (a lease on the item keeps two invocations from sweeping at once; an
 * invocation that fails redoes its wave, which is harmless: only changes are published, and the
 * store takes an observation once). Why not a distributed map:
 * - the cost of a sweep is its Config page chain (100 rows per call, each page needing the
 *   previous one's NextToken). A map can only parallelize across shards, and finer shards cost
 *   more calls (every shard pays its last partial page, its account-count share, its shared-VPC
 *   lookups), against a Config API that throttles per account anyway;
 * - a shard must hold whole VPCs (an endpoint is judged against its VPC's subnets and tables),
 *   so the natural shard is the account: a handful of shards for a thousand accounts, which one
 *   function sweeps in well under a minute (bench/RESULTS.md);
 * - it needs no state machine, no S3 bucket for the map's items and results, and no extra IAM:
 *   the table is already there, and the checkpoint is one small item.
 *
 * ## What the aggregator lacks, fetched only where a verdict depends on it
 * - a bucket's policy and ACL (advanced queries cannot select them): they decide a
 *   non-compliant bucket's severity (CRITICAL when public now). Read for non-compliant buckets
 *   only, 100 per BatchGetAggregateResourceConfig call, still from the aggregator;
 * - the AZs an endpoint service is offered in (not a Config resource): they can make an
 *   endpoint compliant that covers two AZs of three. Asked per member account and region (AZ
 *   names differ between accounts), only for non-compliant interface endpoints that could pass
 *   and that changed since the store's observation, a few accounts at a time, with the SDK's
 *   adaptive retry; an account that cannot be read leaves its endpoints unpublished this time,
 *   never the other accounts'.
 *
 * Both are skipped where the store observed the resource at least as recently as the aggregator
 * captured it: it already judged that state with live reads.
 */
import { randomUUID } from 'node:crypto';
import { mapWithConcurrency } from '../aws/concurrency';
import { type Finding, findingSchema, toFinding } from '../findings/finding';
import { normalizeConfigurationItem } from '../inventory/configuration-item';
import { Inventory } from '../inventory/inventory';
import { type Logger, SILENT_LOGGER } from '../logger';
import type { Resource, VpcEndpoint } from '../model';
import { ruleById } from '../rules/index';
import type { Evaluation, EvaluationContext, RuleOptions } from '../rules/types';
import { scanInventory } from '../scan/scan';
import type { AggregateKey, AggregatorReader } from './aggregator';
import {
  addTotals,
  type SweepCheckpoint,
  type SweepCheckpointStore,
  type SweepTotals,
  ZERO_TOTALS,
} from './checkpoint';
import { SweepLeaseLostError } from './errors';
import type { PreviousStatus, PreviousStatusReader } from './previous-status';
import { chunkIds, planShards, type ShardLimits, shardExpression, vpcContextExpression } from './query';
import {
  type ChangeVerdict,
  changeOf,
  foreignVpcIds,
  normalizeRows,
  ObservationClock,
  type SkippedRow,
} from './shard';

/** The AZs each endpoint service is offered in, as one member account sees them in one region. */
export type ServiceZoneLookup = (
  accountId: string,
  region: string,
  serviceNames: readonly string[],
) => Promise<ReadonlyMap<string, readonly string[]>>;

/** A structured logger (Powertools Logger fits): the core's one logger interface. */
export type SweepLogger = Logger;

export interface SweeperOptions {
  readonly aggregator: Pick<AggregatorReader, 'select' | 'accountCounts' | 'items'>;
  readonly previous: Pick<PreviousStatusReader, 'statuses'>;
  readonly checkpoints: Pick<SweepCheckpointStore, 'acquire' | 'start' | 'advance' | 'complete' | 'release'>;
  readonly publisher: { publish(findings: readonly Finding[]): Promise<unknown> };
  /** Without it, endpoints are judged on their VPC's AZs alone (as an offline scan does). */
  readonly serviceZones?: ServiceZoneLookup;
  /** The rule options in force (from the settings). */
  readonly ruleOptions: () => Promise<RuleOptions>;
  readonly logger?: SweepLogger;
  /** @default () => new Date() */
  readonly now?: () => Date;
  readonly shardLimits?: ShardLimits;
  /** Member accounts asked at once for their endpoint services' AZs. @default 8 */
  readonly lookupConcurrency?: number;
  /** Shards swept side by side (each a chain of Config pages). @default 3 */
  readonly shardConcurrency?: number;
  /** Time an invocation keeps for itself after its last shard (checkpoint, release). @default 15 s */
  readonly reserveMs?: number;
  /** What a shard is expected to take before one has been timed. @default 60 s */
  readonly firstShardEstimateMs?: number;
  /** @default randomUUID */
  readonly newRunId?: () => string;
}

/** One invocation's request. */
export interface SweepRequest {
  /** Who holds the lease: the invocation's request id. */
  readonly owner: string;
  /** Time left in the invocation (Lambda's `getRemainingTimeInMillis`). */
  readonly remainingMs: () => number;
  /** A new run starts only this long after the last one completed. */
  readonly minIntervalMs: number;
  /** Start a new run even if the last one completed less than `minIntervalMs` ago. */
  readonly force?: boolean;
}

export type SweepOutcome = 'busy' | 'not-due' | 'paused' | 'completed' | 'lease-lost';

/** What an invocation did. */
export interface SweepRunResult {
  readonly outcome: SweepOutcome;
  readonly runId?: string;
  /** Shards swept by this invocation. */
  readonly shardsSwept: number;
  /** Shards the run still has to sweep. */
  readonly shardsLeft: number;
  /** This invocation's counts. */
  readonly totals: SweepTotals;
}

/** What sweeping one shard did. */
export interface ShardResult {
  readonly accounts: readonly string[];
  readonly totals: SweepTotals;
  /** Verdicts against the store, by kind. */
  readonly changes: Readonly<Record<ChangeVerdict, number>>;
  readonly published: readonly Finding[];
  readonly skipped: readonly SkippedRow[];
  /** Accounts whose endpoint-service AZs could not be read (their endpoints are unverified). */
  readonly failedLookups: readonly {
    readonly accountId: string;
    readonly region: string;
    readonly error: string;
  }[];
}

/** The lease outlives the invocation's own time by this much (so a crash frees it soon after). */
export const LEASE_MARGIN_SECONDS = 60;

interface Entry {
  evaluation: Evaluation;
  /** The resource evaluated (read again since the query for bucket details). */
  resource: Resource;
  finding?: Finding;
  verdict?: ChangeVerdict;
  unverified?: boolean;
}

/**
 * @example
 * const sweeper = new Sweeper({ aggregator, previous, checkpoints, publisher, serviceZones, ruleOptions });
 * const result = await sweeper.run({ owner: context.awsRequestId, remainingMs: () => context.getRemainingTimeInMillis(), minIntervalMs: 3_600_000 });
 */
export class Sweeper {
  private readonly now: () => Date;
  private readonly logger: SweepLogger;

  constructor(private readonly options: SweeperOptions) {
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? SILENT_LOGGER;
    for (const [name, value] of [
      ['lookupConcurrency', options.lookupConcurrency ?? 8],
      ['shardConcurrency', options.shardConcurrency ?? 3],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }

  /**
   * Sweeps as many shards as the invocation has time for: resumes the run in progress, or starts
   * one when the last completed at least `minIntervalMs` ago. Returns without sweeping when
   * another invocation holds the lease.
   */
  async run(request: SweepRequest): Promise<SweepRunResult> {
    const { checkpoints } = this.options;
    const leaseSeconds = Math.ceil(request.remainingMs() / 1000) + LEASE_MARGIN_SECONDS;
    const checkpoint = await checkpoints.acquire(request.owner, this.now(), leaseSeconds);
    if (checkpoint === undefined)
      return { outcome: 'busy', shardsSwept: 0, shardsLeft: 0, totals: ZERO_TOTALS };
    let runId = checkpoint.runId;
    let swept = 0;
    let totals = ZERO_TOTALS;
    let shardsLeft = 0;
    try {
      let state: SweepCheckpoint & { runId?: string } = checkpoint;
      const inProgress = state.runId !== undefined && state.nextShard < state.shards.length;
      if (!inProgress) {
        const now = this.now();
        const last = state.lastCompletedAt === undefined ? Number.NaN : Date.parse(state.lastCompletedAt);
        if (!request.force && Number.isFinite(last) && now.getTime() - last < request.minIntervalMs) {
          return { outcome: 'not-due', shardsSwept: 0, shardsLeft: 0, totals, ...(runId ? { runId } : {}) };
        }
        state = await this.startRun(request.owner, now);
        runId = state.runId;
      }
      if (runId === undefined) throw new Error('a started run has an id');
      const ruleOptions = await this.options.ruleOptions();
      let runTotals = state.totals;
      let slowest = 0;
      const width = this.options.shardConcurrency ?? 3;
      // Shards are swept a wave at a time (their Config page chains run side by side); the
      // checkpoint moves past a wave once all of it is done, so a failure redoes the wave only.
      for (let index = state.nextShard; index < state.shards.length; index += width) {
        shardsLeft = state.shards.length - index;
        const estimate = slowest > 0 ? slowest * 1.5 : (this.options.firstShardEstimateMs ?? 60_000);
        if (request.remainingMs() < (this.options.reserveMs ?? 15_000) + estimate) {
          this.logger.info('sweep paused: the next scheduled invocation resumes it', {
            runId,
            nextShard: index,
            shards: state.shards.length,
            remainingMs: request.remainingMs(),
          });
          return { outcome: 'paused', runId, shardsSwept: swept, shardsLeft, totals };
        }
        const started = this.now().getTime();
        const wave = state.shards.slice(index, index + width);
        const results = await Promise.all(
          wave.map((accounts, offset) =>
            this.sweepShard(accounts, ruleOptions, `${index + offset + 1}/${state.shards.length}`),
          ),
        );
        slowest = Math.max(slowest, this.now().getTime() - started);
        for (const result of results) {
          totals = addTotals(totals, result.totals);
          runTotals = addTotals(runTotals, result.totals);
        }
        swept += wave.length;
        await checkpoints.advance(request.owner, runId, index + wave.length, runTotals);
      }
      shardsLeft = 0;
      await checkpoints.complete(request.owner, runId, this.now().toISOString());
      this.logger.info('sweep completed', { runId, shards: state.shards.length, ...runTotals });
      return { outcome: 'completed', runId, shardsSwept: swept, shardsLeft, totals };
    } catch (error) {
      if (!(error instanceof SweepLeaseLostError)) throw error;
      this.logger.warn('sweep lease taken over by another invocation: stopping', {
        runId,
        owner: request.owner,
      });
      return { outcome: 'lease-lost', shardsSwept: swept, shardsLeft, totals, ...(runId ? { runId } : {}) };
    } finally {
      await checkpoints.release(request.owner).catch((error: unknown) => {
        // The lease then simply expires; nothing is lost.
        this.logger.warn('sweep lease not released', {
          error: error instanceof Error ? error.message : String(error),
        });
      });
    }
  }

  private async startRun(owner: string, now: Date): Promise<SweepCheckpoint & { runId: string }> {
    const counts = await this.options.aggregator.accountCounts();
    const shards = planShards(counts, this.options.shardLimits);
    const runId = (this.options.newRunId ?? randomUUID)();
    await this.options.checkpoints.start(owner, { runId, startedAt: now.toISOString(), shards });
    this.logger.info('sweep started', {
      runId,
      accounts: counts.length,
      items: counts.reduce((sum, count) => sum + count.items, 0),
      shards: shards.length,
    });
    return { runId, startedAt: now.toISOString(), shards, nextShard: 0, totals: ZERO_TOTALS };
  }

  /**
   * Sweeps the accounts of one shard: query, evaluate, fetch what the verdicts depend on,
   * compare with the store, publish the changes.
   */
  async sweepShard(
    accounts: readonly string[],
    ruleOptions: RuleOptions,
    label = '1/1',
  ): Promise<ShardResult> {
    const { aggregator } = this.options;
    const now = this.now();
    const own = new Set(accounts);
    const rows = await aggregator.select(shardExpression(accounts));
    let itemCount = rows.length;
    const normalized = normalizeRows(rows, `shard ${label}`);
    const skipped: SkippedRow[] = [...normalized.skipped];
    let inventory = Inventory.from(normalized.resources);

    // Endpoints in VPCs shared with these accounts: read their VPCs' subnets and tables.
    const foreign = foreignVpcIds(inventory, own);
    if (foreign.length > 0) {
      const context: Resource[] = [];
      for (const vpcIds of chunkIds(foreign, vpcContextExpression)) {
        const extra = await aggregator.select(vpcContextExpression(vpcIds));
        itemCount += extra.length;
        const read = normalizeRows(extra, `shard ${label} shared VPCs`);
        context.push(...read.resources);
        skipped.push(...read.skipped);
      }
      inventory = Inventory.from([...normalized.resources, ...context]);
    }

    const context: EvaluationContext = { inventory, options: ruleOptions };
    const resources = new Map<string, Resource>();
    for (const resource of inventory.resources()) resources.set(identityOf(resource), resource);
    const entries: Entry[] = [];
    for (const evaluation of scanInventory(inventory, { ruleOptions }).evaluations) {
      const resource = resources.get(identityOf(evaluation));
      if (own.has(evaluation.accountId) && resource !== undefined) entries.push({ evaluation, resource });
    }

    // The finding ids do not depend on the verdict: the store is read once, before the fetches,
    // so that they are made only where the store's knowledge is older than the aggregator's.
    const clock = new ObservationClock(inventory, now);
    const previous = await this.options.previous.statuses(
      entries.map((entry) => findingOf(entry, clock).findingId),
    );
    for (const entry of entries) judge(entry, clock, previous);

    await this.detailFullItems(entries, inventory, context, clock, previous);
    const failedLookups = await this.applyServiceZones(entries, inventory, ruleOptions, clock, previous);

    const toPublish: Finding[] = [];
    const changes: Record<ChangeVerdict, number> = { new: 0, changed: 0, unchanged: 0, stale: 0 };
    let unverified = 0;
    for (const entry of entries) {
      if (entry.unverified) {
        unverified++;
        continue;
      }
      const verdict = entry.verdict ?? 'unchanged';
      changes[verdict]++;
      if ((verdict === 'new' || verdict === 'changed') && entry.finding) {
        const checked = findingSchema.safeParse(entry.finding);
        if (checked.success) toPublish.push(checked.data);
        else
          skipped.push({
            location: entry.finding.findingId,
            problem: checked.error.issues[0]?.message ?? 'invalid',
          });
      }
    }
    if (toPublish.length > 0) await this.options.publisher.publish(toPublish);

    const totals: SweepTotals = {
      items: itemCount,
      evaluated: entries.length,
      published: toPublish.length,
      unverified,
      skipped: skipped.length,
    };
    if (skipped.length > 0) {
      this.logger.warn('items skipped', {
        shard: label,
        skipped: skipped.slice(0, 20),
        count: skipped.length,
      });
    }
    this.logger.info('shard swept', { shard: label, accounts: accounts.length, ...totals, changes });
    return { accounts, totals, changes, published: toPublish, skipped, failedLookups };
  }

  /**
   * Evaluations a rule says the query's fields cannot settle (its `sweep.fullItem`: a
   * non-compliant bucket, whose policy and ACL decide the severity, not selectable in advanced
   * queries). Their whole items are read from the aggregator, 100 per call, for the resources the
   * store does not know with that status, or whose item is newer than the store's observation
   * (a policy or ACL change makes a new item); for the others nothing new can be learnt, and
   * nothing is published. A resource the aggregator no longer returns stays unverified this time.
   */
  private async detailFullItems(
    entries: Entry[],
    inventory: Inventory,
    context: EvaluationContext,
    clock: ObservationClock,
    previous: ReadonlyMap<string, PreviousStatus>,
  ): Promise<void> {
    const pending: Entry[] = [];
    for (const entry of entries) {
      const needs = ruleById(entry.evaluation.ruleId).sweep?.fullItem;
      if (needs === undefined || !needs.when(entry.evaluation)) continue;
      if (isNewerThanStore(entry, previous, entry.evaluation.status)) pending.push(entry);
      else entry.verdict = 'unchanged';
    }
    if (pending.length === 0) return;
    const key = (resourceType: string, accountId: string, region: string, resourceId: string): string =>
      `${resourceType}|${accountId}|${region}|${resourceId}`;
    const byKey = new Map<string, Entry[]>();
    for (const entry of pending) {
      const { resourceType, accountId, region, resourceId } = entry.evaluation;
      const itemKey = key(resourceType, accountId, region, resourceId);
      byKey.set(itemKey, [...(byKey.get(itemKey) ?? []), entry]);
    }
    const resources = new Map<string, Resource>();
    for (const resource of inventory.resources())
      resources.set(
        key(resource.resourceType, resource.accountId, resource.region, resource.resourceId),
        resource,
      );
    const seen = new Set<string>();
    const keys: AggregateKey[] = [];
    for (const { evaluation } of pending) {
      const itemKey = key(
        evaluation.resourceType,
        evaluation.accountId,
        evaluation.region,
        evaluation.resourceId,
      );
      if (seen.has(itemKey)) continue;
      seen.add(itemKey);
      keys.push({
        accountId: evaluation.accountId,
        region: evaluation.region,
        resourceType: evaluation.resourceType,
        resourceId: evaluation.resourceId,
      });
    }
    const { items } = await this.options.aggregator.items(keys);
    const detailed = new Set<Entry>();
    for (const item of items) {
      const itemKey = key(
        String(item.resourceType),
        String(item.accountId),
        String(item.awsRegion),
        String(item.resourceId),
      );
      for (const entry of byKey.get(itemKey) ?? []) {
        const rule = ruleById(entry.evaluation.ruleId);
        const noun = rule.sweep?.fullItem?.noun ?? 'resource';
        // BatchGet strips tags (an API limit): the query's tags (exemptions) stay.
        const raw = { ...item, tags: resources.get(itemKey)?.tags ?? {} };
        try {
          const resource = normalizeConfigurationItem(raw, `${noun} ${entry.evaluation.resourceId}`);
          if (resource?.resourceType !== rule.resourceType) continue;
          entry.evaluation = rule.evaluate(resource, context);
          entry.resource = resource;
          judge(entry, clock, previous);
          detailed.add(entry);
        } catch (error) {
          this.logger.warn(`${noun} details unreadable`, {
            [noun]: entry.evaluation.resourceId,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    }
    for (const entry of pending) if (!detailed.has(entry)) entry.unverified = true;
  }

  /**
   * Non-compliant interface endpoints that could pass once the service's AZs are known (they
   * cover two AZs or more, but not all of their VPC's), unless the store observed them at least
   * as recently as the aggregator (it judged them with the AZs then). The AZs only ever shrink
   * the required set, so any other non-compliant endpoint stays non-compliant: its fix is
   * planned again from live state by remediate before anything is changed. Asked per account
   * and region, at most `lookupConcurrency` at once; one account failing leaves only its
   * endpoints unverified.
   */
  private async applyServiceZones(
    entries: Entry[],
    inventory: Inventory,
    ruleOptions: RuleOptions,
    clock: ObservationClock,
    previous: ReadonlyMap<string, PreviousStatus>,
  ): Promise<ShardResult['failedLookups']> {
    const lookup = this.options.serviceZones;
    const pending = entries.filter(
      (entry) =>
        !entry.unverified &&
        entry.evaluation.resourceType === 'AWS::EC2::VPCEndpoint' &&
        ruleById(entry.evaluation.ruleId).sweep?.serviceZones?.when(entry.evaluation) === true &&
        isNewerThanStore(entry, previous, entry.evaluation.status),
    );
    if (lookup === undefined || pending.length === 0) return [];

    const endpoints = new Map<string, VpcEndpoint>();
    for (const endpoint of inventory.ofType('AWS::EC2::VPCEndpoint')) {
      endpoints.set(`${endpoint.accountId}|${endpoint.region}|${endpoint.resourceId}`, endpoint);
    }
    const groups = new Map<
      string,
      { accountId: string; region: string; entries: Entry[]; endpoints: VpcEndpoint[] }
    >();
    for (const entry of pending) {
      const { accountId, region, resourceId } = entry.evaluation;
      const endpoint = endpoints.get(`${accountId}|${region}|${resourceId}`);
      if (endpoint === undefined) continue;
      const groupKey = `${accountId}|${region}`;
      let group = groups.get(groupKey);
      if (group === undefined) {
        group = { accountId, region, entries: [], endpoints: [] };
        groups.set(groupKey, group);
      }
      group.entries.push(entry);
      group.endpoints.push(endpoint);
    }

    const failed: { accountId: string; region: string; error: string }[] = [];
    await mapWithConcurrency([...groups.values()], this.options.lookupConcurrency ?? 8, async (group) => {
      let zones: ReadonlyMap<string, readonly string[]>;
      try {
        zones = await lookup(
          group.accountId,
          group.region,
          [...new Set(group.endpoints.map((e) => e.serviceName))].sort(),
        );
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        failed.push({ accountId: group.accountId, region: group.region, error: message });
        this.logger.warn('endpoint service AZs not readable: those endpoints wait for the next sweep', {
          accountId: group.accountId,
          region: group.region,
          endpoints: group.entries.length,
          error: message,
        });
        for (const entry of group.entries) entry.unverified = true;
        return;
      }
      // The endpoints' VPCs alone, with the zones as this account sees them.
      const vpcIds = new Set(group.endpoints.map((endpoint) => endpoint.vpcId));
      const local = Inventory.from(
        [...vpcIds].flatMap((vpcId) => [
          ...inventory.subnetsOfVpc(vpcId),
          ...inventory.routeTablesOfVpc(vpcId),
          ...inventory.endpointsOfVpc(vpcId),
        ]),
      );
      for (const [serviceName, serviceZones] of zones)
        local.setServiceAvailabilityZones(group.region, serviceName, serviceZones);
      group.entries.forEach((entry, index) => {
        const endpoint = group.endpoints[index];
        if (endpoint === undefined) return;
        const rule = ruleById(entry.evaluation.ruleId);
        entry.evaluation = rule.evaluate(endpoint, { inventory: local, options: ruleOptions });
        entry.resource = endpoint;
        judge(entry, clock, previous);
      });
    });
    return failed;
  }
}

/**
 * True unless the store recorded `status` for the entry's finding from an observation at least as
 * recent as the aggregator's: then the aggregator can teach nothing the store does not know.
 */
function isNewerThanStore(
  entry: Entry,
  previous: ReadonlyMap<string, PreviousStatus>,
  status: string,
): boolean {
  const recorded = entry.finding ? previous.get(entry.finding.findingId) : undefined;
  if (recorded === undefined || recorded.status !== status) return true;
  const at = Date.parse(recorded.lastObservedAt);
  return !Number.isFinite(at) || Date.parse(entry.finding?.observedAt ?? '') > at;
}

/** `type|account|region|id`: what identifies a resource (and its evaluations). */
function identityOf(of: Pick<Resource, 'resourceType' | 'accountId' | 'region' | 'resourceId'>): string {
  return `${of.resourceType}|${of.accountId}|${of.region}|${of.resourceId}`;
}

/** The entry's finding, observed when the state its verdict rests on was captured. */
function findingOf(entry: Entry, clock: ObservationClock): Finding {
  const observedAt = clock.observedAt(entry.resource);
  entry.finding = toFinding(entry.evaluation, { detector: 'sweep', observedAt });
  return entry.finding;
}

/** The entry's finding and its verdict against what the store recorded. */
function judge(entry: Entry, clock: ObservationClock, previous: ReadonlyMap<string, PreviousStatus>): void {
  const finding = findingOf(entry, clock);
  entry.verdict = changeOf(finding, previous.get(finding.findingId));
}
