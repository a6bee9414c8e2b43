/**
 * `endpoint-guard scan --live`: the rules over live state, read with the default credential chain
 * (or a profile), in one account or across member accounts through the member role. Read-only:
 * only Describe, Get and List calls.
 */
import { parseArgs } from 'node:util';
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
import { formatTable, toJsonFinding } from '../../shared/scan/format';
import { type ScanResult, summarize } from '../../shared/scan/scan';
import { type CliIo, type CommandResult, UsageError } from '../cli-error';
import { parseFormat, parseRuleIds } from '../scan-options';

export const DEFAULT_MEMBER_ROLE_NAME = 'EndpointGuardMember';
const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 32;

export const SCAN_LIVE_USAGE = `Usage: endpoint-guard scan --live [options]

Evaluates live AWS state, read-only (Describe, Get and List calls only), with the default
credential chain: environment, shared config and credentials files, SSO, instance role.

Options:
  --live                 read live state instead of a snapshot
  --profile NAME         use this profile of the shared config files
  --region R             region to scan; repeat for several (default: the profile's or AWS_REGION)
  --accounts ID,ID       scan these accounts through the member role (default: the caller's account)
  --organization         scan every ACTIVE account of the organization (Organizations ListAccounts;
                         run it from the management or a delegated administrator account)
  --role-name NAME       member role to assume (default: ${DEFAULT_MEMBER_ROLE_NAME})
  --concurrency N        account×region scans at once (default: ${DEFAULT_CONCURRENCY})
  --format table|json    output format (default: table)
  --rule ID              only this rule; repeat for several (${RULE_IDS.join(', ')})
  --fail-on-findings     exit 1 when anything is NON_COMPLIANT (for pipelines)
  -h, --help             show this help

An account that cannot be read (the role cannot be assumed) is reported on stderr and in the
result; the others are still scanned. Progress goes to stderr when it is a terminal.

Exit codes: 0 scanned, 1 findings with --fail-on-findings, 2 bad arguments or no account readable.`;

/** What scan --live needs from the client factory (the real one, or a test double). */
export type AccountClientSource = Pick<AwsClientFactory, 'forAccount' | 'ownAccountId'>;

/** Injection points, so tests run the command against mocked clients. */
export interface ScanLiveDeps {
  /** @default (options) => new AwsClientFactory(options) */
  readonly clientFactory?: (options: AwsClientFactoryOptions) => AccountClientSource;
  /** @default an OrganizationsClient from the same chain */
  readonly organizations?: (clientConfig: Record<string, unknown>) => OrganizationsClient;
  /** The chain's region, when no --region is given. @default STSClient's resolved region */
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
  const { values } = parseArgs({
    args: [...args],
    options: {
      live: { type: 'boolean', default: false },
      profile: { type: 'string' },
      region: { type: 'string', multiple: true },
      accounts: { type: 'string' },
      organization: { type: 'boolean', default: false },
      'role-name': { type: 'string', default: DEFAULT_MEMBER_ROLE_NAME },
      concurrency: { type: 'string', default: String(DEFAULT_CONCURRENCY) },
      format: { type: 'string', default: 'table' },
      rule: { type: 'string', multiple: true },
      'fail-on-findings': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return { stdout: `${SCAN_LIVE_USAGE}\n`, exitCode: 0 };
  // `--live` selects this command; it is accepted here whether or not the router passes it on.
  const format = parseFormat(values.format);
  const chosen = parseRuleIds(values.rule ?? []);
  const rules = chosen.length ? chosen : [...RULE_IDS];
  const concurrency = parseConcurrency(values.concurrency);
  const roleName = values['role-name'];
  if (!/^[\w+=,.@-]{1,64}$/.test(roleName)) throw new UsageError(`invalid --role-name "${roleName}"`);
  if (values.accounts !== undefined && values.organization) {
    throw new UsageError('pass either --accounts or --organization, not both');
  }
  const listed = values.accounts === undefined ? undefined : parseAccounts(values.accounts);
  if (values.profile === '') throw new UsageError('--profile needs a name');

  // The SDK's own `profile` setting selects the profile for credentials and region alike,
  // without touching this process's environment.
  const clientConfig: Record<string, unknown> = values.profile ? { profile: values.profile } : {};
  const chain = await (deps.defaultRegion ?? chainRegion)(clientConfig);
  const regions = resolveRegions(values.region ?? [], chain);
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
  if (failedAccounts.size === accounts.length) {
    io.stderr.write(
      `endpoint-guard: no account could be read (${accounts.length} account${accounts.length === 1 ? '' : 's'})\n`,
    );
    return { stdout: '', exitCode: 2 };
  }

  const evaluations = results.flatMap((result) => result.evaluations).sort(compareEvaluations);
  const result: ScanResult = { evaluations, summary: summarize(evaluations, rules) };
  const stdout = format === 'json' ? json(result, failures) : table(result, failures, io);
  const exitCode = values['fail-on-findings'] && result.summary.nonCompliant > 0 ? 1 : 0;
  return { stdout, exitCode };
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
  const clearLine = (): void => {
    if (progress) io.stderr.write('\r\u001b[K');
  };

  const results = await mapWithConcurrency(tasks, concurrency, async ({ accountId, region }) => {
    const result = await scanOne(accountId, region, rules, scope, factory, denied);
    done++;
    findings += result.evaluations.filter((e) => e.status === 'NON_COMPLIANT').length;
    calls += result.calls;
    if (result.failure) {
      clearLine();
      const where =
        result.failure.region === null ? `account ${accountId}` : `account ${accountId} ${region}`;
      // A denied account is reported once, by the first of its regions to fail.
      if (result.failure.region !== null || !result.repeated) {
        io.stderr.write(`endpoint-guard: ${where}: ${result.failure.error}\n`);
      }
    }
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

/** ARCHITECTURE.md's `{findings, summary}` ("Local use"), plus the accounts that could not be read. */
function json(result: ScanResult, failures: readonly ScanFailure[]): string {
  const document = {
    findings: result.evaluations.map(toJsonFinding),
    summary: result.summary,
    errors: failures,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function table(result: ScanResult, failures: readonly ScanFailure[], io: CliIo): string {
  const color = (io.stdoutIsTty && io.env.NO_COLOR === undefined) || !!io.env.FORCE_COLOR;
  const text = formatTable(result, { color });
  if (failures.length === 0) return text;
  const lines = failures.map(
    (failure) =>
      `  account ${failure.accountId}${failure.region === null ? '' : ` ${failure.region}`}: ${failure.error}`,
  );
  return `${text}\nNot scanned:\n${lines.join('\n')}\n`;
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

function resolveRegions(given: readonly string[], chain: string | undefined): string[] {
  const regions = [...new Set(given.flatMap((text) => text.split(',')).map((r) => r.trim()))].filter(Boolean);
  const bad = regions.filter((region) => !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region));
  if (bad.length)
    throw new UsageError(`invalid --region ${bad.map((r) => `"${r}"`).join(', ')}: expected e.g. us-east-1`);
  if (regions.length > 0) return regions;
  if (!chain) throw new UsageError('no region: pass --region, or set AWS_REGION or a region in the profile');
  return [chain];
}

/** The region the SDK's default chain resolves (AWS_REGION, then the profile's `region`). */
async function chainRegion(clientConfig: Record<string, unknown>): Promise<string | undefined> {
  const sts = new STSClient(clientConfig);
  try {
    return await sts.config.region();
  } catch {
    return undefined;
  } finally {
    sts.destroy();
  }
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
