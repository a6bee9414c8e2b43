/**
 * The life of a finding's ticket, over a {@link TicketSink} and the findings store:
 *
 * - **One open ticket per (rule, resource).** Opening needs the finding's ticket claim
 *   (`CLAIM#ticket#<findingId>`, a conditional put): of ten concurrent deliveries one opens, the
 *   others see the claim and leave it. The state's `ticketReference` (see `reference.ts`) says
 *   which ticket is open; the claim is held while it is, and released when it is resolved.
 * - **A repeat updates the same ticket**, at most once per `notifications.commentIntervalHours`
 *   (default 24): the window is one more claim (`<findingId>#comment`) lasting that long, so the
 *   limit holds under concurrency too. Updates within the window change nothing.
 * - **A fix, or a return to COMPLIANT (or NOT_APPLICABLE), resolves it** with what happened; one
 *   resolver per ticket (`<findingId>#resolve#<ticket id>`).
 * - **A regression opens a new ticket** that says so and links the resolved one: a resolved
 *   ticket may have been closed by people with their own conclusions, and reopening it would
 *   bury the new occurrence in an old thread.
 * - **Recovery.** Before opening, the sink is searched for an open ticket of the finding (when it
 *   can be): one opened by an attempt that died half-way is adopted, not duplicated. A claim left
 *   by a dead attempt is taken over after `staleClaimSeconds`.
 *
 * Store and sink calls per step are listed on each method.
 */
import type { Finding } from '../findings/finding';
import { type Logger, SILENT_LOGGER } from '../logger';
import type {
  TicketResult,
  TicketService,
  TicketServiceContext,
  TicketServiceResolution,
} from '../remediation/ports';
import type { Decision } from '../settings/decision';
import { commentIntervalSeconds } from '../settings/resolve';
import type { Settings } from '../settings/schema';
import type { FindingStore } from '../store/finding-store';
import type { Claim } from '../store/records';
import { auditSubjectOf, SERVICE_ACTOR } from '../store/records';
import { TicketSinkError } from './errors';
import type { TicketSink } from './ports';
import { asPrevious, decodeTicket, encodeTicket, type StoredTicket, ticketName } from './reference';
import type { TicketSinkSource } from './sink-factory';

/** A structured logger (Powertools Logger fits): the core's one logger interface. */
export type TicketLogger = Logger;

export interface TicketLifecycleOptions {
  readonly store: Pick<
    FindingStore,
    | 'getState'
    | 'claimTicket'
    | 'claim'
    | 'releaseClaimIfHeld'
    | 'completeClaim'
    | 'releaseClaim'
    | 'setTicketReference'
    | 'putAudit'
  >;
  readonly sinks: TicketSinkSource;
  /** @default () => new Date() */
  readonly now?: () => Date;
  readonly logger?: TicketLogger;
  /** A ticket claim still without a result this long after it was taken belongs to a dead attempt. @default 900 */
  readonly staleClaimSeconds?: number;
}

/** How long one resolver holds a ticket. */
const RESOLVE_CLAIM_SECONDS = 900;

/**
 * The {@link TicketService} of endpoint-guard.
 *
 * @example
 * const tickets = new TicketLifecycle({ store, sinks: new TicketSinkFactory({ ssm, secrets }) });
 * await tickets.ensureTicket(finding, decision, { settings, state, warnings: [] });
 */
export class TicketLifecycle implements TicketService {
  private readonly store: TicketLifecycleOptions['store'];
  private readonly sinks: TicketSinkSource;
  private readonly now: () => Date;
  private readonly logger: TicketLogger;
  private readonly staleClaimMs: number;

  constructor(options: TicketLifecycleOptions) {
    this.store = options.store;
    this.sinks = options.sinks;
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? SILENT_LOGGER;
    this.staleClaimMs = (options.staleClaimSeconds ?? 900) * 1000;
  }

  /**
   * Opens the finding's ticket, or updates the open one.
   *
   * Calls: with an open ticket, 1 store write (the update window) and, when the window was free,
   * 1 sink update. Opening: 1 claim, 1 sink search (when the sink has one), 1 sink create, 3 store
   * writes (reference, audit record + listing, claim result) and 1 more (the update window).
   * A concurrent delivery: 1 claim + 1 claim read + 1 state read.
   */
  async ensureTicket(
    finding: Finding,
    decision: Decision,
    context: TicketServiceContext & { readonly warnings: readonly string[] },
  ): Promise<TicketResult> {
    const state = context.state ?? (await this.store.getState(finding.findingId));
    const stored = decodeTicket(state?.ticketReference);
    if (stored?.status === 'open') return this.updateOpen(finding, stored, context.settings, false);

    const sink = this.sinks.forNew(context.settings.tickets);
    if (!sink) {
      return {
        action: 'disabled',
        reference: '',
        created: false,
        why: 'tickets.sink is "none": no ticket is opened',
      };
    }
    return this.open(finding, decision, sink, stored, context, true);
  }

