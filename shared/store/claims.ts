/**
 * Claims: one fix per plan, one ticket per finding, one rollback per audit record, whatever the
 * concurrency. See `finding-store.ts`.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Finding } from '../findings/finding';
import { planHash } from '../remediation/plan-key';
import type { PlannedAction } from '../rules/types';
import { type ClaimKind, claimPk, epochSeconds, SK_CLAIM } from './keys';
import { type Claim, type ClaimResult, claimSchema } from './records';
import { DAY_SECONDS, parseItem, StoreTable } from './table';

/**
 * Claims (`CLAIM#<kind>#<key>` / `CLAIM`): whoever writes one first owns the work.
 */
export class Claims extends StoreTable {
  /**
   * Claims the fix of a finding with these actions. Of any number of concurrent callers exactly
   * one gets `claimed: true`; the others see the winning claim.
   *
   * @example
   * const result = await store.claimFix(finding, plan.actions);
   * if (!result.claimed) return 'another delivery is fixing it';
   */
  claimFix(
    finding: Pick<Finding, 'findingId' | 'observedAt'>,
    actions: readonly PlannedAction[],
  ): Promise<ClaimResult> {
    return this.claim('fix', fixClaimKey(finding.findingId, actions), {
      seconds: this.options.fixClaimSeconds ?? 3600,
      holder: { findingId: finding.findingId, observedAt: finding.observedAt },
    });
  }

  /**
   * Claims the ticket of a finding: one ticket per finding while the claim holds. The ticket
   * service opens the ticket only when it won, then {@link completeClaim}s it with the reference.
   *
   * @example
   * const result = await store.claimTicket(finding.findingId);
   * if (result.claimed) await sink.open(...);
   */
  claimTicket(findingId: string, holder: Readonly<Record<string, string>> = {}): Promise<ClaimResult> {
    return this.claim('ticket', findingId, {
      seconds: this.options.ticketClaimSeconds ?? 30 * DAY_SECONDS,
      holder: { findingId, ...holder },
    });
  }

  /**
   * Claims the rollback of an audit record, so two people rolling back at once do not both act.
   *
   * @example
   * const result = await store.claimRollback(auditId, callerArn);
   */
  claimRollback(auditId: string, actor: string): Promise<ClaimResult> {
    return this.claim('rollback', auditId, {
      seconds: this.options.rollbackClaimSeconds ?? 900,
      holder: { actor },
    });
  }

  /**
   * Claims `key` of `kind` for `seconds`: a conditional put that succeeds when no claim exists or
   * the existing one has expired.
   *
   * @example
   * await store.claim('ticket', findingId, { seconds: 86400, holder: {} });
   */
  async claim(
    kind: ClaimKind,
    key: string,
    options: { readonly seconds: number; readonly holder: Readonly<Record<string, string>> },
  ): Promise<ClaimResult> {
    const now = this.now();
    const claim: Claim = {
      kind,
      key,
      token: randomUUID(),
      claimedAt: now.toISOString(),
      expiresAt: epochSeconds(now) + Math.ceil(options.seconds),
      holder: { ...options.holder },
    };
    const pk = claimPk(kind, key);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk, sk: SK_CLAIM, ...claim },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': epochSeconds(now) },
        }),
      );
      return { claimed: true, claim };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { claimed: false, current: await this.getClaim(kind, key) };
    }
  }

  /**
   * The claim of `key`, when one exists (expired or not).
   *
   * @example
   * const claim = await store.getClaim('ticket', findingId);
   */
  async getClaim(kind: ClaimKind, key: string): Promise<Claim | undefined> {
    const pk = claimPk(kind, key);
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk: SK_CLAIM }, ConsistentRead: true }),
    );
    return result.Item ? parseItem(claimSchema, result.Item, pk, SK_CLAIM) : undefined;
  }

  /**
   * Records the result of the claimed work on the claim (it keeps holding until it expires), so a
   * loser can say which audit record holds the result. Only the holder's token can do this.
   *
   * @example
   * await store.completeClaim(claim, { auditId: record.auditId, outcome: 'applied' });
   */
  async completeClaim(
    claim: Claim,
    result: { readonly auditId?: string; readonly outcome: string },
  ): Promise<void> {
    const set = ['outcome = :outcome'];
    const values: Record<string, unknown> = { ':outcome': result.outcome, ':token': claim.token };
    if (result.auditId !== undefined) {
      set.push('auditId = :auditId');
      values[':auditId'] = result.auditId;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: claimPk(claim.kind, claim.key), sk: SK_CLAIM },
          UpdateExpression: `SET ${set.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND #token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      // The claim expired and someone else took it: theirs is the current one, leave it.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Gives up whatever claim is held on `key` now, if any (a window or a ticket claim whose
   * holder is done with it).
   *
   * @example
   * await store.releaseClaimIfHeld('ticket', `${findingId}#comment`);
   */
  async releaseClaimIfHeld(kind: ClaimKind, key: string): Promise<void> {
    const current = await this.getClaim(kind, key);
    if (current) await this.releaseClaim(current);
  }

  /**
   * Gives a claim up (the work did not happen and may be retried). Only the holder's token can.
   *
   * @example
   * try { await work(); } catch (e) { await store.releaseClaim(claim); throw e; }
   */
  async releaseClaim(claim: Claim): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: claimPk(claim.kind, claim.key), sk: SK_CLAIM },
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': claim.token },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/**
 * The claim key of a fix: the finding and the identity of its actions.
 *
 * @example
 * fixClaimKey('s3-bucket-public-access:arn:aws:s3:::b', plan.actions); // '...:b#3f2a9c0d1e4b5a6c'
 */
export function fixClaimKey(findingId: string, actions: readonly PlannedAction[]): string {
  return `${findingId}#${planHash(actions)}`;
}
