/**
 * The settings document (ARCHITECTURE.md, "The settings contract"): one JSON document in SSM Parameter Store that
 * says, per rule and account, whether endpoint-guard ignores, notifies, tickets or fixes.
 *
 * Every object is strict, so a misspelled key fails loudly and names itself instead of silently
 * meaning "default". Errors list every problem with its JSON path.
 */
import { z } from 'zod';
import { derived, RULE_IDS, RULES, type RuleOptions, ruleOptionsFrom } from '../rules/index';
import type { RuleId } from '../rules/types';
import {
  JIRA_SECRET_SHAPE,
  SERVICENOW_SECRET_SHAPE,
  TICKET_SINKS_WITH_SECRETS,
  type TicketSinkWithSecret,
  ticketSecretName,
  WEBHOOK_SECRET_SHAPE,
} from '../tickets/credentials';
import { SettingsValidationError } from './errors';
import { strictObject } from './strict-object';

/** What endpoint-guard does with a NON_COMPLIANT finding. */
export type Mode = 'off' | 'notify' | 'ticket' | 'auto-fix';

/** Every mode, from doing the least to doing the most. */
export const MODES: readonly Mode[] = ['off', 'notify', 'ticket', 'auto-fix'];

/** Where tickets go. `none`: tickets are not opened (a ticket decision is only recorded). */
export type TicketSink = 'opscenter' | 'jira' | 'servicenow' | 'webhook' | 'none';

export const TICKET_SINKS: readonly TicketSink[] = ['opscenter', 'jira', 'servicenow', 'webhook', 'none'];

/** The document version this code reads; a document of any other version is rejected. */
export const SETTINGS_VERSION = 1;

/** The SSM parameter holding the document when `SETTINGS_PARAMETER` does not name another. */
export const DEFAULT_SETTINGS_PARAMETER = '/endpoint-guard/settings';

/** A rule's entry in `rules` (or `accounts.<id>.rules`). No `mode`: inherit it. */
export interface RuleSettings {
  readonly mode?: Mode;
}

/**
 * `rules`: one entry per rule of the registry: the mode, plus the options the rule's module
 * declares (filled in with their defaults).
 */
export type RulesSettings = {
  readonly [Id in RuleId]: RuleSettings & (Id extends keyof RuleOptions ? RuleOptions[Id] : unknown);
};

/** `accounts.<12-digit id>`: overrides for one member account; they win over `rules` and `defaultMode`. */
export interface AccountSettings {
  readonly defaultMode?: Mode;
  /** Only `mode` per rule: rule options apply organization-wide. */
  readonly rules: Readonly<Partial<Record<RuleId, RuleSettings>>>;
}

/**
 * One entry of `exemptions`: findings on this resource are ignored, for every rule or for one,
 * until the end of `until` (UTC, inclusive). Every exemption carries a reason.
 */
export interface Exemption {
  /** The resource's ARN (`arn:aws:s3:::www.example.com`) or its id (`vpce-0a1b2c3d4e5f60001`). */
  readonly resource: string;
  /** Only this rule; absent: every rule. */
  readonly rule?: RuleId;
  readonly reason: string;
  /** Last day the exemption applies (`YYYY-MM-DD`, UTC, inclusive); absent: no expiry. */
  readonly until?: string;
}

/**
 * The stack's own secret of a sink, when the settings name it: `arn:...:secret:endpoint-guard/tickets/jira`
 * (with or without Secrets Manager's six-character suffix). The secret is read by its name in
 * remediate's own account and Region whether or not the settings name it; naming any other secret
 * makes the document invalid.
 */
export type OwnSecretArn = string;

/** `tickets.jira`: Jira Cloud / Data Center REST API. The site and credentials live in the secret. */
export interface JiraSettings {
  /** `OPS` */
  readonly projectKey: string;
  /** @default 'Task' */
  readonly issueType: string;
  /** The workflow transition that closes an issue once its finding is compliant. @default 'Done' */
  readonly doneTransition: string;
  readonly secretArn?: OwnSecretArn;
}

