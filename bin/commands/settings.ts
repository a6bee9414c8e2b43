import type { SSMClient } from '@aws-sdk/client-ssm';
import { isRuleId, RULE_IDS } from '../../shared/rules/index';
import type { RuleId } from '../../shared/rules/types';
import { SettingsReadError, SettingsWriteError } from '../../shared/settings/errors';
import { isExpired, modeFor } from '../../shared/settings/resolve';
import {
  DEFAULT_SETTINGS,
  DEFAULT_SETTINGS_PARAMETER,
  MODES,
  type Mode,
  parseSettings,
  parseSettingsJson,
  type Settings,
} from '../../shared/settings/schema';
import { parseOptions, suggest } from '../args';
import { AWS_OPTIONS_USAGE, PROFILE_OPTION, REGION_OPTION, resolveAwsTarget } from '../aws-options';
import { type CliIo, type CommandResult, UsageError } from '../cli-error';
import { readInput } from '../read-input';
import type { ParameterStore, Ssm } from './parameter-store';

export const SETTINGS_USAGE = `Usage: endpoint-guard settings <subcommand> [options]

Reads and edits the settings document, a JSON document in SSM Parameter Store.

Subcommands:
  get                                print the settings in force, every default filled in, as JSON
  set <rule-id|default> <mode> [--account ID]
                                     set the mode of a rule (or the default mode), for the whole
                                     organization or for one account
  validate FILE                      check a settings document without calling AWS ("-": standard input)
  exempt <resource> --reason TEXT [--until YYYY-MM-DD] [--rule ID]
                                     ignore the findings on a resource (its ARN or id), for every rule
                                     or one, until the end of a day (UTC) or with no expiry

Options (get, set, exempt):
  --parameter NAME       SSM parameter (default: $SETTINGS_PARAMETER, else ${DEFAULT_SETTINGS_PARAMETER})
${AWS_OPTIONS_USAGE.profile}
${AWS_OPTIONS_USAGE.region}
  -h, --help             show this help (also: endpoint-guard settings <subcommand> --help)

The settings live in the central account: run these with its credentials. (--role-name, the role
entered in member accounts, belongs to scan --live and rollback.)

Modes: ${MODES.join(', ')}. Rules: ${RULE_IDS.join(', ')}.
The most specific setting wins: account + rule, then account, then rule, then the default mode.

Exit codes: 0 done, 1 an AWS call failed, 2 bad arguments or an invalid document (nothing written).`;

/** What the command may be given instead of building it (tests inject a mocked client and clock). */
export interface SettingsCommandDeps {
  /** @default an SSMClient for --profile and --region (see aws-options.ts), built only when AWS is called */
  readonly ssm?: SSMClient;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

const SUBCOMMANDS = ['get', 'set', 'validate', 'exempt'] as const;

/**
 * `endpoint-guard settings get|set|validate|exempt`. Every change is validated as a whole
 * document before anything is written; an invalid one writes nothing.
 *
 * AWS calls: `get` one GetParameter; `set` and `exempt` one GetParameter and one PutParameter
 * (none when nothing changes); `validate` none.
 *
 * @example
 * const result = await settingsCommand(['set', 's3-bucket-public-access', 'auto-fix'], io);
 * process.stdout.write(result.stdout);
 */
export async function settingsCommand(
  args: readonly string[],
  io: CliIo,
  deps: SettingsCommandDeps = {},
): Promise<CommandResult> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined) {
    throw new UsageError(
      `settings needs a subcommand: ${SUBCOMMANDS.join(', ')} (see endpoint-guard settings --help)`,
    );
  }
  if (subcommand === '-h' || subcommand === '--help' || subcommand === 'help') {
    return { stdout: `${SETTINGS_USAGE}\n`, exitCode: 0 };
  }
  const now = deps.now ?? (() => new Date());
  const ssm = ssmFactory(deps.ssm);
  try {
    switch (subcommand) {
      case 'get':
        return await getCommand(rest, io, ssm);
      case 'set':
        return await setCommand(rest, io, ssm);
      case 'validate':
        return await validateCommand(rest, io, now);
      case 'exempt':
        return await exemptCommand(rest, io, ssm, now);
      default: {
        const guess = suggest(subcommand, SUBCOMMANDS);
        throw new UsageError(
          guess
            ? `unknown settings subcommand "${subcommand}": did you mean ${guess}?`
            : `unknown settings subcommand "${subcommand}": expected one of ${SUBCOMMANDS.join(', ')}`,
        );
      }
    }
  } catch (error) {
    // An AWS call failed: say which parameter and why; exit 1 tells it apart from bad input (2).
    if (error instanceof SettingsReadError || error instanceof SettingsWriteError) {
      io.stderr.write(`endpoint-guard: ${error.message}\n`);
      return { stdout: '', exitCode: 1 };
    }
    throw error;
  }
}

