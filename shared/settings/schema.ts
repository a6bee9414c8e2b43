/**
 * The settings document (DESIGN.md, "Settings"): one JSON document in SSM Parameter Store that
 * says, per rule and account, whether endpoint-guard ignores, notifies, tickets or fixes.
 *
 * Every object is strict, so a misspelled key fails loudly and names itself instead of silently
 * meaning "default". Errors list every problem with its JSON path.
 */
import { z } from 'zod';
import { RULE_IDS } from '../rules/index';
import {
  DEFAULT_RULE_OPTIONS,
  type GatewayServiceRequirement,
  type RuleId,
  type RuleOptions,
} from '../rules/types';
import { SettingsValidationError } from './errors';

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

/** `rules.gateway-endpoint-routes`: the mode plus the options its evaluation reads. */
export interface GatewayEndpointRoutesSettings extends RuleSettings {
  /** Create a missing S3 / DynamoDB gateway endpoint (`CreateVpcEndpoint`). @default false */
  readonly allowCreateEndpoint: boolean;
  /** Which gateway endpoints a private route table needs. @default { s3: 'required', dynamodb: 'if-present' } */
  readonly services: { readonly s3: GatewayServiceRequirement; readonly dynamodb: GatewayServiceRequirement };
  /** Also check route tables with a default route to an internet gateway. @default false */
  readonly includePublicRouteTables: boolean;
}

/** `rules`: one entry per rule of the registry, options filled in with their defaults. */
export interface RulesSettings {
  readonly 'interface-endpoint-multi-az': RuleSettings;
  readonly 's3-bucket-public-access': RuleSettings;
  readonly 'gateway-endpoint-routes': GatewayEndpointRoutesSettings;
}

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

/** `tickets.jira`: Jira Cloud / Data Center REST API. */
export interface JiraSettings {
  /** `https://example.atlassian.net` */
  readonly baseUrl: string;
  /** `OPS` */
  readonly projectKey: string;
  /** @default 'Task' */
  readonly issueType: string;
  /** The workflow transition that closes an issue once its finding is compliant. @default 'Done' */
  readonly doneTransition: string;
  /** Secrets Manager secret holding the API credentials (never the credentials themselves). */
  readonly secretArn: string;
}

/** `tickets.servicenow`: ServiceNow Table API (incidents). */
export interface ServiceNowSettings {
  /** `https://example.service-now.com` */
  readonly instanceUrl: string;
  /** Secrets Manager secret holding the API credentials. */
  readonly secretArn: string;
  /** Assignment group of new incidents (name or sys_id). */
  readonly assignmentGroup?: string;
  /** `close_code` of resolved incidents: one of the instance's choices. @default 'Solution provided' */
  readonly closeCode: string;
}

/** `tickets.webhook`: a JSON POST per ticket, signed with the secret. */
export interface WebhookSettings {
  readonly url: string;
  /** Secrets Manager secret holding the signing key. */
  readonly secretArn: string;
}

