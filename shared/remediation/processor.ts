/**
 * What remediate does with one finding: record the observation, decide with the settings and
 * history, act (fix, ticket, notify or nothing), record the result, and say so on the bus.
 *
 * Safety (ARCHITECTURE.md): a fix runs only when `decide` says `fix`, after winning the finding's fix
 * claim (so ten concurrent deliveries give one fix) and a slot of the account's hourly cap (so the
 * cap holds under concurrency), and the executor re-checks live state before changing anything.
 *
 * Tickets and notifications (one ticket per finding for its whole life): a `ticket` decision
 * opens the finding's ticket or updates the open one; a fix that is applied, or an observation
 * that is COMPLIANT or NOT_APPLICABLE, resolves it; a failed fix adds a note to it. Notifications
 * of a `notify` decision are rate-limited per finding by `notifications.commentIntervalHours`,
 * and the window closes when the finding is compliant again, so a regression is told at once.
 */
import type { AccountClients } from '../aws/clients';
import { describeAwsError } from '../aws/errors';
import type { Finding } from '../findings/finding';
import { type Logger, SILENT_LOGGER } from '../logger';
import { METRIC_DIMENSIONS, METRIC_NAMES, type MetricName, type MetricsSink, NO_METRICS } from '../metrics';
import type { SecurityHubService } from '../securityhub/sink';
import { type Decision, decide, type FindingHistory } from '../settings/decision';
import { commentIntervalSeconds } from '../settings/resolve';
import { ruleOptionsOf, type Settings } from '../settings/schema';
import type { FindingStore } from '../store/finding-store';
import { auditSubjectOf, type FindingState, SERVICE_ACTOR } from '../store/records';
import { describeChange } from './changes';
import { RemediationExecutor, type RemediationOutcome } from './executor';
import { liveReevaluator } from './live-reevaluate';
import type {
  ActionEvent,
  Notifier,
  RemediationEvent,
  RemediationEventSink,
  RemediationOutcomeKind,
  TicketResult,
  TicketService,
} from './ports';

/** The clients the executor needs, in the finding's account and region. */
export type RemediationClients = Pick<AccountClients, 'accountId' | 'region' | 'ec2' | 's3' | 's3control'>;

/** A structured logger (Powertools Logger fits): the core's one logger interface. */
export type ProcessorLogger = Logger;

export interface FindingProcessorOptions {
  readonly store: Pick<
    FindingStore,
    | 'recordObservation'
    | 'fixesThisHour'
    | 'claimFix'
    | 'releaseClaim'
    | 'completeClaim'
    | 'takeFixSlot'
    | 'putAudit'
    | 'recordAction'
    | 'claim'
    | 'releaseClaimIfHeld'
  >;
  /** The settings in force (a `SettingsProvider`). */
  readonly settings: { get(): Promise<Settings> };
  /** The clients of a member account and region (an `AwsClientFactory`). */
  readonly clientsFor: (accountId: string, region: string) => Promise<RemediationClients>;
  readonly notifier: Notifier;
  readonly tickets: TicketService;
  readonly events: RemediationEventSink;
  /** Where every recorded observation is imported when `securityHub.enabled` is on (`SecurityHubSink`). */
  readonly securityHub?: SecurityHubService;
  /** Where the dashboard's counts go (fixes applied / failed, tickets opened, notifications). @default NO_METRICS */
  readonly metrics?: MetricsSink;
  /** @default an executor re-evaluating with {@link liveReevaluator} */
  readonly executorFor?: (
    clients: RemediationClients,
    settings: Settings,
  ) => {
    apply(finding: Finding, plan: NonNullable<Finding['remediation']>): Promise<RemediationOutcome>;
  };
  readonly logger?: ProcessorLogger;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** The result of processing one finding: the detail of its `Remediation` event. */
export type ProcessResult = RemediationEvent;

/**
 * Processes findings, one at a time per call; safe to call concurrently.
 *
 * @example
 * const processor = new FindingProcessor({ store, settings, clientsFor, notifier, tickets, events });
 * const result = await processor.process(finding); // { outcome: 'ticketed', why: '...', auditId: '01J...' }
 */
export class FindingProcessor {
  private readonly options: FindingProcessorOptions;
  private readonly now: () => Date;
  private readonly logger: ProcessorLogger;

