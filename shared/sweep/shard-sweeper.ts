/**
 * Sweeping one shard of accounts: one advanced query, the rules, what the verdicts depend on
 * beyond the query (each rule's `sweep` needs; this module names no rule), the comparison with
 * the store, and the findings that changed, published. The run loop over shards, its checkpoint
 * and lease are `sweeper.ts`.
 */
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
import type { SweepTotals } from './checkpoint';
import type { PreviousStatus, PreviousStatusReader } from './previous-status';
import { chunkIds, shardExpression, vpcContextExpression } from './query';
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

/** What sweeping a shard needs. */
export interface ShardSweeperOptions {
  readonly aggregator: Pick<AggregatorReader, 'select' | 'items'>;
  readonly previous: Pick<PreviousStatusReader, 'statuses'>;
  readonly publisher: { publish(findings: readonly Finding[]): Promise<unknown> };
  /** Without it, endpoints are judged on their VPC's AZs alone (as an offline scan does). */
  readonly serviceZones?: ServiceZoneLookup;
  readonly logger?: Logger;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Member accounts asked at once for their endpoint services' AZs. @default 8 */
  readonly lookupConcurrency?: number;
}

interface Entry {
  evaluation: Evaluation;
  /** The resource evaluated (read again since the query for bucket details). */
  resource: Resource;
  finding?: Finding;
  verdict?: ChangeVerdict;
  unverified?: boolean;
}

/**
 * Sweeps shards of accounts, one at a time per call.
 *
 * @example
 * const result = await new ShardSweeper({ aggregator, previous, publisher }).sweepShard(['111122223333'], options);
 */
export class ShardSweeper {
  private readonly now: () => Date;
  private readonly logger: Logger;

  constructor(private readonly options: ShardSweeperOptions) {
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? SILENT_LOGGER;
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