/** Builds the store's SSM client for the subcommand's --profile and --region, on first use. */
type SsmFactory = (values: { profile?: string; region?: string }, io: CliIo) => Ssm;

function ssmFactory(injected: SSMClient | undefined): SsmFactory {
  return (values, io) => {
    if (injected) return async () => injected;
    // Checked before any call, so a misspelled profile or a missing region is said as such.
    const target = resolveAwsTarget(values.profile, values.region, io.env);
    let client: Promise<SSMClient> | undefined;
    return () => {
      client ??= import('@aws-sdk/client-ssm').then(({ SSMClient }) => new SSMClient(target.clientConfig));
      return client;
    };
  };
}

const AWS_OPTIONS = {
  parameter: { type: 'string' },
  ...PROFILE_OPTION,
  ...REGION_OPTION,
  'role-name': { type: 'string' },
} as const;
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** The document's store, for a subcommand's options. */
async function openStore(
  values: { parameter?: string; profile?: string; region?: string; 'role-name'?: string },
  io: CliIo,
  ssm: SsmFactory,
): Promise<ParameterStore> {
  if (values['role-name'] !== undefined) {
    throw new UsageError(
      'settings does not take --role-name: the settings live in the central account, read with your own credentials (--profile)',
    );
  }
  const name = parameterName(values.parameter, io);
  const factory = ssm(values, io);
  const { ParameterStore } = await import('./parameter-store');
  return new ParameterStore(factory, name);
}

async function getCommand(args: readonly string[], io: CliIo, ssm: SsmFactory): Promise<CommandResult> {
  const { values } = parseOptions(
    'settings get',
    args,
    { ...AWS_OPTIONS, ...HELP_OPTION },
    { positionals: false },
  );
  if (values.help) return { stdout: `${SETTINGS_USAGE}\n`, exitCode: 0 };
  const store = await openStore(values, io, ssm);
  const stored = await store.read();
  if (!stored) io.stderr.write(`endpoint-guard: ${store.name} does not exist: these are the defaults\n`);
  const settings = stored ? parseSettings(stored.raw, stored.source) : DEFAULT_SETTINGS;
  return { stdout: `${JSON.stringify(settings, null, 2)}\n`, exitCode: 0 };
}

