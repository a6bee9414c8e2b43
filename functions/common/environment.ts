/**
 * The detectors' configuration, read from the environment once, at the edge (ARCHITECTURE.md,
 * "Function contract"). Nothing below the handlers reads `process.env`.
 */
import { DEFAULT_FUNCTION_ROLE_PREFIX, DEFAULT_MEMBER_ROLE_NAME } from '../../shared/events/cloudtrail';
import { EnvironmentError } from './errors';

export const DEFAULT_SETTINGS_PARAMETER = '/endpoint-guard/settings';

export interface DetectorEnvironment {
  /** `EVENT_BUS_NAME`: the bus that receives Finding events (required). */
  readonly eventBusName: string;
  /** `MEMBER_ROLE_NAME`. @default 'EndpointGuardMember' */
  readonly memberRoleName: string;
  /** Name prefix of endpoint-guard's own function roles, whose calls are ignored. @default 'endpoint-guard-' */
  readonly functionRolePrefix: string;
  /** `SETTINGS_PARAMETER`. @default '/endpoint-guard/settings' */
  readonly settingsParameter: string;
  /** `AWS_REGION` (set by Lambda): the region when an event names none. */
  readonly region: string | undefined;
  /**
   * `HOME_REGION`: where the settings parameter lives. The detectors run in every governed
   * region, the settings only in the home one. @default the function's own region
   */
  readonly homeRegion: string | undefined;
}

/**
 * Reads and checks the detectors' environment variables.
 *
 * @example
 * const environment = readDetectorEnvironment(process.env);
 */
export function readDetectorEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): DetectorEnvironment {
  const eventBusName = env.EVENT_BUS_NAME?.trim();
  if (!eventBusName)
    throw new EnvironmentError('EVENT_BUS_NAME', 'is not set: the Finding events have nowhere to go');
  const memberRoleName = env.MEMBER_ROLE_NAME?.trim() || DEFAULT_MEMBER_ROLE_NAME;
  // IAM role names: letters, digits and +=,.@_- (no path here: the ARN is built from it).
  if (!/^[\w+=,.@-]{1,64}$/.test(memberRoleName)) {
    throw new EnvironmentError('MEMBER_ROLE_NAME', `is not a valid IAM role name: "${memberRoleName}"`);
  }
  return {
    eventBusName,
    memberRoleName,
    functionRolePrefix: env.FUNCTION_ROLE_PREFIX?.trim() || DEFAULT_FUNCTION_ROLE_PREFIX,
    settingsParameter: env.SETTINGS_PARAMETER?.trim() || DEFAULT_SETTINGS_PARAMETER,
    region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || undefined,
    homeRegion: env.HOME_REGION?.trim() || undefined,
  };
}

/**
 * Reads the environment on first use and keeps the answer (a failure is not kept: the next
 * invocation reads again, and fails again until the deployment is fixed).
 *
 * @example
 * const environment = lazyEnvironment(process.env);
 * environment().eventBusName;
 */
export function lazyEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): () => DetectorEnvironment {
  let read: DetectorEnvironment | undefined;
  return () => {
    read ??= readDetectorEnvironment(env);
    return read;
  };
}
