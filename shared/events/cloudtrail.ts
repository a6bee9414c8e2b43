/**
 * "AWS API Call via CloudTrail" events as EventBridge delivers them (../shared/AWS-SHAPES.md,
 * section c): an envelope (`source`, `account`, `region`, `detail-type`) around the CloudTrail
 * record in `detail`.
 *
 * Request and response bodies are read through {@link ParameterReader}, which hides the
 * spellings CloudTrail uses:
 * - newer EC2 actions wrap the request (`{"CreateVpcEndpointRequest": {...}}`, PascalCase) and
 *   encode list members as `{"tag": 1, "content": "subnet-1"}`, one member as an object and
 *   several as an array;
 * - classic EC2 actions are flat lowerCamelCase, with XML-derived sets (`{"items": [...]}`);
 * - S3 key casing varies between samples (`host` / `Host`, string / list).
 * So every lookup is case-insensitive and unwraps one `...Request` / `...Response` level.
 */
import { z } from 'zod';
import { InvalidEventError } from './errors';
import { checkRegion } from './region';

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

type Json = Readonly<Record<string, unknown>>;

const envelopeSchema = z.looseObject({
  'detail-type': z.literal(CLOUDTRAIL_DETAIL_TYPE, { error: `expected "${CLOUDTRAIL_DETAIL_TYPE}"` }),
  // Ids and names end up in Findings (`trigger`), which bound them at 256 characters.
  id: z.string().max(256).optional(),
  source: z.string().min(1),
  account: z.string().optional(),
  region: z.string().optional(),
  time: z.string().optional(),
  detail: z.looseObject({
    eventSource: z.string().min(1),
    eventName: z.string().min(1).max(256),
    eventID: z.string().max(256).optional(),
    eventTime: z.string().optional(),
    awsRegion: z.string().optional(),
    recipientAccountId: z.string().optional(),
    errorCode: z.string().nullish(),
    errorMessage: z.string().nullish(),
    userIdentity: z
      .looseObject({
        type: z.string().optional(),
        arn: z.string().optional(),
        principalId: z.string().optional(),
        accountId: z.string().optional(),
        invokedBy: z.string().optional(),
        sessionContext: z
          .looseObject({
            sessionIssuer: z.looseObject({ arn: z.string().optional() }).nullish(),
          })
          .nullish(),
      })
      .nullish(),
    requestParameters: z.record(z.string(), z.unknown()).nullish(),
    responseElements: z.record(z.string(), z.unknown()).nullish(),
  }),
});

/** Who made the call, as far as endpoint-guard needs to know. */
export interface CallerIdentity {
  readonly type?: string;
  readonly arn?: string;
  /** `sessionContext.sessionIssuer.arn`: the role behind an assumed-role session. */
  readonly issuerArn?: string;
  readonly invokedBy?: string;
}

/** One CloudTrail record with its envelope, validated. */
export interface CloudTrailRecord {
  /** `ec2.amazonaws.com`, `s3.amazonaws.com`... */
  readonly eventSource: string;
  readonly eventName: string;
  /** CloudTrail's `eventID` (else the EventBridge event id). */
  readonly eventId: string;
  readonly eventTime?: string;
  /** The account the call was made in: the envelope's `account`, which `detail.recipientAccountId` must equal. */
  readonly accountId: string;
  /** `detail.awsRegion`, else the envelope's `region`. */
  readonly region: string;
  /** Present when the call failed: such a call changed nothing. */
  readonly errorCode?: string;
  readonly caller: CallerIdentity;
  readonly request: ParameterReader;
  readonly response: ParameterReader;
}

/**
 * Validates an EventBridge "AWS API Call via CloudTrail" event. Throws {@link InvalidEventError}
 * naming the field at fault.
 *
 * @example
 * const record = parseCloudTrailEvent(event);
 * record.request.string('routeTableId'); // 'rtb-0123...'
 */
export function parseCloudTrailEvent(raw: unknown): CloudTrailRecord {
  const result = envelopeSchema.safeParse(raw);
  if (!result.success) {
    const [first] = result.error.issues;
    const field = first ? first.path.map(String).join('.') || '(root)' : '(root)';
    throw new InvalidEventError(field, first?.message ?? 'invalid event');
  }
  const { data } = result;
  const { detail } = data;
  // The envelope `account` is set by EventBridge (the account the event came from), the CloudTrail
  // record by whoever built the event: a record naming another account would steer the detectors there.
  const accountId = data.account;
  if (!accountId || !/^\d{12}$/.test(accountId)) {
    throw new InvalidEventError('account', 'missing: the envelope holds no 12-digit account id');
  }
  if (detail.recipientAccountId && detail.recipientAccountId !== accountId) {
    throw new InvalidEventError(
      'detail.recipientAccountId',
      `is not the envelope's account ${accountId}: a CloudTrail record is evaluated only in the account it came from`,
    );
  }
  const rawRegion = detail.awsRegion || data.region;
  if (!rawRegion) throw new InvalidEventError('detail.awsRegion', 'missing: neither it nor `region` is set');
  const region = checkRegion(rawRegion, detail.awsRegion ? 'detail.awsRegion' : 'region');
  const eventId = detail.eventID || data.id;
  if (!eventId)
    throw new InvalidEventError('detail.eventID', 'missing: neither it nor the event `id` is set');
  const identity = detail.userIdentity ?? undefined;
  const issuerArn = identity?.sessionContext?.sessionIssuer?.arn;
  return {
    eventSource: detail.eventSource,
    eventName: detail.eventName,
    eventId,
    ...(detail.eventTime ? { eventTime: detail.eventTime } : {}),
    accountId,
    region,
    ...(detail.errorCode ? { errorCode: detail.errorCode } : {}),
    caller: {
      ...(identity?.type ? { type: identity.type } : {}),
      ...(identity?.arn ? { arn: identity.arn } : {}),
      ...(issuerArn ? { issuerArn } : {}),
      ...(identity?.invokedBy ? { invokedBy: identity.invokedBy } : {}),
    },
    request: new ParameterReader(detail.requestParameters ?? {}),
    response: new ParameterReader(detail.responseElements ?? {}),
  };
}

