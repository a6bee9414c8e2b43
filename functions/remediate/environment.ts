/**
 * remediate's configuration, read from the environment once, at the edge (ARCHITECTURE.md, "Function
 * contract"). Nothing below the handler reads `process.env`.
 */
import { DEFAULT_MEMBER_ROLE_NAME } from '../../shared/events/cloudtrail';
import { DEFAULT_SETTINGS_PARAMETER } from '../../shared/settings/schema';
import { EnvironmentError } from '../common/errors';

export interface RemediateEnvironment {
  /** `TABLE_NAME`: the findings and audit table, also Powertools Idempotency's (required). */
  readonly tableName: string;
  /** `EVENT_BUS_NAME`: where `Remediation` events go (required). */
  readonly eventBusName: string;
  /** `TOPIC_ARN`: SNS topic for notifications; without it notifications go to the log. */
  readonly topicArn: string | undefined;
  /** `MEMBER_ROLE_NAME`. @default 'EndpointGuardMember' */
  readonly memberRoleName: string;
  /** `SETTINGS_PARAMETER`. @default '/endpoint-guard/settings' */
  readonly settingsParameter: string;
  /** `AWS_REGION` (set by Lambda): the home Region, whose Security Hub receives the findings. */
  readonly region: string | undefined;
}

/**
 * Reads and checks remediate's environment variables.
 *
 * @example
 * const environment = readRemediateEnvironment(process.env);
 */
export function readRemediateEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): RemediateEnvironment {
  const tableName = env.TABLE_NAME?.trim();
  if (!tableName)
    throw new EnvironmentError('TABLE_NAME', 'is not set: findings and audit records have nowhere to go');
  const eventBusName = env.EVENT_BUS_NAME?.trim();
  if (!eventBusName)
    throw new EnvironmentError('EVENT_BUS_NAME', 'is not set: Remediation events have nowhere to go');
  const topicArn = env.TOPIC_ARN?.trim() || undefined;
  if (topicArn !== undefined && !/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w.-]+$/.test(topicArn)) {
    throw new EnvironmentError('TOPIC_ARN', `is not an SNS topic ARN: "${topicArn}"`);
  }
  const memberRoleName = env.MEMBER_ROLE_NAME?.trim() || DEFAULT_MEMBER_ROLE_NAME;
  if (!/^[\w+=,.@-]{1,64}$/.test(memberRoleName)) {
    throw new EnvironmentError('MEMBER_ROLE_NAME', `is not a valid IAM role name: "${memberRoleName}"`);
  }
  return {
    tableName,
    eventBusName,
    topicArn,
    memberRoleName,
    settingsParameter: env.SETTINGS_PARAMETER?.trim() || DEFAULT_SETTINGS_PARAMETER,
    region: env.AWS_REGION?.trim() || undefined,
  };
}
