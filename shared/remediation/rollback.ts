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
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import { describeAwsError } from '../aws/errors';
import type { FindingStore } from '../store/finding-store';
import type { AuditRecord } from '../store/records';
import { changeModule, type LiveProbe, liveProbes, type RollbackCall } from './actions/index';
import type { AppliedChange } from './changes';
import { RollbackFailedError, RollbackRefusedError } from './errors';

export type { RollbackCall } from './actions/index';

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

/** Live state of what the changes touched: per probe, the state of each key (absent: gone). */
type LiveState = ReadonlyMap<LiveProbe, ReadonlyMap<string, unknown>>;

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
    const conflicts = original.changes.flatMap((change) => {
      const module = changeModule(change);
      return module.conflicts(change, live.get(module.probe)?.get(module.keyOf(change)));
    });
    if (conflicts.length) {
      throw new RollbackRefusedError(auditId, `the resource changed since the fix: ${conflicts.join('; ')}`);
    }
    const reversed = [...original.changes].reverse();
    const calls = reversed.map((change) => changeModule(change).reverse(change));
    const what = original.changes.map((change) => changeModule(change).describeUndo(change)).join('; ');
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
      for (const [index, call] of calls.entries()) {
        const change = reversed[index] as AppliedChange;
        await changeModule(change).sendReverse(clients, call);
        done.push(call);
      }
    } catch (error) {
      const record = await this.record(original, options.actor, 'rollback-failed', {
        reason: `${call(done.length, calls)} failed: ${describeAwsError(error)}; ${done.length ? `already reverted: ${done.map(describeCall).join('; ')}` : 'nothing was reverted'}`,
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
      const problems = changes.flatMap((change) => {
        const module = changeModule(change);
        return module.leftovers(change, live.get(module.probe)?.get(module.keyOf(change)));
      });
      last = { problems, live };
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

/** Reads, once per probe, the live state of everything the changes touched. */
async function readLive(clients: RollbackClients, changes: readonly AppliedChange[]): Promise<LiveState> {
  const live = new Map<LiveProbe, ReadonlyMap<string, unknown>>();
  for (const probe of liveProbes()) {
    const keys = new Set<string>();
    for (const change of changes) {
      const module = changeModule(change);
      if (module.probe === probe) keys.add(module.keyOf(change));
    }
    live.set(probe, keys.size ? await probe.read(clients, [...keys]) : new Map());
  }
  return live;
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

function call(index: number, calls: readonly RollbackCall[]): string {
  const failing = calls[index];
  return failing ? `${failing.service} ${failing.action}` : 'a call';
}

/** The audit record's view of live state: per probe, each key's summary. */
function liveSummary(live: LiveState): Record<string, unknown> {
  return Object.fromEntries(
    liveProbes().map((probe) => [
      probe.name,
      Object.fromEntries(
        [...(live.get(probe) ?? new Map<string, unknown>())].map(([key, value]) => [
          key,
          probe.summarize(value),
        ]),
      ),
    ]),
  );
}

function emptyLive(): LiveState {
  return new Map();
}
