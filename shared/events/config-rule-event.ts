/**
 * The event AWS Config sends a custom Lambda rule (../shared/AWS-SHAPES.md, section a):
 *
 * ```json
 * {"invokingEvent": "<JSON string>", "ruleParameters": "<JSON string>", "resultToken": "...",
 *  "eventLeftScope": false, "accountId": "111122223333", "configRuleName": "...", ...}
 * ```
 *
 * `invokingEvent` and `ruleParameters` are JSON text, so they are parsed twice. Keys AWS does
 * not always send (`configRuleName`, `version`, `executionRoleArn`...) are optional, and keys
 * it adds later are kept out of the way rather than rejected.
 */
import { z } from 'zod';
import { isRuleId, RULE_IDS } from '../rules/index';
import type { RuleId } from '../rules/types';
import { InvalidEventError } from './errors';
import { checkRegion } from './region';

/** The four `messageType`s of an invoking event. */
export const CONFIG_MESSAGE_TYPES = [
  'ConfigurationItemChangeNotification',
  'OversizedConfigurationItemChangeNotification',
  'ScheduledNotification',
  'ConfigurationSnapshotDeliveryCompleted',
] as const;

export type ConfigMessageType = (typeof CONFIG_MESSAGE_TYPES)[number];

const nonEmpty = z.string().min(1);
/** The account an item belongs to becomes the Finding's account: checked here, at the edge. */
const accountIdSchema = z.string().regex(/^\d{12}$/, 'expected a 12-digit account id');

const envelopeSchema = z.looseObject({
  invokingEvent: z.string({ error: 'expected a JSON string' }).min(1, 'must not be empty'),
  ruleParameters: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
  resultToken: z.string().optional(),
  eventLeftScope: z.boolean().optional(),
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'expected a 12-digit account id')
    .optional(),
  executionRoleArn: z.string().optional(),
  configRuleArn: z.string().optional(),
  // AWS allows 128 characters; the name ends up in Findings (`trigger`), bounded at 256.
  configRuleName: z.string().max(256).optional(),
  configRuleId: z.string().optional(),
  version: z.string().optional(),
});

/**
 * Ids and ARNs become the Finding's `resourceId`, `resourceArn` and `findingId` (a DynamoDB key),
 * which the Finding schema bounds: bounded here first, so an oversized one is invalid input rather
 * than a failure after the evaluation.
 */
const MAX_ID_BYTES = 512;
const boundedId = z.string().refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_ID_BYTES, {
  message: `must be at most ${MAX_ID_BYTES} bytes`,
});

/** The keys endpoint-guard reads from a configuration item; the normalizer checks the rest. */
const configurationItemSchema = z.looseObject({
  resourceType: nonEmpty,
  resourceId: nonEmpty.pipe(boundedId),
  ARN: boundedId.nullish(),
  arn: boundedId.nullish(),
  configurationItemStatus: z.string().optional(),
  configurationItemCaptureTime: z.string().nullish(),
  awsAccountId: accountIdSchema.optional(),
  awsRegion: z.string().optional(),
});

const configurationItemSummarySchema = z.looseObject({
  resourceType: nonEmpty,
  resourceId: nonEmpty.pipe(boundedId),
  changeType: z.string().optional(),
  configurationItemStatus: z.string().optional(),
  configurationItemCaptureTime: z.string().nullish(),
  awsAccountId: accountIdSchema.optional(),
  awsRegion: z.string().optional(),
  ARN: boundedId.nullish(),
  resourceName: z.string().nullish(),
});

const invokingEventSchema = z.discriminatedUnion(
  'messageType',
  [
    z.looseObject({
      messageType: z.literal('ConfigurationItemChangeNotification'),
      configurationItem: configurationItemSchema,
      configurationItemDiff: z.record(z.string(), z.unknown()).nullish(),
      notificationCreationTime: z.string().optional(),
      recordVersion: z.string().optional(),
    }),
    z.looseObject({
      messageType: z.literal('OversizedConfigurationItemChangeNotification'),
      configurationItemSummary: configurationItemSummarySchema,
      notificationCreationTime: z.string().optional(),
      recordVersion: z.string().optional(),
    }),
    z.looseObject({
      messageType: z.literal('ScheduledNotification'),
      awsAccountId: accountIdSchema.optional(),
      notificationCreationTime: z.string().optional(),
      recordVersion: z.string().optional(),
    }),
    z.looseObject({
      messageType: z.literal('ConfigurationSnapshotDeliveryCompleted'),
      configSnapshotId: z.string().optional(),
      s3Bucket: z.string().optional(),
      s3ObjectKey: z.string().optional(),
      notificationCreationTime: z.string().optional(),
      recordVersion: z.string().optional(),
    }),
  ],
  { error: () => `unknown messageType: expected one of ${CONFIG_MESSAGE_TYPES.join(', ')}` },
);

