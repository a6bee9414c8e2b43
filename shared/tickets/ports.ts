/**
 * The `TicketSink` port: where tickets live (OpsCenter, Jira, ServiceNow, a webhook). A sink
 * only talks to its backend; which ticket a finding has, and when to open, update or resolve it,
 * is the lifecycle's business (`TicketLifecycle`), over the findings store.
 */
import type { Finding } from '../findings/finding';

/** The sinks that hold tickets (`tickets.sink` other than `none`). */
export type TicketSinkName = 'opscenter' | 'jira' | 'servicenow' | 'webhook';

/** A ticket as a sink knows it. */
export interface TicketHandle {
  /** What the sink's API takes: an OpsItem id, a Jira issue key, a ServiceNow sys_id, the webhook's id. */
  readonly id: string;
  /** What people call it, when it differs from `id` (ServiceNow `INC0010001`). */
  readonly key?: string;
  /** A link people can open. */
  readonly url?: string;
}

/** A ticket of an earlier occurrence of the same finding, resolved since: a regression links it. */
export interface PreviousTicket extends TicketHandle {
  readonly sink: TicketSinkName;
  readonly resolvedAt?: string;
  /** What resolved it, in one line. */
  readonly resolution?: string;
}

/** What a new ticket says besides the finding itself. */
export interface TicketOpening {
  /** Why a ticket (the decision's words). */
  readonly why: string;
  /** Side effects of the planned fix people must know about (cost, policies that may break). */
  readonly warnings: readonly string[];
  /** Set when the finding was resolved before and came back. */
  readonly previous?: PreviousTicket;
}

/** An update on an open ticket. */
export interface TicketUpdate {
  /** Plain text, one or more lines. */
  readonly text: string;
  readonly finding: Finding;
}

/** Why a ticket is resolved. */
export interface TicketResolution {
  /** `fixed`: endpoint-guard fixed it; `compliant`: it became compliant by other hands; `not-applicable`: the resource is gone, exempt or out of scope. */
  readonly kind: 'fixed' | 'compliant' | 'not-applicable';
  /** Plain text for the ticket: what happened. */
  readonly text: string;
  readonly finding: Finding;
}

/**
 * A ticket backend. Implementations make the calls and map the backend's shapes; they do not
 * decide anything, and they never log or return a credential.
 *
 * @example
 * const ticket = await sink.open(finding, { why: 'rule set to ticket', warnings: [] });
 * await sink.update(ticket, { text: 'still NON_COMPLIANT at 2025-06-02T12:00Z', finding });
 * await sink.resolve(ticket, { kind: 'fixed', text: 'fixed by endpoint-guard (audit 01J...)', finding });
 */
export interface TicketSink {
  readonly name: TicketSinkName;
  /** Opens a ticket for the finding. */
  open(finding: Finding, opening: TicketOpening): Promise<TicketHandle>;
  /** Adds an update (a comment, work note, operational data) to an open ticket. */
  update(ticket: TicketHandle, update: TicketUpdate): Promise<void>;
  /** Resolves (closes) a ticket, saying what happened. */
  resolve(ticket: TicketHandle, resolution: TicketResolution): Promise<void>;
  /**
   * The open ticket of this finding in the backend, when the backend can be searched: used before
   * opening, so a ticket opened by an attempt that failed half-way is adopted, not duplicated.
   */
  findOpen?(finding: Finding): Promise<TicketHandle | undefined>;
}
