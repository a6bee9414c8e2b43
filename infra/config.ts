/**
 * The deployment configuration, read once from CDK context (`-c key=value` or `cdk.json`) and
 * the CDK CLI's environment, and checked before any construct is created: a misspelled OU or
 * region fails the synth with the key to fix, not the deployment an hour later.
 */

import { DeploymentConfigError } from './errors';
import { DEFAULT_MEMBER_ROLE_NAME } from './names';

/** `organization`: central account + StackSet for every member; `account`: a one-account trial. */
export type DeploymentMode = 'organization' | 'account';

/** Who creates the StackSet: the management account itself, or a delegated administrator. */
export type StackSetCallAs = 'SELF' | 'DELEGATED_ADMIN';

/** Whether to deploy the `sweep` function: `auto` deploys it once `functions/sweep/handler.ts` exists. */
export type SweepOption = 'auto' | 'on' | 'off';

export interface DeploymentConfig {
  readonly mode: DeploymentMode;
  /** The central (or, in account mode, the only) account; `undefined` synthesizes env-agnostic stacks. */
  readonly account: string | undefined;
  /** Where the table, topic, settings, secrets, remediation and StackSet live. */
  readonly homeRegion: string;
  /** The governed regions, home region first, no duplicates. */
  readonly regions: readonly string[];
  /** `o-...`; organization mode only. */
  readonly organizationId: string | undefined;
  /** OU or root ids the StackSet targets; organization mode only. */
  readonly targetOus: readonly string[];
  /** Accounts the organization Config rules leave out (for example the management account). */
  readonly excludedAccounts: readonly string[];
  readonly notificationEmails: readonly string[];
  readonly memberRoleName: string;
  readonly stackSetCallAs: StackSetCallAs;
  readonly sweep: SweepOption;
}

/** Reads one context value; `app.node.tryGetContext` in the app. */
export type ContextReader = (key: string) => unknown;

