/**
 * Live state for an evaluation: fetches only what the rules need for the resources in scope,
 * as one {@link Inventory}, and counts the AWS calls it made.
 *
 * The rules judge an endpoint or a route table against its whole VPC (every AZ with subnets,
 * every table, every gateway endpoint), so any EC2 id in scope brings its whole VPC in: that is
 * three filtered Describe calls per batch of VPCs, plus one to resolve ids to VPCs and one for
 * the AZs of the interface endpoints' services.
 */
import { Inventory } from '../inventory/inventory';
import { type Resource, type ResourceType, sameEnum, type VpcEndpoint } from '../model';
import type { Evaluation, Rule, RuleId, RuleOptions } from '../rules/types';
import { scanInventory } from '../scan/scan';
import type { AccountClients } from './clients';
import { mapWithConcurrency } from './concurrency';
import { Ec2Reader, type ReaderContext } from './ec2-reader';
import { S3Reader } from './s3-reader';

/** What to load. Every id list is optional; the flags widen the scope to the whole region. */
export interface LiveScope {
  readonly vpcIds?: readonly string[];
  readonly endpointIds?: readonly string[];
  readonly routeTableIds?: readonly string[];
  readonly subnetIds?: readonly string[];
  readonly bucketNames?: readonly string[];
  readonly allVpcs?: boolean;
  readonly allBuckets?: boolean;
  readonly accountPublicAccessBlock?: boolean;
}

/**
 * Everything some rules read in one account and region: every VPC when a rule reads an EC2
 * type, every bucket when one reads an S3 type.
 *
 * @example
 * wholeRegionScope(RULES); // { allVpcs: true, allBuckets: true }
 */
export function wholeRegionScope(rules: readonly Pick<Rule, 'resourceType' | 'reads'>[]): LiveScope {
  const types = new Set<ResourceType>(rules.flatMap((rule) => [rule.resourceType, ...rule.reads]));
  const reads = (prefix: string) => [...types].some((type) => type.startsWith(prefix));
  return { allVpcs: reads('AWS::EC2::'), allBuckets: reads('AWS::S3::') };
}

export interface LiveLoad {
  readonly inventory: Inventory;
  /** requested ids that no longer exist */
  readonly missing: readonly string[];
  /** AWS calls made, by API name */
  readonly calls: Readonly<Record<string, number>>;
}

export interface LiveInventoryReaderOptions {
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Buckets read at once (four calls each). @default 8 */
  readonly bucketConcurrency?: number;
}

/**
 * Loads live state of one account and region.
 *
 * @example
 * const reader = new LiveInventoryReader(await factory.forAccount('111122223333', 'us-east-1'));
 * const { inventory, missing, calls } = await reader.load({ endpointIds: ['vpce-0e000001'] });
 */
export class LiveInventoryReader {
  constructor(
    private readonly clients: Pick<AccountClients, 'accountId' | 'region' | 'ec2' | 's3' | 's3control'>,
    private readonly options: LiveInventoryReaderOptions = {},
  ) {}

  async load(scope: LiveScope): Promise<LiveLoad> {
    const calls: Record<string, number> = {};
    const context: ReaderContext = {
      accountId: this.clients.accountId,
      region: this.clients.region,
      ...(this.options.now ? { now: this.options.now } : {}),
      onCall: (api) => {
        calls[api] = (calls[api] ?? 0) + 1;
      },
    };
    const [network, storage] = await Promise.all([
      this.loadNetwork(scope, new Ec2Reader(this.clients.ec2, context)),
      this.loadStorage(scope, new S3Reader(this.clients, context)),
    ]);
    const inventory = Inventory.from([...network.resources, ...storage.resources]);
    for (const [serviceName, zones] of network.serviceZones) {
      inventory.setServiceAvailabilityZones(this.clients.region, serviceName, zones);
    }
    return { inventory, missing: [...network.missing, ...storage.missing], calls };
  }