  /**
   * Resolves the finding's open ticket with what happened.
   *
   * Calls: none without an open ticket (beyond a state read when no state is given); otherwise 1
   * claim (the resolver's), 1 sink resolve (Jira: 3 calls), 1 state write, and 2 claim reads + 2
   * deletes (the ticket claim and the update window, so a regression starts afresh).
   */
  async resolveTicket(
    finding: Finding,
    context: TicketServiceContext & { readonly resolution: TicketServiceResolution },
  ): Promise<TicketResult | undefined> {
    const state = context.state ?? (await this.store.getState(finding.findingId));
    const stored = decodeTicket(state?.ticketReference);
    if (stored?.status !== 'open') return undefined;
    const name = ticketName(stored);
    const guard = await this.store.claim('ticket', `${finding.findingId}#resolve#${stored.id}`, {
      seconds: RESOLVE_CLAIM_SECONDS,
      holder: { findingId: finding.findingId, observedAt: finding.observedAt },
    });
    if (!guard.claimed) {
      return {
        action: 'unchanged',
        ...this.referenceOf(stored),
        created: false,
        why: `another delivery is resolving ${name}`,
      };
    }

    let note = '';
    const sink = this.sinks.byName(stored.sink, context.settings.tickets);
    if (!sink) {
      note = ` (tickets.${stored.sink} is no longer configured: resolve it there by hand)`;
      this.logger.warn('ticket sink no longer configured: ticket marked resolved here only', {
        findingId: finding.findingId,
        ticket: name,
      });
    } else {
      try {
        await sink.resolve(stored, { ...context.resolution, finding });
      } catch (error) {
        if (isRetryable(error)) {
          await this.store.releaseClaim(guard.claim);
          throw error;
        }
        // The sink refuses for good (a workflow without the done transition, a ticket deleted):
        // say so and stop tracking it, rather than failing every later delivery.
        note = isGone(error)
          ? ` (it no longer exists in ${stored.sink})`
          : ` (${stored.sink} refused to resolve it: ${messageOf(error)}; resolve it there by hand)`;
        this.logger.error('ticket not resolved in its sink; marked resolved here', {
          findingId: finding.findingId,
          ticket: name,
          error: messageOf(error),
        });
      }
    }

    const resolved: StoredTicket = {
      ...stored,
      status: 'resolved',
      resolvedAt: this.now().toISOString(),
      resolution: context.resolution.text,
    };
    await this.store.setTicketReference(finding.findingId, encodeTicket(resolved));
    const why = `resolved ${name}${note}`;
    const record = await this.audit(
      finding,
      'ticket-resolved',
      `${why}: ${context.resolution.text}`,
      stored,
      resolved,
    );
    await this.store.releaseClaimIfHeld('ticket', finding.findingId);
    await this.store.releaseClaimIfHeld('ticket', commentKey(finding.findingId));
    return {
      action: 'resolved',
      ...this.referenceOf(stored),
      created: false,
      auditId: record.auditId,
      why,
    };
  }

  /**
   * Adds an update to the open ticket now, whatever the interval (a failed fix).
   *
   * Calls: 1 sink update when there is an open ticket; none otherwise.
   */
  async noteOnTicket(
    finding: Finding,
    context: TicketServiceContext & { readonly text: string },
  ): Promise<TicketResult | undefined> {
    const state = context.state ?? (await this.store.getState(finding.findingId));
    const stored = decodeTicket(state?.ticketReference);
    if (stored?.status !== 'open') return undefined;
    return this.updateOpen(finding, stored, context.settings, true, context.text);
  }