type RawConfigurationItem = z.infer<typeof configurationItemSchema>;
/** What the oversized notification carries instead of the item: no configuration at all. */
export type ConfigurationItemSummary = z.infer<typeof configurationItemSummarySchema>;

/** Fields every parsed Config rule event carries, whatever its message type. */
export interface ConfigRuleEventBase {
  /** The endpoint-guard rule this Config rule runs (from `ruleParameters.ruleId`). */
  readonly ruleId: RuleId;
  /** Every rule parameter, `ruleId` included. */
  readonly ruleParameters: Readonly<Record<string, unknown>>;
  /** The token `PutEvaluations` needs; empty only for messages that are never evaluated. */
  readonly resultToken: string;
  /** Config says the resource is no longer in the rule's scope: report it NOT_APPLICABLE. */
  readonly eventLeftScope: boolean;
  /** The account that invoked the rule (`accountId`, else the item's or notification's account). */
  readonly accountId: string;
  /** The rule's region, from `configRuleArn` or the item; `undefined` when the event names none. */
  readonly region: string | undefined;
  readonly configRuleName?: string;
  readonly configRuleArn?: string;
  readonly version?: string;
  readonly notificationCreationTime?: string;
}

export interface ConfigurationItemChangeEvent extends ConfigRuleEventBase {
  readonly messageType: 'ConfigurationItemChangeNotification';
  /** The item in notification form, as sent; normalize it with `normalizeConfigurationItem`. */
  readonly configurationItem: RawConfigurationItem;
  /** `null` when Config discovers the resource for the first time. */
  readonly configurationItemDiff: Readonly<Record<string, unknown>> | null;
}

export interface OversizedConfigurationItemChangeEvent extends ConfigRuleEventBase {
  readonly messageType: 'OversizedConfigurationItemChangeNotification';
  readonly configurationItemSummary: ConfigurationItemSummary;
}

export interface ScheduledEvent extends ConfigRuleEventBase {
  readonly messageType: 'ScheduledNotification';
}

export interface SnapshotDeliveryCompletedEvent extends ConfigRuleEventBase {
  readonly messageType: 'ConfigurationSnapshotDeliveryCompleted';
}

/** A parsed Config rule invocation, discriminated by `messageType`. */
export type ConfigRuleEvent =
  | ConfigurationItemChangeEvent
  | OversizedConfigurationItemChangeEvent
  | ScheduledEvent
  | SnapshotDeliveryCompletedEvent;

/**
 * Validates an AWS Config custom-rule invocation and decodes its two JSON strings.
 * Throws {@link InvalidEventError} naming the field at fault.
 *
 * @example
 * const event = parseConfigRuleEvent(lambdaEvent);
 * if (event.messageType === 'ConfigurationItemChangeNotification') {
 *   normalizeConfigurationItem(event.configurationItem, 'invokingEvent.configurationItem');
 * }
 */
