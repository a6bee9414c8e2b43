/**
 * The events endpoint-guard's Lambdas receive: AWS Config rule invocations and CloudTrail
 * API calls via EventBridge, parsed and validated at the edge, and the table that maps a
 * CloudTrail call to the resources it affects.
 */
export {
  type CallerIdentity,
  CLOUDTRAIL_DETAIL_TYPE,
  type CloudTrailRecord,
  DEFAULT_FUNCTION_ROLE_PREFIX,
  DEFAULT_MEMBER_ROLE_NAME,
  ParameterReader,
  parseCloudTrailEvent,
  roleNameOf,
  type SelfCallerOptions,
  selfCaller,
} from './cloudtrail';
export {
  CLOUDTRAIL_EVENT_NAMES,
  CLOUDTRAIL_MAP,
  type CloudTrailEventSource,
  type CloudTrailMapping,
  type CloudTrailPlan,
  type MappedScope,
  mergeScopes,
  planCloudTrailEvaluation,
} from './cloudtrail-map';
export {
  CONFIG_MESSAGE_TYPES,
  type ConfigMessageType,
  type ConfigRuleEvent,
  type ConfigRuleEventBase,
  type ConfigurationItemChangeEvent,
  type ConfigurationItemSummary,
  type OversizedConfigurationItemChangeEvent,
  parseConfigRuleEvent,
  type ScheduledEvent,
  type SnapshotDeliveryCompletedEvent,
} from './config-rule-event';
export { InvalidEventError } from './errors';
export { AWS_REGION_PATTERN, checkRegion } from './region';
