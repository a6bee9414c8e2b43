/**
 * Reads the organization's configuration items from the AWS Config aggregator: advanced queries
 * (SelectAggregateResourceConfig, paged) and the full items of a few resources
 * (BatchGetAggregateResourceConfig), all from the central account, without entering any member
 * account.
 */
import {
  type AggregateResourceIdentifier,
  BatchGetAggregateResourceConfigCommand,
  type ConfigServiceClient,
  type ResourceType as SdkResourceType,
  SelectAggregateResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { AggregatorResponseError } from './errors';
import { type AccountCount, accountCountsExpression, MAX_PAGE_SIZE } from './query';

/** One row of a query result, parsed. */
export type QueryRow = Record<string, unknown>;

/** A resource in the aggregator: account, region, type and id. */
export interface AggregateKey {
  readonly accountId: string;
  readonly region: string;
  readonly resourceType: string;
  readonly resourceId: string;
}

/** BatchGetAggregateResourceConfig takes at most this many identifiers per call. */
export const MAX_IDENTIFIERS_PER_BATCH = 100;

export interface AggregatorReaderOptions {
  readonly aggregatorName: string;
  /** Rows per page of a non-aggregation query. @default 100 (the API's maximum) */
  readonly pageSize?: number;
  /** How many times unprocessed identifiers are asked again. @default 3 */
  readonly unprocessedRetries?: number;
  /** Waits between those retries (the service left them unprocessed under load). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called once per AWS request, with the API name. */
  readonly onCall?: (api: string) => void;
}

/**
 * @example
 * const aggregator = new AggregatorReader(new ConfigServiceClient({}), { aggregatorName: 'org' });
 * for await (const rows of aggregator.pages(shardExpression(accounts))) handle(rows);
 */
export class AggregatorReader {
  readonly aggregatorName: string;
  private readonly pageSize: number;
  private readonly retries: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly config: ConfigServiceClient,
    private readonly options: AggregatorReaderOptions,
  ) {
    this.aggregatorName = options.aggregatorName;
    this.pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > MAX_PAGE_SIZE) {
      throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${this.pageSize}`);
    }
    this.retries = options.unprocessedRetries ?? 3;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * The pages of a query, each page's rows parsed, following NextToken to the end.
   * `pageSize: 'default'` leaves the page size to the service (500 rows for aggregations).
   */
  async *pages(expression: string, pageSize: number | 'default' = this.pageSize): AsyncGenerator<QueryRow[]> {
    let nextToken: string | undefined;
    let page = 0;
    do {
      this.options.onCall?.('SelectAggregateResourceConfig');
      const response = await this.config.send(
        new SelectAggregateResourceConfigCommand({
          Expression: expression,
          ConfigurationAggregatorName: this.aggregatorName,
          ...(pageSize === 'default' ? {} : { MaxResults: pageSize }),
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      );
      yield (response.Results ?? []).map((row, index) => this.parseRow(row, page, index));
      nextToken = response.NextToken || undefined;
      page++;
    } while (nextToken !== undefined);
  }

  /** Every row of a query. */
  async select(expression: string): Promise<QueryRow[]> {
    const rows: QueryRow[] = [];
    for await (const page of this.pages(expression)) for (const row of page) rows.push(row);
    return rows;
  }

  /** How many items of the given types each account has (one aggregation query). */
  async accountCounts(types?: readonly string[]): Promise<AccountCount[]> {
    const counts: AccountCount[] = [];
    for await (const page of this.pages(accountCountsExpression(types), 'default')) {
      for (const row of page) {
        const accountId = row.accountId;
        const countKey = Object.keys(row).find((key) => key.toUpperCase().startsWith('COUNT('));
        const items = countKey === undefined ? Number.NaN : Number(row[countKey]);
        if (typeof accountId !== 'string' || !Number.isFinite(items)) {
          throw new AggregatorResponseError(
            this.aggregatorName,
            `account count row without accountId and COUNT(*): ${JSON.stringify(row).slice(0, 200)}`,
          );
        }
        counts.push({ accountId, items });
      }
    }
    return counts;
  }

  /**
   * The full current items of some resources (BatchGetAggregateResourceConfig, 100 per call),
   * in API form with ISO timestamps. Identifiers the service leaves unprocessed are asked again
   * up to `unprocessedRetries` times; those still left, and those it does not know (deleted since
   * the query), come back in `missing`, never as an error: the caller decides without them.
   */
  async items(keys: readonly AggregateKey[]): Promise<{ items: QueryRow[]; missing: AggregateKey[] }> {
    const items: QueryRow[] = [];
    let pending: AggregateResourceIdentifier[] = keys.map((key) => ({
      SourceAccountId: key.accountId,
      SourceRegion: key.region,
      ResourceType: key.resourceType as SdkResourceType,
      ResourceId: key.resourceId,
    }));
    for (let attempt = 0; pending.length > 0 && attempt <= this.retries; attempt++) {
      if (attempt > 0) await this.sleep(100 * 2 ** (attempt - 1));
      const next: AggregateResourceIdentifier[] = [];
      for (let i = 0; i < pending.length; i += MAX_IDENTIFIERS_PER_BATCH) {
        this.options.onCall?.('BatchGetAggregateResourceConfig');
        const response = await this.config.send(
          new BatchGetAggregateResourceConfigCommand({
            ConfigurationAggregatorName: this.aggregatorName,
            ResourceIdentifiers: pending.slice(i, i + MAX_IDENTIFIERS_PER_BATCH),
          }),
        );
        // Timestamps as ISO strings, as in every other input the normalizer reads.
        for (const item of response.BaseConfigurationItems ?? [])
          items.push(JSON.parse(JSON.stringify(item)));
        next.push(...(response.UnprocessedResourceIdentifiers ?? []));
      }
      pending = next;
    }
    const found = new Set(
      items.map((item) => `${item.accountId}|${item.awsRegion}|${item.resourceType}|${item.resourceId}`),
    );
    const missing = keys.filter(
      (key) => !found.has(`${key.accountId}|${key.region}|${key.resourceType}|${key.resourceId}`),
    );
    return { items, missing };
  }

  private parseRow(row: string, page: number, index: number): QueryRow {
    let parsed: unknown;
    try {
      parsed = JSON.parse(row);
    } catch (error) {
      throw new AggregatorResponseError(this.aggregatorName, `page ${page} row ${index} is not JSON`, {
        cause: error,
      });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new AggregatorResponseError(
        this.aggregatorName,
        `page ${page} row ${index} is not a JSON object`,
      );
    }
    return parsed as QueryRow;
  }
}
