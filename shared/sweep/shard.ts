/**
 * The pure steps of sweeping one shard: query rows to resources, the context an endpoint in a
 * shared VPC is missing, what each verdict rests on and when it was observed, and which findings
 * changed. No AWS here: `sweeper.ts` fetches, this decides.
 */
import { ConfigurationItemError } from '../errors';
import type { Finding } from '../findings/finding';
import { normalizeConfigurationItem } from '../inventory/configuration-item';
import type { Inventory } from '../inventory/inventory';
import { isDeletedOrNotRecorded, type Resource } from '../model';
import type { PreviousStatus } from './previous-status';

/** A row the normalizer refused: logged and skipped, the rest of the shard goes on. */
export interface SkippedRow {
  readonly location: string;
  readonly problem: string;
}

/**
 * Normalizes query rows. A malformed row is skipped (and reported), never fatal: one bad item
 * must not stop the organization's sweep.
 *
 * @example
 * const { resources, skipped } = normalizeRows(rows, 'shard 3');
 */
export function normalizeRows(
  rows: readonly Record<string, unknown>[],
  label: string,
): { resources: Resource[]; skipped: SkippedRow[] } {
  const resources: Resource[] = [];
  const skipped: SkippedRow[] = [];
  rows.forEach((row, index) => {
    const location = `${label} row ${index}`;
    try {
      const resource = normalizeConfigurationItem(row, location);
      if (resource) resources.push(resource);
    } catch (error) {
      if (!(error instanceof ConfigurationItemError)) throw error;
      skipped.push({ location, problem: error.message });
    }
  });
  return { resources, skipped };
}

/**
 * VPCs whose subnets the shard lacks although an endpoint of the shard's accounts sits in them:
 * a VPC shared with the account (RAM) belongs to another account, which may be in another shard.
 * Their subnets and route tables are read by VPC id before evaluating.
 */
export function foreignVpcIds(inventory: Inventory, accounts: ReadonlySet<string>): string[] {
  const vpcIds = new Set<string>();
  for (const endpoint of inventory.ofType('AWS::EC2::VPCEndpoint')) {
    if (!accounts.has(endpoint.accountId) || isDeletedOrNotRecorded(endpoint) || endpoint.vpcId === '')
      continue;
    const known = inventory.subnetsOfVpc(endpoint.vpcId);
    if (known.length === 0 || endpoint.subnetIds.some((id) => inventory.subnet(id) === undefined)) {
      vpcIds.add(endpoint.vpcId);
    }
  }
  return [...vpcIds].sort();
}

/**
 * When the state a verdict rests on was observed: the newest capture time among the items the
 * rule read. An endpoint's or a route table's verdict rests on its whole VPC (subnets, tables,
 * endpoints); a bucket's on the bucket and its account's Block Public Access. Items without a
 * capture time count as observed `fallback` (the sweep's own time).
 */
export class ObservationClock {
  private readonly byVpc = new Map<string, number>();

  constructor(
    private readonly inventory: Inventory,
    private readonly fallback: Date,
  ) {
    for (const type of ['AWS::EC2::Subnet', 'AWS::EC2::RouteTable', 'AWS::EC2::VPCEndpoint'] as const) {
      for (const resource of inventory.ofType(type)) {
        const at = this.timeOf(resource);
        if (at > (this.byVpc.get(resource.vpcId) ?? Number.NEGATIVE_INFINITY))
          this.byVpc.set(resource.vpcId, at);
      }
    }
  }

  /** ISO-8601 observation time of a verdict on `resource`. */
  observedAt(resource: Resource): string {
    const now = this.fallback.getTime();
    let at = this.timeOf(resource);
    if (resource.resourceType === 'AWS::S3::Bucket') {
      const account = this.inventory.accountPublicAccessBlock(resource.accountId);
      if (account) at = Math.max(at, this.timeOf(account));
    } else if ('vpcId' in resource) {
      at = Math.max(at, this.byVpc.get(resource.vpcId) ?? Number.NEGATIVE_INFINITY);
    }
    // A capture time from the future (clock skew) is no better than now.
    return new Date(Math.min(at, now)).toISOString();
  }

  private timeOf(resource: Resource): number {
    const at = resource.capturedAt === undefined ? Number.NaN : Date.parse(resource.capturedAt);
    return Number.isFinite(at) ? at : this.fallback.getTime();
  }
}

/** Why a finding is (or is not) published. */
export type ChangeVerdict = 'new' | 'changed' | 'unchanged' | 'stale';

/**
 * Whether the sweep publishes a finding, against what the store recorded:
 * - never recorded (or expired): published only when NON_COMPLIANT: a compliant resource the
 *   store does not know needs no action, and the first sweep of a large organization would
 *   otherwise publish every resource it has;
 * - recorded: published when the status or the severity differs (a non-compliant bucket that
 *   turned public is CRITICAL now), and only when the sweep's observation is newer than the one
 *   recorded: the aggregator lags live state, and the store would refuse an older one anyway.
 *
 * @example
 * changeOf(finding, undefined); // 'new' when NON_COMPLIANT, else 'unchanged'
 */
export function changeOf(finding: Finding, previous: PreviousStatus | undefined): ChangeVerdict {
  if (previous === undefined) return finding.status === 'NON_COMPLIANT' ? 'new' : 'unchanged';
  if (previous.status === finding.status && previous.severity === finding.severity) return 'unchanged';
  const recorded = Date.parse(previous.lastObservedAt);
  if (Number.isFinite(recorded) && Date.parse(finding.observedAt) <= recorded) return 'stale';
  return 'changed';
}
