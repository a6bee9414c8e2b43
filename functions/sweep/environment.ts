/**
 * The sweep's configuration, read from the environment once, at the edge (ARCHITECTURE.md, "Function
 * contract"). Nothing below the handler reads `process.env`.
 */
import { DEFAULT_MEMBER_ROLE_NAME } from '../../shared/events/cloudtrail';
import { DEFAULT_SETTINGS_PARAMETER } from '../../shared/settings/schema';
import { EnvironmentError } from '../common/errors';

export interface SweepEnvironment {
  /** `AGGREGATOR_NAME`: the AWS Config aggregator swept (required). */
  readonly aggregatorName: string;
  /** `TABLE_NAME`: the findings table, holding the statuses and the sweep's checkpoint (required). */
  readonly tableName: string;
  /** `EVENT_BUS_NAME`: where changed findings go (required). */
  readonly eventBusName: string;
  /** `MEMBER_ROLE_NAME`, for the endpoint services' AZs. @default 'EndpointGuardMember' */
  readonly memberRoleName: string;
  /** `SETTINGS_PARAMETER`. @default '/endpoint-guard/settings' */
  readonly settingsParameter: string;
  /**
   * `HOME_REGION`: where the aggregator, table, bus and settings live. @default the function's
   * own region (the default chain's)
   */
  readonly homeRegion: string | undefined;
}

/**
 * Reads and checks the sweep's environment variables.
 *
 * @example
 * const environment = readSweepEnvironment(process.env);
 */
export function readSweepEnvironment(env: Readonly<Record<string, string | undefined>>): SweepEnvironment {
  const required = (name: string, why: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new EnvironmentError(name, `is not set: ${why}`);
    return value;
  };
  const aggregatorName = required('AGGREGATOR_NAME', 'there is no AWS Config aggregator to sweep');
  // The API's pattern for aggregator names.
  if (!/^[\w-]{1,256}$/.test(aggregatorName)) {
    throw new EnvironmentError('AGGREGATOR_NAME', `is not a valid aggregator name: "${aggregatorName}"`);
  }
  const memberRoleName = env.MEMBER_ROLE_NAME?.trim() || DEFAULT_MEMBER_ROLE_NAME;
  if (!/^[\w+=,.@-]{1,64}$/.test(memberRoleName)) {
    throw new EnvironmentError('MEMBER_ROLE_NAME', `is not a valid IAM role name: "${memberRoleName}"`);
  }
  return {
    aggregatorName,
    tableName: required(
      'TABLE_NAME',
      'the sweep compares with the findings table and keeps its checkpoint there',
    ),
    eventBusName: required('EVENT_BUS_NAME', 'the Finding events have nowhere to go'),
    memberRoleName,
    settingsParameter: env.SETTINGS_PARAMETER?.trim() || DEFAULT_SETTINGS_PARAMETER,
    homeRegion: env.HOME_REGION?.trim() || undefined,
  };
}
