/**
 * The organization sweep: the backstop for events that never arrived (EventBridge delivers
 * CloudTrail events on a best-effort basis). It reads every in-scope resource from the AWS Config
 * aggregator, evaluates the same rules as the event-driven detectors, and publishes a `Finding`
 * only where the status (or severity) differs from what the store recorded.
 *
 * ## Continuation: checkpointed pagination, not a Step Functions distributed map
 *
 * The organization is split into shards of whole accounts (about 20,000 items each, planned from
 * one `GROUP BY accountId` query), swept a few at a time (`shardConcurrency`, 3: their Config page
 * chains side by side). After each wave the checkpoint item in the findings table records the
 * next shard; an invocation that runs short of time stops between waves, and the next scheduled
 * invocation resumes there (a lease on the item keeps two invocations from sweeping at once; an
 * invocation that fails redoes its wave, which is harmless: only changes are published, and the
 * store takes an observation once). Why not a distributed map:
 * - the cost of a sweep is its Config page chain (100 rows per call, each page needing the
 *   previous one's NextToken). A map can only parallelize across shards, and finer shards cost
 *   more calls (every shard pays its last partial page, its account-count share, its shared-VPC
 *   lookups), against a Config API that throttles per account anyway;
 * - a shard must hold whole VPCs (an endpoint is judged against its VPC's subnets and tables),
 *   so the natural shard is the account: a handful of shards for a thousand accounts, which one
 *   function sweeps in well under a minute (bench/RESULTS.md);
 * - it needs no state machine, no S3 bucket for the map's items and results, and no extra IAM:
 *   the table is already there, and the checkpoint is one small item.
 *
 * ## What the aggregator lacks, fetched only where a verdict depends on it
 * - a bucket's policy and ACL (advanced queries cannot select them): they decide a
 *   non-compliant bucket's severity (CRITICAL when public now). Read for non-compliant buckets
 *   only, 100 per BatchGetAggregateResourceConfig call, still from the aggregator;
 * - the AZs an endpoint service is offered in (not a Config resource): they can make an
 *   endpoint compliant that covers two AZs of three. Asked per member account and region (AZ
 *   names differ between accounts), only for non-compliant interface endpoints that could pass
 *   and that changed since the store's observation, a few accounts at a time, with the SDK's
 *   adaptive retry; an account that cannot be read leaves its endpoints unpublished this time,
 *   never the other accounts'.
 *
 * Both are skipped where the store observed the resource at least as recently as the aggregator
 * captured it: it already judged that state with live reads.
 */
import { randomUUID } from 'node:crypto';
import type { Finding } from '../findings/finding';
import { type Logger, SILENT_LOGGER } from '../logger';
import type { RuleOptions } from '../rules/types';
import type { AggregatorReader } from './aggregator';
import {
  addTotals,
  type SweepCheckpoint,
  type SweepCheckpointStore,
  type SweepTotals,
  ZERO_TOTALS,
} from './checkpoint';
import { SweepLeaseLostError } from './errors';
import type { PreviousStatusReader } from './previous-status';
import { planShards, type ShardLimits } from './query';
import { type ServiceZoneLookup, type ShardResult, ShardSweeper } from './shard-sweeper';

export type { ServiceZoneLookup, ShardResult } from './shard-sweeper';

/** A structured logger (Powertools Logger fits): the core's one logger interface. */
export type SweepLogger = Logger;

export interface SweeperOptions {
  readonly aggregator: Pick<AggregatorReader, 'select' | 'accountCounts' | 'items'>;
  readonly previous: Pick<PreviousStatusReader, 'statuses'>;
  readonly checkpoints: Pick<SweepCheckpointStore, 'acquire' | 'start' | 'advance' | 'complete' | 'release'>;
  readonly publisher: { publish(findings: readonly Finding[]): Promise<unknown> };
  /** Without it, endpoints are judged on their VPC's AZs alone (as an offline scan does). */
  readonly serviceZones?: ServiceZoneLookup;
  /** The rule options in force (from the settings). */
  readonly ruleOptions: () => Promise<RuleOptions>;
  readonly logger?: SweepLogger;
  /** @default () => new Date() */
  readonly now?: () => Date;
  readonly shardLimits?: ShardLimits;
  /** Member accounts asked at once for their endpoint services' AZs. @default 8 */
  readonly lookupConcurrency?: number;
  /** Shards swept side by side (each a chain of Config pages). @default 3 */
  readonly shardConcurrency?: number;
  /** Time an invocation keeps for itself after its last shard (checkpoint, release). @default 15 s */
  readonly reserveMs?: number;
  /** What a shard is expected to take before one has been timed. @default 60 s */
  readonly firstShardEstimateMs?: number;
  /** @default randomUUID */
  readonly newRunId?: () => string;
}

/** One invocation's request. */
export interface SweepRequest {
  /** Who holds the lease: the invocation's request id. */
  readonly owner: string;
  /** Time left in the invocation (Lambda's `getRemainingTimeInMillis`). */
  readonly remainingMs: () => number;
  /** A new run starts only this long after the last one completed. */
  readonly minIntervalMs: number;
  /** Start a new run even if the last one completed less than `minIntervalMs` ago. */
  readonly force?: boolean;
}

export type SweepOutcome = 'busy' | 'not-due' | 'paused' | 'completed' | 'lease-lost';

/** What an invocation did. */
export interface SweepRunResult {
  readonly outcome: SweepOutcome;
  readonly runId?: string;
  /** Shards swept by this invocation. */
  readonly shardsSwept: number;
  /** Shards the run still has to sweep. */
  readonly shardsLeft: number;
  /** This invocation's counts. */
  readonly totals: SweepTotals;
}

/** The lease outlives the invocation's own time by this much (so a crash frees it soon after). */
export const LEASE_MARGIN_SECONDS = 60;

