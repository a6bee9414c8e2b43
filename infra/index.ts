/**
 * The public API of endpoint-guard's CDK app: the deployment builder, its configuration, the
 * stacks and the constructs they are made of.
 */
export { type DeploymentConfig, type DeploymentMode, readDeploymentConfig } from './config';
export { AccountRules, type AccountRulesProps } from './constructs/account-rules';
export { CloudTrailForwarding, type CloudTrailForwardingProps } from './constructs/cloudtrail-forwarding';
export {
  EndpointGuardFunctions,
  type EndpointGuardFunctionsProps,
  FUNCTION_SPECS,
  type FunctionName,
  functionCode,
} from './constructs/endpoint-guard-functions';
export { EndpointGuardRegion, type EndpointGuardRegionProps } from './constructs/endpoint-guard-region';
export { FindingsBus, type FindingsBusProps } from './constructs/findings-bus';
export { FindingsTable, type FindingsTableProps } from './constructs/findings-table';
export { MemberRole, type MemberRoleProps } from './constructs/member-role';
export { MemberStackSet, type MemberStackSetProps } from './constructs/member-stack-set';
export { NotificationTopic, type NotificationTopicProps } from './constructs/notification-topic';
export { OperationsAlarms, type OperationsAlarmsProps } from './constructs/operations-alarms';
export { OperationsDashboard, type OperationsDashboardProps } from './constructs/operations-dashboard';
export { OrganizationRules, type OrganizationRulesProps } from './constructs/organization-rules';
export { RemediationQueue, type RemediationQueueProps } from './constructs/remediation-queue';
export {
  DEFAULT_SETTINGS_DOCUMENT,
  SettingsParameter,
  type SettingsParameterProps,
} from './constructs/settings-parameter';
export { DEFAULT_SWEEP_MIN_INTERVAL, DEFAULT_SWEEP_RATE, Sweep, type SweepProps } from './constructs/sweep';
export { TicketSecrets, type TicketSecretsProps } from './constructs/ticket-secrets';
export { buildEndpointGuard, type EndpointGuardDeployment, STACK_IDS } from './endpoint-guard-app';
export * from './errors';
export { METRIC_DIMENSIONS, METRIC_NAMES } from './metrics';
export { acknowledgeNagFindings } from './nag-suppressions';
export { ACTION_RESOURCES, cloudTrailEventPatterns, detectStatements, fixStatements } from './permissions';
export { EndpointGuardHomeStack, type EndpointGuardHomeStackProps } from './stacks/home-stack';
export { EndpointGuardMemberStack, type EndpointGuardMemberStackProps } from './stacks/member-stack';
export { EndpointGuardMembersStack, type EndpointGuardMembersStackProps } from './stacks/members-stack';
export { EndpointGuardRegionalStack, type EndpointGuardRegionalStackProps } from './stacks/regional-stack';
