/**
 * Runs one CloudTrail API call: the mapping table says which rules and which scope, the live
 * reader evaluates them in the account and region of the call, and one Finding is published
 * per verdict.
 */
import { evaluateLive, LiveInventoryReader } from '../../shared/aws/live-inventory';
import type { CloudTrailRecord } from '../../shared/events/cloudtrail';
import type { CloudTrailPlan } from '../../shared/events/cloudtrail-map';
import { toFinding } from '../../shared/findings/finding';
import type { Evaluation, RuleOptions } from '../../shared/rules/types';
import type { DetectorAdapters } from '../common/adapters';

export interface CloudTrailRunDeps {
  readonly adapters: DetectorAdapters;
  readonly ruleOptions: RuleOptions;
  readonly now: () => Date;
}

export interface CloudTrailRun {
  readonly evaluations: readonly Evaluation[];
  readonly missing: readonly string[];
  /** Read calls made by the live reader, by API. */
  readonly reads: Readonly<Record<string, number>>;
}

/**
 * @example
 * const plan = planCloudTrailEvaluation(record);
 * if (plan.kind === 'evaluate') await runCloudTrailEvent(record, plan, { adapters, ruleOptions, now });
 */
export async function runCloudTrailEvent(
  record: CloudTrailRecord,
  plan: Extract<CloudTrailPlan, { kind: 'evaluate' }>,
  deps: CloudTrailRunDeps,
): Promise<CloudTrailRun> {
  // The call was made in a member account: read it there (through the member role).
  const clients = await deps.adapters.clients.forAccount(record.accountId, record.region);
  const live = await evaluateLive(
    new LiveInventoryReader(clients),
    plan.scope,
    plan.ruleIds,
    deps.ruleOptions,
  );
  if (live.evaluations.length > 0) {
    const observedAt = deps.now().toISOString();
    await deps.adapters.publisher.publish(
      live.evaluations.map((evaluation) =>
        toFinding(evaluation, {
          detector: 'cloudtrail-event',
          observedAt,
          trigger: { eventName: record.eventName, eventId: record.eventId },
        }),
      ),
    );
  }
  return { evaluations: live.evaluations, missing: live.missing, reads: live.calls };
}
