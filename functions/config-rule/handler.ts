/**
 * The AWS Config custom Lambda rule: one function for every endpoint-guard rule, the rule id
 * coming from the rule's input parameters (`{"ruleId": "<rule id>"}`).
 *
 * Parse and validate the invocation; an invalid one is logged and dropped without any AWS write
 * (retrying it could only fail again). Then evaluate from live state in the invoking account,
 * report the verdicts to Config (PutEvaluations) and publish one Finding per verdict. AWS errors
 * are rethrown, so Lambda retries the asynchronous invocation.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { InputError } from '../../shared/errors';
import { type ConfigRuleEvent, parseConfigRuleEvent } from '../../shared/events/config-rule-event';
import { countFindings, type MetricsSink, NO_METRICS } from '../../shared/metrics';
import type { RuleOptions } from '../../shared/rules/types';
import { type DetectorAdapters, lazyDetectorAdapters } from '../common/adapters';
import { lazyEnvironment } from '../common/environment';
import { appendLogKeys, createLogger } from '../common/logger';
import { powertoolsMetrics } from '../common/metrics';
import { defaultRuleOptions, settingsRuleOptions } from '../common/rule-options';
import { runConfigRule } from './run';

export interface ConfigRuleHandlerDeps {
  readonly logger: Logger;
  /** The AWS adapters, asked for on each invocation (built once, on first use, from the environment). */
  readonly adapters: (context: Context | undefined) => DetectorAdapters;
  /** @default defaultRuleOptions (the documented defaults); the Lambda reads the settings parameter */
  readonly loadRuleOptions?: () => Promise<RuleOptions>;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Where the `Findings` counts go. @default NO_METRICS; the Lambda emits Powertools EMF */
  readonly metrics?: MetricsSink;
  /** The function's region, for events that name none. @default undefined */
  readonly defaultRegion?: () => string | undefined;
}

/** What an invocation returns (Config ignores it; logs and tests read it). */
export interface ConfigRuleResult {
  readonly status: 'invalid' | 'ignored' | 'reported';
  readonly reason: string;
  readonly evaluations: number;
}

/**
 * Builds the handler around its dependencies; `handler` below is this with the real ones.
 *
 * @example
 * const handler = createHandler({ logger, adapters: () => ({ clients: factory, publisher }) });
 * await handler(configRuleEvent, context);
 */
export function createHandler(deps: ConfigRuleHandlerDeps) {
  const { logger } = deps;
  const now = deps.now ?? (() => new Date());

  async function handle(event: unknown, context: Context): Promise<ConfigRuleResult> {
    let parsed: ConfigRuleEvent;
    try {
      parsed = parseConfigRuleEvent(event);
    } catch (error) {
      return dropInvalid(logger, error);
    }
    appendLogKeys(logger, {
      ruleId: parsed.ruleId,
      accountId: parsed.accountId,
      resourceId: resourceIdOf(parsed),
    });
    try {
      const run = await runConfigRule(parsed, {
        adapters: deps.adapters(context),
        ruleOptions: await (deps.loadRuleOptions ?? defaultRuleOptions)(),
        now,
        defaultRegion: deps.defaultRegion?.(),
      });
      countFindings(deps.metrics ?? NO_METRICS, run.evaluations);
      const byStatus = countBy(run.evaluations.map((evaluation) => evaluation.status));
      logger.info(run.outcome === 'ignored' ? 'nothing to evaluate' : 'evaluations reported', {
        messageType: parsed.messageType,
        reason: run.reason,
        region: run.region,
        evaluations: run.evaluations.length,
        byStatus,
        missing: run.missing,
        reads: run.reads,
      });
      return { status: run.outcome, reason: run.reason, evaluations: run.evaluations.length };
    } catch (error) {
      // A malformed configuration item (in the event or fetched for an oversized one) is
      // invalid input too; anything else is an AWS or internal failure that deserves a retry.
      if (error instanceof InputError) return dropInvalid(logger, error);
      throw error;
    }
  }

  return middy<unknown, ConfigRuleResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(handle);
}

function dropInvalid(logger: Logger, error: unknown): ConfigRuleResult {
  if (!(error instanceof InputError)) throw error;
  logger.error('invalid AWS Config rule event: dropped without evaluation', {
    reason: error.message,
    field: error.location,
  });
  return { status: 'invalid', reason: error.message, evaluations: 0 };
}

function resourceIdOf(event: ConfigRuleEvent): string | undefined {
  if (event.messageType === 'ConfigurationItemChangeNotification') return event.configurationItem.resourceId;
  if (event.messageType === 'OversizedConfigurationItemChangeNotification') {
    return event.configurationItemSummary.resourceId;
  }
  return undefined;
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

// ─── Wiring ─────────────────────────────────────────────────────────────────────────────
// The environment is read, and clients are built, on the first invocation, never at import.

const environment = lazyEnvironment(process.env);
const logger = createLogger('config-rule');

/**
 * The Lambda entry point (`functions/config-rule/handler.handler`), configured by `EVENT_BUS_NAME`,
 * `MEMBER_ROLE_NAME` and `SETTINGS_PARAMETER`.
 *
 * @example
 * // CDK: new NodejsFunction(this, 'ConfigRule', { entry: 'functions/config-rule/handler.ts', handler: 'handler' });
 */
export const handler = createHandler({
  logger,
  loadRuleOptions: settingsRuleOptions(environment, logger),
  metrics: powertoolsMetrics(),
  adapters: lazyDetectorAdapters(environment),
  defaultRegion: () => environment().region,
});
