/**
 * IAM statements and EventBridge patterns generated from the rule registry (`RULES`), so a new
 * rule's permissions and triggers reach the member role, the central roles and the forwarding
 * rules without anyone repeating them by hand.
 *
 * The registry says *which* actions a rule needs; it does not say *on what*. That is the table
 * {@link ACTION_RESOURCES} below: every fix (write) action must be listed there with the ARNs it
 * can be limited to, or as a documented exception when its API has no resource-level
 * permissions. A fix action missing from the table fails the synth ({@link UnscopedActionError})
 * instead of being granted on `"*"`. Read actions not listed are granted on `"*"`: the EC2
 * `Describe*` and most read APIs have no resource-level permissions anyway.
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { RULES } from '../shared/rules/index';
import type { CloudTrailTrigger, Rule } from '../shared/rules/types';
import { UnscopedActionError } from './errors';

/** The account, partition and regions ARNs are built for (tokens allowed: `Aws.ACCOUNT_ID`). */
export interface ArnScope {
  readonly partition: string;
  readonly account: string;
  /** Regional resources are limited to these regions. */
  readonly regions: readonly string[];
}

/** Where one action can be limited to. */
export interface ActionResources {
  /** ARNs the action is granted on; `['*']` only for an API without resource-level permissions. */
  readonly arns: (scope: ArnScope) => string[];
  /** Why `"*"` (required when `arns` yields `"*"` for a write action). */
  readonly whyAnyResource?: string;
}

const ec2 =
  (...types: string[]) =>
  (scope: ArnScope) =>
    scope.regions.flatMap((region) =>
      types.map((type) => `arn:${scope.partition}:ec2:${region}:${scope.account}:${type}/*`),
    );
const anyBucket = (scope: ArnScope) => [`arn:${scope.partition}:s3:::*`];
const anyResource = () => ['*'];

/**
 * The resources each action touches, from the Service Authorization Reference ("Actions,
 * resources, and condition keys" for Amazon EC2, Amazon S3 and AWS Config). Accounts are always
 * the caller's own: a member role only ever acts in its own account.
 *
 * Could move into the registry (`Rule.permissions`) as `{ action, resources }` pairs; kept here
 * because ARN formats are deployment knowledge (partition, regions), not rule semantics.
 */
export const ACTION_RESOURCES: Readonly<Record<string, ActionResources>> = {
  // ModifyVpcEndpoint authorizes the endpoint and every subnet / route table / security group it adds.
  'ec2:ModifyVpcEndpoint': { arns: ec2('vpc-endpoint', 'subnet', 'route-table', 'security-group') },
  // CreateVpcEndpoint authorizes the new endpoint, its VPC, and the route tables / subnets / groups it uses.
  'ec2:CreateVpcEndpoint': { arns: ec2('vpc-endpoint', 'vpc', 'route-table', 'subnet', 'security-group') },
  // PutPublicAccessBlock (bucket level) is authorized as s3:PutBucketPublicAccessBlock on the bucket.
  's3:PutBucketPublicAccessBlock': { arns: anyBucket },
  's3:GetBucketPublicAccessBlock': { arns: anyBucket },
  's3:GetBucketPolicy': { arns: anyBucket },
  's3:GetBucketAcl': { arns: anyBucket },
  's3:GetBucketTagging': { arns: anyBucket },
  'config:PutEvaluations': {
    arns: anyResource,
    whyAnyResource:
      'AWS Config PutEvaluations has no resource-level permissions (the result token names the rule)',
  },
};

/**
 * What every detector needs in a member account besides the rules' own actions: AWS Config
 * reads for oversized configuration items and `PutEvaluations` to report verdicts (ARCHITECTURE.md,
 * "Deployment topology"). Could move into the registry as a detector-wide permission list.
 */
export const DETECTOR_SUPPORT_ACTIONS: readonly string[] = [
  'config:BatchGetResourceConfig',
  'config:GetResourceConfigHistory',
  'config:PutEvaluations',
];

/** Write actions the detectors need (reported verdicts), checked like the rules' fix actions. */
const DETECTOR_WRITE_ACTIONS: ReadonlySet<string> = new Set(['config:PutEvaluations']);

/** EventBridge `source` of each CloudTrail event source a rule can name. */
export const EVENT_SOURCES: Readonly<Record<CloudTrailTrigger['eventSource'], string>> = {
  'ec2.amazonaws.com': 'aws.ec2',
  's3.amazonaws.com': 'aws.s3',
};

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** An EventBridge pattern for one service's CloudTrail calls. */
export interface CloudTrailEventPattern {
  readonly source: readonly string[];
  readonly 'detail-type': readonly string[];
  readonly detail: {
    readonly eventSource: readonly string[];
    readonly eventName: readonly string[];
    /** Failed calls changed nothing: they are dropped where they happen, not shipped and parsed. */
    readonly errorCode: readonly [{ readonly exists: false }];
  };
}