/**
 * Reads a CloudTrail `requestParameters` / `responseElements` body whatever its encoding:
 * case-insensitive keys, one `XxxRequest` / `XxxResponse` wrapper unwrapped, `{tag, content}`
 * list members and `{items: [...]}` sets flattened.
 *
 * @example
 * const request = new ParameterReader({ CreateVpcEndpointRequest: { VpcId: 'vpc-1', SubnetId: { tag: 1, content: 'subnet-1' } } });
 * request.string('vpcId'); // 'vpc-1'
 * request.strings('SubnetId'); // ['subnet-1']
 */
export class ParameterReader {
  private readonly body: Json;

  constructor(body: Json) {
    this.body = unwrap(body);
  }

  /** The raw value at a path of keys, each matched case-insensitively. */
  value(...path: readonly string[]): unknown {
    let current: unknown = this.body;
    for (const key of path) {
      if (!isObject(current)) return undefined;
      current = getIgnoringCase(current, key);
    }
    return current;
  }

  /** A non-empty string at the path (a one-element list counts), else `undefined`. */
  string(...path: readonly string[]): string | undefined {
    const [first] = flatten(this.value(...path));
    return first;
  }

  /** Every string at the path: a string, a list, `{tag, content}` members, `{items: [...]}`. */
  strings(...path: readonly string[]): string[] {
    return flatten(this.value(...path));
  }

  /** The first of several candidate paths that holds a string. */
  firstString(...paths: readonly (readonly string[])[]): string | undefined {
    for (const path of paths) {
      const found = this.string(...path);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

/** Unwraps `{"CreateVpcEndpointRequest": {...}}` (one key ending in Request / Response / Result). */
function unwrap(body: Json): Json {
  const keys = Object.keys(body);
  if (keys.length !== 1) return body;
  const [key] = keys;
  if (key === undefined || !/(Request|Response|Result)$/.test(key)) return body;
  const inner = body[key];
  return isObject(inner) ? inner : body;
}

function getIgnoringCase(obj: Json, key: string): unknown {
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  const match = Object.keys(obj).find((candidate) => candidate.toLowerCase() === lower);
  return match === undefined ? undefined : obj[match];
}

/** Flattens every encoding of a list of strings CloudTrail uses; empty strings are dropped. */
function flatten(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(flatten);
  if (isObject(value)) {
    // `{"tag": 1, "content": "x"}` (wrapped EC2 requests), `{"items": [...]}` / `{"item": ...}`
    // (XML-derived sets).
    for (const key of ['content', 'items', 'item']) {
      const inner = getIgnoringCase(value, key);
      if (inner !== undefined) return flatten(inner);
    }
  }
  return [];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Options that say which callers are endpoint-guard itself. */
export interface SelfCallerOptions {
  /** The role endpoint-guard assumes in member accounts. @default 'EndpointGuardMember' */
  readonly memberRoleName?: string;
  /** Name prefix of the central functions' roles. @default 'endpoint-guard-' */
  readonly functionRolePrefix?: string;
  /**
   * The central account, where the functions' roles live. A role with the prefix counts as
   * endpoint-guard only in this account: anyone can name a role `endpoint-guard-...` in their own
   * account. Unknown: no function role is recognized (the call is re-evaluated, which is safe).
   */
  readonly centralAccountId?: string | undefined;
}

export const DEFAULT_MEMBER_ROLE_NAME = 'EndpointGuardMember';
export const DEFAULT_FUNCTION_ROLE_PREFIX = 'endpoint-guard-';

/**
 * The name of endpoint-guard's role that made the call, or `undefined` when someone else did.
 * Its own fixes must not trigger it again: remediate re-checks them anyway.
 *
 * @example
 * selfCaller(record.caller); // 'EndpointGuardMember' for arn:aws:sts::1:assumed-role/EndpointGuardMember/s
 * selfCaller(record.caller, { centralAccountId: '111122223333' }); // also endpoint-guard-* roles of that account
 */
export function selfCaller(caller: CallerIdentity, options: SelfCallerOptions = {}): string | undefined {
  const memberRole = options.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME;
  const prefix = options.functionRolePrefix ?? DEFAULT_FUNCTION_ROLE_PREFIX;
  for (const arn of [caller.issuerArn, caller.arn]) {
    const role = roleNameOf(arn);
    if (role === undefined) continue;
    // The member role trusts only the central functions' roles, so its sessions are endpoint-guard's.
    if (role === memberRole) return role;
    const central = options.centralAccountId !== undefined && accountOf(arn) === options.centralAccountId;
    if (central && role.startsWith(prefix)) return role;
  }
  return undefined;
}

/** The account id field of an ARN (`arn:aws:sts::<account>:assumed-role/...`). */
function accountOf(arn: string | undefined): string | undefined {
  return arn?.split(':')[4] || undefined;
}

/**
 * The role name in `arn:aws:iam::1:role/path/Name` or `arn:aws:sts::1:assumed-role/Name/session`.
 */
export function roleNameOf(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const resource = arn.split(':').slice(5).join(':');
  if (resource.startsWith('assumed-role/')) return resource.split('/')[1] || undefined;
  if (resource.startsWith('role/')) return resource.split('/').at(-1) || undefined;
  return undefined;
}