/** `tickets.servicenow`: ServiceNow Table API (incidents). The instance and credentials live in the secret. */
export interface ServiceNowSettings {
  readonly secretArn?: OwnSecretArn;
  /** Assignment group of new incidents (name or sys_id). */
  readonly assignmentGroup?: string;
  /** `close_code` of resolved incidents: one of the instance's choices. @default 'Solution provided' */
  readonly closeCode: string;
}

/** `close_code` of resolved ServiceNow incidents when the settings name none. */
export const DEFAULT_SERVICENOW_CLOSE_CODE = 'Solution provided';

/** `tickets.webhook`: a JSON POST per ticket, signed. The URL and the signing key live in the secret. */
export interface WebhookSettings {
  readonly secretArn?: OwnSecretArn;
}

export interface TicketSettings {
  /** @default 'opscenter' */
  readonly sink: TicketSink;
  /** Required when `sink` is `jira`. */
  readonly jira?: JiraSettings;
  /** Optional: the defaults apply. */
  readonly servicenow?: ServiceNowSettings;
  /** Optional: everything the webhook needs is in its secret. */
  readonly webhook?: WebhookSettings;
}

export interface NotificationSettings {
  /** Least hours between two updates (ticket comment, notification) about the same open finding. */
  readonly commentIntervalHours?: number;
}

/** `securityHub`: the Security Hub sink. */
export interface SecurityHubSettings {
  /**
   * Import every finding into AWS Security Hub in endpoint-guard's home Region (the central
   * account's hub), updated in place and archived when compliant again. @default false
   */
  readonly enabled: boolean;
}

/** The parsed settings document with every default filled in. Deeply frozen. */
export interface Settings {
  readonly version: 1;
  /** Mode of every rule in every account unless something more specific says otherwise. @default 'ticket' */
  readonly defaultMode: Mode;
  /** Report the fixes that would be made instead of making them. @default false */
  readonly dryRun: boolean;
  readonly rules: RulesSettings;
  /** Keyed by 12-digit account id. @default {} */
  readonly accounts: Readonly<Record<string, AccountSettings>>;
  /** @default [] */
  readonly exemptions: readonly Exemption[];
  /** Automatic fixes per member account per hour; beyond it, findings are ticketed. 0: never fix. @default 10 */
  readonly maxFixesPerAccountPerHour: number;
  readonly tickets: TicketSettings;
  readonly notifications: NotificationSettings;
  readonly securityHub: SecurityHubSettings;
}

const modeSchema = z.enum(MODES as readonly [Mode, ...Mode[]]);

/** `rules`: one entry per registered rule, in registry order: `mode` plus the rule's options. */
function rulesShape(): Record<string, z.ZodType> {
  return Object.fromEntries(
    RULES.map((rule) => [
      rule.id,
      strictObject({
        mode: modeSchema.optional(),
        ...rule.options?.shape,
      }).prefault({}),
    ]),
  );
}

/** `accounts.<id>.rules`: only `mode` per rule (rule options apply organization-wide). */
function accountRulesShape(): Record<string, z.ZodType> {
  return Object.fromEntries(
    RULE_IDS.map((id) => [id, strictObject({ mode: modeSchema.optional() }).optional()]),
  );
}

const accountIdSchema = z.string().regex(/^\d{12}$/, { error: 'expected a 12-digit account id' });

const nonEmptyText = (what: string) =>
  z
    .string()
    .trim()
    .min(1, { error: `expected a non-empty ${what}` });

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:([\w/+=.@-]+)$/;

/** The secret name in a Secrets Manager ARN, without the six-character suffix Secrets Manager adds. */
function secretNameOf(name: string, expected: string): boolean {
  return name === expected || (name.startsWith(`${expected}-`) && name.length === expected.length + 7);
}

