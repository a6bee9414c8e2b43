/**
 * The fix-rate counter behind `maxFixesPerAccountPerHour`. See `finding-store.ts`.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { hourOf, ratePk } from './keys';
import { StoreTable } from './table';

const RATE_TTL_SECONDS = 3 * 60 * 60;

/**
 * The hourly fix counter of each member account (`RATE#<accountId>` / `<UTC hour>`).
 */
export class FixRateCounter extends StoreTable {
  /**
   * Fixes counted against an account in the current UTC hour.
   *
   * @example
   * const history = { fixesThisHourForAccount: await store.fixesThisHour(finding.accountId), ... };
   */
  async fixesThisHour(accountId: string): Promise<number> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: ratePk(accountId), sk: hourOf(this.now()) },
        ConsistentRead: true,
      }),
    );
    const count = result.Item?.count;
    return typeof count === 'number' ? count : 0;
  }

  /**
   * Takes one fix slot of the account's hourly cap: an atomic `ADD` that only succeeds while the
   * count is below `limit`, so the cap holds however many fixes run at once. A slot is taken per
   * attempt, before the attempt, and is not given back: the cap counts attempts.
   *
   * @example
   * const slot = await store.takeFixSlot(finding.accountId, settings.maxFixesPerAccountPerHour);
   * if (!slot.granted) return 'cap reached';
   */
  async takeFixSlot(accountId: string, limit: number): Promise<{ granted: boolean; count: number }> {
    const now = this.now();
    const hour = hourOf(now);
    if (!(limit > 0)) return { granted: false, count: await this.fixesThisHour(accountId) };
    const hourEnds = Date.parse(`${hour}:00:00.000Z`) / 1000 + 3600;
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: ratePk(accountId), sk: hour },
          UpdateExpression: 'ADD #count :one SET expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': limit,
            ':expiresAt': hourEnds + RATE_TTL_SECONDS,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const count = result.Attributes?.count;
      return { granted: true, count: typeof count === 'number' ? count : 1 };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { granted: false, count: await this.fixesThisHour(accountId) };
    }
  }
}
