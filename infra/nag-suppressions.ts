/**
 * Every cdk-nag (AwsSolutions) acknowledgement of the app, in one place, each with its reason,
 * on the narrowest construct that carries the finding and, for IAM5, the exact finding
 * (`AwsSolutions-IAM5[Resource::...]`), never the whole rule.
 *
 * The IAM5 findings are computed from the same table that builds the statements
 * (`ACTION_RESOURCES` in `permissions.ts`), written the way cdk-nag prints them (pseudo
 * parameters as `<AWS::Partition>`), so a new rule or region is acknowledged only where the
 * registry put it and nowhere else.
 */
import { Validations } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { RULES } from '../shared/rules/index';
import type { Rule } from '../shared/rules/types';
import type { EndpointGuardRegion } from './constructs/endpoint-guard-region';
import type { EndpointGuardDeployment } from './endpoint-guard-app';
import { ACTION_RESOURCES, anyResourceWriteExceptions, DETECTOR_SUPPORT_ACTIONS } from './permissions';

/** How cdk-nag renders `Aws.PARTITION` and `Aws.ACCOUNT_ID` in a finding. */
const NAG_SCOPE = { partition: '<AWS::Partition>', account: '<AWS::AccountId>' } as const;

/** One acknowledgement: the finding id and why it is acceptable. */
export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

/**
 * @example
 * acknowledgeNagFindings(buildEndpointGuard(app, config));
 */
export function acknowledgeNagFindings(
  deployment: EndpointGuardDeployment,
  rules: readonly Rule[] = RULES,
): void {
  const { home, regional, memberStack } = deployment;
  const organization = memberStack !== undefined;
  const governed = home.regional.regions;

  for (const region of [home.regional, ...regional.map((stack) => stack.regional)]) {
    acknowledgeRegion(region, governed, organization, rules);
  }

  // remediate: detection (it re-reads before fixing), fixes, member role, OpsCenter, the topic's key.
  const remediateRole = roleOf(home.remediateFunction.role);
  acknowledgeAll(remediateRole, [
    ...detectionFindings(governed, rules, ['ssm:DescribeOpsItems']),
    ...fixFindings(governed, rules),
    ...(organization ? [memberRoleAssumption(home.regional.memberRoleName)] : []),
    {
      id: `AwsSolutions-IAM5[Resource::arn:${NAG_SCOPE.partition}:ssm:${home.region}:${NAG_SCOPE.account}:opsitem/*]`,
      reason:
        'OpsCenter tickets: OpsItem ids are created at run time; limited to OpsItems of this account and region',
    },
    {
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        'Topic.grantPublish: publishing to the KMS-encrypted topic needs GenerateDataKey* (with its variants), on that one key only',
    },
  ]);

  // The ticket secrets hold third-party API credentials (Jira, ServiceNow, webhook keys) that are
  // issued and rotated by those systems, not by a Lambda rotation function.
  for (const secret of Object.values(home.ticketSecrets.secrets)) {
    acknowledge(secret, {
      id: 'AwsSolutions-SMG4',
      reason:
        'placeholder for a third-party API credential (Jira / ServiceNow / webhook): rotated in that system, then pasted here',
    });
  }

  if (home.sweep !== undefined && home.sweepFunction !== undefined) {
    const sweepFunction = home.sweepFunction.node.defaultChild;
    if (!(sweepFunction instanceof CfnFunction)) throw new Error('the sweep function has no CfnFunction');
    acknowledge(roleOf(home.sweep.scheduleRole), {
      id: `AwsSolutions-IAM5[Resource::<${home.getLogicalId(sweepFunction)}.Arn>:*]`,
      reason:
        'LambdaInvoke grants lambda:InvokeFunction on the sweep function and its versions/aliases (`:*`); nothing else',
    });
    acknowledgeAll(roleOf(home.sweepFunction.role), [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ec2:DescribeVpcEndpointServices (endpoint service AZs in the central account) has no resource-level permissions; limited to the governed regions by aws:RequestedRegion',
      },
      ...(organization ? [memberRoleAssumption(home.regional.memberRoleName)] : []),
    ]);
    const aggregatorRole = home.sweep.aggregatorRole;
    if (aggregatorRole !== undefined) {
      acknowledge(aggregatorRole, {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSConfigRoleForOrganizations]',
        reason:
          'the AWS managed policy AWS Config documents for organization aggregators; AWS keeps it in step with the Organizations APIs Config calls',
      });
    }
  }

  if (memberStack !== undefined) {
    acknowledgeAll(roleOf(memberStack.memberRole.role), [
      ...detectionFindings(governed, rules),
      ...fixFindings(governed, rules),
    ]);
  }
}