  constructor(options: FindingProcessorOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? SILENT_LOGGER;
    this.metrics = options.metrics ?? NO_METRICS;
  }

  private readonly metrics: MetricsSink;

  private count(name: MetricName, finding: Finding): void {
    this.metrics.count(name, { [METRIC_DIMENSIONS.ruleId]: finding.ruleId }, 1);
  }

  /**
   * Records, decides, acts, records the result and emits the `Remediation` event. Throws when the
   * work may succeed on a retry (a store or AWS failure before anything was changed); a fix that
   * changed something is always recorded and never thrown.
   */
  async process(finding: Finding): Promise<ProcessResult> {
    const { store } = this.options;
    const observation = await store.recordObservation(finding);
    if (!observation.accepted) {
      return this.finish(
        finding,
        null,
        'ignored',
        `observation of ${finding.observedAt} is older than the last one recorded (${observation.state.lastObservedAt}): ignored`,
        null,
      );
    }
    const settings = await this.options.settings.get();
    const last = observation.state.lastFixOutcome;
    const history: FindingHistory = {
      // Only a NON_COMPLIANT finding can be fixed: the others (most of a sweep) skip the read.
      fixesThisHourForAccount:
        finding.status === 'NON_COMPLIANT' ? await store.fixesThisHour(finding.accountId) : 0,
      previousFixFailed: last === 'failed' || last === 'rolled-back',
    };
    const decision = decide(finding, settings, history, this.now());
    this.logger.info('decided', { findingId: finding.findingId, decision, history });
    const result =
      finding.status !== 'NON_COMPLIANT'
        ? await this.settle(finding, decision, settings, observation.state)
        : await this.act(finding, decision, settings, observation.state);
    // After the action: Security Hub being slow or throttled never holds a fix back. A retryable
    // failure throws, and the redelivery finds the action done (claims) and imports again.
    const imported = await this.options.securityHub?.publish(finding, { settings, state: observation.state });
    if (imported && imported.action !== 'disabled') {
      this.logger.info('security hub', { findingId: finding.findingId, ...imported });
    }
    return result;
  }

  private async act(
    finding: Finding,
    decision: Decision,
    settings: Settings,
    state: FindingState,
  ): Promise<ProcessResult> {
    switch (decision.action) {
      case 'ignore':
        return this.finish(finding, decision, 'ignored', decision.why, null);
      case 'notify':
        return this.notify(finding, decision, settings);
      case 'ticket':
        return this.ticket(finding, decision, settings, state);
      case 'fix':
        return this.fix(finding, decision, settings, state);
    }
  }

  /**
   * A finding that is COMPLIANT or NOT_APPLICABLE again: resolve its open ticket, and close its
   * notification window so that a regression is told at once.
   */
  private async settle(
    finding: Finding,
    decision: Decision,
    settings: Settings,
    state: FindingState,
  ): Promise<ProcessResult> {
    const { store } = this.options;
    if (state.lastAction === 'notify' && state.lastOutcome === 'notified') {
      await store.releaseClaimIfHeld('ticket', notifyKey(finding.findingId));
      await store.recordAction(finding.findingId, { action: 'notify', outcome: 'closed' });
    }
    const resolved = await this.options.tickets.resolveTicket(finding, {
      settings,
      state,
      resolution: {
        kind: finding.status === 'COMPLIANT' ? 'compliant' : 'not-applicable',
        text:
          `${finding.resourceId} is ${finding.status} (observed ${finding.observedAt} by ${finding.detector}): ` +
          `${finding.reason}. Resolved by endpoint-guard.`,
      },
    });
    if (resolved?.action !== 'resolved') {
      return this.finish(finding, decision, 'ignored', decision.why, null);
    }
    await store.recordAction(finding.findingId, { action: 'ticket', outcome: 'resolved' });
    return this.finish(
      finding,
      decision,
      'resolved',
      `${finding.resourceId} is ${finding.status}: ${capitalize(resolved.why)}.`,
      null,
    );
  }

