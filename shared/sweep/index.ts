/**
 * The organization sweep: the AWS Config aggregator read in shards, the same rules, and a
 * Finding published only where the store's status differs. See `sweeper.ts`.
 */
export {
  type AggregateKey,
  AggregatorReader,
  type AggregatorReaderOptions,
  type QueryRow,
} from './aggregator';
export {
  type SweepCheckpoint,
  SweepCheckpointStore,
  type SweepCheckpointStoreOptions,
  type SweepTotals,
  sweepPk,
} from './checkpoint';
export {
  AggregatorResponseError,
  InvalidSweepInputError,
  SweepLeaseLostError,
  UnprocessedStoreKeysError,
} from './errors';
export {
  DEFAULT_MIN_INTERVAL_MINUTES,
  MAX_MIN_INTERVAL_MINUTES,
  parseSweepInput,
  type SweepInput,
} from './input';
export {
  type PreviousStatus,
  PreviousStatusReader,
  type PreviousStatusReaderOptions,
} from './previous-status';
export {
  accountCountsExpression,
  planShards,
  SELECT_FIELDS,
  SWEEP_RESOURCE_TYPES,
  shardExpression,
  vpcContextExpression,
} from './query';
export { type ChangeVerdict, changeOf } from './shard';
export { ShardSweeper, type ShardSweeperOptions } from './shard-sweeper';
export {
  type ServiceZoneLookup,
  type ShardResult,
  Sweeper,
  type SweeperOptions,
  type SweepLogger,
  type SweepOutcome,
  type SweepRequest,
  type SweepRunResult,
} from './sweeper';
