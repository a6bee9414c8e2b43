/**
 * `--profile`, `--region` and `--role-name`, resolved the same way by every command that calls
 * AWS (`scan --live`, `settings get|set|exempt`, `rollback`), the way the AWS CLI resolves them:
 *
 * - profile: `--profile`, else `AWS_PROFILE`, else `default`. A profile that was asked for and is
 *   in neither shared file (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, else ~/.aws/config
 *   and ~/.aws/credentials) is an error naming it and the files read.
 * - region: `--region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's
 *   `region`. None is an error saying where it was looked for.
 * - role name (the role entered in member accounts): `--role-name`, else `MEMBER_ROLE_NAME`,
 *   else `EndpointGuardMember`; it must be a valid IAM role name.
 *
 * No AWS SDK here: this runs before any client is built, and for `--help` not at all.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './cli-error';

export const DEFAULT_MEMBER_ROLE_NAME = 'EndpointGuardMember';

/** parseArgs specs. `--region` may be repeated where a command reads several regions. */
export const PROFILE_OPTION = { profile: { type: 'string' } } as const;
export const REGION_OPTION = { region: { type: 'string' } } as const;
export const REGIONS_OPTION = { region: { type: 'string', multiple: true } } as const;
export const ROLE_NAME_OPTION = { 'role-name': { type: 'string' } } as const;

/** Their lines in the commands' help. */
export const AWS_OPTIONS_USAGE = {
  profile:
    '  --profile NAME         profile of the shared config files (default: $AWS_PROFILE, else default)',
  region:
    "  --region REGION        region (default: $AWS_REGION, $AWS_DEFAULT_REGION, else the profile's region)",
  roleName: `  --role-name NAME       role entered in member accounts (default: $MEMBER_ROLE_NAME, else ${DEFAULT_MEMBER_ROLE_NAME})`,
} as const;

