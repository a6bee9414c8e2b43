/**
 * The StackSet that deploys the member template into the organization (home region of the
 * central account). A stack of its own, deployed last: the member rules forward to buses and
 * trust roles that the home and regional stacks create.
 */
import { Aws, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config';
import { MemberStackSet } from '../constructs/member-stack-set';
import { InvalidPropsError } from '../errors';
import { EVENT_BUS_NAME } from '../names';
import type { EndpointGuardMemberStack } from './member-stack';

export interface EndpointGuardMembersStackProps extends StackProps {
  readonly config: DeploymentConfig;
  /** The member template (synthesized inline into the StackSet). */
  readonly memberStack: EndpointGuardMemberStack;
}

/**
 * @example
 * new EndpointGuardMembersStack(app, 'EndpointGuardMembers', { env: { region: 'us-east-1' }, config, memberStack });
 */
export class EndpointGuardMembersStack extends Stack {
  public readonly memberStackSet: MemberStackSet;

  constructor(scope: Construct, id: string, props: EndpointGuardMembersStackProps) {
    super(scope, id, props);
    const { config } = props;
    if (config.mode !== 'organization' || config.organizationId === undefined) {
      throw new InvalidPropsError(
        this.node.path,
        'config.mode',
        'must be organization, with an organizationId',
      );
    }
    this.memberStackSet = new MemberStackSet(this, 'MemberStackSet', {
      memberStack: props.memberStack,
      parameters: {
        CentralAccountId: Aws.ACCOUNT_ID,
        OrganizationId: config.organizationId,
        HomeRegion: config.homeRegion,
        MemberRoleName: config.memberRoleName,
        EventBusName: EVENT_BUS_NAME,
      },
      targetOus: config.targetOus,
      regions: config.regions,
      callAs: config.stackSetCallAs,
    });
  }
}
