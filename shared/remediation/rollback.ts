/**
 * Takes a recorded fix back (`endpoint-guard rollback <audit-id>`), from the changes its audit
 * record holds: remove the subnets / route tables it added, delete the endpoint it created,
 * restore the Block Public Access configuration it replaced (or delete the one it added).
 *
 * This is the only code path that removes or loosens anything, and only a person runs it. It
 * refuses, before changing anything, when the record is not a fix that changed something, was
 * already rolled back, or the resource changed since the fix (a rollback must not undo someone
 * else's later change).
 */
import {
  DeleteVpcEndpointsCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
  ModifyVpcEndpointCommand,
  type VpcEndpoint as SdkVpcEndpoint,
} from '@aws-sdk/client-ec2';
import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { PUBLIC_ACCESS_BLOCK_FLAGS, type PublicAccessBlock, sameEnum } from '../model';
import type { FindingStore } from '../store/finding-store';
import type { AuditRecord } from '../store/records';
import { errorText, hasCode } from './aws-errors';
import { type AppliedChange, describeBlock } from './changes';
import { RollbackFailedError, RollbackRefusedError } from './errors';

/** One reverse call, with the exact SDK parameters it sends. */
export type RollbackCall =
  | {
      readonly service: 'ec2';
      readonly action: 'ModifyVpcEndpoint';
      readonly parameters: {
        readonly VpcEndpointId: string;
        readonly RemoveSubnetIds?: readonly string[];
        readonly RemoveRouteTableIds?: readonly string[];
      };
    }
  | {
      readonly service: 'ec2';
      readonly action: 'DeleteVpcEndpoints';
      readonly parameters: { readonly VpcEndpointIds: readonly string[] };
    }
  | {
      readonly service: 's3';
      readonly action: 'PutPublicAccessBlock';
      readonly parameters: {
        readonly Bucket: string;
        readonly PublicAccessBlockConfiguration: {
          readonly BlockPublicAcls: boolean;
          readonly IgnorePublicAcls: boolean;
          readonly BlockPublicPolicy: boolean;
          readonly RestrictPublicBuckets: boolean;
        };
      };
    }
  | {
      readonly service: 's3';
      readonly action: 'DeletePublicAccessBlock';
      readonly parameters: { readonly Bucket: string };
    };

/** What a rollback did (or, in a dry run, would do). */
export interface RollbackResult {
  readonly status: 'rolled-back' | 'dry-run';
  /** The fix's audit record. */
  readonly original: AuditRecord;
  /** The reverse calls, in the order they are made. */
  readonly calls: readonly RollbackCall[];
  /** The rollback's own audit record (not in a dry run). */
  readonly record?: AuditRecord;
  /** One line for people. */
  readonly why: string;
}

/** The clients of the account and region a fix was made in. */
export interface RollbackClients {
  readonly ec2: EC2Client;
  readonly s3: S3Client;
}