const ownSecretArnSchema = (sink: TicketSinkWithSecret) =>
  z.string().superRefine((arn, context) => {
    const match = SECRET_ARN.exec(arn);
    if (!match) {
      context.addIssue({
        code: 'invalid_format',
        format: 'regex',
        message:
          'expected a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
      });
    } else if (!secretNameOf(match[3] ?? '', ticketSecretName(sink))) {
      context.addIssue({
        code: 'custom',
        message: `must name the stack's own secret ${ticketSecretName(sink)}, the only one remediate reads (or leave secretArn out)`,
      });
    }
  });

/**
 * A key that used to say where a sink sends its credentials. Rejected with the exact migration:
 * the destination now lives in the sink's secret, where only those who may read the credentials
 * can change it. The value is never echoed (a webhook URL may carry its own secret).
 */
const movedToSecret = (sink: TicketSinkWithSecret, shape: string) =>
  z.unknown().superRefine((value, context) => {
    if (value === undefined) return;
    context.addIssue({
      code: 'custom',
      message:
        `no longer read from the settings (anyone who may edit them could send the ${sink} credentials to another host): ` +
        `move it into the secret ${ticketSecretName(sink)}, which now holds ${shape}, then delete this key`,
    });
  });

const ticketsSchema = strictObject({
  sink: z.enum(TICKET_SINKS as readonly [TicketSink, ...TicketSink[]]).default('opscenter'),
  jira: strictObject({
    baseUrl: movedToSecret('jira', JIRA_SECRET_SHAPE).optional(),
    projectKey: z.string().regex(/^[A-Z][A-Z0-9_]+$/, { error: 'expected a Jira project key such as OPS' }),
    issueType: nonEmptyText('issue type').default('Task'),
    doneTransition: nonEmptyText('transition name').default('Done'),
    secretArn: ownSecretArnSchema('jira').optional(),
  }).optional(),
  servicenow: strictObject({
    instanceUrl: movedToSecret('servicenow', SERVICENOW_SECRET_SHAPE).optional(),
    secretArn: ownSecretArnSchema('servicenow').optional(),
    assignmentGroup: nonEmptyText('assignment group').optional(),
    closeCode: nonEmptyText('close code').default(DEFAULT_SERVICENOW_CLOSE_CODE),
  }).optional(),
  webhook: strictObject({
    url: movedToSecret('webhook', WEBHOOK_SECRET_SHAPE).optional(),
    secretArn: ownSecretArnSchema('webhook').optional(),
  }).optional(),
})
  .superRefine((tickets, context) => {
    if (tickets.sink === 'jira' && tickets.jira === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['jira'],
        message: 'required when tickets.sink is "jira" (at least its projectKey)',
      });
    }
  })
  .prefault({});

/** Builds the schema of the settings document from the rules registered now. */
function buildSettingsSchema() {
  const ruleIdSchema = z.enum(RULE_IDS as readonly [RuleId, ...RuleId[]]);
  return strictObject({
    version: z.literal(SETTINGS_VERSION),
    defaultMode: modeSchema.default('ticket'),
    dryRun: z.boolean().default(false),
    rules: strictObject(rulesShape(), 'rule').prefault({}),
    accounts: z
      .record(
        accountIdSchema,
        strictObject({
          defaultMode: modeSchema.optional(),
          rules: strictObject(accountRulesShape(), 'rule').prefault({}),
        }),
      )
      .prefault({}),
    exemptions: z
      .array(
        strictObject({
          resource: z.string().regex(/^\S+$/, { error: 'expected a resource ARN or id (no spaces)' }),
          rule: ruleIdSchema.optional(),
          reason: nonEmptyText('reason'),
          until: z.iso.date({ error: 'expected a date as YYYY-MM-DD' }).optional(),
        }),
      )
      .prefault([]),
    maxFixesPerAccountPerHour: z.int().min(0, { error: 'expected an integer ≥ 0' }).default(10),
    tickets: ticketsSchema,
    notifications: strictObject({
      commentIntervalHours: z.number().positive({ error: 'expected a number of hours > 0' }).optional(),
    }).prefault({}),
    securityHub: strictObject({
      enabled: z.boolean().default(false),
    }).prefault({}),
  });
}

