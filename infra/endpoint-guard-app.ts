/**
 * Builds the whole deployment from a {@link DeploymentConfig}: the stacks, their order, and the
 * member template. `bin/app.ts` reads the configuration; tests call this directly.
 */
import { type App, Stage } from 'aws-cdk-lib';
import type { DeploymentConfig } from './config';
import { DEFAULT_FUNCTIONS_DIR, hasHandler, memberRoleTrustees } from './constructs/endpoint-guard-functions';
import { EndpointGuardHomeStack } from './stacks/home-stack';
import { EndpointGuardMemberStack } from './stacks/member-stack';
import { EndpointGuardMembersStack } from './stacks/members-stack';
import { EndpointGuardRegionalStack } from './stacks/regional-stack';

/** Stack ids (also the CloudFormation stack names). */
export const STACK_IDS = {
  home: 'EndpointGuardHome',
  account: 'EndpointGuard',
  members: 'EndpointGuardMembers',
  memberStage: 'MemberTemplate',
  member: 'EndpointGuardMember',
  regional: (region: string) => `EndpointGuardRegion-${region}`,
} as const;

export interface EndpointGuardDeployment {
  readonly home: EndpointGuardHomeStack;
  /** One per governed region other than the home region (organization mode). */
  readonly regional: readonly EndpointGuardRegionalStack[];
  /** Organization mode: the StackSet's stack. */
  readonly members: EndpointGuardMembersStack | undefined;
  /** Organization mode: the member template (in its own stage, never deployed by `--all`). */
  readonly memberStack: EndpointGuardMemberStack | undefined;
}

export interface BuildOptions {
  /** @default `<repo>/functions` */
  readonly functionsDir?: string;
}

/**
 * @example
 * const app = new App();
 * const deployment = buildEndpointGuard(app, readDeploymentConfig((key) => app.node.tryGetContext(key), process.env));
 */
export function buildEndpointGuard(
  app: App,
  config: DeploymentConfig,
  options: BuildOptions = {},
): EndpointGuardDeployment {
  const functionsDir = options.functionsDir ?? DEFAULT_FUNCTIONS_DIR;
  const includeSweep =
    config.sweep === 'on' || (config.sweep === 'auto' && hasHandler('sweep', functionsDir));
  const env = (region: string) => ({ account: config.account, region });
  const common = { config, functionsDir };

  const home = new EndpointGuardHomeStack(
    app,
    config.mode === 'organization' ? STACK_IDS.home : STACK_IDS.account,
    {
      ...common,
      env: env(config.homeRegion),
      includeSweep,
      description: `endpoint-guard (${config.mode} mode): home region ${config.homeRegion}`,
    },
  );
  if (config.mode === 'account') {
    return { home, regional: [], members: undefined, memberStack: undefined };
  }

  const regional = config.regions
    .filter((region) => region !== config.homeRegion)
    .map((region) => {
      const stack = new EndpointGuardRegionalStack(app, STACK_IDS.regional(region), {
        ...common,
        env: env(region),
        description: `endpoint-guard: detectors in ${region}`,
      });
      // Findings are forwarded to the home bus: it must exist first.
      stack.addStackDependency(home, 'findings are forwarded to the home bus');
      return stack;
    });

  const memberStage = new Stage(app, STACK_IDS.memberStage);
  const memberStack = new EndpointGuardMemberStack(memberStage, STACK_IDS.member, {
    regions: config.regions,
    trustedRoleNames: memberRoleTrustees(home.deployedFunctions, config.homeRegion, config.regions),
  });
  const members = new EndpointGuardMembersStack(app, STACK_IDS.members, {
    config,
    memberStack,
    env: env(config.homeRegion),
    description: 'endpoint-guard: StackSet of the member role and forwarding rules',
  });
  members.addStackDependency(home, "member roles trust the home functions' roles");
  for (const stack of regional)
    members.addStackDependency(stack, 'member rules forward to every regional bus');
  return { home, regional, members, memberStack };
}
