/**
 * The AWS Config advanced queries the sweep runs against the aggregator, and the shard plan.
 * Pure: expressions in, expressions out.
 *
 * What advanced queries can select is listed per type in awslabs/aws-config-resource-schema
 * (`config/properties/resource-types/<Type>.properties.json`). The sweep selects only what the
 * rules read, derived from the rule modules (`configurationFields`):
 * - every type: `resourceId, resourceType, accountId, awsRegion, configurationItemStatus,
 *   configurationItemCaptureTime, tags` (the capture time dates the observation; tags carry
 *   `endpoint-guard:exempt` and the subnets' Name). No `arn`: the normalizer derives the same ARN
 *   the live readers use, so a finding has one id whichever detector saw it.
 * - then every `configuration.*` field some rule needs, then the `supplementaryConfiguration.*`
 *   ones, each once, in the order of the resource types (endpoints, subnets, route tables, VPCs,
 *   buckets, the account's Block Public Access). A route table's `routes` and `associations` are
 *   whole sub-objects, so each element keeps its fields together. The schema spells an
 *   endpoint's state `configuration.state.value`; the normalizer accepts both spellings.
 *
 * What advanced queries cannot give: a bucket's policy and ACL (the schema has no
 * `supplementaryConfiguration.BucketPolicy` / `AccessControlList`), and the AZs an endpoint
 * service is offered in (not a Config resource at all). The sweep fetches those separately, and
 * only where a rule says the verdict depends on them (its `sweep` needs; see `sweeper.ts`).
 *
 * Advanced queries do not return `ResourceNotRecorded` items, and a type no rule reads (the VPC)
 * is not swept.
 */ import { NORMALIZED_FIELDS } from '../inventory/configuration-item';
import { type ResourceType, SUPPORTED_RESOURCE_TYPES } from '../model';
import { derived, RULES } from '../rules/index';

/** The fields every swept item is selected with. */
const COMMON_FIELDS = [
  'resourceId',
  'resourceType',
  'accountId',
  'awsRegion',
  'configurationItemStatus',
  'configurationItemCaptureTime',
  'tags',
] as const;

/** The resource types the sweep reads: every type a rule declares configuration fields of. */
export const sweepResourceTypes = derived((): readonly ResourceType[] =>
  SUPPORTED_RESOURCE_TYPES.filter((type) =>
    RULES.some((rule) => rule.configurationFields[type] !== undefined),
  ),
);

/**
 * The fields the sweep selects: the common ones, then the union of the rules' configuration
 * fields (see the module comment). Throws when a rule needs a field the normalizer does not read:
 * selecting it would change nothing, and the rule would judge without it.
 */
export const selectFields = derived((): readonly string[] => {
  const fields: string[] = [];
  for (const type of SUPPORTED_RESOURCE_TYPES) {
    for (const rule of RULES) {
      for (const field of rule.configurationFields[type] ?? []) {
        if (!NORMALIZED_FIELDS[type].includes(field)) {
          throw new Error(
            `rule ${rule.id} needs ${field} of ${type}, which the configuration-item normalizer does not read`,
          );
        }
        if (!fields.includes(field)) fields.push(field);
      }
    }
  }
  const supplementary = (field: string) => field.startsWith('supplementaryConfiguration.');
  return [...COMMON_FIELDS, ...fields.filter((f) => !supplementary(f)), ...fields.filter(supplementary)];
});

/** The resource types the sweep reads (the built-in rules'; see {@link sweepResourceTypes}). */
export const SWEEP_RESOURCE_TYPES: readonly ResourceType[] = sweepResourceTypes();

/** The fields the sweep selects (the built-in rules'; see {@link selectFields}). */
export const SELECT_FIELDS: readonly string[] = selectFields();

/** SelectAggregateResourceConfig rejects expressions longer than this (API reference). */
export const MAX_EXPRESSION_LENGTH = 4096;

/** SelectAggregateResourceConfig returns at most this many rows per page (`MaxResults` 0..100). */
export const MAX_PAGE_SIZE = 100;

/** `'a', 'b'`: a quoted SQL list. Ids and types never contain quotes; refuse any that would. */
function sqlList(values: readonly string[]): string {
  return values
    .map((value) => {
      if (!/^[\w:.-]+$/.test(value)) throw new RangeError(`not a plain id or type: ${JSON.stringify(value)}`);
      return `'${value}'`;
    })
    .join(', ');
}