/**
 * @example
 * const sweeper = new Sweeper({ aggregator, previous, checkpoints, publisher, serviceZones, ruleOptions });
 * const result = await sweeper.run({ owner: context.awsRequestId, remainingMs: () => context.getRemainingTimeInMillis(), minIntervalMs: 3_600_000 });
 */
export class Sweeper {
  private readonly now: () => Date;
  private readonly logger: SweepLogger;

  private readonly shards: ShardSweeper;

  constructor(private readonly options: SweeperOptions) {
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? SILENT_LOGGER;
    this.shards = new ShardSweeper(options);
    for (const [name, value] of [
      ['lookupConcurrency', options.lookupConcurrency ?? 8],
      ['shardConcurrency', options.shardConcurrency ?? 3],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }

  /**
   * Sweeps as many shards as the invocation has time for: resumes the run in progress, or starts
   * one when the last completed at least `minIntervalMs` ago. Returns without sweeping when
   * another invocation holds the lease.
   */
  async run(request: SweepRequest): Promise<SweepRunResult> {
    const { checkpoints } = this.options;
    const leaseSeconds = Math.ceil(request.remainingMs() / 1000) + LEASE_MARGIN_SECONDS;
    const checkpoint = await checkpoints.acquire(request.owner, this.now(), leaseSeconds);
    if (checkpoint === undefined)
      return { outcome: 'busy', shardsSwept: 0, shardsLeft: 0, totals: ZERO_TOTALS };
    let runId = checkpoint.runId;
    let swept = 0;
    let totals = ZERO_TOTALS;
    let shardsLeft = 0;
    try {
      let state: SweepCheckpoint & { runId?: string } = checkpoint;
      const inProgress = state.runId !== undefined && state.nextShard < state.shards.length;
      if (!inProgress) {
        const now = this.now();
        const last = state.lastCompletedAt === undefined ? Number.NaN : Date.parse(state.lastCompletedAt);
        if (!request.force && Number.isFinite(last) && now.getTime() - last < request.minIntervalMs) {
          return { outcome: 'not-due', shardsSwept: 0, shardsLeft: 0, totals, ...(runId ? { runId } : {}) };
        }
        state = await this.startRun(request.owner, now);
        runId = state.runId;
      }
      if (runId === undefined) throw new Error('a started run has an id');
      const ruleOptions = await this.options.ruleOptions();
      let runTotals = state.totals;
      let slowest = 0;
      const width = this.options.shardConcurrency ?? 3;
      // Shards are swept a wave at a time (their Config page chains run side by side); the
      // checkpoint moves past a wave once all of it is done, so a failure redoes the wave only.
      for (let index = state.nextShard; index < state.shards.length; index += width) {
        shardsLeft = state.shards.length - index;
        const estimate = slowest > 0 ? slowest * 1.5 : (this.options.firstShardEstimateMs ?? 60_000);
        if (request.remainingMs() < (this.options.reserveMs ?? 15_000) + estimate) {
          this.logger.info('sweep paused: the next scheduled invocation resumes it', {
            runId,
            nextShard: index,
            shards: state.shards.length,
            remainingMs: request.remainingMs(),
          });
          return { outcome: 'paused', runId, shardsSwept: swept, shardsLeft, totals };
        }
        const started = this.now().getTime();
        const wave = state.shards.slice(index, index + width);
        const results = await Promise.all(
          wave.map((accounts, offset) =>
            this.sweepShard(accounts, ruleOptions, `${index + offset + 1}/${state.shards.length}`),
          ),
        );
        slowest = Math.max(slowest, this.now().getTime() - started);
        for (const result of results) {
          totals = addTotals(totals, result.totals);
          runTotals = addTotals(runTotals, result.totals);
        }
        swept += wave.length;
        await checkpoints.advance(request.owner, runId, index + wave.length, runTotals);
      }
      shardsLeft = 0;
      await checkpoints.complete(request.owner, runId, this.now().toISOString());
      this.logger.info('sweep completed', { runId, shards: state.shards.length, ...runTotals });
      return { outcome: 'completed', runId, shardsSwept: swept, shardsLeft, totals };
    } catch (error) {
      if (!(error instanceof SweepLeaseLostError)) throw error;
      this.logger.warn('sweep lease taken over by another invocation: stopping', {
        runId,
        owner: request.owner,
      });
      return { outcome: 'lease-lost', shardsSwept: swept, shardsLeft, totals, ...(runId ? { runId } : {}) };
    } finally {
      await checkpoints.release(request.owner).catch((error: unknown) => {
        // The lease then simply expires; nothing is lost.
        this.logger.warn('sweep lease not released', {
          error: error instanceof Error ? error.message : String(error),
        });
      });
    }
  }

  private async startRun(owner: string, now: Date): Promise<SweepCheckpoint & { runId: string }> {
    const counts = await this.options.aggregator.accountCounts();
    const shards = planShards(counts, this.options.shardLimits);
    const runId = (this.options.newRunId ?? randomUUID)();
    await this.options.checkpoints.start(owner, { runId, startedAt: now.toISOString(), shards });
    this.logger.info('sweep started', {
      runId,
      accounts: counts.length,
      items: counts.reduce((sum, count) => sum + count.items, 0),
      shards: shards.length,
    });
    return { runId, startedAt: now.toISOString(), shards, nextShard: 0, totals: ZERO_TOTALS };
  }

  /**
   * Sweeps the accounts of one shard (see {@link ShardSweeper.sweepShard}).
   */
  sweepShard(accounts: readonly string[], ruleOptions: RuleOptions, label = '1/1'): Promise<ShardResult> {
    return this.shards.sweepShard(accounts, ruleOptions, label);
  }
}
