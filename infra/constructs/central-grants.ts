/**
 * Permissions every central function role needs, in one place: reading the settings (in the
 * home region, wherever the function runs), entering member accounts, and acting in its own
 * account (an event from the central account itself assumes no role: ARCHITECTURE.md, "Function
 * contract").
 */
import { Aws } from 'aws-cdk-lib';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { RULES } from '../../shared/rules/index';
import type { Rule } from '../../shared/rules/types';
import { SETTINGS_PARAMETER_NAME } from '../names';
import { detectStatements, fixStatements } from '../permissions';

export interface CentralGrantOptions {
  readonly homeRegion: string;
  /** Enter member accounts through this role. @default no sts:AssumeRole */
  readonly memberRoleName?: string;
  /** Governed regions, for the own-account statements. */
  readonly regions: readonly string[];
  /** Own-account detection (reads + PutEvaluations). @default false */
  readonly detect?: boolean;
  /** Own-account fixes. @default false */
  readonly fix?: boolean;
  /** @default every rule of the registry */
  readonly rules?: readonly Rule[];
}

/**
 * The settings parameter's ARN in the home region (SSM ARNs drop the name's leading slash).
 *
 * @example
 * settingsParameterArn('us-east-1'); // arn:${Partition}:ssm:us-east-1:${AccountId}:parameter/endpoint-guard/settings
 */
export function settingsParameterArn(homeRegion: string): string {
  return `arn:${Aws.PARTITION}:ssm:${homeRegion}:${Aws.ACCOUNT_ID}:parameter/${SETTINGS_PARAMETER_NAME.replace(/^\//, '')}`;
}

/**
 * @example
 * grantCentral(fns.roles.remediate, { homeRegion: 'us-east-1', memberRoleName: 'EndpointGuardMember', regions, detect: true, fix: true });
 */
export function grantCentral(role: IRole, options: CentralGrantOptions): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'ReadSettings',
      actions: ['ssm:GetParameter'],
      resources: [settingsParameterArn(options.homeRegion)],
    }),
  );
  if (options.memberRoleName !== undefined) {
    // Any member account: accounts join the organization after deployment. The member role's
    // trust policy is what limits this (central roles only, organization only).
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'AssumeMemberRole',
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${options.memberRoleName}`],
      }),
    );
  }
  const scope = { partition: Aws.PARTITION, account: Aws.ACCOUNT_ID, regions: options.regions };
  const rules = options.rules ?? RULES;
  const statements = [
    ...(options.detect ? detectStatements(scope, rules) : []),
    ...(options.fix ? fixStatements(scope, rules) : []),
  ];
  for (const statement of statements) role.addToPrincipalPolicy(statement);
}