export interface TicketSettings {
  /** @default 'opscenter' */
  readonly sink: TicketSink;
  /** Required when `sink` is `jira`. */
  readonly jira?: JiraSettings;
  /** Required when `sink` is `servicenow`. */
  readonly servicenow?: ServiceNowSettings;
  /** Required when `sink` is `webhook`. */
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

/** A strict object whose unknown-key problem names the keys it does accept. */
function strictObject<T extends z.core.$ZodLooseShape>(shape: T, what: 'key' | 'rule' = 'key') {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown ${what}; expected one of ${known}` : undefined,
  });
}

const modeSchema = z.enum(MODES as readonly [Mode, ...Mode[]]);
const ruleIdSchema = z.enum(RULE_IDS as readonly [RuleId, ...RuleId[]]);
const requirementSchema = z.enum(['required', 'if-present', 'ignore']);
const gatewayDefaults = DEFAULT_RULE_OPTIONS['gateway-endpoint-routes'];

const plainRuleSchema = strictObject({ mode: modeSchema.optional() }).prefault({});

// `satisfies` makes a rule added to the RuleId union fail to compile here until it has an entry.
const rulesShape = {
  'interface-endpoint-multi-az': plainRuleSchema,
  's3-bucket-public-access': plainRuleSchema,
  'gateway-endpoint-routes': strictObject({
    mode: modeSchema.optional(),
    allowCreateEndpoint: z.boolean().default(gatewayDefaults.allowCreateEndpoint),
    services: strictObject({
      s3: requirementSchema.default(gatewayDefaults.services.s3),
      dynamodb: requirementSchema.default(gatewayDefaults.services.dynamodb),
    }).prefault({}),
    includePublicRouteTables: z.boolean().default(gatewayDefaults.includePublicRouteTables),
  }).prefault({}),
} satisfies Record<RuleId, z.ZodType>;

const accountRulesShape = Object.fromEntries(
  RULE_IDS.map((id) => [id, strictObject({ mode: modeSchema.optional() }).optional()]),
) as Record<RuleId, z.ZodOptional<z.ZodObject<{ mode: z.ZodOptional<typeof modeSchema> }, z.core.$strict>>>;

const accountIdSchema = z.string().regex(/^\d{12}$/, { error: 'expected a 12-digit account id' });

const nonEmptyText = (what: string) =>
  z
    .string()
    .trim()
    .min(1, { error: `expected a non-empty ${what}` });

const secretArnSchema = z
  .string()
  .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/, {
    error: 'expected a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
  });

const httpsUrlSchema = z
  .url({ protocol: /^https$/, error: 'expected an https:// URL' })
  // Credentials in a URL end up in logs and ticket payloads: they belong in the secret.
  .refine((url) => !/^https:\/\/[^/?#]*@/i.test(url), {
    error: 'expected an https:// URL without user name or password (put credentials in the secret)',
  });

const ticketBlocks = ['jira', 'servicenow', 'webhook'] as const;

const ticketsSchema = strictObject({
  sink: z.enum(TICKET_SINKS as readonly [TicketSink, ...TicketSink[]]).default('opscenter'),
  jira: strictObject({
    baseUrl: httpsUrlSchema,
    projectKey: z.string().regex(/^[A-Z][A-Z0-9_]+$/, { error: 'expected a Jira project key such as OPS' }),
    issueType: nonEmptyText('issue type').default('Task'),
    doneTransition: nonEmptyText('transition name').default('Done'),
    secretArn: secretArnSchema,
  }).optional(),
  servicenow: strictObject({
    instanceUrl: httpsUrlSchema,
    secretArn: secretArnSchema,
    assignmentGroup: nonEmptyText('assignment group').optional(),
    closeCode: nonEmptyText('close code').default('Solution provided'),
  }).optional(),
  webhook: strictObject({ url: httpsUrlSchema, secretArn: secretArnSchema }).optional(),
})
  .superRefine((tickets, context) => {
    for (const block of ticketBlocks) {
      if (tickets.sink === block && tickets[block] === undefined) {
        context.addIssue({
          code: 'custom',
          path: [block],
          message: `required when tickets.sink is "${block}"`,
        });
      }
    }
  })
  .prefault({});

/** The schema of the settings document (exported for JSON Schema generation with `z.toJSONSchema`). */
export const settingsSchema = strictObject({
  version: z.literal(SETTINGS_VERSION),
  defaultMode: modeSchema.default('ticket'),
  dryRun: z.boolean().default(false),
  rules: strictObject(rulesShape, 'rule').prefault({}),
  accounts: z
    .record(
      accountIdSchema,
      strictObject({
        defaultMode: modeSchema.optional(),
        rules: strictObject(accountRulesShape, 'rule').prefault({}),
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

/**
 * Validates a settings document and fills in every default. Throws a
 * {@link SettingsValidationError} listing every problem with its JSON path.
 *
 * @param source where the document came from (a file, a parameter name), used in the message
 * @example
 * const settings = parseSettings({ version: 1, rules: { 's3-bucket-public-access': { mode: 'auto-fix' } } });
 * settings.defaultMode; // 'ticket'
 */
export function parseSettings(value: unknown, source?: string): Settings {
  const result = settingsSchema.safeParse(value);
  if (!result.success) {
    throw new SettingsValidationError(problemsOf(result.error.issues, value), source ? { source } : {});
  }
  const settings: Settings = result.data;
  return deepFreeze(settings);
}

/**
 * Parses the document's JSON text, then {@link parseSettings}. Invalid JSON is a
 * {@link SettingsValidationError} too, so callers handle one error for "this document is bad".
 *
 * @example
 * const settings = parseSettingsJson(await readFile('settings.json', 'utf8'), 'settings.json');
 */
export function parseSettingsJson(text: string, source?: string): Settings {
  return parseSettings(parseJson(text, source), source);
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
  const gateway = settings.rules['gateway-endpoint-routes'];
  return {
    'gateway-endpoint-routes': {
      allowCreateEndpoint: gateway.allowCreateEndpoint,
      services: { s3: gateway.services.s3, dynamodb: gateway.services.dynamodb },
      includePublicRouteTables: gateway.includePublicRouteTables,
    },
  };
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
