/**
 * The records the store keeps, as the rest of the code sees them (without `pk`, `sk` and
 * `expiresAt`), and their schemas: everything read back is validated, because rollback acts on it.
 */
import { z } from 'zod';
import { remediationPlanSchema } from '../findings/finding';
import { type AppliedChange, appliedChangeSchema } from '../remediation/changes';
import { ruleIdSchema } from '../rules/index';
import type { ComplianceStatus, RemediationPlan, RuleId, Severity } from '../rules/types';
import type { ClaimKind } from './keys';

/** The outcome of a fix attempt, as the executor reports it. */
export type FixOutcome = 'applied' | 'skipped' | 'failed';

/** What an audit record is about. */
export type AuditKind = 'fix' | 'rollback' | 'ticket' | 'notify';

/** Every outcome an audit record can hold. */
export type AuditOutcome =
  | FixOutcome
  | 'ticketed'
  | 'ticket-updated'
  | 'ticket-resolved'
  | 'notified'
  | 'rolled-back'
  | 'rollback-failed';

/** The actor of automatic actions; rollbacks carry the person's ARN. */
export const SERVICE_ACTOR = 'endpoint-guard';

/**
 * The decision as the audit records it. The same shape as the settings' `Decision`, declared here
 * so that the store does not depend on the settings module.
 */
export interface AuditDecision {
  readonly action: string;
  readonly why: string;
  readonly mode?: string;
  readonly dryRun?: boolean;
}

/** The current state of one (rule, resource). */
export interface FindingState {
  readonly findingId: string;
  readonly ruleId: RuleId;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly resourceArn: string;
  readonly accountId: string;
  readonly region: string;
  readonly status: ComplianceStatus;
  readonly severity: Severity;
  readonly reason: string;
  /** When the store first recorded the finding (ISO-8601). */
  readonly firstSeen: string;
  /** When the store last accepted an observation of it (ISO-8601). */
  readonly lastSeen: string;
  /** `observedAt` of the newest accepted observation: older ones are ignored. */
  readonly lastObservedAt: string;
  /** Fix attempts that reached the executor. */
  readonly remediationAttempts: number;
  readonly ticketReference?: string;
  readonly lastAction?: string;
  readonly lastOutcome?: string;
  readonly lastAuditId?: string;
  /**
   * Outcome of the last fix since the finding was last compliant; `rolled-back` when a person
   * took it back (then it is not retried automatically either).
   */
  readonly lastFixOutcome?: FixOutcome | 'rolled-back';
  readonly lastFixAt?: string;
}

/** One action, as recorded. Its `auditId` is what `endpoint-guard rollback` takes. */
export interface AuditRecord {
  readonly auditId: string;
  readonly kind: AuditKind;
  readonly findingId: string;
  readonly ruleId: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly resourceArn: string;
  readonly accountId: string;
  readonly region: string;
  /** `endpoint-guard` for automatic actions, the caller's ARN for a rollback. */
  readonly actor: string;
  readonly outcome: AuditOutcome;
  /** Why this outcome, in one line for people. */
  readonly reason: string;
  readonly decision: AuditDecision | null;
  readonly plan: RemediationPlan | null;
  /** The state before the action (the fresh evaluation, or what rollback found). */
  readonly before: Readonly<Record<string, unknown>> | null;
  /** The state after it (the verification). */
  readonly after: Readonly<Record<string, unknown>> | null;
  /** What was changed in AWS; rollback reverses exactly these. Empty when nothing was. */
  readonly changes: readonly AppliedChange[];
  /** `observedAt` of the finding acted on. */
  readonly observedAt?: string;
  readonly createdAt: string;
  /** On a rollback record: the audit id of the fix it reverses. */
  readonly rollsBack?: string;
  /** On a fix record: the rollback that reversed it. */
  readonly rolledBackBy?: string;
  readonly rolledBackAt?: string;
  readonly ticketReference?: string;
}

/** What a caller supplies; the store adds the id and the time. */
export type NewAuditRecord = Omit<AuditRecord, 'auditId' | 'createdAt' | 'rolledBackBy' | 'rolledBackAt'>;