  private async notify(finding: Finding, decision: Decision, settings: Settings): Promise<ProcessResult> {
    const { store } = this.options;
    // One notification per finding per interval: a conditional put holds it under concurrency.
    const seconds = commentIntervalSeconds(settings);
    const window = await store.claim('ticket', notifyKey(finding.findingId), {
      seconds,
      holder: { findingId: finding.findingId, observedAt: finding.observedAt },
    });
    if (!window.claimed) {
      const next = window.current ? new Date(window.current.expiresAt * 1000).toISOString() : 'later';
      return this.finish(
        finding,
        decision,
        'skipped',
        `${decision.why} Already notified at ${window.current?.claimedAt ?? 'a moment ago'}: the next notification about this finding is due after ${next} (notifications.commentIntervalHours = ${seconds / 3600}).`,
        null,
      );
    }
    // The notification is the action here: if it fails, the finding is retried.
    try {
      await this.options.notifier.notify({
        finding,
        decision,
        outcome: 'notified',
        why: decision.why,
        warnings: warningsOf(finding),
      });
    } catch (error) {
      await store.releaseClaim(window.claim);
      throw error;
    }
    this.count(METRIC_NAMES.notificationsSent, finding);
    const record = await store.putAudit({
      ...auditSubjectOf(finding),
      kind: 'notify',
      actor: SERVICE_ACTOR,
      outcome: 'notified',
      reason: decision.why,
      decision,
      plan: finding.remediation,
      before: null,
      after: null,
      changes: [],
      observedAt: finding.observedAt,
    });
    await store.recordAction(finding.findingId, {
      action: 'notify',
      outcome: 'notified',
      auditId: record.auditId,
    });
    return this.finish(finding, decision, 'notified', decision.why, record.auditId);
  }

  private async ticket(
    finding: Finding,
    decision: Decision,
    settings: Settings,
    state: FindingState,
  ): Promise<ProcessResult> {
    const ticket = await this.options.tickets.ensureTicket(finding, decision, {
      settings,
      state,
      warnings: warningsOf(finding),
    });
    if (ticket.action === 'disabled') {
      return this.notify(
        finding,
        {
          ...decision,
          action: 'notify',
          why: `${decision.why} Tickets are off (tickets.sink is "none"): notifying instead.`,
        },
        settings,
      );
    }
    const opened = ticket.action === 'opened' || ticket.action === 'adopted';
    if (ticket.action === 'opened') this.count(METRIC_NAMES.ticketsOpened, finding);
    await this.options.store.recordAction(finding.findingId, {
      action: 'ticket',
      outcome: opened ? 'ticketed' : `ticket-${ticket.action}`,
      ...(ticket.auditId ? { auditId: ticket.auditId } : {}),
    });
    const why = `${decision.why} ${capitalize(ticket.why)}.`;
    if (opened) {
      // The ticket is open and recorded: a failed notification is logged, not retried.
      await this.tell({
        finding,
        decision,
        outcome: 'ticketed',
        why,
        ...(ticket.auditId ? { auditId: ticket.auditId } : {}),
        warnings: warningsOf(finding),
        ticket: ticketOf(ticket),
      });
    }
    return this.finish(finding, decision, 'ticketed', why, ticket.auditId ?? null);
  }