function acknowledgeRegion(
  region: EndpointGuardRegion,
  governed: readonly string[],
  organization: boolean,
  rules: readonly Rule[],
): void {
  for (const fn of [region.configRuleFunction, region.cloudTrailEventFunction]) {
    acknowledgeAll(roleOf(fn.role), [
      ...detectionFindings(governed, rules),
      ...(organization ? [memberRoleAssumption(region.memberRoleName)] : []),
    ]);
  }
  acknowledge(region.deadLetterQueue, {
    id: 'AwsSolutions-SQS3',
    reason:
      "this queue is itself a dead-letter queue: the detectors' Lambda on-failure destination and the EventBridge targets' DLQ (cdk-nag only recognizes SQS redrive policies)",
  });
}

/** `Resource::*` and the bucket wildcard of the detection statements, with the actions they cover. */
function detectionFindings(
  regions: readonly string[],
  rules: readonly Rule[],
  extraAnyResourceActions: readonly string[] = [],
): Acknowledgement[] {
  const actions = [
    ...new Set([...rules.flatMap((rule) => rule.permissions.detect), ...DETECTOR_SUPPORT_ACTIONS]),
  ].sort();
  const onAny = actions.filter((action) => ACTION_RESOURCES[action] === undefined || isAny(action, regions));
  const exceptions = anyResourceWriteExceptions(rules);
  const findings: Acknowledgement[] = [
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        `APIs without resource-level permissions: ${[...onAny, ...extraAnyResourceActions].join(', ')}` +
        Object.entries(exceptions)
          .map(([action, why]) => `; ${action}: ${why}`)
          .join(''),
    },
  ];
  const bucketReads = actions.filter((action) => !onAny.includes(action) && action.startsWith('s3:'));
  if (bucketReads.length > 0) {
    findings.push({
      id: `AwsSolutions-IAM5[Resource::arn:${NAG_SCOPE.partition}:s3:::*]`,
      reason: `${bucketReads.join(', ')} on any bucket of the account: every bucket is evaluated, names are not known in advance`,
    });
  }
  return findings;
}

/** The ARN wildcards of the fix statements: resource types in the caller's own account, per governed region. */
function fixFindings(regions: readonly string[], rules: readonly Rule[]): Acknowledgement[] {
  const actions = [...new Set(rules.flatMap((rule) => rule.permissions.fix))].sort();
  const byArn = new Map<string, string[]>();
  for (const action of actions) {
    for (const arn of ACTION_RESOURCES[action]?.arns({ ...NAG_SCOPE, regions }) ?? []) {
      if (arn === '*') continue;
      byArn.set(arn, [...(byArn.get(arn) ?? []), action]);
    }
  }
  return [...byArn.entries()].map(([arn, needing]) => ({
    id: `AwsSolutions-IAM5[Resource::${arn}]`,
    reason: `${needing.join(', ')}: the resources a fix touches are found at run time; limited to this resource type, this account and a governed region`,
  }));
}

function memberRoleAssumption(roleName: string): Acknowledgement {
  return {
    id: `AwsSolutions-IAM5[Resource::arn:${NAG_SCOPE.partition}:iam::*:role/${roleName}]`,
    reason:
      'the member role in any account: accounts join the organization after deployment; the member role trusts only these roles, inside the organization',
  };
}

function isAny(action: string, regions: readonly string[]): boolean {
  const arns = ACTION_RESOURCES[action]?.arns({ ...NAG_SCOPE, regions }) ?? ['*'];
  return arns.length === 1 && arns[0] === '*';
}

/** Where a role's statements are: its default policy (added grants) when it has one, else the role (inline policies). */
function roleOf(role: IRole | undefined): IConstruct {
  if (role === undefined) throw new Error('a function without a role cannot be acknowledged');
  return role.node.tryFindChild('DefaultPolicy') ?? role;
}

function acknowledgeAll(scope: IConstruct, acknowledgements: readonly Acknowledgement[]): void {
  for (const acknowledgement of acknowledgements) acknowledge(scope, acknowledgement);
}

function acknowledge(scope: IConstruct, acknowledgement: Acknowledgement): void {
  Validations.of(scope).acknowledge({ id: acknowledgement.id, reason: acknowledgement.reason });
}