async function setCommand(args: readonly string[], io: CliIo, ssm: SsmFactory): Promise<CommandResult> {
  const { values, positionals } = parseOptions(
    'settings set',
    args,
    { ...AWS_OPTIONS, ...HELP_OPTION, account: { type: 'string' } },
    { positionals: true },
  );
  if (values.help) return { stdout: `${SETTINGS_USAGE}\n`, exitCode: 0 };
  const [target, mode, ...extra] = positionals;
  if (target === undefined || mode === undefined || extra.length > 0) {
    throw new UsageError('usage: endpoint-guard settings set <rule-id|default> <mode> [--account ID]');
  }
  if (target !== 'default' && !isRuleId(target)) {
    throw new UsageError(`unknown rule "${target}": expected default or one of ${RULE_IDS.join(', ')}`);
  }
  if (!isMode(mode)) throw new UsageError(`unknown mode "${mode}": expected one of ${MODES.join(', ')}`);
  const account = values.account;
  if (account !== undefined && !/^\d{12}$/.test(account)) {
    throw new UsageError(`--account "${account}" is not an account id: expected 12 digits`);
  }
  const ruleId = target === 'default' ? undefined : target;

  const store = await openStore(values, io, ssm);
  const { raw, current } = await store.readForChange();
  const path = [
    ...(account ? ['accounts', account] : []),
    ...(ruleId ? ['rules', ruleId, 'mode'] : ['defaultMode']),
  ];
  const scope = account ? ` (account ${account})` : '';
  const before = scopeMode(current, ruleId, account);
  if (valueAt(raw, path) === mode) {
    return { stdout: `${target}: already ${mode}${scope}; nothing written\n`, exitCode: 0 };
  }
  setAt(raw, path, mode);
  const next = parseSettings(raw, 'the changed settings');
  const version = await store.write(raw);

  const lines = [`${target}: ${before} → ${scopeMode(next, ruleId, account)}${scope}`];
  lines.push(...shadowNotes(next, mode, ruleId, account));
  if (mode === 'auto-fix' && next.dryRun) lines.push('note: dryRun is on: fixes are reported, not made');
  lines.push(store.savedLine(version));
  return { stdout: `${lines.join('\n')}\n`, exitCode: 0 };
}

async function validateCommand(args: readonly string[], io: CliIo, now: () => Date): Promise<CommandResult> {
  const { values, positionals } = parseOptions('settings validate', args, HELP_OPTION, { positionals: true });
  if (values.help) return { stdout: `${SETTINGS_USAGE}\n`, exitCode: 0 };
  const [file, ...extra] = positionals;
  if (file === undefined || file === '' || extra.length > 0) {
    throw new UsageError('usage: endpoint-guard settings validate FILE ("-" reads standard input)');
  }
  const source = file === '-' ? 'standard input' : file;
  const settings = parseSettingsJson(await readText(file, io), source);
  return { stdout: `${summary(settings, source, now())}\n`, exitCode: 0 };
}

async function exemptCommand(
  args: readonly string[],
  io: CliIo,
  ssm: SsmFactory,
  now: () => Date,
): Promise<CommandResult> {
  const { values, positionals } = parseOptions(
    'settings exempt',
    args,
    {
      ...AWS_OPTIONS,
      ...HELP_OPTION,
      reason: { type: 'string' },
      until: { type: 'string' },
      rule: { type: 'string' },
    },
    { positionals: true },
  );
  if (values.help) return { stdout: `${SETTINGS_USAGE}\n`, exitCode: 0 };
  const [resource, ...extra] = positionals;
  if (resource === undefined || extra.length > 0) {
    throw new UsageError(
      'usage: endpoint-guard settings exempt <resource> --reason TEXT [--until YYYY-MM-DD] [--rule ID]',
    );
  }
  if (!/^\S+$/.test(resource)) {
    throw new UsageError(`"${resource}" is not a resource ARN or id (it is empty or holds spaces)`);
  }
  const reason = values.reason?.trim();
  if (!reason) throw new UsageError('exempt needs --reason TEXT: every exemption says why');
  const { until, rule } = values;
  if (until !== undefined) {
    if (!isDay(until)) throw new UsageError(`--until "${until}" is not a date: expected YYYY-MM-DD`);
    if (isExpired({ until }, now())) throw new UsageError(`--until ${until} has already passed`);
  }
  if (rule !== undefined && !isRuleId(rule)) {
    throw new UsageError(`unknown --rule "${rule}": expected one of ${RULE_IDS.join(', ')}`);
  }

  const store = await openStore(values, io, ssm);
  const { raw } = await store.readForChange();
  const exemptions = Array.isArray(raw.exemptions) ? (raw.exemptions as unknown[]) : [];
  raw.exemptions = exemptions;
  const entry = { resource, ...(rule ? { rule } : {}), reason, ...(until ? { until } : {}) };
  // One exemption per resource and rule: exempting again updates the reason and the date.
  const index = exemptions.findIndex((candidate) => {
    const existing = candidate as { resource?: unknown; rule?: unknown };
    return existing.resource === resource && existing.rule === rule;
  });
  if (index >= 0) exemptions[index] = entry;
  else exemptions.push(entry);
  parseSettings(raw, 'the changed settings');
  const version = await store.write(raw);

  const what = index >= 0 ? 'updated the exemption of' : 'exempted';
  const line = `${what} ${resource} from ${rule ?? 'every rule'} ${until ? `until ${until}` : 'with no expiry'}: ${reason}`;
  return { stdout: `${line}\n${store.savedLine(version)}\n`, exitCode: 0 };
}