  private async fix(
    finding: Finding,
    decision: Decision,
    settings: Settings,
    state: FindingState,
  ): Promise<ProcessResult> {
    const { store } = this.options;
    const plan = finding.remediation;
    if (plan?.kind !== 'fix') {
      // `decide` never says fix without a fix plan; if it ever did, a person looks.
      return this.ticket(
        finding,
        {
          ...decision,
          action: 'ticket',
          why: 'The finding carries no fix plan: opening a ticket.',
        },
        settings,
        state,
      );
    }
    const claim = await store.claimFix(finding, plan.actions);
    if (!claim.claimed) {
      const current = claim.current;
      const result = current?.auditId
        ? ` (audit ${current.auditId}: ${current.outcome ?? 'done'})`
        : ' and is applying it';
      return this.finish(
        finding,
        decision,
        'skipped',
        `another delivery of this finding claimed the same fix at ${current?.claimedAt ?? 'the same time'}${result}: not applying it twice`,
        current?.auditId ?? null,
      );
    }

    let slot: Awaited<ReturnType<typeof store.takeFixSlot>>;
    try {
      slot = await store.takeFixSlot(finding.accountId, settings.maxFixesPerAccountPerHour);
    } catch (error) {
      // Nothing was changed yet: give the claim back, or every redelivery would find it held
      // and skip, leaving the finding neither fixed nor in the dead-letter queue.
      await store.releaseClaim(claim.claim);
      throw error;
    }
    if (!slot.granted) {
      await store.releaseClaim(claim.claim);
      // Decided again with the count as it is now: the cap branch of the decision applies.
      const capped = decide(
        finding,
        settings,
        {
          fixesThisHourForAccount: Math.max(slot.count, settings.maxFixesPerAccountPerHour),
          previousFixFailed: false,
        },
        this.now(),
      );
      const fallback: Decision =
        capped.action === 'fix'
          ? {
              ...capped,
              action: 'ticket',
              why: `The hourly fix cap of account ${finding.accountId} is reached: opening a ticket instead.`,
            }
          : capped;
      return this.act(finding, fallback, settings, state);
    }

    let outcome: RemediationOutcome;
    try {
      const clients = await this.options.clientsFor(finding.accountId, finding.region);
      const executor = (this.options.executorFor ?? defaultExecutor)(clients, settings);
      outcome = await executor.apply(finding, plan);
    } catch (error) {
      // Nothing was changed (the executor returns, never throws, once it changed something):
      // give the claim back so the retry of this record can fix it.
      await store.releaseClaim(claim.claim);
      this.logger.error('fix failed before anything was changed; the record will be retried', {
        findingId: finding.findingId,
        error: describeAwsError(error),
      });
      throw error;
    }

    const record = await store.putAudit({
      ...auditSubjectOf(finding),
      kind: 'fix',
      actor: SERVICE_ACTOR,
      outcome: outcome.status,
      reason: outcome.why,
      decision,
      plan,
      before: outcome.before,
      after: outcome.after,
      changes: outcome.changes,
      observedAt: finding.observedAt,
    });
    if (outcome.status === 'skipped') {
      // Nothing changed: a later delivery (say, after the resource broke again) may try afresh.
      await store.releaseClaim(claim.claim);
    } else {
      await store.completeClaim(claim.claim, { auditId: record.auditId, outcome: outcome.status });
    }
    await store.recordAction(finding.findingId, {
      action: 'fix',
      outcome: outcome.status,
      auditId: record.auditId,
      fixOutcome: outcome.status,
    });
    this.logger.info('fix attempted', {
      findingId: finding.findingId,
      outcome: outcome.status,
      why: outcome.why,
      auditId: record.auditId,
      calls: outcome.calls,
    });
    if (outcome.status === 'applied') this.count(METRIC_NAMES.fixesApplied, finding);
    if (outcome.status === 'failed') this.count(METRIC_NAMES.fixesFailed, finding);
    let ticket: TicketResult | undefined;
    if (outcome.status === 'applied') {
      ticket = await this.aboutTicket(finding, () =>
        this.options.tickets.resolveTicket(finding, {
          settings,
          state,
          resolution: {
            kind: 'fixed',
            text: [
              `Fixed automatically by endpoint-guard (audit ${record.auditId}): ${outcome.why}`,
              ...outcome.changes.map((change) => `- ${describeChange(change)}`),
              `To take the fix back: endpoint-guard rollback ${record.auditId}`,
            ].join('\n'),
          },
        }),
      );
    } else if (outcome.status === 'failed') {
      ticket = await this.aboutTicket(finding, () =>
        this.options.tickets.noteOnTicket(finding, {
          settings,
          state,
          text: `endpoint-guard tried to fix this automatically and failed (audit ${record.auditId}): ${outcome.why}`,
        }),
      );
    }
    if (outcome.status !== 'skipped') {
      await this.tell({
        finding,
        decision,
        outcome: outcome.status,
        why: outcome.why,
        auditId: record.auditId,
        changes: outcome.changes,
        warnings: plan.warnings,
        ...(ticket?.reference ? { ticket: ticketOf(ticket) } : {}),
      });
    }
    return this.finish(finding, decision, outcome.status, outcome.why, record.auditId);
  }