function typeCondition(types: readonly string[]): string {
  return `resourceType IN (${sqlList(types)})`;
}

/**
 * How many items of the swept types each account has: plans the shards. An aggregation query,
 * so it is paged 500 rows at a time (the API's default page size for aggregations).
 *
 * @example
 * accountCountsExpression(); // "SELECT accountId, COUNT(*) WHERE resourceType IN (...) GROUP BY accountId"
 */
export function accountCountsExpression(types: readonly string[] = sweepResourceTypes()): string {
  return `SELECT accountId, COUNT(*) WHERE ${typeCondition(types)} GROUP BY accountId`;
}

/**
 * Every swept item of some accounts.
 *
 * @example
 * shardExpression(['111122223333', '222233334444']);
 */
export function shardExpression(
  accounts: readonly string[],
  types: readonly string[] = sweepResourceTypes(),
): string {
  if (accounts.length === 0) throw new RangeError('a shard needs at least one account');
  return `SELECT ${selectFields().join(', ')} WHERE ${typeCondition(types)} AND accountId IN (${sqlList(accounts)})`;
}

/**
 * The subnets and route tables of some VPCs, in whatever account owns them: the context of an
 * endpoint in a VPC shared with its account (RAM), whose subnets belong to the VPC owner.
 *
 * @example
 * vpcContextExpression(['vpc-0a1b2c3d4e5f60001']);
 */
export function vpcContextExpression(vpcIds: readonly string[]): string {
  if (vpcIds.length === 0) throw new RangeError('no VPC to read');
  return (
    `SELECT ${selectFields().join(', ')} WHERE ${typeCondition(['AWS::EC2::Subnet', 'AWS::EC2::RouteTable'])}` +
    ` AND configuration.vpcId IN (${sqlList(vpcIds)})`
  );
}

/** How many ids fit in one expression built by `build`. */
export function idsPerExpression(build: (ids: readonly string[]) => string, sampleId: string): number {
  // With n ids the expression is `fixed` plus n quoted ids and n - 1 separators (", ").
  const fixed = build([sampleId]).length - sampleId.length - 2;
  return Math.max(1, Math.floor((MAX_EXPRESSION_LENGTH - fixed + 2) / (sampleId.length + 4)));
}

/** Splits ids into lists that each fit one expression (sized for the longest id). */
export function chunkIds(ids: readonly string[], build: (ids: readonly string[]) => string): string[][] {
  if (ids.length === 0) return [];
  const longest = ids.reduce((a, b) => (b.length > a.length ? b : a));
  const size = idsPerExpression(build, longest);
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += size) chunks.push(ids.slice(i, i + size));
  return chunks;
}

/** Limits of one shard. */
export interface ShardLimits {
  /**
   * Items per shard: a shard is read, evaluated and published within one invocation, with its
   * items in memory. @default 20000 (200 pages)
   */
  readonly maxItems?: number;
}

/** One account and how many swept items it has. */
export interface AccountCount {
  readonly accountId: string;
  readonly items: number;
}

/**
 * Packs accounts into shards: in account order, each shard up to `maxItems` items and as many
 * accounts as one expression holds. An account larger than `maxItems` gets a shard of its own.
 * Deterministic: the same counts give the same shards.
 *
 * @example
 * planShards([{ accountId: '111122223333', items: 120 }, { accountId: '222233334444', items: 90 }]);
 * // [['111122223333', '222233334444']]
 */
export function planShards(counts: readonly AccountCount[], limits: ShardLimits = {}): string[][] {
  const maxItems = limits.maxItems ?? 20_000;
  if (!(maxItems > 0)) throw new RangeError(`maxItems must be positive, got ${maxItems}`);
  const sorted = [...counts].sort((a, b) =>
    a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0,
  );
  const maxAccounts = idsPerExpression((ids) => shardExpression(ids), '111122223333');
  const shards: string[][] = [];
  let current: string[] = [];
  let items = 0;
  for (const { accountId, items: count } of sorted) {
    if (current.length > 0 && (items + count > maxItems || current.length >= maxAccounts)) {
      shards.push(current);
      current = [];
      items = 0;
    }
    current.push(accountId);
    items += count;
  }
  if (current.length > 0) shards.push(current);
  return shards;
}