  private async open(
    finding: Finding,
    decision: Decision,
    sink: TicketSink,
    stored: StoredTicket | undefined,
    context: TicketServiceContext & { readonly warnings: readonly string[] },
    mayTakeOver: boolean,
  ): Promise<TicketResult> {
    const result = await this.store.claimTicket(finding.findingId, { observedAt: finding.observedAt });
    if (!result.claimed) {
      const current = result.current;
      if (mayTakeOver && current && this.isLeftOver(current, stored)) {
        // A claim without a live holder: a dead attempt, or the claim of a ticket resolved since.
        // Take it over once.
        await this.store.releaseClaim(current);
        return this.open(finding, decision, sink, stored, context, false);
      }
      // Someone else holds it: the ticket is open, or being opened. Read what is known now.
      const now = decodeTicket((await this.store.getState(finding.findingId))?.ticketReference);
      if (now?.status === 'open') {
        return {
          action: 'unchanged',
          ...this.referenceOf(now),
          created: false,
          ...(current?.auditId ? { auditId: current.auditId } : {}),
          why: `ticket ${ticketName(now)} is open (opened at ${now.openedAt})`,
        };
      }
      return {
        action: 'pending',
        reference: '',
        created: false,
        why: `another delivery is opening the ticket of this finding (since ${current?.claimedAt ?? 'just now'})`,
      };
    }

    const claim = result.claim;
    try {
      const previous = stored?.status === 'resolved' ? stored : undefined;
      let handle = await sink.findOpen?.(finding);
      // A search index may still list the ticket resolved a moment ago as open: never adopt it.
      if (handle && previous && handle.id === previous.id && sink.name === previous.sink) handle = undefined;
      const adopted = handle !== undefined;
      handle ??= await sink.open(finding, {
        why: decision.why,
        warnings: context.warnings,
        ...(previous ? { previous: asPrevious(previous) } : {}),
      });
      const ticket: StoredTicket = {
        v: 1,
        sink: sink.name,
        id: handle.id,
        ...(handle.key === undefined ? {} : { key: handle.key }),
        ...(handle.url === undefined ? {} : { url: handle.url }),
        status: 'open',
        openedAt: this.now().toISOString(),
      };
      const name = ticketName(ticket);
      const why = adopted
        ? `found ${name} already open in ${sink.name} and adopted it`
        : previous
          ? `opened ${name} for the regression (the earlier ${ticketName(previous)} was resolved at ${previous.resolvedAt ?? 'an unknown time'})`
          : `opened ${name}`;
      await this.store.setTicketReference(finding.findingId, encodeTicket(ticket));
      const record = await this.store.putAudit({
        kind: 'ticket',
        ...auditSubjectOf(finding),
        actor: SERVICE_ACTOR,
        outcome: 'ticketed',
        reason: `${why}: ${finding.reason}`,
        decision,
        plan: finding.remediation,
        before: null,
        after: { ticket: { ...ticket }, ...(previous ? { previousTicket: { ...previous } } : {}) },
        changes: [],
        observedAt: finding.observedAt,
        ticketReference: name,
      });
      await this.store.completeClaim(claim, { auditId: record.auditId, outcome: 'ticketed' });
      // The ticket says everything now: the next update is due after a full interval.
      await this.store.claim('ticket', commentKey(finding.findingId), {
        seconds: commentIntervalSeconds(context.settings),
        holder: { findingId: finding.findingId, observedAt: finding.observedAt },
      });
      this.logger.info('ticket opened', { findingId: finding.findingId, ticket: name, adopted });
      return {
        action: adopted ? 'adopted' : 'opened',
        ...this.referenceOf(ticket),
        created: !adopted,
        auditId: record.auditId,
        why,
        ...(previous
          ? { previous: { reference: ticketName(previous), ...(previous.url ? { url: previous.url } : {}) } }
          : {}),
      };
    } catch (error) {
      // Nothing recorded: let a retry (SQS redelivers the message) claim it again.
      await this.store.releaseClaim(claim);
      throw error;
    }
  }