export interface RollbackerOptions {
  readonly store: Pick<
    FindingStore,
    | 'getAudit'
    | 'claimRollback'
    | 'releaseClaim'
    | 'completeClaim'
    | 'putAudit'
    | 'markRolledBack'
    | 'recordAction'
  >;
  /** The clients of an account and region (the CLI assumes the member role). */
  readonly clientsFor: (accountId: string, region: string) => Promise<RollbackClients>;
  /** Reads after the reverse calls that confirm them (EC2 applies endpoint changes asynchronously). @default 3 */
  readonly verifyAttempts?: number;
  /** @default 2000 */
  readonly verifyDelayMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Live state of what the changes touched. */
interface LiveState {
  /** By endpoint id; absent when the endpoint no longer exists. */
  readonly endpoints: ReadonlyMap<string, SdkVpcEndpoint>;
  /** By bucket; `null` when the bucket has no Block Public Access configuration. */
  readonly blocks: ReadonlyMap<string, PublicAccessBlock | null>;
}

/**
 * Rolls recorded fixes back.
 *
 * @example
 * const rollbacker = new Rollbacker({ store, clientsFor: (account, region) => factory.forAccount(account, region) });
 * const result = await rollbacker.rollback('01JGFJJZ00ABCDEFGHJKMNPQRS', { actor: callerArn, dryRun: true });
 * for (const call of result.calls) console.log(call.action, call.parameters);
 */
export class Rollbacker {
  private readonly options: RollbackerOptions;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: RollbackerOptions) {
    this.options = options;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Checks the record and the live state, then (unless `dryRun`) makes the reverse calls,
   * verifies them and records a rollback audit record linked to the fix.
   *
   * Throws {@link RollbackRefusedError} (nothing changed) or {@link RollbackFailedError} (a call or
   * the verification failed; recorded as `rollback-failed`). AuditNotFoundError when there is no
   * such record.
   */
  async rollback(
    auditId: string,
    options: { readonly actor: string; readonly dryRun?: boolean },
  ): Promise<RollbackResult> {
    const { store } = this.options;
    const original = await store.getAudit(auditId);
    refuseUnlessReversible(original);
    const clients = await this.options.clientsFor(original.accountId, original.region);
    const live = await readLive(clients, original.changes);
    const conflicts = original.changes.flatMap((change) => conflictsOf(change, live));
    if (conflicts.length) {
      throw new RollbackRefusedError(auditId, `the resource changed since the fix: ${conflicts.join('; ')}`);
    }
    const calls = [...original.changes].reverse().map(reverseOf);
    const what = original.changes.map(describeUndo).join('; ');
    if (options.dryRun) {
      return { status: 'dry-run', original, calls, why: `would ${what}` };
    }

    const claim = await store.claimRollback(auditId, options.actor);
    if (!claim.claimed) {
      const by = claim.current
        ? ` by ${claim.current.holder.actor ?? 'someone'} since ${claim.current.claimedAt}`
        : '';
      throw new RollbackRefusedError(auditId, `another rollback of this fix is running${by}`);
    }
    const before = liveSummary(live);
    const done: RollbackCall[] = [];
    try {
      for (const call of calls) {
        await send(clients, call);
        done.push(call);
      }
    } catch (error) {
      const record = await this.record(original, options.actor, 'rollback-failed', {
        reason: `${call(done.length, calls)} failed: ${errorText(error)}; ${done.length ? `already reverted: ${done.map(describeCall).join('; ')}` : 'nothing was reverted'}`,
        before,
        after: null,
      });
      await store.releaseClaim(claim.claim);
      throw new RollbackFailedError(auditId, record.reason, {
        rollbackAuditId: record.auditId,
        cause: error,
      });
    }

    const verification = await this.verify(clients, original.changes);
    if (verification.problems.length) {
      const record = await this.record(original, options.actor, 'rollback-failed', {
        reason: `made ${calls.map(describeCall).join('; ')}; verification failed: ${verification.problems.join('; ')}`,
        before,
        after: liveSummary(verification.live),
      });
      await store.releaseClaim(claim.claim);
      throw new RollbackFailedError(auditId, record.reason, { rollbackAuditId: record.auditId });
    }
    const record = await this.record(original, options.actor, 'rolled-back', {
      reason: `${what}; verified`,
      before,
      after: liveSummary(verification.live),
    });
    await store.markRolledBack(auditId, record.auditId);
    await store.completeClaim(claim.claim, { auditId: record.auditId, outcome: 'rolled-back' });
    // A fix a person took back is not re-applied automatically: the finding goes to a ticket.
    await store.recordAction(original.findingId, {
      action: 'rollback',
      outcome: 'rolled-back',
      auditId: record.auditId,
      fixOutcome: 'rolled-back',
    });
    return { status: 'rolled-back', original, calls, record, why: record.reason };
  }

  private record(
    original: AuditRecord,
    actor: string,
    outcome: 'rolled-back' | 'rollback-failed',
    details: { reason: string; before: Record<string, unknown>; after: Record<string, unknown> | null },
  ): Promise<AuditRecord> {
    return this.options.store.putAudit({
      kind: 'rollback',
      findingId: original.findingId,
      ruleId: original.ruleId,
      resourceType: original.resourceType,
      resourceId: original.resourceId,
      resourceArn: original.resourceArn,
      accountId: original.accountId,
      region: original.region,
      actor,
      outcome,
      reason: details.reason,
      decision: null,
      plan: null,
      before: details.before,
      after: details.after,
      // On a rollback record: the changes of the fix it reverses.
      changes: original.changes,
      rollsBack: original.auditId,
    });
  }

  private async verify(
    clients: RollbackClients,
    changes: readonly AppliedChange[],
  ): Promise<{ problems: string[]; live: LiveState }> {
    const attempts = Math.max(1, this.options.verifyAttempts ?? 3);
    let last: { problems: string[]; live: LiveState } = { problems: ['not verified'], live: emptyLive() };
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (attempt > 1) await this.sleep(this.options.verifyDelayMs ?? 2000);
      const live = await readLive(clients, changes);
      last = { problems: changes.flatMap((change) => leftoversOf(change, live)), live };
      if (last.problems.length === 0) return last;
    }
    return last;
  }
}

