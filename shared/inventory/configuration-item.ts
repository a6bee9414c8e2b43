/**
 * Turns one AWS Config configuration item into the normalized resource model.
 *
 * Config spells items two ways (see ../shared/AWS-SHAPES.md, section b):
 * - notification / snapshot form: `awsAccountId`, `ARN`, `configuration` as an object,
 *   `supplementaryConfiguration` values as objects or JSON strings;
 * - API form (BatchGetResourceConfig, GetResourceConfigHistory): `accountId`, `arn`,
 *   `configuration` as a JSON string, `supplementaryConfiguration` values as (sometimes
 *   double-encoded) JSON strings.
 * Advanced-query rows look like the notification form with `accountId` and tags as a list.
 * Both are accepted everywhere, so rules never see the difference.
 */
import { ConfigurationItemError } from '../errors';
import {
  type AccountPublicAccessBlock,
  type AclGrant,
  type Bucket,
  type Grantee,
  isSupportedResourceType,
  type PublicAccessBlock,
  type Resource,
  type ResourceBase,
  type ResourceType,
  type Route,
  type RouteTable,
  type RouteTableAssociation,
  type Subnet,
  type Vpc,
  type VpcEndpoint,
} from '../model';
import { arnFor } from './arn';

type Json = Record<string, unknown>;

/**
 * Where an item sits in its input (`file.json: configurationItems[3]`): the text, or an object
 * that spells it out on demand. Only an error needs it, and building one string per item of a
 * large snapshot is a measurable share of a scan.
 */
export type ItemLocation = string | { readonly location: string };

/** Reads fields of one item, throwing errors that name the item and the field. */
class ItemReader {
  /** Set once read, so that later errors name the resource. */
  resourceType: string | undefined;
  resourceId: string | undefined;

  constructor(private readonly where: ItemLocation) {}

  get location(): string {
    return typeof this.where === 'string' ? this.where : this.where.location;
  }

  fail(message: string, cause?: unknown): never {
    throw new ConfigurationItemError(message, {
      location: this.location,
      ...(this.resourceType === undefined ? {} : { resourceType: this.resourceType }),
      ...(this.resourceId === undefined ? {} : { resourceId: this.resourceId }),
      cause,
    });
  }

  /** A string field that must be present and non-empty. */
  requiredString(obj: Json, keys: readonly string[], path = ''): string {
    const value = this.optionalString(obj, keys, path);
    if (value === undefined || value === '') this.fail(`missing ${describeKeys(keys, path)}`);
    return value;
  }

  /**
   * A configuration field the resource type requires. A deleted item has no configuration: its
   * type-specific fields are empty, and rules report it NOT_APPLICABLE before reading them.
   */
  need(configuration: Json, keys: readonly string[], gone: boolean): string {
    return gone
      ? (this.optionalString(configuration, keys, 'configuration.') ?? '')
      : this.requiredString(configuration, keys, 'configuration.');
  }

  optionalString(obj: Json, keys: readonly string[], path = ''): string | undefined {
    for (const key of keys) {
      const value = this.optionalField(obj, key, path);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /** `optionalString` of one key (no key list to build: it is called for every field of every item). */
  optionalField(obj: Json, key: string, path = ''): string | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    return this.fail(`${path}${key} must be a string, got ${typeName(value)}`);
  }

  optionalNumber(obj: Json, key: string, path = ''): number | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
    return this.fail(`${path}${key} must be a number, got ${typeName(value)}`);
  }

