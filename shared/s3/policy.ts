import { isIPv4, isIPv6 } from 'node:net';
import { InvalidPolicyError } from './errors';

/**
 * An `Allow` statement that makes a bucket policy public, and why.
 *
 * @example
 * ```ts
 * { index: 0, sid: 'PublicRead', reason: 'statement 0 ("PublicRead") allows Principal "*" with no restricting condition' }
 * ```
 */
export interface PublicStatement {
  /** Position of the statement in the policy's `Statement` array (0 when `Statement` is a single object). */
  readonly index: number;
  /** The statement's `Sid`, when it has a non-empty one. */
  readonly sid?: string;
  /** One line for a human: which statement, and what it leaves open. */
  readonly reason: string;
}

/**
 * Verdict on one bucket policy.
 *
 * @example
 * ```ts
 * const { isPublic, publicStatements } = analyzeBucketPolicy(policyText);
 * ```
 */
export interface PolicyAnalysis {
  /** True when at least one statement is public: a single public statement makes the whole policy public. */
  readonly isPublic: boolean;
  /** Every public statement, in policy order; empty exactly when `isPublic` is false. */
  readonly publicStatements: readonly PublicStatement[];
}

type JsonObject = Record<string, unknown>;

/**
 * Condition keys that S3 accepts as limiting a statement to "fixed values" ("The meaning of public",
 * S3 user guide). Condition key names are case-insensitive in IAM; these spellings are the canonical ones
 * used in reasons.
 */
const RESTRICTING_KEYS = [
  'aws:SourceVpce',
  'aws:SourceVpc',
  'aws:SourceIp',
  'aws:SourceAccount',
  'aws:SourceArn',
  'aws:SourceOwner',
  'aws:PrincipalOrgID',
  'aws:PrincipalAccount',
  'aws:PrincipalArn',
  'aws:userid',
  's3:DataAccessPointArn',
  's3:DataAccessPointAccount',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
] as const;

type RestrictingKey = (typeof RESTRICTING_KEYS)[number];

const CANONICAL_KEYS: ReadonlyMap<string, RestrictingKey> = new Map(
  RESTRICTING_KEYS.map((key) => [key.toLowerCase(), key]),
);

/** Operators that pin a key to the listed values. Not* operators match everything else, so they never do. */
const PINNING_STRING_OPERATORS: ReadonlySet<string> = new Set([
  'StringEquals',
  'StringEqualsIgnoreCase',
  'StringLike',
  'ArnEquals',
  'ArnLike',
]);

/** Principal types whose values name one fixed identity. `Federated` is absent on purpose (see below). */
const FIXED_PRINCIPAL_TYPES: ReadonlySet<string> = new Set(['AWS', 'Service', 'CanonicalUser']);

/** An access point ARN whose account is fixed; S3 tolerates a wildcard in the access point name only. */
const ACCESS_POINT_ARN_WITH_FIXED_ACCOUNT = /^arn:[a-z-]+:s3:[a-z0-9-]+:\d{12}:accesspoint\/[^:/$]+$/;

/**
 * Decides whether a bucket policy is public by S3's own definition ("The meaning of public" in the S3 user
 * guide): every `Allow` statement must be limited to fixed values (no wildcard, no `${...}` policy
 * variable), either of its principal or of a restricting condition key such as `aws:SourceVpce`.
 *
 * Whatever cannot be proven fixed (an unknown principal type, an unknown operator, a malformed IP range)
 * counts as public: a false "public" costs a notification, a false "private" leaks a bucket.
 *
 * @param policy - the policy as JSON text (as returned by GetBucketPolicy) or an already-parsed object.
 * @throws InvalidPolicyError when the text is not JSON, not a JSON object, or has no usable `Statement`.
 * @example
 * ```ts
 * analyzeBucketPolicy('{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}');
 * // => { isPublic: true, publicStatements: [{ index: 0,
 * //        reason: 'statement 0 allows Principal "*" with no restricting condition' }] }
 * ```
 */
