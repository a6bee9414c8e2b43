/**
 * The sweep's checkpoint: one item in the findings table, `pk = SWEEP#<aggregator>`,
 * `sk = CHECKPOINT`, holding the run in progress (its shards and the next one to do), when the
 * last run completed, and a lease so that two invocations never sweep at once.
 *
 * Every write is conditional on holding the lease (and, for progress, on the run id), so an
 * invocation whose lease expired and was taken over cannot overwrite the new holder's progress.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SweepLeaseLostError } from './errors';

export const SWEEP_CHECKPOINT_SK = 'CHECKPOINT';

/** `SWEEP#<aggregator>`: one checkpoint per aggregator swept. */
export function sweepPk(aggregatorName: string): string {
  return `SWEEP#${aggregatorName}`;
}

/** Counts of a run, summed over its shards. */
export interface SweepTotals {
  /** Configuration items read from the aggregator. */
  readonly items: number;
  /** Evaluations made (one per evaluated resource per rule). */
  readonly evaluated: number;
  /** Findings whose status changed, published. */
  readonly published: number;
  /** Evaluations not published because a fetch they depend on failed (retried next run). */
  readonly unverified: number;
  /** Items the normalizer refused (logged, skipped). */
  readonly skipped: number;
}

export const ZERO_TOTALS: SweepTotals = { items: 0, evaluated: 0, published: 0, unverified: 0, skipped: 0 };

export function addTotals(a: SweepTotals, b: SweepTotals): SweepTotals {
  return {
    items: a.items + b.items,
    evaluated: a.evaluated + b.evaluated,
    published: a.published + b.published,
    unverified: a.unverified + b.unverified,
    skipped: a.skipped + b.skipped,
  };
}

/** The checkpoint as read when the lease is taken. */
export interface SweepCheckpoint {
  /** The run in progress or last run; absent before the first. */
  readonly runId?: string;
  readonly startedAt?: string;
  /** The run's shards: account ids, in the order they are swept. */
  readonly shards: readonly (readonly string[])[];
  /** Index of the next shard to sweep; `shards.length` when the run is done. */
  readonly nextShard: number;
  readonly totals: SweepTotals;
  /** When the last run completed (ISO-8601). */
  readonly lastCompletedAt?: string;
}

export interface SweepCheckpointStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly aggregatorName: string;
}

/**
 * @example
 * const checkpoints = new SweepCheckpointStore({ client, tableName, aggregatorName });
 * const checkpoint = await checkpoints.acquire('request-1', new Date(), 900);
 * if (checkpoint === undefined) return; // another invocation is sweeping
 */
export class SweepCheckpointStore {
  private readonly key: { pk: string; sk: string };

  constructor(private readonly options: SweepCheckpointStoreOptions) {
    this.key = { pk: sweepPk(options.aggregatorName), sk: SWEEP_CHECKPOINT_SK };
  }

  /**
   * Takes the lease for `leaseSeconds` (free, expired, or already ours) and returns the
   * checkpoint; `undefined` when another invocation holds it.
   */
  async acquire(owner: string, now: Date, leaseSeconds: number): Promise<SweepCheckpoint | undefined> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      const result = await this.options.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: this.key,
          UpdateExpression: 'SET leaseOwner = :owner, leaseExpiresAt = :until',
          ConditionExpression:
            'attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt < :now OR leaseOwner = :owner',
          ExpressionAttributeValues: {
            ':owner': owner,
            ':until': nowSeconds + leaseSeconds,
            ':now': nowSeconds,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return readCheckpoint(result.Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** Starts a run with its shards. */
  async start(
    owner: string,
    run: { runId: string; startedAt: string; shards: readonly (readonly string[])[] },
  ): Promise<void> {
    await this.update(
      owner,
      undefined,
      'SET runId = :runId, startedAt = :startedAt, shards = :shards, nextShard = :zero, totals = :totals',
      {
        ':runId': run.runId,
        ':startedAt': run.startedAt,
        ':shards': run.shards,
        ':zero': 0,
        ':totals': ZERO_TOTALS,
      },
    );
  }

  /** Records that the shards before `nextShard` are done, with the run's totals so far. */
  async advance(owner: string, runId: string, nextShard: number, totals: SweepTotals): Promise<void> {
    await this.update(owner, runId, 'SET nextShard = :next, totals = :totals', {
      ':next': nextShard,
      ':totals': totals,
    });
  }

  /** Marks the run complete. */
  async complete(owner: string, runId: string, completedAt: string): Promise<void> {
    await this.update(owner, runId, 'SET lastCompletedAt = :completedAt', { ':completedAt': completedAt });
  }

  /** Gives the lease up (a no-op when it is no longer ours). */
  async release(owner: string): Promise<void> {
    try {
      await this.update(owner, undefined, 'REMOVE leaseOwner, leaseExpiresAt', {});
    } catch (error) {
      if (!(error instanceof SweepLeaseLostError)) throw error;
    }
  }

  private async update(
    owner: string,
    runId: string | undefined,
    expression: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.options.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: this.key,
          UpdateExpression: expression,
          ConditionExpression:
            runId === undefined ? 'leaseOwner = :owner' : 'leaseOwner = :owner AND runId = :runId',
          ExpressionAttributeValues: {
            ...values,
            ':owner': owner,
            ...(runId === undefined ? {} : { ':runId': runId }),
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new SweepLeaseLostError(owner, { cause: error });
      throw error;
    }
  }
}

function readCheckpoint(item: Record<string, unknown>): SweepCheckpoint {
  const shards = Array.isArray(item.shards)
    ? item.shards.map((shard) =>
        Array.isArray(shard) ? shard.filter((id): id is string => typeof id === 'string') : [],
      )
    : [];
  const totals =
    typeof item.totals === 'object' && item.totals !== null ? (item.totals as Record<string, unknown>) : {};
  const count = (key: keyof SweepTotals): number =>
    typeof totals[key] === 'number' ? (totals[key] as number) : 0;
  return {
    ...(typeof item.runId === 'string' ? { runId: item.runId } : {}),
    ...(typeof item.startedAt === 'string' ? { startedAt: item.startedAt } : {}),
    shards,
    nextShard: typeof item.nextShard === 'number' ? item.nextShard : shards.length,
    totals: {
      items: count('items'),
      evaluated: count('evaluated'),
      published: count('published'),
      unverified: count('unverified'),
      skipped: count('skipped'),
    },
    ...(typeof item.lastCompletedAt === 'string' ? { lastCompletedAt: item.lastCompletedAt } : {}),
  };
}
