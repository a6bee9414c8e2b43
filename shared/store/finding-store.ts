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
import { AuditLog } from './audit-log';
import { Claims } from './claims';
import { FindingStates } from './finding-states';
import { FixRateCounter } from './fix-rate';
import type { FindingStoreOptions } from './table';

export { fixClaimKey } from './claims';
export type { ActionResult, ObservationResult } from './finding-states';
export type { FindingStoreOptions } from './table';

/**
 * Reads and writes the findings and audit table (layout above): the four concerns over it, each
 * its own module (`finding-states.ts`, `audit-log.ts`, `fix-rate.ts`, `claims.ts`), behind one
 * object the handlers and the CLI hold.
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
  readonly states: FindingStates;
  readonly audit: AuditLog;
  readonly rate: FixRateCounter;
  readonly claims: Claims;

  constructor(options: FindingStoreOptions) {
    this.states = new FindingStates(options);
    this.audit = new AuditLog(options);
    this.rate = new FixRateCounter(options);
    this.claims = new Claims(options);
    this.tableName = this.states.tableName;
  }

  recordObservation(
    ...args: Parameters<FindingStates['recordObservation']>
  ): ReturnType<FindingStates['recordObservation']> {
    return this.states.recordObservation(...args);
  }

  getState(...args: Parameters<FindingStates['getState']>): ReturnType<FindingStates['getState']> {
    return this.states.getState(...args);
  }

  recordAction(
    ...args: Parameters<FindingStates['recordAction']>
  ): ReturnType<FindingStates['recordAction']> {
    return this.states.recordAction(...args);
  }

  setTicketReference(
    ...args: Parameters<FindingStates['setTicketReference']>
  ): ReturnType<FindingStates['setTicketReference']> {
    return this.states.setTicketReference(...args);
  }

  putAudit(...args: Parameters<AuditLog['putAudit']>): ReturnType<AuditLog['putAudit']> {
    return this.audit.putAudit(...args);
  }

  getAudit(...args: Parameters<AuditLog['getAudit']>): ReturnType<AuditLog['getAudit']> {
    return this.audit.getAudit(...args);
  }

  listAudits(...args: Parameters<AuditLog['listAudits']>): ReturnType<AuditLog['listAudits']> {
    return this.audit.listAudits(...args);
  }

  markRolledBack(...args: Parameters<AuditLog['markRolledBack']>): ReturnType<AuditLog['markRolledBack']> {
    return this.audit.markRolledBack(...args);
  }

  fixesThisHour(
    ...args: Parameters<FixRateCounter['fixesThisHour']>
  ): ReturnType<FixRateCounter['fixesThisHour']> {
    return this.rate.fixesThisHour(...args);
  }

  takeFixSlot(...args: Parameters<FixRateCounter['takeFixSlot']>): ReturnType<FixRateCounter['takeFixSlot']> {
    return this.rate.takeFixSlot(...args);
  }

  claimFix(...args: Parameters<Claims['claimFix']>): ReturnType<Claims['claimFix']> {
    return this.claims.claimFix(...args);
  }

  claimTicket(...args: Parameters<Claims['claimTicket']>): ReturnType<Claims['claimTicket']> {
    return this.claims.claimTicket(...args);
  }

  claimRollback(...args: Parameters<Claims['claimRollback']>): ReturnType<Claims['claimRollback']> {
    return this.claims.claimRollback(...args);
  }

  claim(...args: Parameters<Claims['claim']>): ReturnType<Claims['claim']> {
    return this.claims.claim(...args);
  }

  getClaim(...args: Parameters<Claims['getClaim']>): ReturnType<Claims['getClaim']> {
    return this.claims.getClaim(...args);
  }

  completeClaim(...args: Parameters<Claims['completeClaim']>): ReturnType<Claims['completeClaim']> {
    return this.claims.completeClaim(...args);
  }

  releaseClaimIfHeld(
    ...args: Parameters<Claims['releaseClaimIfHeld']>
  ): ReturnType<Claims['releaseClaimIfHeld']> {
    return this.claims.releaseClaimIfHeld(...args);
  }

  releaseClaim(...args: Parameters<Claims['releaseClaim']>): ReturnType<Claims['releaseClaim']> {
    return this.claims.releaseClaim(...args);
  }
}