export function analyzeBucketPolicy(policy: string | Record<string, unknown>): PolicyAnalysis {
  const publicStatements: PublicStatement[] = [];
  readStatements(policy).forEach((statement, index) => {
    const reason = publicReason(statement);
    if (reason !== undefined) publicStatements.push(toPublicStatement(index, statement.Sid, reason));
  });
  return { isPublic: publicStatements.length > 0, publicStatements };
}

/** Whether a policy locks a bucket to VPC endpoints, and to which. */
export interface EndpointLock {
  /** A Deny of every principal and every S3 action unless the request comes through these endpoints. */
  readonly locked: boolean;
  /** The endpoints (`vpce-…`) or VPCs (`vpc-…`) the lock lets through. */
  readonly through: readonly string[];
}

/**
 * The "private only bucket" pattern: a statement that denies everyone (`"*"`) every S3 action
 * (`s3:*` or `*`) when `aws:SourceVpce` (or `aws:SourceVpc`) is not one of fixed values, so the
 * bucket answers only through its VPC endpoint. When `allowed` is not empty, every value the lock
 * lets through must be in it.
 *
 * @example
 * lockedToEndpoints(policyText, ['vpce-1a2b3c4d']).locked;
 */
export function lockedToEndpoints(
  policy: string | Record<string, unknown>,
  allowed: readonly string[],
): EndpointLock {
  for (const statement of readStatements(policy)) {
    if (statement.Effect !== 'Deny' || !deniesEveryone(statement.Principal) || !coversAllS3(statement.Action))
      continue;
    const condition = statement.Condition;
    if (!isObject(condition)) continue;
    for (const [operator, entries] of Object.entries(condition)) {
      // `StringNotEquals`, not `...IfExists`: a request without the key (from the internet) must be denied too.
      if (!/^(ForAnyValue:)?StringNotEquals(IgnoreCase)?$/.test(operator) || !isObject(entries)) continue;
      for (const [key, value] of Object.entries(entries)) {
        if (!/^aws:SourceVpce?$/i.test(key)) continue;
        const through = stringList(value);
        if (!through || through.length === 0 || through.some((item) => notFixedBecause(item) !== undefined))
          continue;
        if (allowed.length > 0 && !through.every((item) => allowed.includes(item))) continue;
        return { locked: true, through };
      }
    }
  }
  return { locked: false, through: [] };
}

function deniesEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (!isObject(principal)) return false;
  const aws = principal.AWS;
  return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
}

function coversAllS3(action: unknown): boolean {
  const actions = typeof action === 'string' ? [action] : Array.isArray(action) ? action : [];
  return actions.some((item) => item === '*' || item === 's3:*');
}

// ---------------------------------------------------------------------------------------------------------
// Reading the document

function readStatements(policy: string | JsonObject): JsonObject[] {
  const document = parseDocument(policy);
  const statement = document.Statement;
  if (statement === undefined) throw new InvalidPolicyError('bucket policy has no "Statement"');
  if (isObject(statement)) return [statement];
  if (!Array.isArray(statement)) {
    throw new InvalidPolicyError(
      `bucket policy "Statement" must be an object or an array of objects (got ${kindOf(statement)})`,
    );
  }
  return statement.map((entry: unknown, index) => {
    if (!isObject(entry)) {
      throw new InvalidPolicyError(
        `bucket policy "Statement"[${index}] is not an object (got ${kindOf(entry)})`,
      );
    }
    return entry;
  });
}

function parseDocument(policy: string | JsonObject): JsonObject {
  let parsed: unknown = policy;
  if (typeof policy === 'string') {
    try {
      parsed = JSON.parse(policy);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new InvalidPolicyError(`bucket policy is not valid JSON: ${detail}`, { cause: error });
    }
  }
  // Checked for parsed objects too: callers may hand over whatever a JSON field held.
  if (!isObject(parsed))
    throw new InvalidPolicyError(`bucket policy is not a JSON object (got ${kindOf(parsed)})`);
  return parsed;
}

// ---------------------------------------------------------------------------------------------------------
// One statement