function refuseUnlessReversible(record: AuditRecord): void {
  if (record.kind !== 'fix') {
    throw new RollbackRefusedError(
      record.auditId,
      `it is a ${record.kind} record (${record.outcome}), not a fix`,
    );
  }
  if (record.rolledBackBy) {
    throw new RollbackRefusedError(
      record.auditId,
      `it was already rolled back by ${record.rolledBackBy}${record.rolledBackAt ? ` at ${record.rolledBackAt}` : ''}`,
    );
  }
  if (record.changes.length === 0 || (record.outcome !== 'applied' && record.outcome !== 'failed')) {
    throw new RollbackRefusedError(
      record.auditId,
      `it is not an applied fix: the fix was ${record.outcome} and changed nothing (${record.reason})`,
    );
  }
}

async function readLive(clients: RollbackClients, changes: readonly AppliedChange[]): Promise<LiveState> {
  const endpointIds = [
    ...new Set(changes.flatMap((change) => ('vpcEndpointId' in change ? [change.vpcEndpointId] : []))),
  ];
  const buckets = [...new Set(changes.flatMap((change) => ('bucket' in change ? [change.bucket] : [])))];
  const endpoints = new Map<string, SdkVpcEndpoint>();
  if (endpointIds.length) {
    // A filter, not VpcEndpointIds: an id that no longer exists is then absent, not an error.
    let token: string | undefined;
    do {
      const page = await clients.ec2.send(
        new DescribeVpcEndpointsCommand({
          Filters: [{ Name: 'vpc-endpoint-id', Values: endpointIds }],
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const endpoint of page.VpcEndpoints ?? []) {
        if (endpoint.VpcEndpointId) endpoints.set(endpoint.VpcEndpointId, endpoint);
      }
      token = page.NextToken;
    } while (token);
  }
  const blocks = new Map<string, PublicAccessBlock | null>();
  for (const bucket of buckets) blocks.set(bucket, await readBlock(clients.s3, bucket));
  return { endpoints, blocks };
}

async function readBlock(s3: S3Client, bucket: string): Promise<PublicAccessBlock | null> {
  try {
    const response = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    const c = response.PublicAccessBlockConfiguration ?? {};
    return {
      blockPublicAcls: c.BlockPublicAcls === true,
      ignorePublicAcls: c.IgnorePublicAcls === true,
      blockPublicPolicy: c.BlockPublicPolicy === true,
      restrictPublicBuckets: c.RestrictPublicBuckets === true,
    };
  } catch (error) {
    if (hasCode(error, 'NoSuchPublicAccessBlockConfiguration')) return null;
    throw error;
  }
}

const GONE_STATES = ['deleting', 'deleted'];

function isGone(endpoint: SdkVpcEndpoint | undefined): boolean {
  return endpoint === undefined || GONE_STATES.some((state) => sameEnum(endpoint.State, state));
}

/** Why reversing `change` now would undo more (or other) than the fix did. */
function conflictsOf(change: AppliedChange, live: LiveState): string[] {
  switch (change.kind) {
    case 'subnets-added':
    case 'route-tables-added': {
      const endpoint = live.endpoints.get(change.vpcEndpointId);
      if (isGone(endpoint)) return [`endpoint ${change.vpcEndpointId} no longer exists`];
      const [added, current, noun] =
        change.kind === 'subnets-added'
          ? [change.subnetIds, endpoint?.SubnetIds ?? [], 'subnet']
          : [change.routeTableIds, endpoint?.RouteTableIds ?? [], 'route table'];
      const gone = added.filter((id) => !current.includes(id));
      const problems: string[] = [];
      if (gone.length) {
        problems.push(
          `${noun} ${gone.join(', ')} added by the fix ${gone.length === 1 ? 'is' : 'are'} no longer on ${change.vpcEndpointId} (it has ${current.join(', ') || 'none'})`,
        );
      } else if (change.kind === 'subnets-added' && current.every((id) => added.includes(id))) {
        problems.push(`removing ${added.join(', ')} would leave ${change.vpcEndpointId} without subnets`);
      }
      return problems;
    }
    case 'endpoint-created': {
      const endpoint = live.endpoints.get(change.vpcEndpointId);
      if (isGone(endpoint)) return [`endpoint ${change.vpcEndpointId} created by the fix no longer exists`];
      const now = [...(endpoint?.RouteTableIds ?? [])].sort();
      const then = [...change.routeTableIds].sort();
      if (now.join(',') !== then.join(',')) {
        return [
          `endpoint ${change.vpcEndpointId} now serves route tables ${now.join(', ') || 'none'}, not ${then.join(', ')} as created: deleting it would cut the others off`,
        ];
      }
      return [];
    }
    case 'public-access-block-set': {
      const current = live.blocks.get(change.bucket) ?? null;
      if (!sameBlock(current, change.applied)) {
        return [
          `Block Public Access of ${change.bucket} is ${describeBlock(current)} now, not ${describeBlock(change.applied)} as the fix set it`,
        ];
      }
      return [];
    }
  }
}

/** What is still there after the reverse calls. */
function leftoversOf(change: AppliedChange, live: LiveState): string[] {
  switch (change.kind) {
    case 'subnets-added': {
      const still = change.subnetIds.filter((id) =>
        live.endpoints.get(change.vpcEndpointId)?.SubnetIds?.includes(id),
      );
      return still.length ? [`${still.join(', ')} still on ${change.vpcEndpointId}`] : [];
    }
    case 'route-tables-added': {
      const still = change.routeTableIds.filter((id) =>
        live.endpoints.get(change.vpcEndpointId)?.RouteTableIds?.includes(id),
      );
      return still.length ? [`${still.join(', ')} still on ${change.vpcEndpointId}`] : [];
    }
    case 'endpoint-created':
      return isGone(live.endpoints.get(change.vpcEndpointId))
        ? []
        : [`${change.vpcEndpointId} still exists (${live.endpoints.get(change.vpcEndpointId)?.State})`];
    case 'public-access-block-set': {
      const current = live.blocks.get(change.bucket) ?? null;
      return sameBlock(current, change.previous)
        ? []
        : [
            `Block Public Access of ${change.bucket} is ${describeBlock(current)}, not ${describeBlock(change.previous)}`,
          ];
    }
  }
}

function reverseOf(change: AppliedChange): RollbackCall {
  switch (change.kind) {
    case 'subnets-added':
      return {
        service: 'ec2',
        action: 'ModifyVpcEndpoint',
        parameters: { VpcEndpointId: change.vpcEndpointId, RemoveSubnetIds: [...change.subnetIds] },
      };
    case 'route-tables-added':
      return {
        service: 'ec2',
        action: 'ModifyVpcEndpoint',
        parameters: { VpcEndpointId: change.vpcEndpointId, RemoveRouteTableIds: [...change.routeTableIds] },
      };
    case 'endpoint-created':
      return {
        service: 'ec2',
        action: 'DeleteVpcEndpoints',
        parameters: { VpcEndpointIds: [change.vpcEndpointId] },
      };
    case 'public-access-block-set':
      return change.previous === null
        ? { service: 's3', action: 'DeletePublicAccessBlock', parameters: { Bucket: change.bucket } }
        : {
            service: 's3',
            action: 'PutPublicAccessBlock',
            parameters: {
              Bucket: change.bucket,
              PublicAccessBlockConfiguration: {
                BlockPublicAcls: change.previous.blockPublicAcls,
                IgnorePublicAcls: change.previous.ignorePublicAcls,
                BlockPublicPolicy: change.previous.blockPublicPolicy,
                RestrictPublicBuckets: change.previous.restrictPublicBuckets,
              },
            },
          };
  }
}

async function send(clients: RollbackClients, call: RollbackCall): Promise<void> {
  switch (call.action) {
    case 'ModifyVpcEndpoint': {
      const { VpcEndpointId, RemoveSubnetIds, RemoveRouteTableIds } = call.parameters;
      const response = await clients.ec2.send(
        new ModifyVpcEndpointCommand({
          VpcEndpointId,
          ...(RemoveSubnetIds ? { RemoveSubnetIds: [...RemoveSubnetIds] } : {}),
          ...(RemoveRouteTableIds ? { RemoveRouteTableIds: [...RemoveRouteTableIds] } : {}),
        }),
      );
      if (response.Return === false)
        throw new Error(`EC2 answered ModifyVpcEndpoint on ${VpcEndpointId} with Return=false`);
      return;
    }
    case 'DeleteVpcEndpoints': {
      const response = await clients.ec2.send(
        new DeleteVpcEndpointsCommand({ VpcEndpointIds: [...call.parameters.VpcEndpointIds] }),
      );
      const failed = (response.Unsuccessful ?? []).map((item) =>
        `${item.ResourceId}: ${item.Error?.Code ?? 'error'} ${item.Error?.Message ?? ''}`.trim(),
      );
      if (failed.length) throw new Error(`DeleteVpcEndpoints refused ${failed.join('; ')}`);
      return;
    }
    case 'PutPublicAccessBlock':
      await clients.s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: call.parameters.Bucket,
          PublicAccessBlockConfiguration: { ...call.parameters.PublicAccessBlockConfiguration },
        }),
      );
      return;
    case 'DeletePublicAccessBlock':
      await clients.s3.send(new DeletePublicAccessBlockCommand({ Bucket: call.parameters.Bucket }));
      return;
  }
}

