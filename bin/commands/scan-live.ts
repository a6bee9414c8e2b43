/**
 * `endpoint-guard scan --live`: the rules over live state, read with the default credential chain
 * (or a profile), in one account or across member accounts through the member role. Read-only:
 * only Describe, Get and List calls.
 */
import { OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { AwsClientFactory, type AwsClientFactoryOptions, RETRY_CONFIG } from '../../shared/aws/clients';
import { mapWithConcurrency } from '../../shared/aws/concurrency';
import { describeAwsError, MemberAccessError } from '../../shared/aws/errors';
import {
  evaluateLive,
  LiveInventoryReader,
  type LiveScope,
  wholeRegionScope,
} from '../../shared/aws/live-inventory';
import { RULE_IDS, ruleById } from '../../shared/rules/index';
import type { Evaluation, RuleId } from '../../shared/rules/types';
import { parseOptions } from '../args';
import {
  PROFILE_OPTION,
  REGIONS_OPTION,
  ROLE_NAME_OPTION,
  resolveProfile,
  resolveRegions,
  resolveRoleName,
} from '../aws-options';
import { type CliIo, type CommandResult, UsageError } from '../cli-error';
import { emitReport, exitCodeOf, OUTPUT_OPTIONS, parseOutputChoices, reportOf } from '../scan-options';
import { DEFAULT_CONCURRENCY, SCAN_LIVE_USAGE } from './scan-live-usage';

export { DEFAULT_MEMBER_ROLE_NAME } from '../aws-options';

const MAX_CONCURRENCY = 32;

export { SCAN_LIVE_USAGE } from './scan-live-usage';

/** What scan --live needs from the client factory (the real one, or a test double). */
export type AccountClientSource = Pick<AwsClientFactory, 'forAccount' | 'ownAccountId'>;

/** Injection points, so tests run the command against mocked clients. */
export interface ScanLiveDeps {
  /** @default (options) => new AwsClientFactory(options) */
  readonly clientFactory?: (options: AwsClientFactoryOptions) => AccountClientSource;
  /** @default an OrganizationsClient from the same chain */
  readonly organizations?: (clientConfig: Record<string, unknown>) => OrganizationsClient;
  /**
   * The region when no --region is given. @default AWS_REGION, AWS_DEFAULT_REGION, else the
   * profile's region (see aws-options.ts)
   */
  readonly defaultRegion?: (clientConfig: Record<string, unknown>) => Promise<string | undefined>;
}

/** One account (all regions, `region: null`) or one account×region that could not be scanned. */
export interface ScanFailure {
  readonly accountId: string;
  readonly region: string | null;
  readonly error: string;
}

interface TaskResult {
  readonly accountId: string;
  readonly region: string;
  readonly evaluations: readonly Evaluation[];
  readonly calls: number;
  readonly failure?: ScanFailure;
}

/**
 * Runs `scan --live`. The result is returned whole; stderr carries progress (terminal only) and
 * the accounts that could not be read.
 *
 * @example
 * const { stdout, exitCode } = await scanLiveCommand(['--live', '--region', 'eu-west-1'], io);
 */
export async function scanLiveCommand(
  args: readonly string[],
  io: CliIo,
  deps: ScanLiveDeps = {},
): Promise<CommandResult> {
  const { values } = parseOptions('scan --live', args, LIVE_OPTIONS, { positionals: false });
  if (values.help) return { stdout: `${SCAN_LIVE_USAGE}\n`, exitCode: 0 };
  // `--live` selects this command; it is accepted here whether or not the router passes it on.
  const choices = await parseOutputChoices(values);
  const rules = choices.rules.length ? choices.rules : [...RULE_IDS];
  const concurrency = parseConcurrency(values.concurrency ?? String(DEFAULT_CONCURRENCY));
  const roleName = resolveRoleName(values['role-name'], io.env);
  if (values.accounts !== undefined && values.organization) {
    throw new UsageError('pass either --accounts or --organization, not both');
  }
  const listed = values.accounts === undefined ? undefined : parseAccounts(values.accounts);
  const profile = resolveProfile(values.profile, io.env);

  // The SDK's own `profile` setting selects the profile for credentials and region alike,
  // without touching this process's environment.
  const clientConfig: Record<string, unknown> = profile?.named ? { profile: profile.name } : {};
  const given = values.region ?? [];
  const chain = given.length
    ? undefined
    : await (deps.defaultRegion ?? (async () => resolveRegions([], io.env, profile)[0]))(clientConfig);
  const regions = given.length
    ? resolveRegions(given, io.env, profile)
    : resolveRegions([], { AWS_REGION: chain }, profile);
  // STS and Organizations need a region of their own: the chain's, else the first one scanned.
  const homeRegion = chain ?? regions[0] ?? 'us-east-1';
  const factory = (deps.clientFactory ?? ((options) => new AwsClientFactory(options)))({
    memberRoleName: roleName,
    roleSessionName: 'endpoint-guard-scan',
    sts: new STSClient({ ...RETRY_CONFIG, ...clientConfig, region: homeRegion }),
    clientConfig,
  });
  const accounts =
    listed ??
    (values.organization
      ? await organizationAccounts(
          deps.organizations?.(clientConfig) ??
            new OrganizationsClient({ ...RETRY_CONFIG, ...clientConfig, region: homeRegion }),
        )
      : [await callerAccount(factory)]);

  const results = await scanAll(accounts, regions, rules, concurrency, factory, io);
  const failures = failuresOf(results);
  const failedAccounts = new Set(
    accounts.filter((account) => results.filter((r) => r.accountId === account).every((r) => r.failure)),
  );
  const causes = groupByCause(failures);
  const readNone = failedAccounts.size === accounts.length;
  if (!choices.quiet || readNone) {
    for (const cause of causes) io.stderr.write(`endpoint-guard: not scanned: ${describeCause(cause)}\n`);
  }
  if (readNone) {
    io.stderr.write(
      `endpoint-guard: no account could be read (${accounts.length} account${accounts.length === 1 ? '' : 's'})\n`,
    );
    return { stdout: '', exitCode: 2 };
  }

  const evaluations = results.flatMap((result) => result.evaluations).sort(compareEvaluations);
  const report = reportOf(evaluations, rules, choices);
  const footer = causes.length
    ? `\nNot scanned:\n${causes.map((cause) => `  ${describeCause(cause)}`).join('\n')}\n`
    : '';
  const source = `live: ${accounts.length} account${accounts.length === 1 ? '' : 's'}, ${regions.join(', ')}`;
  const stdout = await emitReport(report, choices, {
    io,
    source,
    jsonExtra: { errors: failures },
    tableFooter: footer,
    // ASFF goes to the caller's own Security Hub, in the first region scanned, unless told.
    hub: async () => ({ accountId: await callerAccount(factory), region: regions[0] ?? homeRegion }),
  });
  return { stdout, exitCode: exitCodeOf(report, choices) };
}

const LIVE_OPTIONS = {
  live: { type: 'boolean' },
  ...PROFILE_OPTION,
  ...REGIONS_OPTION,
  ...ROLE_NAME_OPTION,
  accounts: { type: 'string' },
  organization: { type: 'boolean' },
  concurrency: { type: 'string' },
  ...OUTPUT_OPTIONS,
} as const;

/** Accounts (or account×regions) that failed for the same reason. */
interface FailureCause {
  readonly cause: string;
  readonly where: readonly string[];
}

/**
 * Failures grouped by cause: the error with account ids taken out, so 200 accounts
 * denied the same way are one line, not 200.
 */
export function groupByCause(failures: readonly ScanFailure[]): FailureCause[] {
  const groups = new Map<string, string[]>();
  for (const failure of failures) {
    const cause = failure.error.replace(/\b\d{12}\b/g, '<account>');
    const where = failure.region === null ? failure.accountId : `${failure.accountId} ${failure.region}`;
    const list = groups.get(cause);
    if (list) list.push(where);
    else groups.set(cause, [where]);
  }
  return [...groups.entries()]
    .map(([cause, where]) => ({ cause, where }))
    .sort((a, b) => b.where.length - a.where.length || (a.cause < b.cause ? -1 : 1));
}

/** `2 accounts (111122223333, 222233334444): cannot assume arn:aws:iam::<account>:role/… in account <account>: AccessDenied: …` */
function describeCause({ cause, where }: FailureCause): string {
  const shown =
    where.length > 20 ? `${where.slice(0, 20).join(', ')} and ${where.length - 20} more` : where.join(', ');
  const what = where.some((entry) => entry.includes(' ')) ? 'account×region' : 'account';
  return `${where.length} ${what}${where.length === 1 ? '' : 's'} (${shown}): ${cause}`;
}

async function scanAll(
  accounts: readonly string[],
  regions: readonly string[],
  rules: readonly RuleId[],
  concurrency: number,
  factory: AccountClientSource,
  io: CliIo,
): Promise<TaskResult[]> {
  // Load only what the selected rules read: EC2 for the network rules, S3 for the bucket rules.
  const scope: LiveScope = wholeRegionScope(rules.map(ruleById));
  const tasks = accounts.flatMap((accountId) => regions.map((region) => ({ accountId, region })));
  const progress = io.stderr.isTTY === true;
  // An account whose role was refused once is not asked again for its other regions.
  const denied = new Map<string, MemberAccessError>();
  let done = 0;
  let findings = 0;
  let calls = 0;

  const results = await mapWithConcurrency(tasks, concurrency, async ({ accountId, region }) => {
    const result = await scanOne(accountId, region, rules, scope, factory, denied);
    done++;
    findings += result.evaluations.filter((e) => e.status === 'NON_COMPLIANT').length;
    calls += result.calls;
    if (progress) {
      io.stderr.write(
        `\r\u001b[K${done}/${tasks.length} account×region done, ${findings} finding${findings === 1 ? '' : 's'} so far`,
      );
    }
    return result;
  });
  if (progress) {
    io.stderr.write(`\r\u001b[K${tasks.length} account×region scanned with ${calls} AWS calls\n`);
  }
  return results;
}

async function scanOne(
  accountId: string,
  region: string,
  rules: readonly RuleId[],
  scope: LiveScope,
  factory: AccountClientSource,
  denied: Map<string, MemberAccessError>,
): Promise<TaskResult & { repeated?: boolean }> {
  const known = denied.get(accountId);
  if (known) {
    return { ...empty(accountId, region), failure: accountFailure(known), repeated: true };
  }
  try {
    const clients = await factory.forAccount(accountId, region);
    const live = await evaluateLive(new LiveInventoryReader(clients), scope, rules);
    const calls = Object.values(live.calls).reduce((sum, n) => sum + n, 0);
    return { accountId, region, evaluations: live.evaluations, calls };
  } catch (error) {
    if (error instanceof MemberAccessError) {
      const repeated = denied.has(accountId);
      if (!repeated) denied.set(accountId, error);
      return { ...empty(accountId, region), failure: accountFailure(error), repeated };
    }
    return { ...empty(accountId, region), failure: { accountId, region, error: describeAwsError(error) } };
  }
}

function empty(accountId: string, region: string): TaskResult {
  return { accountId, region, evaluations: [], calls: 0 };
}

function accountFailure(error: MemberAccessError): ScanFailure {
  return { accountId: error.accountId, region: null, error: error.message };
}

/** One entry per denied account, one per other failed account×region. */
function failuresOf(results: readonly TaskResult[]): ScanFailure[] {
  const seen = new Set<string>();
  const failures: ScanFailure[] = [];
  for (const { failure } of results) {
    if (!failure) continue;
    const key = `${failure.accountId}|${failure.region ?? '*'}`;
    if (seen.has(key)) continue;
    seen.add(key);
    failures.push(failure);
  }
  return failures.sort(
    (a, b) => a.accountId.localeCompare(b.accountId) || (a.region ?? '').localeCompare(b.region ?? ''),
  );
}

function compareEvaluations(a: Evaluation, b: Evaluation): number {
  return (
    a.accountId.localeCompare(b.accountId) ||
    a.region.localeCompare(b.region) ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.resourceId.localeCompare(b.resourceId)
  );
}

function parseConcurrency(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > MAX_CONCURRENCY) {
    throw new UsageError(
      `invalid --concurrency "${text}": expected a whole number from 1 to ${MAX_CONCURRENCY}`,
    );
  }
  return value;
}

