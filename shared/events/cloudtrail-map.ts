/**
 * Which CloudTrail API calls can change which rule's verdicts, and on which resources: the
 * mapping the cloudtrail-event Lambda runs. It is derived from the rules' `triggers` (each
 * trigger names a call, why it matters and the scope finder of `scope-finders.ts` that turns the
 * record into the {@link LiveScope} to read); nothing here names a rule. The member accounts'
 * EventBridge forwarding rule is built from the same triggers (`infra/permissions.ts`,
 * `cloudTrailEventPatterns`); {@link CLOUDTRAIL_EVENT_NAMES} is the same union, for tools and tests.
 */
import { type LiveScope, wholeRegionScope } from '../aws/live-inventory';
import { RULES } from '../rules/index';
import type { CloudTrailTrigger, RuleId } from '../rules/types';
import { type CloudTrailRecord, type SelfCallerOptions, selfCaller } from './cloudtrail';
import type { CloudTrailEventSource } from './scope-finders';

// The scope finders and the mapping type live with the rules' triggers.
export type { CloudTrailEventSource, CloudTrailMapping, MappedScope } from './scope-finders';

/**
 * Every call each built-in rule reacts to, derived from the rules' `triggers` (the one source).
 *
 * @example
 * CLOUDTRAIL_MAP['gateway-endpoint-routes'].map((entry) => entry.eventName);
 */
export const CLOUDTRAIL_MAP: Readonly<Record<RuleId, readonly CloudTrailTrigger[]>> = Object.fromEntries(
  RULES.map((rule) => [rule.id, rule.triggers]),
) as Record<RuleId, readonly CloudTrailTrigger[]>;

/** The EventBridge `source` of each CloudTrail event source. */
const EVENTBRIDGE_SOURCE: Readonly<Record<CloudTrailEventSource, 'aws.ec2' | 'aws.s3'>> = {
  'ec2.amazonaws.com': 'aws.ec2',
  's3.amazonaws.com': 'aws.s3',
};

/**
 * The event names to match per EventBridge source, derived from the rules' triggers: the same
 * union `cloudTrailEventPatterns` (infra) matches (`detail-type` "AWS API Call via CloudTrail",
 * `source`, `detail.eventName`).
 *
 * @example
 * // [{ source: 'aws.ec2', eventNames: ['AssociateRouteTable', ...] }, { source: 'aws.s3', eventNames: [...] }]
 * CLOUDTRAIL_EVENT_NAMES;
 */
export const CLOUDTRAIL_EVENT_NAMES: readonly {
  readonly source: 'aws.ec2' | 'aws.s3';
  readonly eventNames: readonly string[];
}[] = (['ec2.amazonaws.com', 's3.amazonaws.com'] as const).map((eventSource) => ({
  source: EVENTBRIDGE_SOURCE[eventSource],
  eventNames: unique(
    RULES.flatMap((rule) => rule.triggers)
      .filter((entry) => entry.eventSource === eventSource)
      .map((entry) => entry.eventName),
  ).sort(),
}));

// ---------------------------------------------------------------------------------------------
// Planning one record.

/** What to do with one CloudTrail record. */
export type CloudTrailPlan =
  | {
      readonly kind: 'evaluate';
      /** The union of the affected scopes of every rule the call matters to. */
      readonly scope: LiveScope;
      readonly ruleIds: readonly RuleId[];
      /** Widenings and per-rule skips worth logging. */
      readonly notes: readonly string[];
    }
  | {
      readonly kind: 'ignore';
      /**
       * `failed`: the call has an errorCode and changed nothing; `self`: endpoint-guard's own role
       * made it; `unmapped`: no rule reacts to it; `unresolved`: it matters, but the record
       * does not name what it changed.
       */
      readonly reason: 'failed' | 'self' | 'unmapped' | 'unresolved';
      readonly detail: string;
    };

/**
 * Decides what one CloudTrail record makes endpoint-guard evaluate. Pure.
 *
 * @example
 * const plan = planCloudTrailEvaluation(parseCloudTrailEvent(event), { memberRoleName: 'EndpointGuardMember' });
 * if (plan.kind === 'evaluate') await evaluateLive(reader, plan.scope, plan.ruleIds, options);
 */
export function planCloudTrailEvaluation(
  record: CloudTrailRecord,
  options: SelfCallerOptions = {},
): CloudTrailPlan {
  if (record.errorCode !== undefined) {
    return { kind: 'ignore', reason: 'failed', detail: `the call failed with ${record.errorCode}` };
  }
  const role = selfCaller(record.caller, options);
  if (role !== undefined) {
    return { kind: 'ignore', reason: 'self', detail: `made by endpoint-guard's own role ${role}` };
  }
  const entries = RULES.flatMap((rule) =>
    rule.triggers
      .filter((entry) => entry.eventSource === record.eventSource && entry.eventName === record.eventName)
      .map((entry) => ({
        ruleId: rule.id,
        mapped: entry.affects ? entry.affects(record) : { scope: wholeRegionScope([rule]) },
      })),
  );
  if (entries.length === 0) {
    return {
      kind: 'ignore',
      reason: 'unmapped',
      detail: `no rule reacts to ${record.eventSource} ${record.eventName}`,
    };
  }

  const scopes: LiveScope[] = [];
  const ruleIds: RuleId[] = [];
  const notes: string[] = [];
  for (const { ruleId, mapped } of entries) {
    if ('skip' in mapped) {
      notes.push(`${ruleId}: ${mapped.skip}`);
      continue;
    }
    scopes.push(mapped.scope);
    ruleIds.push(ruleId);
    if (mapped.note !== undefined) notes.push(`${ruleId}: ${mapped.note}`);
  }
  if (ruleIds.length === 0) return { kind: 'ignore', reason: 'unresolved', detail: notes.join('; ') };
  return { kind: 'evaluate', scope: mergeScopes(scopes), ruleIds, notes: unique(notes) };
}

/** The union of scopes: id lists merged without duplicates, flags or-ed. */
export function mergeScopes(scopes: readonly LiveScope[]): LiveScope {
  const ids = (key: 'vpcIds' | 'endpointIds' | 'routeTableIds' | 'subnetIds' | 'bucketNames') => {
    const merged = unique(scopes.flatMap((scope) => scope[key] ?? []));
    return merged.length === 0 ? {} : { [key]: merged };
  };
  const flag = (key: 'allVpcs' | 'allBuckets' | 'accountPublicAccessBlock') =>
    scopes.some((scope) => scope[key] === true) ? { [key]: true } : {};
  return {
    ...ids('vpcIds'),
    ...ids('endpointIds'),
    ...ids('routeTableIds'),
    ...ids('subnetIds'),
    ...ids('bucketNames'),
    ...flag('allVpcs'),
    ...flag('allBuckets'),
    ...flag('accountPublicAccessBlock'),
  };
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
