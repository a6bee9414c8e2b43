/**
 * What a Config rule invocation makes endpoint-guard do, decided without AWS: report
 * NOT_APPLICABLE straight away, read live state for a scope, fetch an oversized item first, or
 * nothing. The config-rule Lambda runs the plan with the live adapters.
 *
 * Verdicts come from live state, not from the configuration item: an endpoint's item does not
 * hold its VPC's subnets, and the item may be minutes old. The item tells which resource
 * changed, and so which VPC (or bucket) to read.
 */
import type { LiveScope } from '../aws/live-inventory';
import { normalizeConfigurationItem } from '../inventory/configuration-item';
import { Inventory } from '../inventory/inventory';
import { isDeletedOrNotRecorded, type Resource, type ResourceType } from '../model';
import { evaluationOf } from '../rules/evaluation';
import type { Evaluation, Rule, RuleOptions } from '../rules/types';
import type { ConfigRuleEvent, ConfigurationItemSummary } from './config-rule-event';

/** The next step for one invocation. */
export type ConfigRulePlan =
  | {
      /** Nothing to evaluate (a snapshot-delivery message, a resource type no rule reads...). */
      readonly kind: 'ignore';
      readonly reason: string;
    }
  | {
      /** Verdicts known without reading: a deleted resource, or one that left the rule's scope. */
      readonly kind: 'report';
      readonly evaluations: readonly Evaluation[];
      readonly reason: string;
    }
  | {
      /** Read this scope live and evaluate the rule on every resource of its type in it. */
      readonly kind: 'evaluate';
      readonly scope: LiveScope;
      /** The resource the notification is about, when it is of the rule's type. */
      readonly subject?: Resource;
      readonly reason: string;
    }
  | {
      /** An oversized notification: fetch the item, then plan again with {@link planForItem}. */
      readonly kind: 'fetch-item';
      readonly resourceType: string;
      readonly resourceId: string;
    };

/**
 * Plans an invocation from the event alone.
 *
 * @example
 * const plan = planConfigRuleEvent(event, ruleById(event.ruleId), DEFAULT_RULE_OPTIONS);
 * if (plan.kind === 'fetch-item') {
 *   const item = await config.getLatestConfigurationItem(plan.resourceType, plan.resourceId);
 *   plan = planForItem(event, rule, options, item, 'GetResourceConfigHistory');
 * }
 */
export function planConfigRuleEvent(
  event: ConfigRuleEvent,
  rule: Rule,
  options: RuleOptions,
): ConfigRulePlan {
  switch (event.messageType) {
    case 'ConfigurationSnapshotDeliveryCompleted':
      return { kind: 'ignore', reason: 'a snapshot delivery notification carries nothing to evaluate' };
    case 'ScheduledNotification':
      return {
        kind: 'evaluate',
        scope: ruleWideScope(rule.resourceType),
        reason: `periodic run: every ${rule.resourceType} of the account and region`,
      };
    case 'ConfigurationItemChangeNotification':
      return planForItem(event, rule, options, event.configurationItem, 'invokingEvent.configurationItem');
    case 'OversizedConfigurationItemChangeNotification': {
      const summary = event.configurationItemSummary;
      // A deleted resource needs no item: the summary says enough to report it NOT_APPLICABLE.
      if (isGone(summary.configurationItemStatus)) {
        return planForItem(
          event,
          rule,
          options,
          summaryAsItem(summary, event.accountId),
          'invokingEvent.configurationItemSummary',
        );
      }
      return { kind: 'fetch-item', resourceType: summary.resourceType, resourceId: summary.resourceId };
    }
  }
}

/**
 * Plans from one configuration item (the notification's, or one fetched for an oversized
 * notification). `item` `undefined` means Config had no item to return: the summary's ids are
 * then all there is. Throws `ConfigurationItemError` when the item is malformed.
 */
export function planForItem(
  event: ConfigRuleEvent,
  rule: Rule,
  options: RuleOptions,
  item: unknown,
  location: string,
): ConfigRulePlan {
  if (item === undefined) {
    if (event.messageType !== 'OversizedConfigurationItemChangeNotification') {
      return { kind: 'ignore', reason: 'the notification holds no configuration item' };
    }
    const { resourceType, resourceId } = event.configurationItemSummary;
    return {
      kind: 'evaluate',
      scope: scopeOfId(resourceType, resourceId) ?? ruleWideScope(rule.resourceType),
      reason: `AWS Config returned no item for ${resourceType} ${resourceId}: read it live by id`,
    };
  }
  const resource = normalizeConfigurationItem(item, location);
  if (resource === undefined) {
    return { kind: 'ignore', reason: 'endpoint-guard reads no resource of this type' };
  }
  const own = resource.resourceType === rule.resourceType;
  const context = { inventory: Inventory.from([resource]), options };

  if (event.eventLeftScope) {
    if (!own)
      return {
        kind: 'ignore',
        reason: `${resource.resourceType} ${resource.resourceId} left the rule's scope`,
      };
    return {
      kind: 'report',
      evaluations: [
        evaluationOf(rule, resource, {
          status: 'NOT_APPLICABLE',
          reason: 'the resource is no longer in the scope of the AWS Config rule',
        }),
      ],
      reason: 'eventLeftScope',
    };
  }
  if (isDeletedOrNotRecorded(resource)) {
    if (own) {
      // The rule's own preliminary verdict: NOT_APPLICABLE, naming the item status.
      return { kind: 'report', evaluations: [rule.evaluate(resource, context)], reason: resource.itemStatus };
    }
    // A deleted subnet changes its VPC's endpoints and tables; a deleted item rarely names the
    // VPC, so every VPC is read then.
    return {
      kind: 'evaluate',
      scope: scopeOfResource(resource) ?? ruleWideScope(rule.resourceType),
      reason: `${resource.resourceType} ${resource.resourceId} is ${resource.itemStatus}: re-evaluate what it affected`,
    };
  }
  return {
    kind: 'evaluate',
    scope: scopeOfResource(resource) ?? ruleWideScope(rule.resourceType),
    ...(own ? { subject: resource } : {}),
    reason: `${resource.resourceType} ${resource.resourceId} changed`,
  };
}