function parseAccounts(text: string): string[] {
  const ids = [
    ...new Set(
      text
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    ),
  ];
  if (ids.length === 0) throw new UsageError('--accounts needs at least one account id');
  const bad = ids.filter((id) => !/^\d{12}$/.test(id));
  if (bad.length)
    throw new UsageError(`invalid account id ${bad.map((id) => `"${id}"`).join(', ')}: expected 12 digits`);
  return ids;
}

/** Every ACTIVE account of the organization (ListAccounts, paginated). */
async function organizationAccounts(client: OrganizationsClient): Promise<string[]> {
  const ids: string[] = [];
  try {
    for await (const page of paginateListAccounts({ client }, {})) {
      for (const account of page.Accounts ?? []) {
        // `Status` is being retired in favour of `State`; accept whichever the API sends.
        if (account.Id && (account.State ?? account.Status) === 'ACTIVE') ids.push(account.Id);
      }
    }
  } catch (error) {
    throw new UsageError(`cannot list the organization's accounts: ${describeAwsError(error)}`);
  }
  if (ids.length === 0) throw new UsageError('the organization has no ACTIVE account');
  return ids.sort();
}

async function callerAccount(factory: AccountClientSource): Promise<string> {
  try {
    return await factory.ownAccountId();
  } catch (error) {
    throw new UsageError(
      `cannot identify the caller's account (check credentials): ${describeAwsError(error)}`,
    );
  }
}
