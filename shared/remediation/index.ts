/**
 * Remediation: apply fix plans safely (re-read, apply, verify), roll them back, and process
 * findings end to end (decide, act, record, announce). The ticket sinks and their lifecycle
 * are in `shared/tickets`, the notifications in `shared/notifications`.
 */
export { describeAwsError, isRefusal } from '../aws/errors';
export {
  ALL_BLOCKED,
  type AppliedChange,
  appliedChangeSchema,
  describeBlock,
  describeChange,
} from './changes';
export { RemediationError, RollbackFailedError, RollbackRefusedError } from './errors';
export { EventBridgeRemediationSink, RemediationEventError } from './event-publisher';
export {
  type EvaluationSnapshot,
  RemediationExecutor,
  type RemediationExecutorOptions,
  type RemediationOutcome,
} from './executor';
export { liveReevaluator, liveScopeOf } from './live-reevaluate';
export { formatNotification, LogNotifier, SnsNotifier } from './notifiers';
export { canonicalAction, canonicalActions, planHash, sameActions } from './plan-key';
export type {
  ActionEvent,
  Notifier,
  RemediationEvent,
  RemediationEventSink,
  RemediationOutcomeKind,
  TicketAction,
  TicketReference,
  TicketResult,
  TicketService,
  TicketServiceContext,
  TicketServiceResolution,
} from './ports';
export { REMEDIATION_DETAIL_TYPE, REMEDIATION_SOURCE } from './ports';
export {
  FindingProcessor,
  type FindingProcessorOptions,
  type ProcessorLogger,
  type ProcessResult,
  type RemediationClients,
} from './processor';
export {
  describeCall,
  type RollbackCall,
  type RollbackClients,
  Rollbacker,
  type RollbackerOptions,
  type RollbackResult,
} from './rollback';