export function parseConfigRuleEvent(raw: unknown): ConfigRuleEvent {
  const envelope = check(envelopeSchema, raw, '');
  const invoking = check(
    invokingEventSchema,
    decodeJson(envelope.invokingEvent, 'invokingEvent'),
    'invokingEvent',
  );
  const ruleParameters = readRuleParameters(envelope.ruleParameters);
  const ruleId = ruleParameters.ruleId;
  if (typeof ruleId !== 'string' || ruleId === '') {
    throw new InvalidEventError(
      'ruleParameters.ruleId',
      `missing: the Config rule must be created with the input parameters {"ruleId": "<one of ${RULE_IDS.join(', ')}>"}`,
    );
  }
  if (!isRuleId(ruleId)) {
    throw new InvalidEventError(
      'ruleParameters.ruleId',
      `unknown rule "${ruleId}": expected one of ${RULE_IDS.join(', ')}`,
    );
  }

  const item =
    invoking.messageType === 'ConfigurationItemChangeNotification'
      ? invoking.configurationItem
      : invoking.messageType === 'OversizedConfigurationItemChangeNotification'
        ? invoking.configurationItemSummary
        : undefined;
  const accountId =
    envelope.accountId ??
    item?.awsAccountId ??
    (invoking.messageType === 'ScheduledNotification' ? invoking.awsAccountId : undefined);
  if (accountId === undefined || !/^\d{12}$/.test(accountId)) {
    throw new InvalidEventError(
      'accountId',
      'missing: neither the event nor its invoking event names a 12-digit account id',
    );
  }
  const resultToken = envelope.resultToken ?? '';
  if (resultToken === '' && invoking.messageType !== 'ConfigurationSnapshotDeliveryCompleted') {
    throw new InvalidEventError('resultToken', 'missing: PutEvaluations cannot be called without it');
  }

  const base: ConfigRuleEventBase = {
    ruleId,
    ruleParameters,
    resultToken,
    eventLeftScope: envelope.eventLeftScope ?? false,
    accountId,
    region: regionOf(
      envelope.configRuleArn,
      item?.awsRegion,
      invoking.messageType === 'OversizedConfigurationItemChangeNotification'
        ? 'invokingEvent.configurationItemSummary.awsRegion'
        : 'invokingEvent.configurationItem.awsRegion',
    ),
    ...(envelope.configRuleName === undefined ? {} : { configRuleName: envelope.configRuleName }),
    ...(envelope.configRuleArn === undefined ? {} : { configRuleArn: envelope.configRuleArn }),
    ...(envelope.version === undefined ? {} : { version: envelope.version }),
    ...(invoking.notificationCreationTime === undefined
      ? {}
      : { notificationCreationTime: invoking.notificationCreationTime }),
  };
  switch (invoking.messageType) {
    case 'ConfigurationItemChangeNotification':
      return {
        ...base,
        messageType: invoking.messageType,
        configurationItem: invoking.configurationItem,
        configurationItemDiff: invoking.configurationItemDiff ?? null,
      };
    case 'OversizedConfigurationItemChangeNotification':
      return {
        ...base,
        messageType: invoking.messageType,
        configurationItemSummary: invoking.configurationItemSummary,
      };
    case 'ScheduledNotification':
    case 'ConfigurationSnapshotDeliveryCompleted':
      return { ...base, messageType: invoking.messageType };
  }
}

function readRuleParameters(
  value: string | Record<string, unknown> | null | undefined,
): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  // Config sends a JSON string; test harnesses and the console's "test" sometimes send an object.
  if (typeof value !== 'string') return value;
  if (value.trim() === '') return {};
  const decoded = decodeJson(value, 'ruleParameters');
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) {
    throw new InvalidEventError('ruleParameters', 'expected a JSON object such as {"ruleId": "..."}');
  }
  return decoded as Record<string, unknown>;
}

function decodeJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidEventError(field, `not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Runs a schema; on failure names the first field at fault, and lists every problem. */
function check<T extends z.ZodType>(schema: T, value: unknown, prefix: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const pathOf = (issue: z.core.$ZodIssue): string =>
    [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.') || '(root)';
  const [first] = result.error.issues;
  const field = first ? pathOf(first) : prefix || '(root)';
  const problems = result.error.issues.map((issue) => `${pathOf(issue)}: ${issue.message}`).join('; ');
  throw new InvalidEventError(
    field,
    problems.startsWith(`${field}: `) ? problems.slice(field.length + 2) : problems,
  );
}

/**
 * The rule's region: from `configRuleArn`, else the item's `awsRegion`; checked, because it
 * becomes the SDK clients' region and the Findings' (whose schema requires a region name).
 */
function regionOf(
  configRuleArn: string | undefined,
  itemRegion: string | undefined,
  itemField: string,
): string | undefined {
  // The item's region is checked even when the ARN names one: the evaluated resource carries it.
  const fromItem =
    itemRegion === undefined || itemRegion === '' ? undefined : checkRegion(itemRegion, itemField);
  const fromArn = regionOfArn(configRuleArn);
  return fromArn === undefined ? fromItem : checkRegion(fromArn, 'configRuleArn');
}

/** `arn:aws:config:us-east-1:111122223333:config-rule/config-rule-abc` → `us-east-1`. */
function regionOfArn(arn: string | undefined): string | undefined {
  const region = arn?.split(':')[3];
  return region ? region : undefined;
}