  optionalBoolean(obj: Json, key: string, path = ''): boolean | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    return this.fail(`${path}${key} must be a boolean, got ${typeName(value)}`);
  }

  /** An array field; absent or null is an empty array. */
  array(obj: Json, key: string, path = ''): readonly unknown[] {
    const value = obj[key];
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    return this.fail(`${path}${key} must be an array, got ${typeName(value)}`);
  }

  /** A list of strings: the item's own array once checked (resources are never mutated). */
  stringArray(obj: Json, key: string, path = ''): readonly string[] {
    const values = this.array(obj, key, path);
    values.forEach((value, index) => {
      if (typeof value !== 'string')
        this.fail(`${path}${key}[${index}] must be a string, got ${typeName(value)}`);
    });
    return values as readonly string[];
  }

  object(value: unknown, path: string): Json {
    if (isObject(value)) return value;
    return this.fail(`${path} must be an object, got ${typeName(value)}`);
  }

  /**
   * A value that may be JSON text, possibly encoded more than once (Config double-encodes some
   * supplementary configuration in API form): decode until it is no longer a JSON string.
   */
  decoded(value: unknown, path: string, levels = 4): unknown {
    let current = value;
    for (let depth = 0; typeof current === 'string' && depth < levels; depth++) {
      const text = current.trim();
      if (!/^[[{"]/.test(text)) return current;
      try {
        current = JSON.parse(text);
      } catch (error) {
        this.fail(`${path} is not valid JSON: ${(error as Error).message}`, error);
      }
    }
    return current;
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`.slice(0, 60);
}

function describeKeys(keys: readonly string[], path: string): string {
  return keys.map((key) => `${path}${key}`).join(' / ');
}

/**
 * The configuration fields this normalizer reads, per resource type, as AWS Config's advanced
 * queries name them. A rule may only declare `configurationFields` from this table (the sweep's
 * query is derived from them and checked against it): a field a rule needs must be read here,
 * into the model, first.
 */
export const NORMALIZED_FIELDS: Readonly<Record<ResourceType, readonly string[]>> = {
  'AWS::EC2::VPCEndpoint': [
    'configuration.vpcId',
    'configuration.vpcEndpointType',
    'configuration.serviceName',
    'configuration.state',
    'configuration.subnetIds',
    'configuration.routeTableIds',
    'configuration.tags',
  ],
  'AWS::EC2::Subnet': [
    'configuration.vpcId',
    'configuration.availabilityZone',
    'configuration.availabilityZoneId',
    'configuration.availableIpAddressCount',
    'configuration.state',
    'configuration.tags',
  ],
  'AWS::EC2::RouteTable': [
    'configuration.vpcId',
    'configuration.routes',
    'configuration.associations',
    'configuration.tags',
  ],
  'AWS::EC2::VPC': ['configuration.cidrBlock', 'configuration.isDefault', 'configuration.tags'],
  'AWS::S3::Bucket': [
    'configuration.name',
    'supplementaryConfiguration.PublicAccessBlockConfiguration',
    'supplementaryConfiguration.BucketPolicy',
    'supplementaryConfiguration.AccessControlList',
    'supplementaryConfiguration.BucketTaggingConfiguration',
  ],
  'AWS::S3::AccountPublicAccessBlock': [
    'configuration.blockPublicAcls',
    'configuration.ignorePublicAcls',
    'configuration.blockPublicPolicy',
    'configuration.restrictPublicBuckets',
  ],
};

/** Top-level values Config uses in `availabilityZone` for resources that have none. */
const NOT_AN_AZ = new Set(['Not Applicable', 'Multiple Availability Zones', 'Regional']);

/** Item statuses that mean the item carries no configuration. */
const GONE_STATUSES: ReadonlySet<string> = new Set([
  'ResourceDeleted',
  'ResourceNotRecorded',
  'ResourceDeletedNotRecorded',
]);

/**
 * A resource under construction: the fields are assigned one by one, in the order the model
 * lists them. At organization scale this is several times faster than object literals with
 * conditional spreads (`...(x === undefined ? {} : { x })`), which V8 builds through a runtime
 * call each, and it keeps every resource of a type on one hidden class.
 */
type Building<T> = { -readonly [K in keyof T]?: T[K] };

/**
 * Normalizes one configuration item. Returns `undefined` for resource types endpoint-guard does
 * not read; throws {@link ConfigurationItemError} when the item is malformed.
 *
 * @param location where the item sits in its input, for error messages (`configurationItems[3]`),
 *   or an object whose `location` spells it out when an error needs it
 * @example
 * const subnet = normalizeConfigurationItem(ci, 'configurationItems[0]');
 */
export function normalizeConfigurationItem(raw: unknown, location: ItemLocation): Resource | undefined {
  if (!isObject(raw)) {
    throw new ConfigurationItemError(`configuration item must be an object, got ${typeName(raw)}`, {
      location: typeof location === 'string' ? location : location.location,
    });
  }
  const reader = new ItemReader(location);
  const resourceType = reader.requiredString(raw, ['resourceType']);
  if (!isSupportedResourceType(resourceType)) return undefined;
  reader.resourceType = resourceType;
  const resourceId = reader.requiredString(raw, ['resourceId']);
  reader.resourceId = resourceId;

  const accountId = reader.requiredString(raw, ['awsAccountId', 'accountId']);
  const region = reader.requiredString(raw, ['awsRegion']);
  const itemStatus = reader.optionalField(raw, 'configurationItemStatus') ?? 'OK';
  const gone = GONE_STATUSES.has(itemStatus);

  const configurationValue = reader.decoded(raw.configuration, 'configuration');
  let configuration: Json;
  if (configurationValue === undefined || configurationValue === null) {
    // Deleted and not-recorded items carry no configuration; anything else must.
    if (!gone && resourceType !== 'AWS::S3::AccountPublicAccessBlock') reader.fail('missing configuration');
    configuration = {};
  } else {
    configuration = reader.object(configurationValue, 'configuration');
  }

  // Tags from `configuration.tags`, then the top-level ones (which win), as one map.
  const tags: Record<string, string> = {};
  readTagListInto(tags, reader, configuration.tags, 'configuration.tags');
  readTagsInto(tags, reader, raw.tags);
  const capturedAt = readCaptureTime(raw.configurationItemCaptureTime);
  const base = <T extends Resource>(): Building<T> => {
    const resource: Building<ResourceBase> = { resourceId, accountId, region, itemStatus, tags };
    if (capturedAt !== undefined) resource.capturedAt = capturedAt;
    return resource as Building<T>;
  };
  const arn = (type: ResourceType, name = resourceId): string =>
    reader.optionalString(raw, ['ARN', 'arn']) || arnFor(type, { region, accountId, resourceId: name });

  switch (resourceType) {
    case 'AWS::EC2::VPCEndpoint': {
      const endpoint = base<VpcEndpoint>();
      endpoint.resourceType = resourceType;
      endpoint.arn = arn(resourceType);
      endpoint.vpcId = reader.need(configuration, ['vpcId'], gone);
      endpoint.endpointType = reader.need(configuration, ['vpcEndpointType'], gone);
      endpoint.serviceName = reader.optionalField(configuration, 'serviceName', 'configuration.') ?? '';
      endpoint.state = readState(reader, configuration.state);
      endpoint.subnetIds = reader.stringArray(configuration, 'subnetIds', 'configuration.');
      endpoint.routeTableIds = reader.stringArray(configuration, 'routeTableIds', 'configuration.');
      return endpoint as VpcEndpoint;
    }
    case 'AWS::EC2::Subnet': {
      const topLevelAz = reader.optionalField(raw, 'availabilityZone');
      const az =
        reader.optionalField(configuration, 'availabilityZone', 'configuration.') ??
        (topLevelAz !== undefined && !NOT_AN_AZ.has(topLevelAz) ? topLevelAz : undefined);
      if (az === undefined && !gone) reader.fail('missing configuration.availabilityZone');
      const azId = reader.optionalField(configuration, 'availabilityZoneId', 'configuration.');
      const free = reader.optionalNumber(configuration, 'availableIpAddressCount', 'configuration.');
      // Advanced-query rows spell a subnet's state `{"value": ...}`, like the endpoint's.
      const state =
        configuration.state === undefined ? undefined : readState(reader, configuration.state) || undefined;
      const subnet = base<Subnet>();
      subnet.resourceType = resourceType;
      subnet.arn = arn(resourceType);
      subnet.vpcId = reader.need(configuration, ['vpcId'], gone);
      subnet.availabilityZone = az ?? '';
      if (azId !== undefined) subnet.availabilityZoneId = azId;
      if (free !== undefined) subnet.availableIpAddressCount = free;
      if (state !== undefined) subnet.state = state;
      return subnet as Subnet;
    }
    case 'AWS::EC2::RouteTable': {
      const table = base<RouteTable>();
      table.resourceType = resourceType;
      table.arn = arn(resourceType);
      table.vpcId = reader.need(configuration, ['vpcId'], gone);
      table.routes = reader
        .array(configuration, 'routes', 'configuration.')
        .map((route, index) => readRoute(reader, route, `configuration.routes[${index}]`));
      table.associations = reader
        .array(configuration, 'associations', 'configuration.')
        .map((association, index) =>
          readAssociation(reader, association, `configuration.associations[${index}]`),
        );
      return table as RouteTable;
    }
    case 'AWS::EC2::VPC': {
      const cidrBlock = reader.optionalField(configuration, 'cidrBlock', 'configuration.');
      const isDefault = reader.optionalBoolean(configuration, 'isDefault', 'configuration.');
      const vpc = base<Vpc>();
      vpc.resourceType = resourceType;
      vpc.arn = arn(resourceType);
      if (cidrBlock !== undefined) vpc.cidrBlock = cidrBlock;
      if (isDefault !== undefined) vpc.isDefault = isDefault;
      return vpc as Vpc;
    }
    case 'AWS::S3::Bucket':
      return readBucket(reader, raw, configuration, base<Bucket>(), arn);
    case 'AWS::S3::AccountPublicAccessBlock': {
      const account = base<AccountPublicAccessBlock>();
      account.resourceType = resourceType;
      account.arn = '';
      account.configuration = readPublicAccessBlock(reader, configuration, 'configuration') ?? ALL_OFF;
      return account as AccountPublicAccessBlock;
    }
  }
}

const ALL_OFF: PublicAccessBlock = {
  blockPublicAcls: false,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
};

/** `state` is a string in every sample; the resource schema lists `state.value`, so accept both. */
function readState(reader: ItemReader, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.value === 'string') return value.value;
  return reader.fail(`configuration.state must be a string or {"value": string}, got ${typeName(value)}`);
}

/** The route fields the model keeps, in its order. */
const ROUTE_FIELDS = [
  'destinationCidrBlock',
  'destinationIpv6CidrBlock',
  'destinationPrefixListId',
  'gatewayId',
  'natGatewayId',
  'transitGatewayId',
  'vpcPeeringConnectionId',
  'networkInterfaceId',
  'instanceId',
  'state',
] as const satisfies readonly (keyof Route)[];

function readRoute(reader: ItemReader, value: unknown, path: string): Route {
  const route = reader.object(value, path);
  const prefix = `${path}.`;
  const out: Building<Route> = {};
  for (const key of ROUTE_FIELDS) {
    const found = reader.optionalField(route, key, prefix);
    if (found !== undefined && found !== '') out[key] = found;
  }
  return out;
}

function readAssociation(reader: ItemReader, value: unknown, path: string): RouteTableAssociation {
  const association = reader.object(value, path);
  const prefix = `${path}.`;
  const associationId = reader.optionalString(
    association,
    ['routeTableAssociationId', 'associationId'],
    prefix,
  );
  const subnetId = reader.optionalField(association, 'subnetId', prefix);
  const gatewayId = reader.optionalField(association, 'gatewayId', prefix);
  const stateObject = association.associationState;
  const state = isObject(stateObject)
    ? reader.optionalField(stateObject, 'state', `${path}.associationState.`)
    : undefined;
  const out: Building<RouteTableAssociation> = {
    main: reader.optionalBoolean(association, 'main', prefix) ?? false,
  };
  if (associationId) out.associationId = associationId;
  if (subnetId) out.subnetId = subnetId;
  if (gatewayId) out.gatewayId = gatewayId;
  if (state) out.state = state;
  return out as RouteTableAssociation;
}

/** Policy documents parsed while normalizing, by the bucket they belong to. */
const parsedPolicies = new WeakMap<object, Readonly<Json>>();

/**
 * The bucket's policy document as `JSON.parse(bucket.policyText)` gives it, when this module
 * parsed it already (to validate the item); `undefined` otherwise. Saves the rule a second parse.
 *
 * @example
 * const document = parsedPolicyOf(bucket) ?? bucket.policyText;
 */
export function parsedPolicyOf(bucket: Bucket): Readonly<Record<string, unknown>> | undefined {
  return parsedPolicies.get(bucket);
}

function readBucket(
  reader: ItemReader,
  raw: Json,
  configuration: Json,
  bucket: Building<Bucket>,
  arn: (type: ResourceType, name?: string) => string,
): Bucket {
  const name =
    reader.optionalField(configuration, 'name', 'configuration.') ||
    reader.optionalField(raw, 'resourceName') ||
    (bucket.resourceId ?? '');
  const supplementaryValue = reader.decoded(raw.supplementaryConfiguration, 'supplementaryConfiguration');
  const supplementary = isObject(supplementaryValue) ? supplementaryValue : {};

  const bpaValue = reader.decoded(
    supplementary.PublicAccessBlockConfiguration,
    'supplementaryConfiguration.PublicAccessBlockConfiguration',
  );
  const publicAccessBlock = readPublicAccessBlock(
    reader,
    bpaValue,
    'supplementaryConfiguration.PublicAccessBlockConfiguration',
  );

  const policyValue = reader.decoded(supplementary.BucketPolicy, 'supplementaryConfiguration.BucketPolicy');
  let policyText: string | undefined;
  if (isObject(policyValue)) {
    const text = policyValue.policyText;
    if (typeof text === 'string' && text.trim() !== '') {
      // S3 never stores a policy that is not JSON: such an item is damaged input.
      const path = 'supplementaryConfiguration.BucketPolicy.policyText';
      const once = reader.decoded(text, path, 1);
      reader.decoded(once, path, 3);
      // The rule analyzes what JSON.parse(policyText) gives: keep it, so it is parsed only once.
      if (isObject(once) && text === text.trim()) parsedPolicies.set(bucket, once);
      policyText = text;
    } else if (isObject(text)) policyText = JSON.stringify(text);
    else if (text !== undefined && text !== null && text !== '') {
      reader.fail(
        `supplementaryConfiguration.BucketPolicy.policyText must be a string, got ${typeName(text)}`,
      );
    }
  }

  const aclGrants = readAclOnce(reader, supplementary.AccessControlList);
  const bucketTags = readBucketTaggingConfiguration(reader, supplementary.BucketTaggingConfiguration);

  // The item's own tags win over BucketTaggingConfiguration's (usually the same).
  if (bucket.tags !== undefined) {
    bucket.tags = Object.keys(bucketTags).length === 0 ? bucket.tags : Object.assign(bucketTags, bucket.tags);
  }
  bucket.resourceType = 'AWS::S3::Bucket';
  bucket.arn = arn('AWS::S3::Bucket', name);
  bucket.name = name;
  if (publicAccessBlock !== undefined) bucket.publicAccessBlock = publicAccessBlock;
  if (policyText !== undefined) bucket.policyText = policyText;
  bucket.aclGrants = aclGrants;
  return bucket as Bucket;
}

function readPublicAccessBlock(
  reader: ItemReader,
  value: unknown,
  path: string,
): PublicAccessBlock | undefined {
  if (value === undefined || value === null) return undefined;
  const obj = reader.object(value, path);
  const flag = (key: keyof PublicAccessBlock): boolean =>
    reader.optionalBoolean(obj, key, `${path}.`) ?? false;
  return {
    blockPublicAcls: flag('blockPublicAcls'),
    ignorePublicAcls: flag('ignorePublicAcls'),
    blockPublicPolicy: flag('blockPublicPolicy'),
    restrictPublicBuckets: flag('restrictPublicBuckets'),
  };
}

const GROUP_URI_PREFIXES = ['http://acs.amazonaws.com/groups/global/', 'http://acs.amazonaws.com/groups/s3/'];

/** Normalizes a grantee written as Config writes it (bare group name, object) or as a URI. */
export function normalizeGrantee(value: unknown): Grantee {
  if (typeof value === 'string') return granteeFromString(value);
  if (isObject(value)) {
    const uri = firstString(value, ['uri', 'URI']);
    if (uri !== undefined) return granteeFromString(uri);
    // The Java SDK v1 serialization Config uses: {identifier, typeIdentifier: id|uri|emailAddress}.
    const identifier = firstString(value, ['identifier']);
    const typeIdentifier = firstString(value, ['typeIdentifier']);
    if (identifier !== undefined) {
      if (typeIdentifier === 'uri') return granteeFromString(identifier);
      if (typeIdentifier === 'emailAddress') return { kind: 'email', email: identifier };
      return { kind: 'canonicalUser', id: identifier };
    }
    const id = firstString(value, ['id', 'ID']);
    if (id !== undefined) return { kind: 'canonicalUser', id };
    const email = firstString(value, ['emailAddress', 'EmailAddress']);
    if (email !== undefined) return { kind: 'email', email };
  }
  return { kind: 'unknown', raw: JSON.stringify(value) ?? String(value) };
}

function granteeFromString(text: string): Grantee {
  for (const prefix of GROUP_URI_PREFIXES) {
    if (text.startsWith(prefix)) return { kind: 'group', group: text.slice(prefix.length) };
  }
  if (text === 'AllUsers' || text === 'AuthenticatedUsers' || text === 'LogDelivery')
    return { kind: 'group', group: text };
  return { kind: 'canonicalUser', id: text };
}

function firstString(obj: Json, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = obj[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/**
 * ACLs as Config writes them (JSON text), read once per distinct text: every bucket of an account
 * that keeps the default ACL has the very same text (the owner's full control), so at
 * organization scale most texts repeat. The grants are immutable, so buckets share them. Bounded:
 * the cache starts over past `ACL_CACHE_SIZE` texts.
 */
const aclCache = new Map<string, readonly AclGrant[]>();
const ACL_CACHE_SIZE = 1024;

function readAclOnce(reader: ItemReader, value: unknown): readonly AclGrant[] {
  const path = 'supplementaryConfiguration.AccessControlList';
  if (typeof value !== 'string') return readAcl(reader, reader.decoded(value, path), path);
  const cached = aclCache.get(value);
  if (cached !== undefined) return cached;
  // A malformed ACL throws here, naming this item, and is never cached.
  const grants = readAcl(reader, reader.decoded(value, path), path);
  if (aclCache.size >= ACL_CACHE_SIZE) aclCache.clear();
  aclCache.set(value, grants);
  return grants;
}

function readAcl(reader: ItemReader, value: unknown, path: string): AclGrant[] {
  if (value === undefined || value === null) return [];
  const acl = reader.object(value, path);
  const grants: AclGrant[] = [];
  for (const key of ['grantList', 'grantSet']) {
    reader.array(acl, key, `${path}.`).forEach((entry, index) => {
      const grant = reader.object(entry, `${path}.${key}[${index}]`);
      grants.push({
        grantee: normalizeGrantee(grant.grantee),
        permission: typeof grant.permission === 'string' ? grant.permission : String(grant.permission ?? ''),
      });
    });
  }
  return grants;
}

/** Top-level `tags`: a map in notification form, a list of {key,value}/{tag,key,value} in query rows. */
function readTagsInto(tags: Record<string, string>, reader: ItemReader, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    readTagListInto(tags, reader, value, 'tags');
    return;
  }
  const map = reader.object(value, 'tags');
  for (const key of Object.keys(map)) {
    const tagValue = map[key];
    tags[key] = tagValue === null ? '' : String(tagValue);
  }
}

/** `configuration.tags`: a list of `{key, value}` (or, now and then, a map). */
function readTagListInto(
  tags: Record<string, string>,
  reader: ItemReader,
  value: unknown,
  path: string,
): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    readTagsInto(tags, reader, value);
    return;
  }
  value.forEach((entry: unknown, index) => {
    // The path is only spelled out for an error: most lists are read without one.
    const tag = isObject(entry) ? entry : reader.object(entry, `${path}[${index}]`);
    const key = firstString(tag, ['key', 'Key']);
    if (key === undefined) reader.fail(`${path}[${index}] has no key`);
    const tagValue = tag.value ?? tag.Value;
    tags[key] = tagValue === undefined || tagValue === null ? '' : String(tagValue);
  });
}

/** `BucketTaggingConfiguration {tagSets: [{tags: {...}}]}`: the bucket's tags in supplementary form. */
function readBucketTaggingConfiguration(reader: ItemReader, value: unknown): Record<string, string> {
  const decoded = reader.decoded(value, 'supplementaryConfiguration.BucketTaggingConfiguration');
  if (!isObject(decoded) || !Array.isArray(decoded.tagSets)) return {};
  const tags: Record<string, string> = {};
  for (const set of decoded.tagSets) {
    if (isObject(set) && isObject(set.tags)) {
      for (const [key, tagValue] of Object.entries(set.tags)) tags[key] = String(tagValue ?? '');
    }
  }
  return tags;
}

function readCaptureTime(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  // The AWS CLI prints timestamps of API-form items as epoch seconds.
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Beyond ±8.64e15 ms a Date is invalid and toISOString throws: such a time is no time at all.
    const date = new Date(value * 1000);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  return undefined;
}
