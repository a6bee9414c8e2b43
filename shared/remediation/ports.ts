/**
 * The ports remediation hands its results to: people are told through a {@link Notifier}, tickets
 * are opened through a {@link TicketService}, and every processed finding ends in one
 * {@link RemediationEvent} on the bus. The adapters live next to this file; the ticket sinks
 * (OpsCenter, Jira, ServiceNow, webhook) implement {@link TicketService}.
 */
import type { Finding } from '../findings/finding';
import type { Decision } from '../settings/decision';
import type { AppliedChange } from './changes';

/** How a processed finding ended. */
export type RemediationOutcomeKind = 'applied' | 'skipped' | 'failed' | 'ticketed' | 'notified' | 'ignored';

/** What a notification is about: a finding, what was decided, and what came of it. */
export interface ActionEvent {
  readonly finding: Finding;
  readonly decision: Decision;
  readonly outcome: RemediationOutcomeKind;
  /** Why this outcome, for people. */
  readonly why: string;
  /** The audit record of the action, when one was written. */
  readonly auditId?: string;
  /** What a fix changed (rollback takes the audit id). */
  readonly changes?: readonly AppliedChange[];
  /** Side effects people must know about: cost, policies that may break, parts left to do. */
  readonly warnings: readonly string[];
}

/**
 * Tells people about a finding and what was done.
 *
 * @example
 * const notifier: Notifier = { notify: async (event) => console.log(event.why) };
 */
export interface Notifier {
  notify(event: ActionEvent): Promise<void>;
}

/** The ticket of a finding. */
export interface TicketResult {
  /** A ticket id, URL, or `pending:<auditId>` while no sink has taken it. */
  readonly reference: string;
  /** `false` when the finding already had a ticket (duplicates and concurrent deliveries). */
  readonly created: boolean;
  /** The audit record of the ticket, when one was written. */
  readonly auditId?: string;
  /** One line for people. */
  readonly why: string;
}

/**
 * Opens (or finds) the one ticket of a finding. Implementations must be idempotent per finding:
 * the same finding twice, or ten at once, gives one ticket (claim it with
 * `FindingStore.claimTicket`).
 *
 * @example
 * const { reference, created } = await tickets.ensureTicket(finding, decision);
 */
export interface TicketService {
  ensureTicket(finding: Finding, decision: Decision): Promise<TicketResult>;
}

/** Detail of the `Remediation` event (source `endpoint-guard`, detail-type `Remediation`). */
export interface RemediationEvent {
  readonly findingId: string;
  readonly ruleId: string;
  readonly resourceId: string;
  readonly accountId: string;
  readonly region: string;
  /** `null` when the finding was not decided on (an observation older than one recorded). */
  readonly decision: Decision | null;
  readonly outcome: RemediationOutcomeKind;
  readonly why: string;
  readonly auditId: string | null;
}

export const REMEDIATION_SOURCE = 'endpoint-guard';
export const REMEDIATION_DETAIL_TYPE = 'Remediation';

/**
 * Puts the `Remediation` event of a processed finding on the bus.
 *
 * @example
 * await events.publish({ findingId, ruleId, resourceId, accountId, region, decision, outcome: 'applied', why, auditId });
 */
export interface RemediationEventSink {
  publish(event: RemediationEvent): Promise<void>;
}
