/**
 * The ports remediation hands its results to: people are told through a {@link Notifier}, a
 * finding's one ticket is opened, updated and resolved through a {@link TicketService}, and every
 * processed finding ends in one {@link RemediationEvent} on the bus. The SNS notifier lives in
 * `shared/notifications`; the ticket lifecycle (`TicketLifecycle`, over the OpsCenter, Jira,
 * ServiceNow and webhook sinks) in `shared/tickets`.
 */
import type { Finding } from '../findings/finding';
import type { Decision } from '../settings/decision';
import type { Settings } from '../settings/schema';
import type { FindingState } from '../store/records';
import type { AppliedChange } from './changes';

/**
 * How a processed finding ended. `resolved`: the finding is compliant (or not applicable) again
 * and its open ticket was resolved.
 */
export type RemediationOutcomeKind =
  | 'applied'
  | 'skipped'
  | 'failed'
  | 'ticketed'
  | 'notified'
  | 'resolved'
  | 'ignored';

/** The ticket a notification is about. */
export interface TicketReference {
  /** What people call it: `jira OPS-12`. */
  readonly reference: string;
  /** The ticket's own name, without the sink: `OPS-12`. */
  readonly key?: string;
  readonly url?: string;
  /** The resolved ticket of an earlier occurrence, when this one is a regression. */
  readonly previous?: { readonly reference: string; readonly url?: string };
}

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
  /** The finding's ticket, when it has one (opened now, or resolved by this fix). */
  readonly ticket?: TicketReference;
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

/** What the ticket service did. */
export type TicketAction =
  /** A ticket was opened for the finding (a regression opens a new one and links the old). */
  | 'opened'
  /** An open ticket of the finding was found in the sink (opened by an attempt that failed half-way) and adopted. */
  | 'adopted'
  /** The open ticket got an update (a comment, a work note). */
  | 'updated'
  /** The open ticket was left as it is (an update was made less than the comment interval ago). */
  | 'unchanged'
  /** Another delivery of the finding is opening its ticket right now. */
  | 'pending'
  /** The open ticket was resolved. */
  | 'resolved'
  /** `tickets.sink` is `none`: no ticket. */
  | 'disabled';

/** The ticket of a finding, after the service acted. */
export interface TicketResult {
  readonly action: TicketAction;
  /** What people call the ticket (`jira OPS-12`); `''` when there is none. */
  readonly reference: string;
  /** The ticket's own name, without the sink (`OPS-12`). */
  readonly key?: string;
  readonly url?: string;
  /** `true` only when this call opened the ticket. */
  readonly created: boolean;
  /** The audit record of the ticket, when one was written. */
  readonly auditId?: string;
  /** One line for people. */
  readonly why: string;
  /** The resolved ticket of an earlier occurrence, when a regression opened a new one. */
  readonly previous?: { readonly reference: string; readonly url?: string };
}

/** What the ticket service is told besides the finding. */
export interface TicketServiceContext {
  /** The settings in force (`tickets`, `notifications.commentIntervalHours`). */
  readonly settings: Settings;
  /** The finding's state as just recorded; read from the store when absent. */
  readonly state?: FindingState;
}

/** Why a ticket is resolved. */
export interface TicketServiceResolution {
  readonly kind: 'fixed' | 'compliant' | 'not-applicable';
  /** What happened, for the ticket. */
  readonly text: string;
}

/**
 * A finding's one ticket for its whole life: opened once, updated while the finding lasts
 * (updates rate-limited by `notifications.commentIntervalHours`), resolved when the finding is
 * fixed or compliant again, and a new one (linking the old) when it comes back. Implementations
 * must be idempotent per finding: the same finding twice, or ten at once, gives one ticket (claim
 * it with `FindingStore.claimTicket`).
 *
 * @example
 * const result = await tickets.ensureTicket(finding, decision, { settings, state, warnings });
 * if (result.created) await notifier.notify({ ..., ticket: { reference: result.reference, url: result.url } });
 */
export interface TicketService {
  /** Opens the finding's ticket, or updates the open one. */
  ensureTicket(
    finding: Finding,
    decision: Decision,
    context: TicketServiceContext & { readonly warnings: readonly string[] },
  ): Promise<TicketResult>;
  /** Resolves the finding's open ticket; `undefined` when it has none. */
  resolveTicket(
    finding: Finding,
    context: TicketServiceContext & { readonly resolution: TicketServiceResolution },
  ): Promise<TicketResult | undefined>;
  /** Adds an update to the finding's open ticket now, whatever the interval; `undefined` when it has none. */
  noteOnTicket(
    finding: Finding,
    context: TicketServiceContext & { readonly text: string },
  ): Promise<TicketResult | undefined>;
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