/** The environment variables the CDK CLI sets for the app. */
export interface CdkEnvironment {
  readonly CDK_DEFAULT_ACCOUNT?: string | undefined;
  readonly CDK_DEFAULT_REGION?: string | undefined;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT = /^\d{12}$/;
const ORGANIZATION = /^o-[a-z0-9]{10,32}$/;
const ROOT = /^r-[0-9a-z]{4,32}$/;
const OU = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * Builds the deployment configuration from context, failing on the first malformed key.
 *
 * Context keys: `mode`, `account`, `homeRegion`, `regions`, `organizationId`, `targetOus`,
 * `rootId`, `excludedAccounts`, `notificationEmails`, `memberRoleName`, `callAs`, `sweep`.
 * Lists are comma-separated strings (`-c regions=us-east-1,eu-west-1`) or JSON arrays in
 * `cdk.json`.
 *
 * @example
 * const config = readDeploymentConfig((key) => app.node.tryGetContext(key), process.env);
 */
export function readDeploymentConfig(context: ContextReader, env: CdkEnvironment): DeploymentConfig {
  const mode = oneOf(context, 'mode', ['organization', 'account'] as const, 'organization');
  const account = optionalString(context, 'account') ?? nonEmpty(env.CDK_DEFAULT_ACCOUNT);
  if (account !== undefined && !ACCOUNT.test(account)) {
    throw new DeploymentConfigError('account', `must be a 12-digit account id, not "${account}"`);
  }
  const homeRegion = optionalString(context, 'homeRegion') ?? nonEmpty(env.CDK_DEFAULT_REGION);
  if (homeRegion === undefined) {
    throw new DeploymentConfigError(
      'homeRegion',
      'is not set: pass -c homeRegion=us-east-1 or set CDK_DEFAULT_REGION (a profile region does)',
    );
  }
  if (!REGION.test(homeRegion)) {
    throw new DeploymentConfigError('homeRegion', `must be a region such as us-east-1, not "${homeRegion}"`);
  }
  const regions = matching(context, 'regions', REGION, 'regions such as eu-west-1');
  const governed = [homeRegion, ...regions.filter((region) => region !== homeRegion)];
  if (regions.length > 0 && !regions.includes(homeRegion)) {
    throw new DeploymentConfigError(
      'regions',
      `must include the home region ${homeRegion}: the findings bus there receives every region's findings`,
    );
  }
  if (mode === 'account' && governed.length > 1) {
    throw new DeploymentConfigError(
      'regions',
      'must be the home region only in account mode (a one-region trial)',
    );
  }

  const memberRoleName = optionalString(context, 'memberRoleName') ?? DEFAULT_MEMBER_ROLE_NAME;
  if (!ROLE_NAME.test(memberRoleName)) {
    throw new DeploymentConfigError('memberRoleName', `must be an IAM role name, not "${memberRoleName}"`);
  }

  const organizationId = optionalString(context, 'organizationId');
  const rootId = optionalString(context, 'rootId');
  const targetOus = matching(context, 'targetOus', null, '');
  if (mode === 'organization') {
    if (organizationId === undefined || !ORGANIZATION.test(organizationId)) {
      throw new DeploymentConfigError(
        'organizationId',
        `must be the organization id (o-...) in organization mode, not ${organizationId === undefined ? 'missing' : `"${organizationId}"`}`,
      );
    }
    if (rootId !== undefined && !ROOT.test(rootId)) {
      throw new DeploymentConfigError('rootId', `must be the organization root id (r-...), not "${rootId}"`);
    }
    for (const target of targetOus) {
      if (!ROOT.test(target) && !OU.test(target)) {
        throw new DeploymentConfigError(
          'targetOus',
          `must list OU ids (ou-...) or the root id (r-...), not "${target}"`,
        );
      }
    }
    if (targetOus.length === 0 && rootId === undefined) {
      throw new DeploymentConfigError(
        'targetOus',
        'is not set: pass -c targetOus=ou-... or -c rootId=r-... (aws organizations list-roots) to cover every account',
      );
    }
  }

  return {
    mode,
    account,
    homeRegion,
    regions: governed,
    organizationId: mode === 'organization' ? organizationId : undefined,
    targetOus: mode === 'organization' ? (targetOus.length > 0 ? targetOus : rootId ? [rootId] : []) : [],
    excludedAccounts: matching(context, 'excludedAccounts', ACCOUNT, '12-digit account ids'),
    notificationEmails: matching(context, 'notificationEmails', EMAIL, 'email addresses'),
    memberRoleName,
    stackSetCallAs: oneOf(context, 'callAs', ['DELEGATED_ADMIN', 'SELF'] as const, 'DELEGATED_ADMIN'),
    sweep: sweepOption(context),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function optionalString(context: ContextReader, key: string): string | undefined {
  const value = context(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new DeploymentConfigError(key, `must be a string, not ${JSON.stringify(value)}`);
  return nonEmpty(value);
}

function oneOf<const T extends string>(
  context: ContextReader,
  key: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = optionalString(context, key);
  if (value === undefined) return fallback;
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) {
    throw new DeploymentConfigError(key, `must be one of ${allowed.join(', ')}, not "${value}"`);
  }
  return found;
}

/** A comma-separated string or an array of strings; each item checked against `pattern`. */
function matching(context: ContextReader, key: string, pattern: RegExp | null, expected: string): string[] {
  const value = context(key);
  if (value === undefined || value === null) return [];
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (items === undefined || !items.every((item): item is string => typeof item === 'string')) {
    throw new DeploymentConfigError(key, `must be a comma-separated list or an array of strings`);
  }
  const list = [...new Set(items.map((item) => item.trim()).filter((item) => item !== ''))];
  for (const item of list) {
    if (pattern !== null && !pattern.test(item)) {
      throw new DeploymentConfigError(key, `must list ${expected}, not "${item}"`);
    }
  }
  return list;
}

function sweepOption(context: ContextReader): SweepOption {
  const value = context('sweep');
  if (value === undefined || value === null || value === 'auto') return 'auto';
  if (value === true || value === 'true' || value === 'on') return 'on';
  if (value === false || value === 'false' || value === 'off') return 'off';
  throw new DeploymentConfigError('sweep', `must be auto, true or false, not ${JSON.stringify(value)}`);
}
