/**
 * Errors of the sweep. Each names what it was doing (aggregator, shard, table) and carries the
 * underlying error as `cause`.
 */
import { InputError } from '../errors';

/**
 * The aggregator answered with something the sweep cannot read (a result row that is not JSON,
 * an account count without an account).
 *
 * @example
 * throw new AggregatorResponseError('my-aggregator', 'row 3 is not JSON', { cause });
 */
export class AggregatorResponseError extends Error {
  override readonly name = 'AggregatorResponseError';
  readonly aggregatorName: string;

  constructor(aggregatorName: string, problem: string, options: { cause?: unknown } = {}) {
    super(`aggregator ${aggregatorName}: ${problem}`, { cause: options.cause });
    this.aggregatorName = aggregatorName;
  }
}

/**
 * DynamoDB still left keys unprocessed after the bounded retries: the previous statuses of these
 * findings are unknown, so the shard is not finished (the next invocation does it again).
 *
 * @example
 * try { await reader.statuses(ids); } catch (e) { if (e instanceof UnprocessedStoreKeysError) ... }
 */
export class UnprocessedStoreKeysError extends Error {
  override readonly name = 'UnprocessedStoreKeysError';
  readonly tableName: string;
  readonly findingIds: readonly string[];

  constructor(tableName: string, findingIds: readonly string[]) {
    super(
      `table ${tableName} left ${findingIds.length} key${findingIds.length === 1 ? '' : 's'} unprocessed: ${findingIds
        .slice(0, 5)
        .join(', ')}${findingIds.length > 5 ? ', ...' : ''}`,
    );
    this.tableName = tableName;
    this.findingIds = findingIds;
  }
}

/**
 * Another invocation holds the sweep's lease now (this one's expired): this invocation stops
 * without writing progress, the holder carries on.
 *
 * @example
 * try { await checkpoints.advance(...); } catch (e) { if (e instanceof SweepLeaseLostError) return; }
 */
export class SweepLeaseLostError extends Error {
  override readonly name = 'SweepLeaseLostError';
  readonly owner: string;

  constructor(owner: string, options: { cause?: unknown } = {}) {
    super(`sweep lease of ${owner} was taken over by another invocation`, { cause: options.cause });
    this.owner = owner;
  }
}

/**
 * The sweep's invocation input (the schedule's payload) is malformed.
 *
 * @example
 * parseSweepInput({ minIntervalMinutes: -1 }); // throws InvalidSweepInputError
 */
export class InvalidSweepInputError extends InputError {
  override readonly name: string = 'InvalidSweepInputError';

  constructor(field: string, problem: string) {
    super(`${field} ${problem}`, { location: 'sweep input' });
  }
}