/** What the SDK clients are built with. */
export interface AwsTarget {
  /** The profile to use, when one was asked for (flag or AWS_PROFILE). */
  readonly profile: string | undefined;
  readonly region: string;
  /** `{ profile?, region }`: spread into every client's configuration. */
  readonly clientConfig: { readonly profile?: string; readonly region: string };
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;

/**
 * The profile named by `--profile` or `AWS_PROFILE`, checked to exist; undefined when none was
 * named (the SDK's default chain: environment credentials, the `default` profile, a role...).
 */
export function resolveProfile(
  option: string | undefined,
  env: NodeJS.ProcessEnv,
): SharedProfile | undefined {
  if (option !== undefined && option.trim() === '') throw new UsageError('--profile needs a name');
  const name = option?.trim() || env.AWS_PROFILE?.trim() || undefined;
  const files = sharedConfigFiles(env);
  if (name === undefined) {
    const fallback = files.profiles.get('default');
    return fallback ? { name: 'default', named: false, region: fallback.region } : undefined;
  }
  const profile = files.profiles.get(name);
  if (!profile) {
    const from = option?.trim() ? '--profile' : 'AWS_PROFILE';
    throw new UsageError(
      `profile "${name}" (from ${from}) is not in ${files.configPath} or ${files.credentialsPath}` +
        (files.profiles.size ? `: known profiles are ${[...files.profiles.keys()].join(', ')}` : ''),
    );
  }
  return { name, named: true, region: profile.region };
}

export interface SharedProfile {
  readonly name: string;
  /** False for the implicit `default`. */
  readonly named: boolean;
  readonly region: string | undefined;
}

/**
 * The regions to use: the `--region` values (comma-separated or repeated), else the environment's,
 * else the profile's; an error when there is none or one is malformed.
 */
export function resolveRegions(
  given: readonly string[],
  env: NodeJS.ProcessEnv,
  profile: SharedProfile | undefined,
): string[] {
  const regions = [
    ...new Set(given.flatMap((text) => text.split(',')).map((region) => region.trim())),
  ].filter(Boolean);
  if (given.length > 0 && regions.length === 0) throw new UsageError('--region needs a region name');
  const fromEnv = env.AWS_REGION?.trim()
    ? 'AWS_REGION'
    : env.AWS_DEFAULT_REGION?.trim()
      ? 'AWS_DEFAULT_REGION'
      : undefined;
  const fallback = fromEnv ? (env[fromEnv]?.trim() ?? '') : profile?.region;
  const chosen = regions.length ? regions : fallback ? [fallback] : [];
  const bad = chosen.filter((region) => !REGION_PATTERN.test(region));
  if (bad.length) {
    const from = regions.length ? '--region' : `region (from ${fromEnv ?? `profile "${profile?.name}"`})`;
    throw new UsageError(`invalid ${from} ${bad.map((r) => `"${r}"`).join(', ')}: expected e.g. us-east-1`);
  }
  if (chosen.length === 0) {
    const which = profile?.named ? ` (profile "${profile.name}" has none)` : '';
    throw new UsageError(`no region: pass --region, or set AWS_REGION or a region in the profile${which}`);
  }
  return chosen;
}

/**
 * Profile and one region, for commands that work in one region (settings, rollback).
 *
 * @example
 * const target = resolveAwsTarget(values.profile, values.region, io.env);
 * const ssm = new SSMClient(target.clientConfig);
 */
export function resolveAwsTarget(
  profileOption: string | undefined,
  regionOption: string | undefined,
  env: NodeJS.ProcessEnv,
): AwsTarget {
  const profile = resolveProfile(profileOption, env);
  const [region = ''] = resolveRegions(regionOption === undefined ? [] : [regionOption], env, profile);
  if (regionOption?.includes(','))
    throw new UsageError(`--region takes one region here, got "${regionOption}"`);
  const named = profile?.named ? profile.name : undefined;
  return { profile: named, region, clientConfig: { ...(named ? { profile: named } : {}), region } };
}

/** `--role-name`, else `MEMBER_ROLE_NAME`, else the default; checked as an IAM role name. */
export function resolveRoleName(option: string | undefined, env: NodeJS.ProcessEnv): string {
  const name = option?.trim() || env.MEMBER_ROLE_NAME?.trim() || DEFAULT_MEMBER_ROLE_NAME;
  if (!ROLE_NAME_PATTERN.test(name)) {
    throw new UsageError(
      `invalid --role-name "${name}": an IAM role name is 1-64 letters, digits and +=,.@_-`,
    );
  }
  return name;
}

interface SharedFiles {
  readonly configPath: string;
  readonly credentialsPath: string;
  readonly profiles: Map<string, { readonly region: string | undefined }>;
}

/**
 * The profiles of the shared config and credentials files. In the config file a profile is
 * `[profile NAME]` (or `[default]`); in the credentials file it is `[NAME]`.
 */
function sharedConfigFiles(env: NodeJS.ProcessEnv): SharedFiles {
  const home = env.HOME || env.USERPROFILE || homedir();
  const configPath = env.AWS_CONFIG_FILE || join(home, '.aws', 'config');
  const credentialsPath = env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials');
  const profiles = new Map<string, { region: string | undefined }>();
  for (const [section, keys] of iniSections(readIfPresent(credentialsPath))) {
    profiles.set(section, { region: keys.get('region') });
  }
  for (const [section, keys] of iniSections(readIfPresent(configPath))) {
    const name = section === 'default' ? 'default' : /^profile\s+(.+)$/.exec(section)?.[1]?.trim();
    if (name === undefined) continue; // sso-session, services...
    profiles.set(name, { region: keys.get('region') ?? profiles.get(name)?.region });
  }
  return { configPath, credentialsPath, profiles };
}

function readIfPresent(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** `[section]` → its top-level `key = value` pairs (nested, indented keys are skipped). */
function iniSections(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\uFEFF/, '');
    if (/^\s*([#;]|$)/.test(line)) continue;
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header?.[1]) {
      current = new Map();
      sections.set(header[1].trim(), current);
      continue;
    }
    if (/^\s/.test(line)) continue;
    const pair = /^([^=]+?)\s*=\s*(.*?)\s*$/.exec(line);
    if (pair?.[1] && current) current.set(pair[1].trim().toLowerCase(), pair[2] ?? '');
  }
  return sections;
}