/** The fields of an audit record that say which finding and resource it is about. */
export type AuditSubject = Pick<
  AuditRecord,
  'findingId' | 'ruleId' | 'resourceType' | 'resourceId' | 'resourceArn' | 'accountId' | 'region'
>;

/**
 * What an audit record is about, taken from the finding acted on.
 *
 * @example
 * await store.putAudit({ ...auditSubjectOf(finding), kind: 'notify', ... });
 */
export function auditSubjectOf(finding: AuditSubject): AuditSubject {
  return {
    findingId: finding.findingId,
    ruleId: finding.ruleId,
    resourceType: finding.resourceType,
    resourceId: finding.resourceId,
    resourceArn: finding.resourceArn,
    accountId: finding.accountId,
    region: finding.region,
  };
}

/** The short entry listed under the finding, newest first. */
export interface AuditListing {
  readonly auditId: string;
  readonly kind: AuditKind;
  readonly outcome: AuditOutcome;
  readonly reason: string;
  readonly createdAt: string;
}

/** A claim held: present it to complete or release the claim. */
export interface Claim {
  readonly kind: ClaimKind;
  readonly key: string;
  /** Random per claim, so a holder never releases a claim someone took over after it expired. */
  readonly token: string;
  readonly claimedAt: string;
  /** Epoch seconds after which the claim may be taken over. */
  readonly expiresAt: number;
  /** Free-form context of the holder (the finding's observedAt, a request id...). */
  readonly holder: Readonly<Record<string, string>>;
  /** Set when the work is done: the audit record of the result. */
  readonly auditId?: string;
  readonly outcome?: string;
}

export type ClaimResult =
  | { readonly claimed: true; readonly claim: Claim }
  /** `current` is the claim that won; `undefined` only if it vanished between the two reads. */
  | { readonly claimed: false; readonly current: Claim | undefined };

const fixOutcomes = ['applied', 'skipped', 'failed'] as const;

export const findingStateSchema = z.object({
  findingId: z.string(),
  ruleId: ruleIdSchema,
  resourceType: z.string(),
  resourceId: z.string(),
  resourceArn: z.string(),
  accountId: z.string(),
  region: z.string(),
  status: z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']),
  severity: z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL']),
  reason: z.string(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  lastObservedAt: z.string(),
  remediationAttempts: z.number().int().nonnegative(),
  ticketReference: z.string().optional(),
  lastAction: z.string().optional(),
  lastOutcome: z.string().optional(),
  lastAuditId: z.string().optional(),
  lastFixOutcome: z.enum([...fixOutcomes, 'rolled-back']).optional(),
  lastFixAt: z.string().optional(),
});

export const auditRecordSchema = z.object({
  auditId: z.string(),
  kind: z.enum(['fix', 'rollback', 'ticket', 'notify']),
  findingId: z.string(),
  ruleId: z.string(),
  resourceType: z.string(),
  resourceId: z.string(),
  resourceArn: z.string(),
  accountId: z.string(),
  region: z.string(),
  actor: z.string(),
  outcome: z.enum([
    ...fixOutcomes,
    'ticketed',
    'ticket-updated',
    'ticket-resolved',
    'notified',
    'rolled-back',
    'rollback-failed',
  ]),
  reason: z.string(),
  decision: z
    .object({
      action: z.string(),
      why: z.string(),
      mode: z.string().optional(),
      dryRun: z.boolean().optional(),
    })
    .nullable(),
  plan: remediationPlanSchema.nullable(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  changes: z.array(appliedChangeSchema),
  observedAt: z.string().optional(),
  createdAt: z.string(),
  rollsBack: z.string().optional(),
  rolledBackBy: z.string().optional(),
  rolledBackAt: z.string().optional(),
  ticketReference: z.string().optional(),
});

export const auditListingSchema = auditRecordSchema.pick({
  auditId: true,
  kind: true,
  outcome: true,
  reason: true,
  createdAt: true,
});

export const claimSchema = z.object({
  kind: z.enum(['fix', 'ticket', 'rollback', 'securityhub']),
  key: z.string(),
  token: z.string(),
  claimedAt: z.string(),
  expiresAt: z.number(),
  holder: z.record(z.string(), z.string()),
  auditId: z.string().optional(),
  outcome: z.string().optional(),
});
