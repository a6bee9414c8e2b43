/**
 * Runs one AWS Config rule invocation: plan (pure, shared/events/config-rule-plan), read live
 * state in the invoking account, report to Config, publish Findings.
 */
import { ConfigServiceAdapter } from '../../shared/aws/config-service';
import { evaluateLive, LiveInventoryReader } from '../../shared/aws/live-inventory';
import type { ConfigRuleEvent } from '../../shared/events/config-rule-event';
import {
  evaluationsToReport,
  orderingTimestampOf,
  planConfigRuleEvent,
  planForItem,
} from '../../shared/events/config-rule-plan';
import { InvalidEventError } from '../../shared/events/errors';
import { toFinding } from '../../shared/findings/finding';
import { ruleById } from '../../shared/rules/index';
import type { Evaluation, RuleOptions } from '../../shared/rules/types';
import type { DetectorAdapters } from '../common/adapters';

export interface ConfigRuleRunDeps {
  readonly adapters: DetectorAdapters;
  readonly ruleOptions: RuleOptions;
  readonly now: () => Date;
  /** The function's own region, for events that name none. */
  readonly defaultRegion: string | undefined;
}

/** What one invocation did. */
export interface ConfigRuleRun {
  /** `ignored`: nothing to evaluate; `reported`: evaluations sent to Config and published. */
  readonly outcome: 'ignored' | 'reported';
  readonly reason: string;
  readonly region?: string;
  readonly evaluations: readonly Evaluation[];
  /** Ids the scope named that live state no longer has. */
  readonly missing: readonly string[];
  /** Read calls made by the live reader, by API. */
  readonly reads: Readonly<Record<string, number>>;
}

/**
 * @example
 * const run = await runConfigRule(parseConfigRuleEvent(event), { adapters, ruleOptions, now, defaultRegion });
 */
export async function runConfigRule(event: ConfigRuleEvent, deps: ConfigRuleRunDeps): Promise<ConfigRuleRun> {
  const rule = ruleById(event.ruleId);
  let plan = planConfigRuleEvent(event, rule, deps.ruleOptions);
  if (plan.kind === 'ignore')
    return { outcome: 'ignored', reason: plan.reason, evaluations: [], missing: [], reads: {} };

  const region = event.region ?? deps.defaultRegion;
  if (region === undefined) {
    throw new InvalidEventError(
      'configRuleArn',
      'names no region, and the function has no AWS_REGION to fall back on',
    );
  }
  // Every read and write happens in the account whose Config invoked the rule.
  const clients = await deps.adapters.clients.forAccount(event.accountId, region);
  const config = new ConfigServiceAdapter(clients.config);
  const reads: Record<string, number> = {};

  if (plan.kind === 'fetch-item') {
    const item = await config.getLatestConfigurationItem(plan.resourceType, plan.resourceId);
    reads.GetResourceConfigHistory = 1;
    plan = planForItem(event, rule, deps.ruleOptions, item, 'GetResourceConfigHistory');
    if (plan.kind === 'ignore')
      return { outcome: 'ignored', reason: plan.reason, region, evaluations: [], missing: [], reads };
  }

  let evaluations: Evaluation[];
  let missing: readonly string[] = [];
  if (plan.kind === 'report') {
    evaluations = [...plan.evaluations];
  } else if (plan.kind === 'evaluate') {
    const live = await evaluateLive(
      new LiveInventoryReader(clients),
      plan.scope,
      [rule.id],
      deps.ruleOptions,
    );
    for (const [api, count] of Object.entries(live.calls)) reads[api] = (reads[api] ?? 0) + count;
    missing = live.missing;
    evaluations = evaluationsToReport(rule, live.evaluations, plan.subject);
  } else {
    // planForItem never asks to fetch again.
    throw new Error(`unexpected plan ${plan.kind} after fetching the configuration item`);
  }

  if (evaluations.length > 0) {
    await config.putEvaluations(event.resultToken, evaluations, orderingTimestampOf(event, deps.now()));
    const observedAt = deps.now().toISOString();
    const trigger = event.configRuleName ? { configRuleName: event.configRuleName } : undefined;
    await deps.adapters.publisher.publish(
      evaluations.map((evaluation) =>
        toFinding(evaluation, { detector: 'config-rule', observedAt, ...(trigger ? { trigger } : {}) }),
      ),
    );
  }
  return { outcome: 'reported', reason: plan.reason, region, evaluations, missing, reads };
}
