/** The findings and audit store: current state per finding, audit records, fix-rate counters, claims. */
export { AUDIT_ID_LENGTH, isAuditId, newAuditId } from './audit-id';
export { AuditLog } from './audit-log';
export { Claims } from './claims';
export { AlreadyRolledBackError, AuditNotFoundError, StoredItemError } from './errors';
export { FindingStates } from './finding-states';
export {
  type ActionResult,
  FindingStore,
  type FindingStoreOptions,
  fixClaimKey,
  type ObservationResult,
} from './finding-store';
export { FixRateCounter } from './fix-rate';
export { type ClaimKind, claimPk, findingPk, hourOf, ratePk } from './keys';
export {
  type AuditDecision,
  type AuditKind,
  type AuditListing,
  type AuditOutcome,
  type AuditRecord,
  type Claim,
  type ClaimResult,
  type FindingState,
  type FixOutcome,
  type NewAuditRecord,
  SERVICE_ACTOR,
} from './records';
