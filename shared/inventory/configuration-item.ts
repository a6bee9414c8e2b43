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

/** Reads fields of one item, throwing errors that name the item and the field. */
class ItemReader {
  constructor(
    private readonly location: string,
    private readonly resourceType?: string,
    private readonly resourceId?: string,
  ) {}

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

  optionalString(obj: Json, keys: readonly string[], path = ''): string | undefined {
    for (const key of keys) {
      const value = obj[key];
      if (value === undefined || value === null) continue;
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return String(value);
      this.fail(`${path}${key} must be a string, got ${typeName(value)}`);
    }
    return undefined;
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

  stringArray(obj: Json, key: string, path = ''): string[] {
    return this.array(obj, key, path).map((value, index) => {
      if (typeof value !== 'string')
        this.fail(`${path}${key}[${index}] must be a string, got ${typeName(value)}`);
      return value;
    });
  }

  object(value: unknown, path: string): Json {
    if (isObject(value)) return value;
    return this.fail(`${path} must be an object, got ${typeName(value)}`);
  }

  /**
   * A value that may be JSON text, possibly encoded more than once (Config double-encodes some
   * supplementary configuration in API form): decode until it is no longer a JSON string.
   */
  decoded(value: unknown, path: string): unknown {
    let current = value;
    for (let depth = 0; typeof current === 'string' && depth < 4; depth++) {
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

/** Top-level values Config uses in `availabilityZone` for resources that have none. */
const NOT_AN_AZ = new Set(['Not Applicable', 'Multiple Availability Zones', 'Regional']);

/**
 * Normalizes one configuration item. Returns `undefined` for resource types endpoint-guard does
 * not read; throws {@link ConfigurationItemError} when the item is malformed.
 *
 * @param location where the item sits in its input, for error messages (`configurationItems[3]`)
 * @example
 * const subnet = normalizeConfigurationItem(ci, 'configurationItems[0]');
 */
export function normalizeConfigurationItem(raw: unknown, location: string): Resource | undefined {
  if (!isObject(raw)) {
    throw new ConfigurationItemError(`configuration item must be an object, got ${typeName(raw)}`, {
      location,
    });
  }
  const resourceType = new ItemReader(location).requiredString(raw, ['resourceType']);
  if (!isSupportedResourceType(resourceType)) return undefined;
  const resourceId = new ItemReader(location, resourceType).requiredString(raw, ['resourceId']);
  const reader = new ItemReader(location, resourceType, resourceId);

  const accountId = reader.requiredString(raw, ['awsAccountId', 'accountId']);
  const region = reader.requiredString(raw, ['awsRegion']);
  const itemStatus = reader.optionalString(raw, ['configurationItemStatus']) ?? 'OK';
  const gone = ['ResourceDeleted', 'ResourceNotRecorded', 'ResourceDeletedNotRecorded'].includes(itemStatus);

  const configurationValue = reader.decoded(raw.configuration, 'configuration');
  let configuration: Json;
  if (configurationValue === undefined || configurationValue === null) {
    // Deleted and not-recorded items carry no configuration; anything else must.
    if (!gone && resourceType !== 'AWS::S3::AccountPublicAccessBlock') reader.fail('missing configuration');
    configuration = {};
  } else {
    configuration = reader.object(configurationValue, 'configuration');
  }

  const tags = {
    ...readTagList(reader, configuration.tags, 'configuration.tags'),
    ...readTags(reader, raw.tags),
  };
  const capturedAt = readCaptureTime(raw.configurationItemCaptureTime);
  const base: Omit<ResourceBase, 'resourceType' | 'arn'> = {
    resourceId,
    accountId,
    region,
    itemStatus,
    tags,
    ...(capturedAt === undefined ? {} : { capturedAt }),
  };
  const arn = (type: ResourceType, name = resourceId): string =>
    reader.optionalString(raw, ['ARN', 'arn']) || arnFor(type, { region, accountId, resourceId: name });
  // A deleted item has no configuration: its type-specific fields are empty, and rules report
  // it NOT_APPLICABLE before reading them.
  const need = (keys: readonly string[]): string =>
    gone
      ? (reader.optionalString(configuration, keys, 'configuration.') ?? '')
      : reader.requiredString(configuration, keys, 'configuration.');

  switch (resourceType) {
    case 'AWS::EC2::VPCEndpoint': {
      const endpoint: VpcEndpoint = {
        ...base,
        resourceType,
        arn: arn(resourceType),
        vpcId: need(['vpcId']),
        endpointType: need(['vpcEndpointType']),
        serviceName: reader.optionalString(configuration, ['serviceName'], 'configuration.') ?? '',
        state: readState(reader, configuration.state),
        subnetIds: reader.stringArray(configuration, 'subnetIds', 'configuration.'),
        routeTableIds: reader.stringArray(configuration, 'routeTableIds', 'configuration.'),
      };
      return endpoint;
    }
    case 'AWS::EC2::Subnet': {
      const topLevelAz = reader.optionalString(raw, ['availabilityZone']);
      const az =
        reader.optionalString(configuration, ['availabilityZone'], 'configuration.') ??
        (topLevelAz !== undefined && !NOT_AN_AZ.has(topLevelAz) ? topLevelAz : undefined);
      if (az === undefined && !gone) reader.fail('missing configuration.availabilityZone');
      const azId = reader.optionalString(configuration, ['availabilityZoneId'], 'configuration.');
      const free = reader.optionalNumber(configuration, 'availableIpAddressCount', 'configuration.');
      const state = reader.optionalString(configuration, ['state'], 'configuration.');
      const subnet: Subnet = {
        ...base,
        resourceType,
        arn: arn(resourceType),
        vpcId: need(['vpcId']),
        availabilityZone: az ?? '',
        ...(azId === undefined ? {} : { availabilityZoneId: azId }),
        ...(free === undefined ? {} : { availableIpAddressCount: free }),
        ...(state === undefined ? {} : { state }),
      };
      return subnet;
    }
    case 'AWS::EC2::RouteTable': {
      const table: RouteTable = {
        ...base,
        resourceType,
        arn: arn(resourceType),
        vpcId: need(['vpcId']),
        routes: reader
          .array(configuration, 'routes', 'configuration.')
          .map((route, index) => readRoute(reader, route, `configuration.routes[${index}]`)),
        associations: reader
          .array(configuration, 'associations', 'configuration.')
          .map((association, index) =>
            readAssociation(reader, association, `configuration.associations[${index}]`),
          ),
      };
      return table;
    }
    case 'AWS::EC2::VPC': {
      const cidrBlock = reader.optionalString(configuration, ['cidrBlock'], 'configuration.');
      const isDefault = reader.optionalBoolean(configuration, 'isDefault', 'configuration.');
      const vpc: Vpc = {
        ...base,
        resourceType,
        arn: arn(resourceType),
        ...(cidrBlock === undefined ? {} : { cidrBlock }),
        ...(isDefault === undefined ? {} : { isDefault }),
      };
      return vpc;
    }
    case 'AWS::S3::Bucket':
      return readBucket(reader, raw, configuration, base, arn);
    case 'AWS::S3::AccountPublicAccessBlock': {
      const account: AccountPublicAccessBlock = {
        ...base,
        resourceType,
        arn: '',
        configuration: readPublicAccessBlock(reader, configuration, 'configuration') ?? ALL_OFF,
      };
      return account;
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

function readRoute(reader: ItemReader, value: unknown, path: string): Route {
  const route = reader.object(value, path);
  const field = (key: string): Record<string, string> => {
    const found = reader.optionalString(route, [key], `${path}.`);
    return found === undefined || found === '' ? {} : { [key]: found };
  };
  return {
    ...field('destinationCidrBlock'),
    ...field('destinationIpv6CidrBlock'),
    ...field('destinationPrefixListId'),
    ...field('gatewayId'),
    ...field('natGatewayId'),
    ...field('transitGatewayId'),
    ...field('vpcPeeringConnectionId'),
    ...field('networkInterfaceId'),
    ...field('instanceId'),
    ...field('state'),
  };
}

function readAssociation(reader: ItemReader, value: unknown, path: string): RouteTableAssociation {
  const association = reader.object(value, path);
  const associationId = reader.optionalString(
    association,
    ['routeTableAssociationId', 'associationId'],
    `${path}.`,
  );
  const subnetId = reader.optionalString(association, ['subnetId'], `${path}.`);
  const gatewayId = reader.optionalString(association, ['gatewayId'], `${path}.`);
  const stateObject = association.associationState;
  const state = isObject(stateObject)
    ? reader.optionalString(stateObject, ['state'], `${path}.associationState.`)
    : undefined;
  return {
    main: reader.optionalBoolean(association, 'main', `${path}.`) ?? false,
    ...(associationId ? { associationId } : {}),
    ...(subnetId ? { subnetId } : {}),
    ...(gatewayId ? { gatewayId } : {}),
    ...(state ? { state } : {}),
  };
}

function readBucket(
  reader: ItemReader,
  raw: Json,
  configuration: Json,
  base: Omit<ResourceBase, 'resourceType' | 'arn'>,
  arn: (type: ResourceType, name?: string) => string,
): Bucket {
  const name =
    reader.optionalString(configuration, ['name'], 'configuration.') ||
    reader.optionalString(raw, ['resourceName']) ||
    base.resourceId;
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
      reader.decoded(text, 'supplementaryConfiguration.BucketPolicy.policyText');
      policyText = text;
    } else if (isObject(text)) policyText = JSON.stringify(text);
    else if (text !== undefined && text !== null && text !== '') {
      reader.fail(
        `supplementaryConfiguration.BucketPolicy.policyText must be a string, got ${typeName(text)}`,
      );
    }
  }

  const aclValue = reader.decoded(
    supplementary.AccessControlList,
    'supplementaryConfiguration.AccessControlList',
  );
  const aclGrants = readAcl(reader, aclValue, 'supplementaryConfiguration.AccessControlList');
  const bucketTags = readBucketTaggingConfiguration(reader, supplementary.BucketTaggingConfiguration);

  return {
    ...base,
    tags: { ...bucketTags, ...base.tags },
    resourceType: 'AWS::S3::Bucket',
    arn: arn('AWS::S3::Bucket', name),
    name,
    ...(publicAccessBlock === undefined ? {} : { publicAccessBlock }),
    ...(policyText === undefined ? {} : { policyText }),
    aclGrants,
  };
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
function readTags(reader: ItemReader, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value)) return readTagList(reader, value, 'tags');
  const map = reader.object(value, 'tags');
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of Object.entries(map)) tags[key] = tagValue === null ? '' : String(tagValue);
  return tags;
}

function readTagList(reader: ItemReader, value: unknown, path: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) return readTags(reader, value);
  const tags: Record<string, string> = {};
  value.forEach((entry, index) => {
    const tag = reader.object(entry, `${path}[${index}]`);
    const key = firstString(tag, ['key', 'Key']);
    if (key === undefined) reader.fail(`${path}[${index}] has no key`);
    const tagValue = tag.value ?? tag.Value;
    tags[key] = tagValue === undefined || tagValue === null ? '' : String(tagValue);
  });
  return tags;
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
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000).toISOString();
  return undefined;
}