/**
 * One pattern per event source, with the sorted, distinct event names of every rule's triggers.
 *
 * @example
 * cloudTrailEventPatterns(RULES).map((p) => p.source[0]); // ['aws.ec2', 'aws.s3']
 */
export function cloudTrailEventPatterns(rules: readonly Rule[] = RULES): CloudTrailEventPattern[] {
  const namesBySource = new Map<CloudTrailTrigger['eventSource'], Set<string>>();
  for (const trigger of rules.flatMap((rule) => rule.triggers)) {
    const names = namesBySource.get(trigger.eventSource) ?? new Set<string>();
    names.add(trigger.eventName);
    namesBySource.set(trigger.eventSource, names);
  }
  return [...namesBySource.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([eventSource, names]) => ({
      source: [EVENT_SOURCES[eventSource]],
      'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
      detail: { eventSource: [eventSource], eventName: [...names].sort(), errorCode: [{ exists: false }] },
    }));
}

/** The service prefix of an action, PascalCased for a statement id: `ec2:X` -> `Ec2`. */
function serviceOf(action: string): string {
  const service = action.split(':')[0] ?? action;
  return service.charAt(0).toUpperCase() + service.slice(1).replace(/[^A-Za-z0-9]/g, '');
}

function resourcesOf(action: string, scope: ArnScope): string[] {
  return ACTION_RESOURCES[action]?.arns(scope) ?? ['*'];
}

/**
 * Read statements for detection: the union of every rule's `detect` actions and the detectors'
 * support actions, grouped by service and resources.
 *
 * @example
 * const statements = detectStatements({ partition: Aws.PARTITION, account: Aws.ACCOUNT_ID, regions: ['us-east-1'] });
 */
export function detectStatements(scope: ArnScope, rules: readonly Rule[] = RULES): PolicyStatement[] {
  const actions = [
    ...new Set([...rules.flatMap((rule) => rule.permissions.detect), ...DETECTOR_SUPPORT_ACTIONS]),
  ];
  for (const action of actions) {
    if (DETECTOR_WRITE_ACTIONS.has(action)) assertScoped(action, 'detectors');
  }
  const groups = new Map<string, { sid: string; actions: string[]; resources: string[] }>();
  for (const action of actions.sort()) {
    const resources = resourcesOf(action, scope);
    const anyResource = resources.length === 1 && resources[0] === '*';
    const sid = `Detect${serviceOf(action)}${anyResource ? 'AnyResource' : 'Scoped'}`;
    const group = groups.get(sid) ?? { sid, actions: [], resources };
    group.actions.push(action);
    groups.set(sid, group);
  }
  return [...groups.values()].map(
    (group) => new PolicyStatement({ sid: group.sid, actions: group.actions, resources: group.resources }),
  );
}

/**
 * Write statements for the rules' fixes: one per action, on the resources {@link ACTION_RESOURCES}
 * lists. Throws {@link UnscopedActionError} for an action the table does not know.
 *
 * @example
 * const statements = fixStatements({ partition: Aws.PARTITION, account: Aws.ACCOUNT_ID, regions: ['us-east-1'] });
 */
export function fixStatements(scope: ArnScope, rules: readonly Rule[] = RULES): PolicyStatement[] {
  const owners = new Map<string, string>();
  for (const rule of rules) {
    for (const action of rule.permissions.fix) {
      if (!owners.has(action)) owners.set(action, rule.id);
    }
  }
  return [...owners.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([action, ruleId]) => {
      assertScoped(action, ruleId);
      const name = action.split(':')[1] ?? action;
      return new PolicyStatement({
        sid: `Fix${name}`,
        actions: [action],
        resources: resourcesOf(action, scope),
      });
    });
}

/** Write actions must be listed, and `"*"` needs a written reason. */
function assertScoped(action: string, owner: string): void {
  const entry = ACTION_RESOURCES[action];
  if (entry === undefined) throw new UnscopedActionError(action, owner);
  const sample = entry.arns({ partition: 'aws', account: '111111111111', regions: ['us-east-1'] });
  if (sample.includes('*') && entry.whyAnyResource === undefined)
    throw new UnscopedActionError(action, owner);
}

/** Every write action a member role holds on `"*"`, with the reason (documented exceptions). */
export function anyResourceWriteExceptions(rules: readonly Rule[] = RULES): Record<string, string> {
  const writes = [...new Set([...rules.flatMap((rule) => rule.permissions.fix), ...DETECTOR_WRITE_ACTIONS])];
  return Object.fromEntries(
    writes.flatMap((action) => {
      const why = ACTION_RESOURCES[action]?.whyAnyResource;
      return why === undefined ? [] : [[action, why]];
    }),
  );
}