/** Why the statement is public, or undefined when it is not. */
function publicReason(statement: JsonObject): string | undefined {
  // IAM compares Effect case-sensitively; a Deny (or anything that is not exactly "Allow") grants nothing.
  if (statement.Effect !== 'Allow') return undefined;
  // Allow + NotPrincipal grants everyone except the listed principals; AWS advises against it outright.
  if (statement.NotPrincipal !== undefined) return 'uses NotPrincipal';
  // S3 rejects such a policy, so this only happens to hand-made input: fail closed.
  if (statement.Principal === undefined) return 'has no Principal';
  const openPrincipal = unfixedPrincipal(statement.Principal);
  if (openPrincipal === undefined) return undefined;
  const condition = conditionVerdict(statement.Condition);
  if (condition.restricted) return undefined;
  return condition.reason ?? `allows ${openPrincipal} with no restricting condition`;
}

function toPublicStatement(index: number, sid: unknown, reason: string): PublicStatement {
  if (typeof sid !== 'string' || sid === '') return { index, reason: `statement ${index} ${reason}` };
  return { index, sid, reason: `statement ${index} (${JSON.stringify(sid)}) ${reason}` };
}

// ---------------------------------------------------------------------------------------------------------
// Principal

/** Describes the first principal that is not a fixed value, or undefined when every one is fixed. */
function unfixedPrincipal(principal: unknown): string | undefined {
  if (principal === '*') return 'Principal "*"';
  if (!isObject(principal)) return `an unrecognised Principal ${JSON.stringify(principal)}`;
  const entries = Object.entries(principal);
  if (entries.length === 0) return 'an empty Principal';
  for (const [type, value] of entries) {
    const open = unfixedPrincipalOfType(type, value);
    if (open !== undefined) return open;
  }
  return undefined;
}

function unfixedPrincipalOfType(type: string, value: unknown): string | undefined {
  const values = stringList(value);
  if (values === undefined || values.length === 0) {
    return `an unrecognised ${type} principal ${JSON.stringify(value)}`;
  }
  // {"AWS":"*"} is the same wildcard as "*": anyone, authenticated or not.
  if (type === 'AWS' && values.includes('*')) return 'Principal "*"';
  // A federated principal is whoever holds a token from that identity provider (the S3 guide's example
  // {"Federated":"graph.facebook.com"} is public), so no Federated value is ever fixed.
  if (type === 'Federated') return `Federated principal ${JSON.stringify(values[0])}`;
  if (!FIXED_PRINCIPAL_TYPES.has(type)) return `an unrecognised principal type ${JSON.stringify(type)}`;
  for (const entry of values) {
    const problem = notFixedBecause(entry);
    if (problem !== undefined) return `${type} principal ${JSON.stringify(entry)} (${problem})`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Condition

interface ConditionVerdict {
  readonly restricted: boolean;
  /** Why the first condition on a restricting key fails to restrict; absent when there was none. */
  readonly reason?: string;
}

/**
 * A statement's condition entries are ANDed, so one entry that pins a restricting key to fixed values
 * restricts the whole statement, whatever the other entries say. Entries on other keys (s3:prefix,
 * aws:SecureTransport, ...) never narrow who the requester is and are ignored.
 */
function conditionVerdict(condition: unknown): ConditionVerdict {
  if (!isObject(condition)) return { restricted: false };
  const required = keysRequiredPresent(condition);
  let reason: string | undefined;
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block)) continue;
    for (const [rawKey, values] of Object.entries(block)) {
      const key = CANONICAL_KEYS.get(rawKey.toLowerCase());
      if (key === undefined) continue;
      const problem = entryProblem(operator, key, values, required.has(key));
      if (problem === undefined) return { restricted: true };
      reason ??= `allows ${key} ${problem}`;
    }
  }
  return reason === undefined ? { restricted: false } : { restricted: false, reason };
}