const currentSettingsSchema = derived(() => {
  settingsSchema = buildSettingsSchema();
  return settingsSchema;
});

/**
 * The schema of the settings document (for JSON Schema generation with `z.toJSONSchema`), for the
 * rules registered now: rebuilt (and this binding updated) when a rule is registered later.
 */
export let settingsSchema = buildSettingsSchema();

/**
 * Validates a settings document and fills in every default. Throws a
 * {@link SettingsValidationError} listing every problem with its JSON path.
 *
 * @param source where the document came from (a file, a parameter name), used in the message
 * @example
 * const settings = parseSettings({ version: 1, rules: { 's3-bucket-public-access': { mode: 'auto-fix' } } });
 * settings.defaultMode; // 'ticket'
 */
export function parseSettings(value: unknown, source?: string, context: SettingsContext = {}): Settings {
  const result = currentSettingsSchema().safeParse(value);
  if (!result.success) {
    throw new SettingsValidationError(problemsOf(result.error.issues, value), source ? { source } : {});
  }
  const settings = result.data as unknown as Settings;
  const foreign = foreignSecretProblems(settings.tickets, context);
  if (foreign.length > 0) throw new SettingsValidationError(foreign, source ? { source } : {});
  return deepFreeze(settings);
}

/**
 * Where the document is read: remediate's own account and Region. A `secretArn` naming a secret of
 * another account or Region is rejected, even when its name is the stack's.
 */
export interface SettingsContext {
  /** 12-digit account id of the stack that reads the settings. */
  readonly accountId?: string | undefined;
  readonly region?: string | undefined;
}

function foreignSecretProblems(tickets: TicketSettings, context: SettingsContext): string[] {
  return TICKET_SINKS_WITH_SECRETS.flatMap((sink) => {
    const arn = tickets[sink]?.secretArn;
    const match = arn === undefined ? null : SECRET_ARN.exec(arn);
    if (!match) return [];
    const [, region, accountId] = match;
    const where =
      context.accountId !== undefined && accountId !== context.accountId
        ? `account ${accountId}, not this stack's account ${context.accountId}`
        : context.region !== undefined && region !== context.region
          ? `Region ${region}, not this stack's Region ${context.region}`
          : undefined;
    return where === undefined
      ? []
      : [
          `tickets.${sink}.secretArn: names a secret in ${where}; remediate reads only ${ticketSecretName(sink)} of its own account and Region (leave secretArn out)`,
        ];
  });
}

/**
 * Parses the document's JSON text, then {@link parseSettings}. Invalid JSON is a
 * {@link SettingsValidationError} too, so callers handle one error for "this document is bad".
 *
 * @example
 * const settings = parseSettingsJson(await readFile('settings.json', 'utf8'), 'settings.json');
 */
export function parseSettingsJson(text: string, source?: string, context: SettingsContext = {}): Settings {
  return parseSettings(parseJson(text, source), source, context);
}

/**
 * Parses JSON text, throwing a {@link SettingsValidationError} (not a SyntaxError) when it is not JSON.
 *
 * @example
 * const raw = parseJson(parameter.Value ?? '', '/endpoint-guard/settings');
 */
export function parseJson(text: string, source?: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SettingsValidationError(
      [`(document): not valid JSON: ${withoutExcerpt((error as Error).message)}`],
      {
        ...(source ? { source } : {}),
        cause: error,
      },
    );
  }
}