/**
 * The live scope to read for a changed resource. EC2 resources are read with their whole VPC
 * (the rules judge them against it), so the VPC id from the item saves resolving the id first.
 * `undefined` when the item does not say enough (a deleted subnet without its VPC).
 */
export function scopeOfResource(resource: Resource): LiveScope | undefined {
  switch (resource.resourceType) {
    case 'AWS::EC2::VPC':
      return { vpcIds: [resource.resourceId] };
    case 'AWS::EC2::VPCEndpoint':
    case 'AWS::EC2::Subnet':
    case 'AWS::EC2::RouteTable':
      if (resource.vpcId !== '') return { vpcIds: [resource.vpcId] };
      return isDeletedOrNotRecorded(resource)
        ? undefined
        : scopeOfId(resource.resourceType, resource.resourceId);
    case 'AWS::S3::Bucket':
      return { bucketNames: [resource.name || resource.resourceId], accountPublicAccessBlock: true };
    case 'AWS::S3::AccountPublicAccessBlock':
      return { allBuckets: true, accountPublicAccessBlock: true };
  }
}

/** The live scope of a resource known only by type and id. */
export function scopeOfId(resourceType: string, resourceId: string): LiveScope | undefined {
  switch (resourceType) {
    case 'AWS::EC2::VPC':
      return { vpcIds: [resourceId] };
    case 'AWS::EC2::VPCEndpoint':
      return { endpointIds: [resourceId] };
    case 'AWS::EC2::Subnet':
      return { subnetIds: [resourceId] };
    case 'AWS::EC2::RouteTable':
      return { routeTableIds: [resourceId] };
    case 'AWS::S3::Bucket':
      return { bucketNames: [resourceId], accountPublicAccessBlock: true };
    case 'AWS::S3::AccountPublicAccessBlock':
      return { allBuckets: true, accountPublicAccessBlock: true };
    default:
      return undefined;
  }
}

/** Every resource of a rule's type in the account and region (periodic runs). */
export function ruleWideScope(resourceType: ResourceType): LiveScope {
  return resourceType === 'AWS::S3::Bucket' || resourceType === 'AWS::S3::AccountPublicAccessBlock'
    ? { allBuckets: true, accountPublicAccessBlock: true }
    : { allVpcs: true };
}

/**
 * The evaluations to report for a live run: those of the rule's type, plus NOT_APPLICABLE for the
 * notification's resource when live state no longer has it (deleted since Config recorded it).
 */
export function evaluationsToReport(
  rule: Rule,
  evaluations: readonly Evaluation[],
  subject: Resource | undefined,
): Evaluation[] {
  const own = evaluations.filter(
    (evaluation) => evaluation.ruleId === rule.id && evaluation.resourceType === rule.resourceType,
  );
  if (subject === undefined || own.some((evaluation) => evaluation.resourceId === subject.resourceId))
    return own;
  return [
    ...own,
    evaluationOf(rule, subject, {
      status: 'NOT_APPLICABLE',
      reason: 'not found in live state: the resource was deleted after AWS Config recorded the change',
    }),
  ];
}

/**
 * When the verdicts were true: the item's capture time for a change, the notification's time
 * for a periodic run. Config keeps, per resource, the evaluation with the latest timestamp.
 */
export function orderingTimestampOf(event: ConfigRuleEvent, now: Date): Date {
  const candidates = [
    event.messageType === 'ConfigurationItemChangeNotification'
      ? event.configurationItem.configurationItemCaptureTime
      : event.messageType === 'OversizedConfigurationItemChangeNotification'
        ? event.configurationItemSummary.configurationItemCaptureTime
        : undefined,
    event.notificationCreationTime,
  ];
  for (const candidate of candidates) {
    if (candidate) {
      const time = new Date(candidate);
      if (!Number.isNaN(time.getTime())) return time;
    }
  }
  return now;
}

function isGone(status: string | undefined): boolean {
  return status !== undefined && isDeletedOrNotRecorded({ itemStatus: status });
}

/** The summary as a configuration item without configuration, which the normalizer accepts when gone. */
function summaryAsItem(summary: ConfigurationItemSummary, accountId: string): Record<string, unknown> {
  return { awsAccountId: accountId, ...summary, configuration: null };
}