  private async loadNetwork(
    scope: LiveScope,
    ec2: Ec2Reader,
  ): Promise<{ resources: Resource[]; missing: string[]; serviceZones: Map<string, readonly string[]> }> {
    const endpointIds = distinct(scope.endpointIds);
    const routeTableIds = distinct(scope.routeTableIds);
    const subnetIds = distinct(scope.subnetIds);
    const vpcIds = new Set(distinct(scope.vpcIds));

    let query: { vpcIds?: readonly string[] } | undefined;
    if (scope.allVpcs) {
      query = {};
    } else {
      // Ids other than VPC ids are resolved to their VPC first, all three kinds at once.
      const [endpoints, tables, subnets] = await Promise.all([
        endpointIds.length ? ec2.endpoints({ endpointIds }) : [],
        routeTableIds.length ? ec2.routeTables({ routeTableIds }) : [],
        subnetIds.length ? ec2.subnets({ subnetIds }) : [],
      ]);
      for (const resource of [...endpoints, ...tables, ...subnets]) vpcIds.add(resource.vpcId);
      vpcIds.delete('');
      if (vpcIds.size > 0) query = { vpcIds: [...vpcIds].sort() };
    }

    const [endpoints, subnets, tables] = query
      ? await Promise.all([ec2.endpoints(query), ec2.subnets(query), ec2.routeTables(query)])
      : [[], [], []];
    // Only available interface endpoints are judged by AZ; the others are NOT_APPLICABLE.
    const serviceZones = await ec2.serviceAvailabilityZones(
      endpoints.filter(isAvailableInterface).map((endpoint) => endpoint.serviceName),
    );

    // Missing: asked for, and not in what was finally loaded (also covers an id deleted between
    // the resolving call and the VPC read).
    const loadedIds = new Set([...endpoints, ...subnets, ...tables].map((resource) => resource.resourceId));
    const loadedVpcs = new Set([...endpoints, ...subnets, ...tables].map((resource) => resource.vpcId));
    const missing = [
      ...distinct(scope.vpcIds).filter((id) => !loadedVpcs.has(id)),
      ...[...endpointIds, ...routeTableIds, ...subnetIds].filter((id) => !loadedIds.has(id)),
    ];
    return { resources: [...endpoints, ...subnets, ...tables], missing, serviceZones };
  }

  private async loadStorage(
    scope: LiveScope,
    s3: S3Reader,
  ): Promise<{ resources: Resource[]; missing: string[] }> {
    const requested = distinct(scope.bucketNames);
    const listed = scope.allBuckets ? await s3.bucketNames() : [];
    const names = [...new Set([...requested, ...listed])];
    // The account setting is read alongside the buckets (one round trip), whenever a bucket is
    // evaluated: the rule needs it for every bucket.
    const needAccount = scope.accountPublicAccessBlock === true || names.length > 0;
    const [buckets, account] = await Promise.all([
      mapWithConcurrency(names, this.options.bucketConcurrency ?? 8, (name) => s3.bucket(name)),
      needAccount ? s3.accountPublicAccessBlock() : undefined,
    ]);
    const found = buckets.filter((bucket) => bucket !== undefined);
    const foundNames = new Set(found.map((bucket) => bucket.name));
    const resources: Resource[] = [...found, ...(account ? [account] : [])];
    return { resources, missing: requested.filter((name) => !foundNames.has(name)) };
  }
}

/** What evaluateLive returns: the in-scope evaluations, the ids that no longer exist, the calls made. */
export interface LiveEvaluation {
  readonly evaluations: readonly Evaluation[];
  readonly missing: readonly string[];
  readonly calls: Readonly<Record<string, number>>;
}

/**
 * Loads the scope and runs the rules, keeping only evaluations of resources in scope: every
 * endpoint and route table of the VPCs in scope, and the buckets asked for (or all, with
 * `allBuckets`).
 *
 * @example
 * const { evaluations } = await evaluateLive(reader, { endpointIds: ['vpce-0e000001'] }, ['interface-endpoint-multi-az']);
 */
export async function evaluateLive(
  reader: Pick<LiveInventoryReader, 'load'>,
  scope: LiveScope,
  ruleIds?: readonly RuleId[],
  ruleOptions?: RuleOptions,
): Promise<LiveEvaluation> {
  const { inventory, missing, calls } = await reader.load(scope);
  const { evaluations } = scanInventory(inventory, {
    ...(ruleIds ? { rules: ruleIds } : {}),
    ...(ruleOptions ? { ruleOptions } : {}),
  });
  const networkInScope =
    scope.allVpcs === true ||
    [scope.vpcIds, scope.endpointIds, scope.routeTableIds, scope.subnetIds].some(
      (ids) => (ids?.length ?? 0) > 0,
    );
  const buckets = new Set(scope.bucketNames ?? []);
  const inScope = evaluations.filter((evaluation) => {
    switch (evaluation.resourceType) {
      case 'AWS::EC2::VPCEndpoint':
      case 'AWS::EC2::RouteTable':
        // The inventory holds only the VPCs in scope, so each of their endpoints and tables counts.
        return networkInScope;
      case 'AWS::S3::Bucket':
        return scope.allBuckets === true || buckets.has(evaluation.resourceId);
      default:
        return false;
    }
  });
  return { evaluations: inScope, missing, calls };
}

function isAvailableInterface(endpoint: VpcEndpoint): boolean {
  return sameEnum(endpoint.endpointType, 'Interface') && sameEnum(endpoint.state, 'available');
}

function distinct(ids: readonly string[] | undefined): string[] {
  return [...new Set((ids ?? []).filter((id) => id !== ''))];
}