/**
 * V8's JSON.parse messages quote the text around the error (`Unexpected token 'e', ..."apiToken":
 * eg-secr"... is not valid JSON`). A settings document is where someone may paste a credential, and
 * this message is logged and sent to the notification topic: keep V8's reason, drop the excerpt.
 */
function withoutExcerpt(message: string): string {
  return message.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '');
}

/** Every default: every rule in every account is ticketed, nothing is fixed. */
export const DEFAULT_SETTINGS: Settings = parseSettings({ version: SETTINGS_VERSION });

/**
 * The options rules read during evaluation, from the settings.
 *
 * @example
 * const evaluation = rule.evaluate(resource, { inventory, options: ruleOptionsOf(settings) });
 */
export function ruleOptionsOf(settings: Settings): RuleOptions {
  return ruleOptionsFrom(settings.rules);
}

/**
 * The same settings with every `auto-fix` turned into `ticket`: what applies when no valid
 * document was ever read, so a bad document can never lead to an automatic change.
 *
 * @example
 * const safe = withoutAutoFix(DEFAULT_SETTINGS);
 */
export function withoutAutoFix(settings: Settings): Settings {
  const cap = (mode: Mode): Mode => (mode === 'auto-fix' ? 'ticket' : mode);
  const capRule = <T extends RuleSettings>(rule: T): T =>
    rule.mode ? { ...rule, mode: cap(rule.mode) } : rule;
  const rules = Object.fromEntries(
    Object.entries(settings.rules).map(([id, rule]) => [id, capRule(rule)]),
  ) as unknown as RulesSettings;
  const accounts = Object.fromEntries(
    Object.entries(settings.accounts).map(([id, account]) => [
      id,
      {
        ...account,
        ...(account.defaultMode ? { defaultMode: cap(account.defaultMode) } : {}),
        rules: Object.fromEntries(
          Object.entries(account.rules).map(([ruleId, rule]) => [ruleId, rule ? capRule(rule) : rule]),
        ),
      },
    ]),
  );
  return deepFreeze({ ...settings, defaultMode: cap(settings.defaultMode), rules, accounts });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

// --- error messages ----------------------------------------------------------------------------

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'an array',
};

/** One sentence per problem, each starting with its JSON path. */
function problemsOf(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.flatMap((issue): string[] => {
    const where = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: ${issue.message}`);
    }
    if (issue.code === 'invalid_key') {
      const why = issue.issues[0]?.message ?? issue.message;
      return [`${where}: ${why}, got ${showValue(String(issue.path.at(-1)))}`];
    }
    const value = valueAt(input, issue.path);
    // A value typed into a ticket field may be a credential (a token pasted where the secret's
    // ARN goes): it is described, never echoed, because these messages reach logs and the
    // settings-invalid notification. Choices from a fixed list (the sink) are safe to echo.
    const show = (shown: unknown): string =>
      typeof shown === 'string' && issue.path[0] === 'tickets' && issue.code !== 'invalid_value'
        ? `a ${shown.length}-character string`
        : showValue(shown);
    if (issue.code === 'invalid_value') {
      const expected =
        issue.values.length === 1 ? show(issue.values[0]) : `one of ${issue.values.map(String).join(', ')}`;
      return [
        value === undefined
          ? `${where}: required: expected ${expected}`
          : `${where}: expected ${expected}, got ${show(value)}`,
      ];
    }
    if (issue.code === 'invalid_type') {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return [
        value === undefined
          ? `${where}: required: expected ${expected}`
          : `${where}: expected ${expected}, got ${show(value)}`,
      ];
    }
    const showsValue =
      issue.code === 'too_small' || issue.code === 'too_big' || issue.code === 'invalid_format';
    return [
      showsValue && value !== undefined
        ? `${where}: ${issue.message}, got ${show(value)}`
        : `${where}: ${issue.message}`,
    ];
  });
}

/** `exemptions[0].reason`, `rules.s3-bucket-public-access.mode`; the root is `(document)`. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(document)';
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function showValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
