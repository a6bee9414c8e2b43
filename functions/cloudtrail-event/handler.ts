/**
 * The fast path: "AWS API Call via CloudTrail" events forwarded from member accounts to the
 * endpoint-guard bus. Each relevant call is mapped (shared/events/cloudtrail-map) to the
 * resources whose verdicts it can change; those are evaluated from live state and published
 * as Finding events. Nothing is reported to AWS Config here: Config's own rule does that.
 *
 * Dropped, with a log line and no AWS call: malformed events, failed calls (`errorCode`),
 * endpoint-guard's own calls, and calls no rule reacts to. AWS errors are rethrown, so
 * EventBridge's retry policy (and the DLQ) apply.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { InputError } from '../../shared/errors';
import {
  type CloudTrailRecord,
  parseCloudTrailEvent,
  type SelfCallerOptions,
} from '../../shared/events/cloudtrail';
import { planCloudTrailEvaluation } from '../../shared/events/cloudtrail-map';
import { countFindings, type MetricsSink, NO_METRICS } from '../../shared/metrics';
import type { RuleOptions } from '../../shared/rules/types';
import { type DetectorAdapters, lazyDetectorAdapters, ownAccountOf } from '../common/adapters';
import { lazyEnvironment } from '../common/environment';
import { appendLogKeys, createLogger } from '../common/logger';
import { powertoolsMetrics } from '../common/metrics';
import { defaultRuleOptions, settingsRuleOptions } from '../common/rule-options';
import { runCloudTrailEvent } from './run';

export interface CloudTrailHandlerDeps {
  readonly logger: Logger;
  /** The AWS adapters, asked for on each invocation (built once, on first use, from the environment). */
  readonly adapters: (context: Context | undefined) => DetectorAdapters;
  /** Which roles are endpoint-guard's own (their calls are ignored). */
  readonly selfCallers: () => SelfCallerOptions;
  /** @default defaultRuleOptions (the documented defaults); the Lambda reads the settings parameter */
  readonly loadRuleOptions?: () => Promise<RuleOptions>;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Where the `Findings` counts go. @default NO_METRICS; the Lambda emits Powertools EMF */
  readonly metrics?: MetricsSink;
}

export interface CloudTrailResult {
  /** `invalid`: malformed; `ignored`: failed, self-caused, unmapped or unresolved; `evaluated`. */
  readonly status: 'invalid' | 'ignored' | 'evaluated';
  readonly reason: string;
  readonly findings: number;
}

/**
 * Builds the handler around its dependencies; `handler` below is this with the real ones.
 *
 * @example
 * const handler = createHandler({ logger, adapters: () => ({ clients: factory, publisher }), selfCallers: () => ({}) });
 * await handler(cloudTrailEvent, context);
 */
export function createHandler(deps: CloudTrailHandlerDeps) {
  const { logger } = deps;
  const now = deps.now ?? (() => new Date());

  async function handle(event: unknown, context: Context): Promise<CloudTrailResult> {
    let record: CloudTrailRecord;
    try {
      record = parseCloudTrailEvent(event);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      logger.error('invalid CloudTrail event: dropped', { reason: error.message, field: error.location });
      return { status: 'invalid', reason: error.message, findings: 0 };
    }
    appendLogKeys(logger, {
      accountId: record.accountId,
      region: record.region,
      eventName: record.eventName,
      eventId: record.eventId,
    });

    // Our own function roles are recognized only in the central account: this function's own.
    const plan = planCloudTrailEvaluation(record, {
      centralAccountId: ownAccountOf(context),
      ...deps.selfCallers(),
    });
    if (plan.kind === 'ignore') {
      // An unmapped call means the forwarding rule matches more than the table: worth a warning.
      const log = plan.reason === 'unmapped' || plan.reason === 'unresolved' ? logger.warn : logger.info;
      log.call(logger, 'CloudTrail event ignored', {
        eventSource: record.eventSource,
        why: plan.reason,
        detail: plan.detail,
      });
      return { status: 'ignored', reason: `${plan.reason}: ${plan.detail}`, findings: 0 };
    }
    appendLogKeys(logger, { ruleId: plan.ruleIds.join(',') });

    const run = await runCloudTrailEvent(record, plan, {
      adapters: deps.adapters(context),
      ruleOptions: await (deps.loadRuleOptions ?? defaultRuleOptions)(),
      now,
    });
    countFindings(deps.metrics ?? NO_METRICS, run.evaluations);
    logger.info('evaluated after an API call', {
      scope: plan.scope,
      notes: plan.notes,
      findings: run.evaluations.length,
      missing: run.missing,
      reads: run.reads,
    });
    return {
      status: 'evaluated',
      reason: plan.notes.join('; ') || `${record.eventName} re-evaluated`,
      findings: run.evaluations.length,
    };
  }

  return middy<unknown, CloudTrailResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(handle);
}

// ─── Wiring ─────────────────────────────────────────────────────────────────────────────
// The environment is read, and clients are built, on the first invocation, never at import.

const environment = lazyEnvironment(process.env);
const logger = createLogger('cloudtrail-event');

/**
 * The Lambda entry point (`functions/cloudtrail-event/handler.handler`), configured by
 * `EVENT_BUS_NAME`, `MEMBER_ROLE_NAME` and `SETTINGS_PARAMETER`.
 *
 * @example
 * // CDK: new NodejsFunction(this, 'CloudTrailEvent', { entry: 'functions/cloudtrail-event/handler.ts', handler: 'handler' });
 */
export const handler = createHandler({
  logger,
  loadRuleOptions: settingsRuleOptions(environment, logger),
  metrics: powertoolsMetrics(),
  adapters: lazyDetectorAdapters(environment),
  selfCallers: () => {
    const { memberRoleName, functionRolePrefix } = environment();
    return { memberRoleName, functionRolePrefix };
  },
});
