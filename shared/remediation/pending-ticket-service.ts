/**
 * The ticket service used before the ticket sinks existed: it records the intent to open a ticket
 * (an audit record with outcome `ticket-pending`, and `pending:<auditId>` as the finding's ticket
 * reference), once per finding. `TicketLifecycle` (shared/tickets) replaces it, and takes over the
 * intents it recorded: their claims are released and real tickets opened.
 *
 * @deprecated use `TicketLifecycle` from `shared/tickets`.
 */
import type { Finding } from '../findings/finding';
import type { Decision } from '../settings/decision';
import type { FindingStore } from '../store/finding-store';
import { SERVICE_ACTOR } from '../store/records';
import type { TicketResult, TicketService } from './ports';

/**
 * Records ticket intents in the audit store, one per finding (claimed with
 * `FindingStore.claimTicket`, so concurrent deliveries record one).
 *
 * @example
 * const tickets = new PendingTicketService({ store });
 * const { reference, created } = await tickets.ensureTicket(finding, decision, { settings, warnings: [] }); // 'pending:01J...'
 * @deprecated use `TicketLifecycle` from `shared/tickets`.
 */
export class PendingTicketService implements TicketService {
  constructor(
    private readonly options: {
      readonly store: Pick<
        FindingStore,
        'claimTicket' | 'putAudit' | 'setTicketReference' | 'completeClaim' | 'releaseClaim'
      >;
    },
  ) {}

  async ensureTicket(finding: Finding, decision: Decision): Promise<TicketResult> {
    const { store } = this.options;
    const claim = await store.claimTicket(finding.findingId, { observedAt: finding.observedAt });
    if (!claim.claimed) {
      const current = claim.current;
      const reference = current?.auditId ? `pending:${current.auditId}` : 'pending';
      return {
        action: 'unchanged',
        reference,
        created: false,
        ...(current?.auditId ? { auditId: current.auditId } : {}),
        why: `a ticket for this finding is already recorded (${reference}, since ${current?.claimedAt ?? 'just now'})`,
      };
    }
    try {
      const record = await store.putAudit({
        kind: 'ticket',
        findingId: finding.findingId,
        ruleId: finding.ruleId,
        resourceType: finding.resourceType,
        resourceId: finding.resourceId,
        resourceArn: finding.resourceArn,
        accountId: finding.accountId,
        region: finding.region,
        actor: SERVICE_ACTOR,
        outcome: 'ticket-pending',
        reason: `ticket intent recorded (no ticket sink is wired yet): ${finding.reason}`,
        decision,
        plan: finding.remediation,
        before: null,
        after: null,
        changes: [],
        observedAt: finding.observedAt,
      });
      const reference = `pending:${record.auditId}`;
      await store.setTicketReference(finding.findingId, reference);
      await store.completeClaim(claim.claim, { auditId: record.auditId, outcome: 'ticket-pending' });
      return {
        action: 'opened',
        reference,
        created: true,
        auditId: record.auditId,
        why: `ticket intent recorded as ${reference}`,
      };
    } catch (error) {
      // Nothing recorded: let a retry claim it again.
      await store.releaseClaim(claim.claim);
      throw error;
    }
  }

  /** Intents are never resolved: there is no ticket. */
  async resolveTicket(): Promise<TicketResult | undefined> {
    return undefined;
  }

  /** Intents take no notes: there is no ticket. */
  async noteOnTicket(): Promise<TicketResult | undefined> {
    return undefined;
  }
}