/**
 * A reverse call as one line: `ec2 ModifyVpcEndpoint {"VpcEndpointId":"vpce-1","RemoveSubnetIds":["subnet-b"]}`.
 *
 * @example
 * result.calls.map(describeCall).join('\n');
 */
export function describeCall(call: RollbackCall): string {
  return `${call.service} ${call.action} ${JSON.stringify(call.parameters)}`;
}

function describeUndo(change: AppliedChange): string {
  switch (change.kind) {
    case 'subnets-added':
      return `remove ${change.subnetIds.join(', ')} from ${change.vpcEndpointId}`;
    case 'route-tables-added':
      return `remove ${change.routeTableIds.join(', ')} from ${change.vpcEndpointId}`;
    case 'endpoint-created':
      return `delete gateway endpoint ${change.vpcEndpointId} (${change.serviceName}) created by the fix`;
    case 'public-access-block-set':
      return change.previous === null
        ? `delete the Block Public Access configuration of ${change.bucket} (it had none before the fix)`
        : `restore Block Public Access of ${change.bucket} to ${describeBlock(change.previous)}`;
  }
}

function call(index: number, calls: readonly RollbackCall[]): string {
  const failing = calls[index];
  return failing ? `${failing.service} ${failing.action}` : 'a call';
}

function sameBlock(a: PublicAccessBlock | null, b: PublicAccessBlock | null): boolean {
  if (a === null || b === null) return a === b;
  return PUBLIC_ACCESS_BLOCK_FLAGS.every((flag) => a[flag] === b[flag]);
}

function liveSummary(live: LiveState): Record<string, unknown> {
  return {
    endpoints: Object.fromEntries(
      [...live.endpoints].map(([id, endpoint]) => [
        id,
        {
          state: endpoint.State ?? null,
          subnetIds: endpoint.SubnetIds ?? [],
          routeTableIds: endpoint.RouteTableIds ?? [],
        },
      ]),
    ),
    publicAccessBlocks: Object.fromEntries(live.blocks),
  };
}

function emptyLive(): LiveState {
  return { endpoints: new Map(), blocks: new Map() };
}
