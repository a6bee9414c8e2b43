/**
 * The ticket service used until a ticket sink is configured: it records the intent to open a
 * ticket (an audit record with outcome `ticket-pending`, and `pending:<auditId>` as the finding's
 * ticket reference), once per finding, so nothing is lost and a sink can pick the intents up.
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
 * const { reference, created } = await tickets.ensureTicket(finding, decision); // 'pending:01J...'
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
}
