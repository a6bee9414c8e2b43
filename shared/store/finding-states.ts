/**
 * The findings' current state: one item per (rule, resource). See `finding-store.ts`.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Finding } from '../findings/finding';
import { StoredItemError } from './errors';
import { epochSeconds, findingPk, SK_STATE } from './keys';
import { type FindingState, type FixOutcome, findingStateSchema } from './records';
import { DAY_SECONDS, parseItem, StoreTable } from './table';

/** Whether an observation was recorded, and the state as it now stands. */
export interface ObservationResult {
  /** `false`: an observation at least as recent was already recorded; nothing was changed. */
  readonly accepted: boolean;
  readonly state: FindingState;
}

/** What the handler records on the state after acting. */
export interface ActionResult {
  readonly action: string;
  readonly outcome: string;
  readonly auditId?: string;
  /**
   * Set when the executor ran (counts an attempt and remembers its outcome), or `rolled-back`
   * when a person rolled the fix back (remembered, not counted).
   */
  readonly fixOutcome?: FixOutcome | 'rolled-back';
}

/**
 * The current state of each finding (`FINDING#<findingId>` / `STATE`): observations, the last
 * action, the ticket reference.
 */
export class FindingStates extends StoreTable {
  /**
   * Records an observation of a finding. An observation older than the newest one recorded is
   * ignored (events arrive late and out of order); one of the same instant is a duplicate and is
   * accepted again, which changes nothing but `lastSeen`.
   *
   * @example
   * const { accepted, state } = await store.recordObservation(finding);
   * if (!accepted) return `older than ${state.lastObservedAt}`;
   */
  async recordObservation(finding: Finding): Promise<ObservationResult> {
    const now = this.now();
    const observedAt = new Date(finding.observedAt).toISOString();
    const values: Record<string, unknown> = {
      ':ruleId': finding.ruleId,
      ':resourceType': finding.resourceType,
      ':resourceId': finding.resourceId,
      ':resourceArn': finding.resourceArn,
      ':accountId': finding.accountId,
      ':region': finding.region,
      ':status': finding.status,
      ':severity': finding.severity,
      ':reason': finding.reason,
      ':now': now.toISOString(),
      ':observedAt': observedAt,
      ':findingId': finding.findingId,
      ':zero': 0,
      ':expiresAt': epochSeconds(now) + (this.options.stateRetentionDays ?? 90) * DAY_SECONDS,
    };
    const set = [
      'findingId = :findingId',
      'ruleId = :ruleId',
      'resourceType = :resourceType',
      'resourceId = :resourceId',
      'resourceArn = :resourceArn',
      'accountId = :accountId',
      '#region = :region',
      '#status = :status',
      'severity = :severity',
      '#reason = :reason',
      'firstSeen = if_not_exists(firstSeen, :now)',
      'lastSeen = :now',
      'lastObservedAt = :observedAt',
      'remediationAttempts = if_not_exists(remediationAttempts, :zero)',
      'expiresAt = :expiresAt',
    ];
    // A finding that is no longer NON_COMPLIANT starts afresh: a fix that failed before it was
    // resolved says nothing about the next time it breaks.
    const remove = finding.status === 'NON_COMPLIANT' ? '' : ' REMOVE lastFixOutcome, lastFixAt';
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: findingPk(finding.findingId), sk: SK_STATE },
          UpdateExpression: `SET ${set.join(', ')}${remove}`,
          ConditionExpression: 'attribute_not_exists(pk) OR lastObservedAt <= :observedAt',
          ExpressionAttributeNames: { '#region': 'region', '#status': 'status', '#reason': 'reason' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { accepted: true, state: this.parseState(result.Attributes, finding.findingId) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const state = await this.getState(finding.findingId);
      if (!state) throw error;
      return { accepted: false, state };
    }
  }

  /**
   * The current state of a finding, or `undefined` when it was never recorded.
   *
   * @example
   * const state = await store.getState(finding.findingId);
   */
  async getState(findingId: string): Promise<FindingState | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: findingPk(findingId), sk: SK_STATE },
        ConsistentRead: true,
      }),
    );
    return result.Item ? this.parseState(result.Item, findingId) : undefined;
  }

  /**
   * Records on the state what was done about the finding, and counts a fix attempt when the
   * executor ran. Returns `false` (and writes nothing) when the finding has no state item (it
   * expired, or was never recorded).
   *
   * @example
   * await store.recordAction(finding.findingId, { action: 'fix', outcome: 'applied', auditId, fixOutcome: 'applied' });
   */
  async recordAction(findingId: string, result: ActionResult): Promise<boolean> {
    const now = this.now().toISOString();
    const set = ['lastAction = :action', 'lastOutcome = :outcome'];
    const values: Record<string, unknown> = { ':action': result.action, ':outcome': result.outcome };
    if (result.auditId !== undefined) {
      set.push('lastAuditId = :auditId');
      values[':auditId'] = result.auditId;
    }
    let add = '';
    if (result.fixOutcome !== undefined) {
      set.push('lastFixOutcome = :fixOutcome', 'lastFixAt = :now');
      values[':fixOutcome'] = result.fixOutcome;
      values[':now'] = now;
      if (result.fixOutcome !== 'rolled-back') {
        values[':one'] = 1;
        add = ' ADD remediationAttempts :one';
      }
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: findingPk(findingId), sk: SK_STATE },
          UpdateExpression: `SET ${set.join(', ')}${add}`,
          // Only on a recorded finding: the state item is never created half-empty.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Stores the ticket reference of a finding (a ticket id, URL, or `pending:<auditId>`).
   *
   * @example
   * await store.setTicketReference(finding.findingId, 'OPS-1234');
   */
  async setTicketReference(findingId: string, reference: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: findingPk(findingId), sk: SK_STATE },
        UpdateExpression: 'SET ticketReference = :reference',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':reference': reference },
      }),
    );
  }

  private parseState(item: Record<string, unknown> | undefined, findingId: string): FindingState {
    const pk = findingPk(findingId);
    if (!item) throw new StoredItemError(pk, SK_STATE, 'no attributes returned');
    return parseItem(findingStateSchema, item, pk, SK_STATE);
  }
}
