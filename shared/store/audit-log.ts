/**
 * The audit log: one record per action (`AUDIT#<auditId>` / `AUDIT`) and its listing under the
 * finding (`FINDING#<findingId>` / `AUDIT#<auditId>`). See `finding-store.ts`.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { newAuditId } from './audit-id';
import { AlreadyRolledBackError, AuditNotFoundError } from './errors';
import { AUDIT_LISTING_PREFIX, auditPk, epochSeconds, findingPk, SK_AUDIT } from './keys';
import {
  type AuditListing,
  type AuditOutcome,
  type AuditRecord,
  auditListingSchema,
  auditRecordSchema,
  type NewAuditRecord,
} from './records';
import { DAY_SECONDS, parseItem, plain, StoreTable } from './table';

/**
 * The audit log: the one place audit records are written (`putAudit`) and read (`getAudit`,
 * `listAudits`), and marked rolled back.
 */
export class AuditLog extends StoreTable {
  /**
   * Writes one audit record (and its listing under the finding) and returns it with its new id.
   *
   * @example
   * const record = await store.putAudit({ kind: 'fix', outcome: 'applied', actor: SERVICE_ACTOR, ... });
   * console.log(`endpoint-guard rollback ${record.auditId}`);
   */
  async putAudit(input: NewAuditRecord): Promise<AuditRecord> {
    const now = this.now();
    const unsigned: AuditRecord = plain({ ...input, auditId: newAuditId(now), createdAt: now.toISOString() });
    const signer = this.options.signer;
    const record: AuditRecord = signer ? { ...unsigned, signature: await signer.sign(unsigned) } : unsigned;
    const retention = this.options.auditRetentionDays;
    const ttl = retention === undefined ? {} : { expiresAt: epochSeconds(now) + retention * DAY_SECONDS };
    const listing: AuditListing = {
      auditId: record.auditId,
      kind: record.kind,
      outcome: record.outcome,
      reason: record.reason,
      createdAt: record.createdAt,
    };
    // The record first: a listing never points at a record that was not written.
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: auditPk(record.auditId), sk: SK_AUDIT, ...record, ...ttl },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: findingPk(record.findingId),
          sk: `${AUDIT_LISTING_PREFIX}${record.auditId}`,
          ...listing,
          ...ttl,
        },
      }),
    );
    return record;
  }

  /**
   * The audit record with this id; throws {@link AuditNotFoundError} when there is none.
   *
   * @example
   * const record = await store.getAudit('01JGFJJZ00ABCDEFGHJKMNPQRS');
   */
  async getAudit(auditId: string): Promise<AuditRecord> {
    const pk = auditPk(auditId);
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk: SK_AUDIT }, ConsistentRead: true }),
    );
    if (!result.Item) throw new AuditNotFoundError(auditId);
    return parseItem(auditRecordSchema, result.Item, pk, SK_AUDIT);
  }

  /**
   * The audit listing of a finding, newest first.
   *
   * @example
   * const [latest] = await store.listAudits(finding.findingId, 1);
   */
  async listAudits(findingId: string, limit = 25): Promise<AuditListing[]> {
    const pk = findingPk(findingId);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': AUDIT_LISTING_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map((item) => parseItem(auditListingSchema, item, pk, String(item.sk)));
  }

  /**
   * Marks a fix (applied, or failed after changing something) as rolled back by
   * `rollbackAuditId`. Conditional, so of two rollbacks
   * racing only one is recorded; the other gets {@link AlreadyRolledBackError}.
   *
   * @example
   * await store.markRolledBack(fix.auditId, rollback.auditId);
   */
  async markRolledBack(auditId: string, rollbackAuditId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: auditPk(auditId), sk: SK_AUDIT },
          UpdateExpression: 'SET rolledBackBy = :by, rolledBackAt = :at',
          // A failed fix may have changed something too (its verification failed): it can be
          // rolled back like an applied one.
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(rolledBackBy) AND kind = :fix AND outcome IN (:applied, :failed)',
          ExpressionAttributeValues: {
            ':by': rollbackAuditId,
            ':at': this.now().toISOString(),
            ':fix': 'fix',
            ':applied': 'applied' satisfies AuditOutcome,
            ':failed': 'failed' satisfies AuditOutcome,
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new AlreadyRolledBackError(auditId, { cause: error });
      throw error;
    }
  }
}
