/**
 * The store's previous statuses, read 100 keys a BatchGetItem, with DynamoDB's unprocessed keys
 * asked again (the document client mocked, since a local engine never leaves keys unprocessed).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type BatchGetCommandInput, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { UnprocessedStoreKeysError } from '../../shared/sweep/errors';
import { PreviousStatusReader } from '../../shared/sweep/previous-status';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const dynamo = mockClient(client);
const TABLE = 'endpoint-guard';

function item(findingId: string) {
  return { findingId, status: 'NON_COMPLIANT', severity: 'HIGH', lastObservedAt: '2025-06-01T10:00:00.000Z' };
}

function keysOf(input: BatchGetCommandInput): string[] {
  return (input.RequestItems?.[TABLE]?.Keys ?? []).map((key) => String(key.pk));
}

beforeEach(() => {
  dynamo.reset();
});

describe('PreviousStatusReader', () => {
  it('reads 100 keys a call with only the compared attributes, and asks again for unprocessed keys', async () => {
    // Prepare: 150 findings; the first call leaves one key unprocessed.
    const ids = Array.from({ length: 150 }, (_, i) => `rule:arn-${i}`);
    let first = true;
    dynamo.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => {
      const keys = keysOf(input);
      const unprocessed = first ? keys.slice(0, 1) : [];
      first = false;
      return {
        Responses: {
          [TABLE]: keys.filter((key) => !unprocessed.includes(key)).map((key) => item(key.slice(8))),
        },
        UnprocessedKeys: unprocessed.length
          ? { [TABLE]: { Keys: unprocessed.map((pk) => ({ pk, sk: 'STATE' })) } }
          : {},
      };
    });
    const reader = new PreviousStatusReader({
      client,
      tableName: TABLE,
      sleep: async () => undefined,
      concurrency: 1,
    });

    // Act
    const statuses = await reader.statuses(ids);

    // Assess
    expect(statuses.size).toBe(150);
    expect(statuses.get('rule:arn-0')).toEqual({
      status: 'NON_COMPLIANT',
      severity: 'HIGH',
      lastObservedAt: '2025-06-01T10:00:00.000Z',
    });
    expect(dynamo).toHaveReceivedCommandTimes(BatchGetCommand, 3);
    expect(dynamo).toHaveReceivedNthCommandWith(BatchGetCommand, 1, {
      RequestItems: {
        [TABLE]: {
          Keys: ids.slice(0, 100).map((id) => ({ pk: `FINDING#${id}`, sk: 'STATE' })),
          ProjectionExpression: 'findingId, #status, severity, lastObservedAt',
          ExpressionAttributeNames: { '#status': 'status' },
        },
      },
    });
    expect(dynamo).toHaveReceivedNthCommandWith(BatchGetCommand, 2, {
      RequestItems: {
        [TABLE]: expect.objectContaining({ Keys: [{ pk: 'FINDING#rule:arn-0', sk: 'STATE' }] }),
      },
    });
  });

  it('gives up with an error naming the findings when keys stay unprocessed', async () => {
    // Prepare
    dynamo.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => ({
      Responses: { [TABLE]: [] },
      UnprocessedKeys: { [TABLE]: { Keys: keysOf(input).map((pk) => ({ pk, sk: 'STATE' })) } },
    }));
    const reader = new PreviousStatusReader({
      client,
      tableName: TABLE,
      sleep: async () => undefined,
      unprocessedRetries: 2,
    });

    // Act
    const reading = reader.statuses(['rule:arn-1']);

    // Assess
    await expect(reading).rejects.toThrow(UnprocessedStoreKeysError);
    await expect(reading).rejects.toThrow('table endpoint-guard left 1 key unprocessed: rule:arn-1');
    expect(dynamo).toHaveReceivedCommandTimes(BatchGetCommand, 3);
  });
});
