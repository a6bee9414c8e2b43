/**
 * The findings and audit store: one DynamoDB table (`TABLE_NAME`), partition key `pk` and sort
 * key `sk` (strings), TTL attribute `expiresAt` (epoch seconds). ARCHITECTURE.md, "The findings and audit
 * store".
 *
 * ## Item layout
 *
 * | item | `pk` | `sk` | attributes | `expiresAt` |
 * |---|---|---|---|---|
 * | current state of a (rule, resource) | `FINDING#<findingId>` | `STATE` | {@link FindingState}: status, severity, reason, firstSeen, lastSeen, lastObservedAt, ticketReference, remediationAttempts, lastAction / lastOutcome / lastAuditId, lastFixOutcome / lastFixAt | `stateRetentionDays` after the last observation (the sweep re-observes live resources, so only gone ones expire) |
 * | audit record | `AUDIT#<auditId>` | `AUDIT` | {@link AuditRecord}: kind, finding and resource, actor, outcome, reason, decision, plan, before, after, changes, createdAt, rollsBack / rolledBackBy | none, unless `auditRetentionDays` is set |
 * | audit listing (per finding, newest first) | `FINDING#<findingId>` | `AUDIT#<auditId>` | auditId, kind, outcome, reason, createdAt | as the audit record |
 * | fix-rate counter | `RATE#<accountId>` | `<yyyy-mm-ddThh>` (UTC hour) | `count` | 3 hours after the hour |
 * | claim | `CLAIM#<fix\|ticket\|rollback>#<key>` | `CLAIM` | {@link Claim}: token, claimedAt, holder, then auditId / outcome | the claim's lifetime |
 * | Powertools Idempotency record | `idempotency#<function>` | `<function>#<hash>` | status, data... (written by Powertools) | Powertools' expiry |
 *
 * Claim keys: a fix is `<findingId>#<planHash(actions)>`, so ten deliveries of one finding with
 * one plan race for one item and exactly one wins; a ticket is `<findingId>`; a rollback is the
 * audit id it reverses. DynamoDB deletes expired items lazily (up to days later), so every
 * condition that depends on expiry also compares `expiresAt` with the current time.
 *
 * Every write that must hold under concurrency is one conditional request: the observation
 * (`lastObservedAt <= :observedAt`), the rate counter (`ADD count` if `count < limit`), the claims
 * (`attribute_not_exists(pk) OR expiresAt < :now`) and the rollback mark
 * (`attribute_not_exists(rolledBackBy)`).
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Finding } from '../findings/finding';
import { planHash } from '../remediation/plan-key';
import type { PlannedAction } from '../rules/types';
import { newAuditId } from './audit-id';
import { AlreadyRolledBackError, AuditNotFoundError, StoredItemError } from './errors';
import {
  AUDIT_LISTING_PREFIX,
  auditPk,
  type ClaimKind,
  claimPk,
  epochSeconds,
  findingPk,
  hourOf,
  ratePk,
  SK_AUDIT,
  SK_CLAIM,
  SK_STATE,
} from './keys';
import {
  type AuditListing,
  type AuditOutcome,
  type AuditRecord,
  auditListingSchema,
  auditRecordSchema,
  type Claim,
  type ClaimResult,
  claimSchema,
  type FindingState,
  type FixOutcome,
  findingStateSchema,
  type NewAuditRecord,
} from './records';

export interface FindingStoreOptions {
  /** A document client (`DynamoDBDocumentClient.from(new DynamoDBClient({}))`). */
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** State items of resources no longer observed expire this long after the last observation. @default 90 */
  readonly stateRetentionDays?: number;
  /** Audit records expire this long after they are written. @default undefined (kept) */
  readonly auditRetentionDays?: number;
  /** How long a fix claim holds: the same plan is not applied twice within it. @default 3600 */
  readonly fixClaimSeconds?: number;
  /** How long a ticket claim holds: one ticket per finding within it. @default 30 days */
  readonly ticketClaimSeconds?: number;
  /** How long a rollback claim holds while a rollback runs. @default 900 */
  readonly rollbackClaimSeconds?: number;
}

/** Whether an observation was recorded, and the state as it now stands. */
export interface ObservationResult {
  /** `false`: an observation at least as recent was already recorded; nothing was changed. */
  readonly accepted: boolean;
  readonly state: FindingState;
}