/** The SSM parameter: `--parameter`, else `SETTINGS_PARAMETER`, else the default. */
function parameterName(option: string | undefined, io: CliIo): string {
  const name = option ?? (io.env.SETTINGS_PARAMETER || DEFAULT_SETTINGS_PARAMETER);
  if (name.trim() === '') throw new UsageError('--parameter needs a parameter name');
  return name;
}

/** The mode in force at the scope being set: a rule (or the default), organization-wide or in an account. */
function scopeMode(settings: Settings, ruleId: RuleId | undefined, account: string | undefined): Mode {
  if (ruleId) {
    return account
      ? modeFor(settings, ruleId, account).mode
      : (settings.rules[ruleId].mode ?? settings.defaultMode);
  }
  const accountSettings =
    account && Object.hasOwn(settings.accounts, account) ? settings.accounts[account] : undefined;
  return accountSettings?.defaultMode ?? settings.defaultMode;
}

/** Where a more specific setting keeps another mode than the one just set: say so, or the change surprises. */
function shadowNotes(
  settings: Settings,
  mode: Mode,
  ruleId: RuleId | undefined,
  account: string | undefined,
): string[] {
  const accounts = account ? [account] : [...Object.keys(settings.accounts), undefined];
  const others = Object.keys(settings.accounts).length > 0 ? 'all other accounts' : 'every account';
  const notes: string[] = [];
  for (const rule of ruleId ? [ruleId] : RULE_IDS) {
    for (const candidate of accounts) {
      // '' is never an account key (they are 12 digits): it stands for accounts without overrides.
      const resolved = modeFor(settings, rule, candidate ?? '');
      if (resolved.mode === mode) continue;
      const where = candidate ? `account ${candidate}` : others;
      notes.push(`note: ${rule} stays ${resolved.mode} in ${where} (${resolved.from} is more specific)`);
    }
  }
  return notes;
}

function summary(settings: Settings, source: string, now: Date): string {
  const rules = RULE_IDS.map((id) => {
    const mode = settings.rules[id].mode;
    return mode ? `${id} ${mode}` : `${id} ${settings.defaultMode} (default)`;
  });
  const accounts = Object.keys(settings.accounts);
  const expired = settings.exemptions.filter((exemption) => isExpired(exemption, now)).length;
  return [
    `valid: ${source}`,
    `  defaultMode ${settings.defaultMode}, dryRun ${settings.dryRun ? 'on' : 'off'}, ` +
      `at most ${settings.maxFixesPerAccountPerHour} fixes per account per hour, tickets to ${settings.tickets.sink}`,
    `  rules: ${rules.join(', ')}`,
    `  account overrides: ${accounts.length ? accounts.join(', ') : 'none'}`,
    `  exemptions: ${settings.exemptions.length} (${expired} expired)`,
  ].join('\n');
}

function isMode(value: string): value is Mode {
  return (MODES as readonly string[]).includes(value);
}

/** `YYYY-MM-DD` naming a real day (2027-02-30 is not). */
function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00.000Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
}

function valueAt(document: Record<string, unknown>, path: readonly string[]): unknown {
  let current: unknown = document;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Sets a value deep in a (validated) document, creating the objects on the way. */
function setAt(document: Record<string, unknown>, path: readonly string[], value: unknown): void {
  const last = path.at(-1);
  if (last === undefined) return;
  let current = document;
  for (const key of path.slice(0, -1)) {
    const next = current[key];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      current = next as Record<string, unknown>;
    } else {
      const created: Record<string, unknown> = {};
      current[key] = created;
      current = created;
    }
  }
  current[last] = value;
}

async function readText(path: string, io: CliIo): Promise<string> {
  return (await readInput(path, io)).toString('utf8');
}
