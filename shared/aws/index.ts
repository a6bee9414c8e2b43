/**
 * The AWS adapters: SDK v3 clients per account, live readers for EC2 and S3, AWS Config, and the
 * Finding publisher. Each takes its SDK clients in its constructor; the core never imports them.
 */
export {
  type AccountClients,
  AwsClientFactory,
  type AwsClientFactoryOptions,
  CREDENTIAL_REFRESH_MARGIN_MS,
  memberRoleArn,
  RETRY_CONFIG,
} from './clients';
export { mapWithConcurrency } from './concurrency';
export {
  ConfigServiceAdapter,
  type ConfigServiceAdapterOptions,
  MAX_EVALUATIONS_PER_CALL,
  MAX_KEYS_PER_BATCH,
  type RawConfigurationItem,
  type ResourceKeyInput,
} from './config-service';
export {
  Ec2Reader,
  type EndpointQuery,
  type ReaderContext,
  type RouteTableQuery,
  type SubnetQuery,
} from './ec2-reader';
export {
  describeAwsError,
  type FailedEvaluation,
  type FailedFinding,
  isAwsError,
  MemberAccessError,
  PublishError,
  PutEvaluationsError,
  UnprocessedResourceKeysError,
} from './errors';
export { FindingPublisher, type FindingPublisherOptions, type PublishResult } from './finding-publisher';
export {
  evaluateLive,
  type LiveEvaluation,
  LiveInventoryReader,
  type LiveInventoryReaderOptions,
  type LiveLoad,
  type LiveScope,
} from './live-inventory';
export { S3Reader } from './s3-reader';
