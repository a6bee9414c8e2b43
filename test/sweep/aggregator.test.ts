/**
 * The aggregator reader: the account counts of an aggregation query, the full items of some
 * buckets with the service's unprocessed identifiers asked again, and a row it cannot read.
 */
import {
  BatchGetAggregateResourceConfigCommand,
  ConfigServiceClient,
  SelectAggregateResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AggregatorReader } from '../../shared/sweep/aggregator';
import { AggregatorResponseError } from '../../shared/sweep/errors';
import { bucketItem, REGION } from './support';

const config = mockClient(ConfigServiceClient);
const A = '111111111111';

function reader(): AggregatorReader {
  return new AggregatorReader(new ConfigServiceClient({ region: REGION }), {
    aggregatorName: 'org',
    sleep: async () => undefined,
  });
}

beforeEach(() => {
  config.reset();
});

describe('AggregatorReader', () => {
  it('counts items per account with one aggregation query, leaving its page size to the service', async () => {
    // Prepare
    config
      .on(SelectAggregateResourceConfigCommand)
      .resolvesOnce({ Results: [JSON.stringify({ accountId: A, 'COUNT(*)': 12 })], NextToken: 'next' })
      .resolvesOnce({ Results: [JSON.stringify({ accountId: '222222222222', 'COUNT(*)': 3 })] });

    // Act
    const counts = await reader().accountCounts(['AWS::S3::Bucket']);

    // Assess
    expect(counts).toEqual([
      { accountId: A, items: 12 },
      { accountId: '222222222222', items: 3 },
    ]);
    expect(config).toHaveReceivedNthCommandWith(SelectAggregateResourceConfigCommand, 1, {
      Expression: "SELECT accountId, COUNT(*) WHERE resourceType IN ('AWS::S3::Bucket') GROUP BY accountId",
      ConfigurationAggregatorName: 'org',
    });
    expect(config.commandCalls(SelectAggregateResourceConfigCommand)[0]?.args[0].input).not.toHaveProperty(
      'MaxResults',
    );
    expect(config).toHaveReceivedNthCommandWith(SelectAggregateResourceConfigCommand, 2, {
      NextToken: 'next',
    });
  });

  it('asks again for the identifiers BatchGetAggregateResourceConfig leaves unprocessed, and names the missing ones', async () => {
    // Prepare: 150 buckets; the first call leaves one unprocessed; one bucket no longer exists.
    const names = Array.from({ length: 150 }, (_, i) => `bucket-${i}`);
    const identifier = (name: string) => ({
      SourceAccountId: A,
      SourceRegion: REGION,
      ResourceType: 'AWS::S3::Bucket' as const,
      ResourceId: name,
    });
    config
      .on(BatchGetAggregateResourceConfigCommand)
      .resolvesOnce({
        BaseConfigurationItems: names.slice(1, 100).map((name) => bucketItem(A, name)),
        UnprocessedResourceIdentifiers: [identifier('bucket-0')],
      })
      .resolvesOnce({ BaseConfigurationItems: names.slice(100, 149).map((name) => bucketItem(A, name)) })
      .resolvesOnce({ BaseConfigurationItems: [bucketItem(A, 'bucket-0')] });
    const keys = names.map((name) => ({
      accountId: A,
      region: REGION,
      resourceType: 'AWS::S3::Bucket',
      resourceId: name,
    }));

    // Act
    const { items, missing } = await reader().items(keys);

    // Assess
    expect(items).toHaveLength(149);
    expect(items[0]).toEqual(
      expect.objectContaining({
        resourceId: 'bucket-1',
        configurationItemCaptureTime: '2025-06-01T10:05:00.000Z',
      }),
    );
    expect(missing).toEqual([
      { accountId: A, region: REGION, resourceType: 'AWS::S3::Bucket', resourceId: 'bucket-149' },
    ]);
    expect(config).toHaveReceivedCommandTimes(BatchGetAggregateResourceConfigCommand, 3);
    expect(config).toHaveReceivedNthCommandWith(BatchGetAggregateResourceConfigCommand, 1, {
      ConfigurationAggregatorName: 'org',
      ResourceIdentifiers: names.slice(0, 100).map(identifier),
    });
    expect(config).toHaveReceivedNthCommandWith(BatchGetAggregateResourceConfigCommand, 3, {
      ResourceIdentifiers: [identifier('bucket-0')],
    });
  });

  it('refuses a result row that is not JSON, naming the aggregator and the row', async () => {
    // Prepare
    config.on(SelectAggregateResourceConfigCommand).resolves({ Results: ['{"resourceId":"a"}', '{oops'] });

    // Act
    const selecting = reader().select('SELECT resourceId');

    // Assess
    await expect(selecting).rejects.toThrow(AggregatorResponseError);
    await expect(selecting).rejects.toThrow('aggregator org: page 0 row 1 is not JSON');
  });
});