  /** A ticket step after a fix already recorded: its failure is logged, not retried. */
  private async aboutTicket(
    finding: Finding,
    step: () => Promise<TicketResult | undefined>,
  ): Promise<TicketResult | undefined> {
    try {
      return await step();
    } catch (error) {
      this.logger.error('ticket not updated after the fix; the next observation will', {
        findingId: finding.findingId,
        error: describeAwsError(error),
      });
      return undefined;
    }
  }

  /** A notification about an action already taken and recorded: its failure is logged, not retried. */
  private async tell(event: ActionEvent): Promise<void> {
    try {
      await this.options.notifier.notify(event);
      this.count(METRIC_NAMES.notificationsSent, event.finding);
    } catch (error) {
      this.logger.error('notification failed', {
        findingId: event.finding.findingId,
        error: describeAwsError(error),
      });
    }
  }

  private async finish(
    finding: Finding,
    decision: Decision | null,
    outcome: RemediationOutcomeKind,
    why: string,
    auditId: string | null,
  ): Promise<ProcessResult> {
    const event: RemediationEvent = {
      findingId: finding.findingId,
      ruleId: finding.ruleId,
      resourceId: finding.resourceId,
      accountId: finding.accountId,
      region: finding.region,
      decision,
      outcome,
      why,
      auditId,
    };
    try {
      await this.options.events.publish(event);
    } catch (error) {
      // The action is done and recorded; retrying the record for its announcement would redo it.
      this.logger.error('Remediation event not published', {
        findingId: finding.findingId,
        error: describeAwsError(error),
      });
    }
    return event;
  }
}

function defaultExecutor(clients: RemediationClients, settings: Settings): RemediationExecutor {
  return new RemediationExecutor({
    ec2: clients.ec2,
    s3: clients.s3,
    reevaluate: liveReevaluator(clients, ruleOptionsOf(settings)),
  });
}

/** The claim key of a finding's notification window. */
function notifyKey(findingId: string): string {
  return `${findingId}#notify`;
}

function ticketOf(ticket: TicketResult): NonNullable<ActionEvent['ticket']> {
  return {
    reference: ticket.reference,
    ...(ticket.key === undefined ? {} : { key: ticket.key }),
    ...(ticket.url === undefined ? {} : { url: ticket.url }),
    ...(ticket.previous === undefined ? {} : { previous: ticket.previous }),
  };
}

function warningsOf(finding: Finding): readonly string[] {
  return finding.remediation?.kind === 'fix' ? finding.remediation.warnings : [];
}

function capitalize(text: string): string {
  const trimmed = text.trim().replace(/\.+$/, '');
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}