/** What the handler records on the state after acting. */
export interface ActionResult {
  readonly action: string;
  readonly outcome: string;
  readonly auditId?: string;
  /**
   * Set when the executor ran (counts an attempt and remembers its outcome), or `rolled-back`
   * when a person rolled the fix back (remembered, not counted).
   */
  readonly fixOutcome?: FixOutcome | 'rolled-back';
}

const DAY_SECONDS = 24 * 60 * 60;
const RATE_TTL_SECONDS = 3 * 60 * 60;

/**
 * Reads and writes the findings and audit table (layout above).
 *
 * @example
 * const store = new FindingStore({
 *   client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
 *   tableName: process.env.TABLE_NAME ?? 'endpoint-guard',
 * });
 * const { accepted } = await store.recordObservation(finding);
 */
export class FindingStore {
  readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly now: () => Date;
  private readonly options: FindingStoreOptions;

  constructor(options: FindingStoreOptions) {
    for (const key of [
      'stateRetentionDays',
      'fixClaimSeconds',
      'ticketClaimSeconds',
      'rollbackClaimSeconds',
    ] as const) {
      const value = options[key];
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw new RangeError(`FindingStore option ${key} must be a positive number, got ${value}`);
      }
    }
    if (!options.tableName) throw new RangeError('FindingStore needs a tableName');
    this.options = options;
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.now ?? (() => new Date());
  }

  // ── Current state ──────────────────────────────────────────────────────────────────────────

  /**
   * Records an observation of a finding. An observation older than the newest one recorded is
   * ignored (events arrive late and out of order); one of the same instant is a duplicate and is
   * accepted again, which changes nothing but `lastSeen`.
   *
   * @example
   * const { accepted, state } = await store.recordObservation(finding);
   * if (!accepted) return `older than ${state.lastObservedAt}`;
   */
  async recordObservation(finding: Finding): Promise<ObservationResult> {
    const now = this.now();
    const observedAt = new Date(finding.observedAt).toISOString();
    const values: Record<string, unknown> = {
      ':ruleId': finding.ruleId,
      ':resourceType': finding.resourceType,
      ':resourceId': finding.resourceId,
      ':resourceArn': finding.resourceArn,
      ':accountId': finding.accountId,
      ':region': finding.region,
      ':status': finding.status,
      ':severity': finding.severity,
      ':reason': finding.reason,
      ':now': now.toISOString(),
      ':observedAt': observedAt,
      ':findingId': finding.findingId,
      ':zero': 0,
      ':expiresAt': epochSeconds(now) + (this.options.stateRetentionDays ?? 90) * DAY_SECONDS,
    };
    const set = [
      'findingId = :findingId',
      'ruleId = :ruleId',
      'resourceType = :resourceType',
      'resourceId = :resourceId',
      'resourceArn = :resourceArn',
      'accountId = :accountId',
      '#region = :region',
      '#status = :status',
      'severity = :severity',
      '#reason = :reason',
      'firstSeen = if_not_exists(firstSeen, :now)',
      'lastSeen = :now',
      'lastObservedAt = :observedAt',
      'remediationAttempts = if_not_exists(remediationAttempts, :zero)',
      'expiresAt = :expiresAt',
    ];
    // A finding that is no longer NON_COMPLIANT starts afresh: a fix that failed before it was
    // resolved says nothing about the next time it breaks.
    const remove = finding.status === 'NON_COMPLIANT' ? '' : ' REMOVE lastFixOutcome, lastFixAt';
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: findingPk(finding.findingId), sk: SK_STATE },
          UpdateExpression: `SET ${set.join(', ')}${remove}`,
          ConditionExpression: 'attribute_not_exists(pk) OR lastObservedAt <= :observedAt',
          ExpressionAttributeNames: { '#region': 'region', '#status': 'status', '#reason': 'reason' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { accepted: true, state: this.parseState(result.Attributes, finding.findingId) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const state = await this.getState(finding.findingId);
      if (!state) throw error;
      return { accepted: false, state };
    }
  }

  /**
   * The current state of a finding, or `undefined` when it was never recorded.
   *
   * @example
   * const state = await store.getState(finding.findingId);
   */
  async getState(findingId: string): Promise<FindingState | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: findingPk(findingId), sk: SK_STATE },
        ConsistentRead: true,
      }),
    );
    return result.Item ? this.parseState(result.Item, findingId) : undefined;
  }

  /**
   * Records on the state what was done about the finding, and counts a fix attempt when the
   * executor ran. Returns `false` (and writes nothing) when the finding has no state item (it
   * expired, or was never recorded).
   *
   * @example
   * await store.recordAction(finding.findingId, { action: 'fix', outcome: 'applied', auditId, fixOutcome: 'applied' });
   */
  async recordAction(findingId: string, result: ActionResult): Promise<boolean> {
    const now = this.now().toISOString();
    const set = ['lastAction = :action', 'lastOutcome = :outcome'];
    const values: Record<string, unknown> = { ':action': result.action, ':outcome': result.outcome };
    if (result.auditId !== undefined) {
      set.push('lastAuditId = :auditId');
      values[':auditId'] = result.auditId;
    }
    let add = '';
    if (result.fixOutcome !== undefined) {
      set.push('lastFixOutcome = :fixOutcome', 'lastFixAt = :now');
      values[':fixOutcome'] = result.fixOutcome;
      values[':now'] = now;
      if (result.fixOutcome !== 'rolled-back') {
        values[':one'] = 1;
        add = ' ADD remediationAttempts :one';
      }
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: findingPk(findingId), sk: SK_STATE },
          UpdateExpression: `SET ${set.join(', ')}${add}`,
          // Only on a recorded finding: the state item is never created half-empty.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Stores the ticket reference of a finding (a ticket id, URL, or `pending:<auditId>`).
   *
   * @example
   * await store.setTicketReference(finding.findingId, 'OPS-1234');
   */
  async setTicketReference(findingId: string, reference: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: findingPk(findingId), sk: SK_STATE },
        UpdateExpression: 'SET ticketReference = :reference',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':reference': reference },
      }),
    );
  }

  // ── Audit ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Writes one audit record (and its listing under the finding) and returns it with its new id.
   *
   * @example
   * const record = await store.putAudit({ kind: 'fix', outcome: 'applied', actor: SERVICE_ACTOR, ... });
   * console.log(`endpoint-guard rollback ${record.auditId}`);
   */
  async putAudit(input: NewAuditRecord): Promise<AuditRecord> {
    const now = this.now();
    const record: AuditRecord = plain({ ...input, auditId: newAuditId(now), createdAt: now.toISOString() });
    const retention = this.options.auditRetentionDays;
    const ttl = retention === undefined ? {} : { expiresAt: epochSeconds(now) + retention * DAY_SECONDS };
    const listing: AuditListing = {
      auditId: record.auditId,
      kind: record.kind,
      outcome: record.outcome,
      reason: record.reason,
      createdAt: record.createdAt,
    };
    // The record first: a listing never points at a record that was not written.
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: auditPk(record.auditId), sk: SK_AUDIT, ...record, ...ttl },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: findingPk(record.findingId),
          sk: `${AUDIT_LISTING_PREFIX}${record.auditId}`,
          ...listing,
          ...ttl,
        },
      }),
    );
    return record;
  }

  /**
   * The audit record with this id; throws {@link AuditNotFoundError} when there is none.
   *
   * @example
   * const record = await store.getAudit('01JGFJJZ00ABCDEFGHJKMNPQRS');
   */
  async getAudit(auditId: string): Promise<AuditRecord> {
    const pk = auditPk(auditId);
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk: SK_AUDIT }, ConsistentRead: true }),
    );
    if (!result.Item) throw new AuditNotFoundError(auditId);
    return parseItem(auditRecordSchema, result.Item, pk, SK_AUDIT);
  }

  /**
   * The audit listing of a finding, newest first.
   *
   * @example
   * const [latest] = await store.listAudits(finding.findingId, 1);
   */
  async listAudits(findingId: string, limit = 25): Promise<AuditListing[]> {
    const pk = findingPk(findingId);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': AUDIT_LISTING_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map((item) => parseItem(auditListingSchema, item, pk, String(item.sk)));
  }

  /**
   * Marks a fix (applied, or failed after changing something) as rolled back by
   * `rollbackAuditId`. Conditional, so of two rollbacks
   * racing only one is recorded; the other gets {@link AlreadyRolledBackError}.
   *
   * @example
   * await store.markRolledBack(fix.auditId, rollback.auditId);
   */
  async markRolledBack(auditId: string, rollbackAuditId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: auditPk(auditId), sk: SK_AUDIT },
          UpdateExpression: 'SET rolledBackBy = :by, rolledBackAt = :at',
          // A failed fix may have changed something too (its verification failed): it can be
          // rolled back like an applied one.
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(rolledBackBy) AND kind = :fix AND outcome IN (:applied, :failed)',
          ExpressionAttributeValues: {
            ':by': rollbackAuditId,
            ':at': this.now().toISOString(),
            ':fix': 'fix',
            ':applied': 'applied' satisfies AuditOutcome,
            ':failed': 'failed' satisfies AuditOutcome,
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new AlreadyRolledBackError(auditId, { cause: error });
      throw error;
    }
  }

  // ── Fix rate ───────────────────────────────────────────────────────────────────────────────

  /**
   * Fixes counted against an account in the current UTC hour.
   *
   * @example
   * const history = { fixesThisHourForAccount: await store.fixesThisHour(finding.accountId), ... };
   */
  async fixesThisHour(accountId: string): Promise<number> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: ratePk(accountId), sk: hourOf(this.now()) },
        ConsistentRead: true,
      }),
    );
    const count = result.Item?.count;
    return typeof count === 'number' ? count : 0;
  }

  /**
   * Takes one fix slot of the account's hourly cap: an atomic `ADD` that only succeeds while the
   * count is below `limit`, so the cap holds however many fixes run at once. A slot is taken per
   * attempt, before the attempt, and is not given back: the cap counts attempts.
   *
   * @example
   * const slot = await store.takeFixSlot(finding.accountId, settings.maxFixesPerAccountPerHour);
   * if (!slot.granted) return 'cap reached';
   */
  async takeFixSlot(accountId: string, limit: number): Promise<{ granted: boolean; count: number }> {
    const now = this.now();
    const hour = hourOf(now);
    if (!(limit > 0)) return { granted: false, count: await this.fixesThisHour(accountId) };
    const hourEnds = Date.parse(`${hour}:00:00.000Z`) / 1000 + 3600;
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: ratePk(accountId), sk: hour },
          UpdateExpression: 'ADD #count :one SET expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': limit,
            ':expiresAt': hourEnds + RATE_TTL_SECONDS,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const count = result.Attributes?.count;
      return { granted: true, count: typeof count === 'number' ? count : 1 };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { granted: false, count: await this.fixesThisHour(accountId) };
    }
  }

  // ── Claims ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Claims the fix of a finding with these actions. Of any number of concurrent callers exactly
   * one gets `claimed: true`; the others see the winning claim.
   *
   * @example
   * const result = await store.claimFix(finding, plan.actions);
   * if (!result.claimed) return 'another delivery is fixing it';
   */
  claimFix(
    finding: Pick<Finding, 'findingId' | 'observedAt'>,
    actions: readonly PlannedAction[],
  ): Promise<ClaimResult> {
    return this.claim('fix', fixClaimKey(finding.findingId, actions), {
      seconds: this.options.fixClaimSeconds ?? 3600,
      holder: { findingId: finding.findingId, observedAt: finding.observedAt },
    });
  }

  /**
   * Claims the ticket of a finding: one ticket per finding while the claim holds. The ticket
   * service opens the ticket only when it won, then {@link completeClaim}s it with the reference.
   *
   * @example
   * const result = await store.claimTicket(finding.findingId);
   * if (result.claimed) await sink.open(...);
   */
  claimTicket(findingId: string, holder: Readonly<Record<string, string>> = {}): Promise<ClaimResult> {
    return this.claim('ticket', findingId, {
      seconds: this.options.ticketClaimSeconds ?? 30 * DAY_SECONDS,
      holder: { findingId, ...holder },
    });
  }

  /**
   * Claims the rollback of an audit record, so two people rolling back at once do not both act.
   *
   * @example
   * const result = await store.claimRollback(auditId, callerArn);
   */
  claimRollback(auditId: string, actor: string): Promise<ClaimResult> {
    return this.claim('rollback', auditId, {
      seconds: this.options.rollbackClaimSeconds ?? 900,
      holder: { actor },
    });
  }

  /**
   * Claims `key` of `kind` for `seconds`: a conditional put that succeeds when no claim exists or
   * the existing one has expired.
   *
   * @example
   * await store.claim('ticket', findingId, { seconds: 86400, holder: {} });
   */
  async claim(
    kind: ClaimKind,
    key: string,
    options: { readonly seconds: number; readonly holder: Readonly<Record<string, string>> },
  ): Promise<ClaimResult> {
    const now = this.now();
    const claim: Claim = {
      kind,
      key,
      token: randomUUID(),
      claimedAt: now.toISOString(),
      expiresAt: epochSeconds(now) + Math.ceil(options.seconds),
      holder: { ...options.holder },
    };
    const pk = claimPk(kind, key);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk, sk: SK_CLAIM, ...claim },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': epochSeconds(now) },
        }),
      );
      return { claimed: true, claim };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { claimed: false, current: await this.getClaim(kind, key) };
    }
  }

  /**
   * The claim of `key`, when one exists (expired or not).
   *
   * @example
   * const claim = await store.getClaim('ticket', findingId);
   */
  async getClaim(kind: ClaimKind, key: string): Promise<Claim | undefined> {
    const pk = claimPk(kind, key);
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk: SK_CLAIM }, ConsistentRead: true }),
    );
    return result.Item ? parseItem(claimSchema, result.Item, pk, SK_CLAIM) : undefined;
  }

  /**
   * Records the result of the claimed work on the claim (it keeps holding until it expires), so a
   * loser can say which audit record holds the result. Only the holder's token can do this.
   *
   * @example
   * await store.completeClaim(claim, { auditId: record.auditId, outcome: 'applied' });
   */
  async completeClaim(
    claim: Claim,
    result: { readonly auditId?: string; readonly outcome: string },
  ): Promise<void> {
    const set = ['outcome = :outcome'];
    const values: Record<string, unknown> = { ':outcome': result.outcome, ':token': claim.token };
    if (result.auditId !== undefined) {
      set.push('auditId = :auditId');
      values[':auditId'] = result.auditId;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: claimPk(claim.kind, claim.key), sk: SK_CLAIM },
          UpdateExpression: `SET ${set.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND #token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      // The claim expired and someone else took it: theirs is the current one, leave it.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Gives up whatever claim is held on `key` now, if any (a window or a ticket claim whose
   * holder is done with it).
   *
   * @example
   * await store.releaseClaimIfHeld('ticket', `${findingId}#comment`);
   */
  async releaseClaimIfHeld(kind: ClaimKind, key: string): Promise<void> {
    const current = await this.getClaim(kind, key);
    if (current) await this.releaseClaim(current);
  }

  /**
   * Gives a claim up (the work did not happen and may be retried). Only the holder's token can.
   *
   * @example
   * try { await work(); } catch (e) { await store.releaseClaim(claim); throw e; }
   */
  async releaseClaim(claim: Claim): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: claimPk(claim.kind, claim.key), sk: SK_CLAIM },
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': claim.token },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private parseState(item: Record<string, unknown> | undefined, findingId: string): FindingState {
    const pk = findingPk(findingId);
    if (!item) throw new StoredItemError(pk, SK_STATE, 'no attributes returned');
    return parseItem(findingStateSchema, item, pk, SK_STATE);
  }
}

/**
 * The claim key of a fix: the finding and the identity of its actions.
 *
 * @example
 * fixClaimKey('s3-bucket-public-access:arn:aws:s3:::b', plan.actions); // '...:b#3f2a9c0d1e4b5a6c'
 */
export function fixClaimKey(findingId: string, actions: readonly PlannedAction[]): string {
  return `${findingId}#${planHash(actions)}`;
}

interface Schema<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: readonly Issue[] } };
}

interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

function parseItem<T>(schema: Schema<T>, item: Record<string, unknown>, pk: string, sk: string): T {
  const result = schema.safeParse(item);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new StoredItemError(pk, sk, problems);
}

/** A JSON copy: drops `undefined` (the document client rejects it) and any class instance. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