  private async updateOpen(
    finding: Finding,
    stored: StoredTicket,
    settings: Settings,
    force: boolean,
    text?: string,
  ): Promise<TicketResult> {
    const name = ticketName(stored);
    const sink = this.sinks.byName(stored.sink, settings.tickets);
    if (!sink) {
      return {
        action: 'unchanged',
        ...this.referenceOf(stored),
        created: false,
        why: `ticket ${name} is open, but tickets.${stored.sink} is no longer configured: not updated`,
      };
    }
    let window: Claim | undefined;
    if (!force) {
      const seconds = commentIntervalSeconds(settings);
      const slot = await this.store.claim('ticket', commentKey(finding.findingId), {
        seconds,
        holder: { findingId: finding.findingId, observedAt: finding.observedAt },
      });
      if (!slot.claimed) {
        const next = slot.current ? new Date(slot.current.expiresAt * 1000).toISOString() : 'later';
        return {
          action: 'unchanged',
          ...this.referenceOf(stored),
          created: false,
          why: `ticket ${name} is open; it was updated at ${slot.current?.claimedAt ?? 'a moment ago'}, the next update is due after ${next} (notifications.commentIntervalHours = ${seconds / 3600})`,
        };
      }
      window = slot.claim;
    }
    try {
      await sink.update(stored, { text: text ?? updateText(finding), finding });
    } catch (error) {
      if (window) await this.store.releaseClaim(window);
      if (isGone(error)) {
        // Deleted in the sink: stop tracking it, so the next delivery opens a new one.
        await this.store.setTicketReference(
          finding.findingId,
          encodeTicket({
            ...stored,
            status: 'resolved',
            resolvedAt: this.now().toISOString(),
            resolution: `no longer exists in ${stored.sink}`,
          }),
        );
        await this.store.releaseClaimIfHeld('ticket', finding.findingId);
        return {
          action: 'unchanged',
          ...this.referenceOf(stored),
          created: false,
          why: `ticket ${name} no longer exists in ${stored.sink}: the next delivery opens a new ticket`,
        };
      }
      if (isRetryable(error)) throw error;
      this.logger.error('ticket not updated', {
        findingId: finding.findingId,
        ticket: name,
        error: messageOf(error),
      });
      return {
        action: 'unchanged',
        ...this.referenceOf(stored),
        created: false,
        why: `ticket ${name} is open but could not be updated: ${messageOf(error)}`,
      };
    }
    const why = `added an update to ${name}`;
    const record = await this.audit(finding, 'ticket-updated', `${why}: ${finding.reason}`, stored, stored);
    return {
      action: 'updated',
      ...this.referenceOf(stored),
      created: false,
      auditId: record.auditId,
      why,
    };
  }

  /** One audit record per ticket action besides opening (which records its own). */
  private audit(
    finding: Finding,
    outcome: 'ticket-updated' | 'ticket-resolved',
    reason: string,
    before: StoredTicket,
    after: StoredTicket,
  ): Promise<{ readonly auditId: string }> {
    return this.store.putAudit({
      kind: 'ticket',
      ...auditSubjectOf(finding),
      actor: SERVICE_ACTOR,
      outcome,
      reason,
      decision: null,
      plan: finding.remediation,
      before: { ticket: { ...before } },
      after: { ticket: { ...after } },
      changes: [],
      observedAt: finding.observedAt,
      ticketReference: ticketName(after),
    });
  }

  /** True when a ticket claim that stops this delivery has no live holder. */
  private isLeftOver(current: Claim, stored: StoredTicket | undefined): boolean {
    const claimedAt = Date.parse(current.claimedAt);
    if (current.outcome === undefined) return this.now().getTime() - claimedAt > this.staleClaimMs;
    // Completed, but the ticket it opened was resolved after it was taken (and the resolver died
    // before giving it back).
    return (
      stored?.status === 'resolved' &&
      stored.resolvedAt !== undefined &&
      Date.parse(stored.resolvedAt) >= claimedAt
    );
  }

  private referenceOf(ticket: Pick<StoredTicket, 'sink' | 'id' | 'key' | 'url'>): {
    reference: string;
    key: string;
    url?: string;
  } {
    return {
      reference: ticketName(ticket),
      key: ticket.key ?? ticket.id,
      ...(ticket.url === undefined ? {} : { url: ticket.url }),
    };
  }
}

/** The claim key of a finding's update window. */
export function commentKey(findingId: string): string {
  return `${findingId}#comment`;
}

/**
 * The text of a repeat's update.
 *
 * @example
 * updateText(finding); // 'Still NON_COMPLIANT at 2025-06-02T12:00:00.000Z (seen by sweep): ...'
 */
export function updateText(finding: Finding): string {
  return `Still ${finding.status} at ${finding.observedAt} (seen by ${finding.detector}): ${finding.reason}`;
}

function isRetryable(error: unknown): boolean {
  if (error instanceof TicketSinkError) return error.retryable;
  const retryable = (error as { retryable?: unknown } | null)?.retryable;
  return typeof retryable === 'boolean' ? retryable : true;
}

function isGone(error: unknown): boolean {
  return error instanceof TicketSinkError && error.status === 404;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