/** Keys that a `"Null": {"key": "false"}` entry requires to be present in the request. */
function keysRequiredPresent(condition: JsonObject): ReadonlySet<RestrictingKey> {
  const required = new Set<RestrictingKey>();
  const block = condition.Null;
  if (!isObject(block)) return required;
  for (const [rawKey, value] of Object.entries(block)) {
    const key = CANONICAL_KEYS.get(rawKey.toLowerCase());
    if (key !== undefined && (value === false || value === 'false')) required.add(key);
  }
  return required;
}

/** Why one `operator: {key: values}` entry does not pin `key` to fixed values, or undefined when it does. */
function entryProblem(
  operator: string,
  key: RestrictingKey,
  values: unknown,
  keyRequired: boolean,
): string | undefined {
  const { base, qualifier, ifExists } = parseOperator(operator);
  // Both match a request that lacks the key entirely (IAM: ForAllValues "also returns true if there are no
  // context keys in the request"), so they let anyone in unless a Null:false entry demands the key.
  if ((ifExists || qualifier === 'ForAllValues') && !keyRequired) {
    return `via ${operator} (matches requests without the key)`;
  }
  const pinning = key === 'aws:SourceIp' ? base === 'IpAddress' : PINNING_STRING_OPERATORS.has(base);
  if (!pinning) return `via ${operator} (does not pin fixed values)`;
  const list = stringList(values);
  if (list === undefined || list.length === 0) return `with no usable value ${JSON.stringify(values)}`;
  for (const value of list) {
    const problem = key === 'aws:SourceIp' ? ipRangeProblem(value) : valueProblem(key, value);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function parseOperator(operator: string): { base: string; qualifier?: string; ifExists: boolean } {
  const match = /^(ForAnyValue|ForAllValues):(.+)$/.exec(operator);
  const qualifier = match?.[1];
  const rest = match?.[2] ?? operator;
  const ifExists = rest.endsWith('IfExists');
  const base = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  return qualifier === undefined ? { base, ifExists } : { base, qualifier, ifExists };
}

function valueProblem(key: RestrictingKey, value: string): string | undefined {
  // "a wildcard in the access point name is allowed if the account is fixed" (S3 user guide)
  if (key === 's3:DataAccessPointArn' && ACCESS_POINT_ARN_WITH_FIXED_ACCOUNT.test(value)) return undefined;
  // Deliberately strict: even under StringEquals, where `*` is literal, a starred value is not "fixed".
  // This also covers S3's aws:userid exception, the role-session pattern "AROLEID:*".
  const problem = notFixedBecause(value);
  return problem === undefined ? undefined : `${JSON.stringify(value)} (${problem})`;
}

/**
 * IPv4 ranges broader than /8 and IPv6 ranges broader than /32 are public. RFC 1918 ranges (10/8,
 * 172.16/12, 192.168/16) are all /8 or narrower, so they pass without a special case. A value that is not
 * an address or CIDR range cannot be shown to be fixed, so it counts as public.
 */
function ipRangeProblem(value: string): string | undefined {
  const [address = '', prefixText, extra] = value.split('/');
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  const malformed = `${JSON.stringify(value)} (not an IP address or CIDR range)`;
  if (family === undefined || extra !== undefined) return malformed;
  const bits = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
  if (prefix < 0 || prefix > bits) return malformed;
  const broadest = family === 4 ? 8 : 32;
  return prefix < broadest ? `${value} (broader than /${broadest})` : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** Why a principal or condition value is not a fixed value, or undefined when it is. */
function notFixedBecause(value: string): string | undefined {
  if (value.includes('${')) return 'policy variable';
  if (/[*?]/.test(value)) return 'wildcard';
  return undefined;
}

/**
 * A policy value as a list of strings: IAM accepts one value or an array, and condition values may be
 * written as JSON numbers or booleans (`"aws:SourceAccount": 111122223333`). Undefined for anything else.
 */
function stringList(value: unknown): string[] | undefined {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  const strings: string[] = [];
  for (const item of items) {
    if (typeof item === 'string') strings.push(item);
    else if ((typeof item === 'number' && Number.isFinite(item)) || typeof item === 'boolean') {
      strings.push(String(item));
    } else return undefined;
  }
  return strings;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}
