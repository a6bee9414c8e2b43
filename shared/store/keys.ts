/**
 * Key builders of the single table. Every prefix is upper case and ends with `#`; Powertools
 * Idempotency writes `pk = "idempotency#<function>"`, so the two never meet. See the layout in
 * `finding-store.ts`.
 */

export const SK_STATE = 'STATE';
export const SK_AUDIT = 'AUDIT';
export const SK_CLAIM = 'CLAIM';
export const AUDIT_LISTING_PREFIX = 'AUDIT#';

/** `FINDING#<findingId>`: the finding's current state and its audit listing. */
export function findingPk(findingId: string): string {
  return `FINDING#${findingId}`;
}

/** `AUDIT#<auditId>`: one audit record. */
export function auditPk(auditId: string): string {
  return `AUDIT#${auditId}`;
}

/** `RATE#<accountId>`: that account's fix counters, one item per hour. */
export function ratePk(accountId: string): string {
  return `RATE#${accountId}`;
}

/** `2025-06-01T13`: the UTC hour a fix counts against. */
export function hourOf(now: Date): string {
  return now.toISOString().slice(0, 13);
}

/**
 * What a claim is for: one fix of a plan, one ticket per finding, one rollback per audit record,
 * one Security Hub import per finding at a time (and what it last imported).
 */
export type ClaimKind = 'fix' | 'ticket' | 'rollback' | 'securityhub';

/** `CLAIM#<kind>#<key>`: whoever writes it first owns the work. */
export function claimPk(kind: ClaimKind, key: string): string {
  return `CLAIM#${kind}#${key}`;
}

/** Epoch seconds, the unit of the TTL attribute. */
export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
