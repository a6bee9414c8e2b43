/**
 * The member template: what the StackSet deploys into every member account and governed region.
 * It holds no assets and needs no bootstrap; everything account-specific is a parameter, so the
 * same template can also be deployed by hand (the management account, which a service-managed
 * StackSet never reaches).
 */
import {
  Aws,
  BootstraplessSynthesizer,
  CfnCondition,
  CfnParameter,
  Fn,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { CfnRole, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { RULES } from '../../shared/rules/index';
import type { Rule } from '../../shared/rules/types';
import { CloudTrailForwarding } from '../constructs/cloudtrail-forwarding';
import { MemberRole } from '../constructs/member-role';
import { InvalidPropsError } from '../errors';
import { DEFAULT_MEMBER_ROLE_NAME, EVENT_BUS_NAME } from '../names';
import { detectStatements, fixStatements } from '../permissions';

export interface EndpointGuardMemberStackProps extends StackProps {
  /** The governed regions: the role's regional permissions are limited to them. */
  readonly regions: readonly string[];
  /** Names of the central function roles allowed to assume the member role. */
  readonly trustedRoleNames: readonly string[];
  /** @default every rule of the registry */
  readonly rules?: readonly Rule[];
}

/** The member template's parameters. */
export interface MemberTemplateParameters {
  readonly centralAccountId: CfnParameter;
  readonly organizationId: CfnParameter;
  readonly homeRegion: CfnParameter;
  readonly memberRoleName: CfnParameter;
  readonly eventBusName: CfnParameter;
}

/**
 * @example
 * const stage = new Stage(app, 'Member');
 * const member = new EndpointGuardMemberStack(stage, 'EndpointGuardMember', {
 *   regions: ['us-east-1'], trustedRoleNames: ['endpoint-guard-remediate-us-east-1'] });
 */
export class EndpointGuardMemberStack extends Stack {
  public readonly parameters: MemberTemplateParameters;
  /** The member role; created in the home region only (IAM is global, the template is regional). */
  public readonly memberRole: MemberRole;
  /** The role EventBridge sends to the central bus with (a cross-account target requires one). */
  public readonly senderRole: Role;
  public readonly forwarding: CloudTrailForwarding;

  constructor(scope: Construct, id: string, props: EndpointGuardMemberStackProps) {
    super(scope, id, {
      ...props,
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
      description:
        props.description ??
        'endpoint-guard member: EndpointGuardMember role and CloudTrail forwarding rules',
    });
    if (props.regions.length === 0)
      throw new InvalidPropsError(this.node.path, 'regions', 'must list a region');
    if (props.trustedRoleNames.length === 0) {
      throw new InvalidPropsError(this.node.path, 'trustedRoleNames', 'must name at least one central role');
    }

    this.parameters = {
      centralAccountId: new CfnParameter(this, 'CentralAccountId', {
        type: 'String',
        allowedPattern: '^\\d{12}$',
        description: 'The endpoint-guard central (delegated administrator) account',
      }),
      organizationId: new CfnParameter(this, 'OrganizationId', {
        type: 'String',
        allowedPattern: '^o-[a-z0-9]{10,32}$',
        description: 'The organization whose central roles may assume the member role',
      }),
      homeRegion: new CfnParameter(this, 'HomeRegion', {
        type: 'String',
        allowedPattern: '^[a-z]{2}(-[a-z]+)+-\\d+$',
        description: 'The region whose stack instance creates the (global) member role',
      }),
      memberRoleName: new CfnParameter(this, 'MemberRoleName', {
        type: 'String',
        default: DEFAULT_MEMBER_ROLE_NAME,
        allowedPattern: '^[\\w+=,.@-]{1,64}$',
        description: 'Name of the role the central functions assume',
      }),
      eventBusName: new CfnParameter(this, 'EventBusName', {
        type: 'String',
        default: EVENT_BUS_NAME,
        description: "Name of the central account's endpoint-guard bus in each region",
      }),
    };
    const { centralAccountId, organizationId, homeRegion, memberRoleName, eventBusName } = this.parameters;

    const rules = props.rules ?? RULES;
    const arnScope = { partition: Aws.PARTITION, account: Aws.ACCOUNT_ID, regions: props.regions };
    this.memberRole = new MemberRole(this, 'MemberRole', {
      roleName: memberRoleName.valueAsString,
      centralAccountId: centralAccountId.valueAsString,
      organizationId: organizationId.valueAsString,
      trustedRoleArns: props.trustedRoleNames.map(
        (name) => `arn:${Aws.PARTITION}:iam::${centralAccountId.valueAsString}:role/${name}`,
      ),
      statements: [...detectStatements(arnScope, rules), ...fixStatements(arnScope, rules)],
    });
    const inHomeRegion = new CfnCondition(this, 'InHomeRegion', {
      expression: Fn.conditionEquals(Aws.REGION, homeRegion.valueAsString),
    });
    const cfnRole = this.memberRole.role.node.defaultChild;
    if (!(cfnRole instanceof CfnRole))
      throw new InvalidPropsError(this.node.path, 'memberRole', 'has no CfnRole');
    cfnRole.cfnOptions.condition = inHomeRegion;

    this.senderRole = new Role(this, 'SenderRole', {
      assumedBy: new ServicePrincipal('events.amazonaws.com'),
      description: 'endpoint-guard: EventBridge sends CloudTrail calls to the central bus',
    });
    const centralBus = EventBus.fromEventBusArn(
      this,
      'CentralBus',
      `arn:${Aws.PARTITION}:events:${Aws.REGION}:${centralAccountId.valueAsString}:event-bus/${eventBusName.valueAsString}`,
    );
    this.forwarding = new CloudTrailForwarding(this, 'Forwarding', {
      target: new EventBusTarget(centralBus, { role: this.senderRole }),
      rules,
    });
  }
}
