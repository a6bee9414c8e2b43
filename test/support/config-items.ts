/**
 * Builders for AWS Config configuration items in notification / snapshot form: the shape an
 * invoking event and a snapshot file carry (`ARN`, `awsAccountId`, numeric
 * `configurationStateId`, `configuration` as an object, `tags` as a map). See
 * /work/shared/AWS-SHAPES.md section b and the RDK sample CIs it cites.
 *
 * Defaults: account 111122223333, region us-east-1, VPC vpc-0a000001.
 *
 * @example
 * const items = [
 *   vpc(),
 *   subnet({ id: 'subnet-0a000001', az: 'us-east-1a' }),
 *   vpcEndpoint({ id: 'vpce-0e000001', subnetIds: ['subnet-0a000001'] }),
 * ];
 */
import type { ItemStatus, PublicAccessBlock } from '../../shared/model';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const VPC_ID = 'vpc-0a000001';
export const IGW_ID = 'igw-0a000001';
export const NAT_ID = 'nat-0a000001';
const OWNER_CANONICAL_ID = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
const CAPTURE_TIME = '2025-03-01T12:00:00.000Z';
const CREATION_TIME = '2024-06-01T09:30:00.000Z';

export type Tags = Readonly<Record<string, string>>;

export interface Relationship {
  readonly resourceId: string;
  readonly resourceName: string | null;
  readonly resourceType: string;
  readonly name: string;
}

/** A configuration item exactly as AWS Config emits it in notifications and snapshots. */
export interface ConfigurationItem {
  readonly configurationItemVersion: '1.3';
  readonly configurationItemCaptureTime: string;
  readonly configurationStateId: number;
  readonly awsAccountId: string;
  readonly configurationItemStatus: ItemStatus;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly resourceName?: string | null;
  readonly ARN?: string;
  readonly awsRegion: string;
  readonly availabilityZone: string | null;
  readonly configurationStateMd5Hash: string;
  readonly resourceCreationTime: string | null;
  readonly relatedEvents: readonly string[];
  readonly relationships: readonly Relationship[];
  readonly configuration: Readonly<Record<string, unknown>> | null;
  readonly supplementaryConfiguration: Readonly<Record<string, unknown>>;
  readonly tags: Tags;
}

/** Where a resource lives and how it is tagged; every builder accepts these. */
export interface Placement {
  /** @default '111122223333' */
  readonly account?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Top-level tag map (EC2 items also carry them as `configuration.tags`). @default {} */
  readonly tags?: Tags;
}

// Deterministic counters, so ids and state ids are unique inside a test file.
let sequence = 0;
function next(): number {
  sequence += 1;
  return sequence;
}
function generatedId(prefix: string): string {
  return `${prefix}-0${next().toString(16).padStart(16, '0')}`;
}

function placed(props: Placement): { account: string; region: string; tags: Tags } {
  return { account: props.account ?? ACCOUNT, region: props.region ?? REGION, tags: props.tags ?? {} };
}

function ec2Arn(where: { account: string; region: string }, kind: string, id: string): string {
  return `arn:aws:ec2:${where.region}:${where.account}:${kind}/${id}`;
}

/** EC2 repeats the tags inside `configuration` as a `[{key, value}]` list. */
function tagList(tags: Tags): { key: string; value: string }[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

function containedInVpc(vpcId: string): Relationship[] {
  return [
    { resourceId: vpcId, resourceName: null, resourceType: 'AWS::EC2::VPC', name: 'Is contained in Vpc' },
  ];
}

/** `us-east-1c` → `use1-az3` (the real mapping is per account; any stable id will do). */
function azIdOf(az: string): string {
  const [geo = '', direction = '', number = ''] = az.slice(0, -1).split('-');
  return `${geo}${direction.charAt(0)}${number}-az${az.charCodeAt(az.length - 1) - 96}`;
}

function item(
  where: { account: string; region: string; tags: Tags },
  fields: Pick<ConfigurationItem, 'resourceType' | 'resourceId' | 'availabilityZone' | 'configuration'> &
    Partial<Pick<ConfigurationItem, 'resourceName' | 'ARN' | 'relationships' | 'supplementaryConfiguration'>>,
): ConfigurationItem {
  const { resourceType, resourceId, availabilityZone, configuration } = fields;
  return {
    configurationItemVersion: '1.3',
    configurationItemCaptureTime: CAPTURE_TIME,
    configurationStateId: 1_740_830_400_000 + next(),
    awsAccountId: where.account,
    configurationItemStatus: 'OK',
    resourceType,
    resourceId,
    ...('resourceName' in fields ? { resourceName: fields.resourceName } : {}),
    ...(fields.ARN === undefined ? {} : { ARN: fields.ARN }),
    awsRegion: where.region,
    availabilityZone,
    configurationStateMd5Hash: '',
    resourceCreationTime: CREATION_TIME,
    relatedEvents: [],
    relationships: fields.relationships ?? [],
    configuration,
    supplementaryConfiguration: fields.supplementaryConfiguration ?? {},
    tags: where.tags,
  };
}

// ─── EC2 ────────────────────────────────────────────────────────────────────────────────

export interface VpcProps extends Placement {
  /** @default 'vpc-0a000001' */
  readonly id?: string;
  /** @default '10.0.0.0/16' */
  readonly cidr?: string;
}

export function vpc(props: VpcProps = {}): ConfigurationItem {
  const where = placed(props);
  const { id = VPC_ID, cidr = '10.0.0.0/16' } = props;
  return item(where, {
    resourceType: 'AWS::EC2::VPC',
    resourceId: id,
    ARN: ec2Arn(where, 'vpc', id),
    availabilityZone: 'Multiple Availability Zones',
    configuration: {
      vpcId: id,
      cidrBlock: cidr,
      cidrBlockAssociationSet: [
        {
          associationId: generatedId('vpc-cidr-assoc'),
          cidrBlock: cidr,
          cidrBlockState: { state: 'associated' },
        },
      ],
      dhcpOptionsId: 'dopt-0a000001',
      state: 'available',
      instanceTenancy: 'default',
      isDefault: false,
      ownerId: where.account,
      ipv6CidrBlockAssociationSet: [],
      tags: tagList(where.tags),
    },
  });
}

export interface SubnetProps extends Placement {
  readonly id: string;
  /** @default 'vpc-0a000001' */
  readonly vpcId?: string;
  /** e.g. `us-east-1a` */
  readonly az: string;
  /** `availableIpAddressCount`. @default 251 */
  readonly freeIps?: number;
  /** Sets the `Name` tag. */
  readonly name?: string;
  /** @default a fresh 10.0.n.0/24 */
  readonly cidr?: string;
}

export function subnet(props: SubnetProps): ConfigurationItem {
  const tags: Tags = props.name === undefined ? { ...props.tags } : { Name: props.name, ...props.tags };
  const where = placed({ ...props, tags });
  const { id, vpcId = VPC_ID, az, freeIps = 251, cidr = `10.0.${next() % 256}.0/24` } = props;
  const arn = ec2Arn(where, 'subnet', id);
  return item(where, {
    resourceType: 'AWS::EC2::Subnet',
    resourceId: id,
    ARN: arn,
    availabilityZone: az,
    relationships: containedInVpc(vpcId),
    configuration: {
      subnetId: id,
      vpcId,
      cidrBlock: cidr,
      availabilityZone: az,
      availabilityZoneId: azIdOf(az),
      availableIpAddressCount: freeIps,
      mapPublicIpOnLaunch: false,
      defaultForAz: false,
      assignIpv6AddressOnCreation: false,
      state: 'available',
      subnetArn: arn,
      ownerId: where.account,
      ipv6CidrBlockAssociationSet: [],
      tags: tagList(where.tags),
    },
  });
}

/** One entry of a route table's `configuration.routes`. */
export interface RouteSpec {
  readonly destinationCidrBlock?: string;
  readonly destinationPrefixListId?: string;
  readonly gatewayId?: string;
  readonly natGatewayId?: string;
  readonly origin: 'CreateRouteTable' | 'CreateRoute' | 'EnableVgwRoutePropagation';
  readonly state: 'active' | 'blackhole';
}

export function localRoute(cidr = '10.0.0.0/16'): RouteSpec {
  return { destinationCidrBlock: cidr, gatewayId: 'local', origin: 'CreateRouteTable', state: 'active' };
}

/** `0.0.0.0/0 → igw-…`: what makes a table public. */
export function igwRoute(igwId = IGW_ID): RouteSpec {
  return { destinationCidrBlock: '0.0.0.0/0', gatewayId: igwId, origin: 'CreateRoute', state: 'active' };
}

/** `0.0.0.0/0 → nat-…`: a private table's default route. */
export function natRoute(natId = NAT_ID): RouteSpec {
  return { destinationCidrBlock: '0.0.0.0/0', natGatewayId: natId, origin: 'CreateRoute', state: 'active' };
}

/** The route a gateway endpoint adds to each of its route tables. */
export function prefixListRoute(prefixListId: string, vpceId: string): RouteSpec {
  return { destinationPrefixListId: prefixListId, gatewayId: vpceId, origin: 'CreateRoute', state: 'active' };
}

export interface AssociationSpec {
  readonly subnetId?: string;
  readonly gatewayId?: string;
  readonly main: boolean;
}

/** An explicit subnet association. */
export function subnetAssoc(subnetId: string): AssociationSpec {
  return { subnetId, main: false };
}

/** The VPC's main-table association (no subnet: subnets without an explicit association use it). */
export function mainAssoc(): AssociationSpec {
  return { main: true };
}

/** An edge association with an internet or virtual private gateway (ingress routing). */
export function gatewayAssoc(gatewayId = IGW_ID): AssociationSpec {
  return { gatewayId, main: false };
}

export interface RouteTableProps extends Placement {
  readonly id: string;
  /** @default 'vpc-0a000001' */
  readonly vpcId?: string;
  /** @default [localRoute()] */
  readonly routes?: readonly RouteSpec[];
  /** @default [] */
  readonly associations?: readonly AssociationSpec[];
}

export function routeTable(props: RouteTableProps): ConfigurationItem {
  const where = placed(props);
  const { id, vpcId = VPC_ID, routes = [localRoute()], associations = [] } = props;
  return item(where, {
    resourceType: 'AWS::EC2::RouteTable',
    resourceId: id,
    ARN: ec2Arn(where, 'route-table', id),
    availabilityZone: 'Not Applicable',
    relationships: containedInVpc(vpcId),
    configuration: {
      routeTableId: id,
      vpcId,
      ownerId: where.account,
      routes,
      associations: associations.map((association) => ({
        routeTableAssociationId: generatedId('rtbassoc'),
        routeTableId: id,
        ...association,
        associationState: { state: 'associated' },
      })),
      propagatingVgws: [],
      tags: tagList(where.tags),
    },
  });
}

export type EndpointType = 'Interface' | 'Gateway' | 'GatewayLoadBalancer' | 'Resource' | 'ServiceNetwork';

export interface VpcEndpointProps extends Placement {
  readonly id: string;
  /** @default 'vpc-0a000001' */
  readonly vpcId?: string;
  /** As AWS spells it; any string is passed through. @default 'Interface' */
  readonly type?: EndpointType | (string & {});
  /** A string in any case, or the `{value}` object the resource schema suggests. @default 'available' */
  readonly state?: string | { readonly value: string };
  /** @default `com.amazonaws.<region>.s3` for Gateway, `com.amazonaws.<region>.ssm` otherwise */
  readonly serviceName?: string;
  /** @default [] */
  readonly subnetIds?: readonly string[];
  /** @default [] */
  readonly routeTableIds?: readonly string[];
}

export function vpcEndpoint(props: VpcEndpointProps): ConfigurationItem {
  const where = placed(props);
  const {
    id,
    vpcId = VPC_ID,
    type = 'Interface',
    state = 'available',
    subnetIds = [],
    routeTableIds = [],
  } = props;
  const serviceName =
    props.serviceName ?? `com.amazonaws.${where.region}.${type === 'Gateway' ? 's3' : 'ssm'}`;
  const isInterface = type === 'Interface';
  const fullAccessPolicy = JSON.stringify({
    Version: '2008-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
  });
  return item(where, {
    resourceType: 'AWS::EC2::VPCEndpoint',
    resourceId: id,
    ARN: ec2Arn(where, 'vpc-endpoint', id),
    availabilityZone: 'Not Applicable',
    relationships: containedInVpc(vpcId),
    configuration: {
      vpcEndpointId: id,
      vpcEndpointType: type,
      vpcId,
      serviceName,
      state,
      policyDocument: fullAccessPolicy,
      routeTableIds,
      subnetIds,
      groups: isInterface ? [{ groupId: 'sg-0a000001', groupName: 'default' }] : [],
      privateDnsEnabled: isInterface,
      requesterManaged: false,
      networkInterfaceIds: isInterface ? subnetIds.map(() => generatedId('eni')) : [],
      dnsEntries: isInterface
        ? [
            {
              dnsName: `${id}-abcdefgh.${serviceName.split('.').pop()}.${where.region}.vpce.amazonaws.com`,
              hostedZoneId: 'Z7HUB22UULQXV',
            },
          ]
        : [],
      dnsOptions: isInterface ? { dnsRecordIpType: 'ipv4' } : null,
      ipAddressType: 'ipv4',
      creationTimestamp: CREATION_TIME,
      ownerId: where.account,
      tags: tagList(where.tags),
    },
  });
}

// ─── S3 ─────────────────────────────────────────────────────────────────────────────────

export type AclPermission = 'FullControl' | 'Read' | 'Write' | 'ReadAcp' | 'WriteAcp';

/**
 * One ACL grant. Groups are bare strings in Config items (`AllUsers`, `AuthenticatedUsers`,
 * `LogDelivery`); any other string (a group URI) is passed through as written.
 */
export interface AclGrantSpec {
  readonly grantee: string | { readonly id: string; readonly displayName: string | null };
  readonly permission: AclPermission;
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: '*' | Readonly<Record<string, string | readonly string[]>>;
  readonly NotPrincipal?: Readonly<Record<string, string | readonly string[]>>;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

export function policyDocument(...statements: readonly PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

export interface BucketProps extends Placement {
  readonly name: string;
  /** Bucket-level Block Public Access; flags left out are `false`. Absent: no bucket-level BPA. */
  readonly bpa?: Partial<PublicAccessBlock>;
  /** The bucket policy (serialized into `BucketPolicy.policyText`). Absent: `policyText: null`. */
  readonly policy?: PolicyDocument | string;
  /** Grants besides the owner's FullControl (always first). @default [] */
  readonly grants?: readonly AclGrantSpec[];
}

function fullBpa(flags: Partial<PublicAccessBlock>): PublicAccessBlock {
  return {
    blockPublicAcls: flags.blockPublicAcls ?? false,
    ignorePublicAcls: flags.ignorePublicAcls ?? false,
    blockPublicPolicy: flags.blockPublicPolicy ?? false,
    restrictPublicBuckets: flags.restrictPublicBuckets ?? false,
  };
}

export function bucket(props: BucketProps): ConfigurationItem {
  const where = placed(props);
  const { name, bpa, policy, grants = [] } = props;
  const owner = { displayName: null, id: OWNER_CANONICAL_ID };
  const accessControlList = {
    grantSet: null,
    grantList: [
      { grantee: { id: OWNER_CANONICAL_ID, displayName: null }, permission: 'FullControl' },
      ...grants,
    ],
    owner,
    isRequesterCharged: false,
  };
  const policyText =
    policy === undefined ? null : typeof policy === 'string' ? policy : JSON.stringify(policy);
  const tagged = Object.keys(where.tags).length > 0;
  return item(where, {
    resourceType: 'AWS::S3::Bucket',
    resourceId: name,
    resourceName: name,
    ARN: `arn:aws:s3:::${name}`,
    availabilityZone: 'Regional',
    configuration: { name, owner, creationDate: CREATION_TIME },
    supplementaryConfiguration: {
      AccessControlList: JSON.stringify(accessControlList),
      BucketAccelerateConfiguration: { status: null },
      BucketLoggingConfiguration: { destinationBucketName: null, logFilePrefix: null },
      BucketNotificationConfiguration: { configurations: {} },
      BucketPolicy: { policyText },
      BucketVersioningConfiguration: { status: 'Off', isMfaDeleteEnabled: null },
      IsRequesterPaysEnabled: false,
      ...(bpa === undefined ? {} : { PublicAccessBlockConfiguration: fullBpa(bpa) }),
      ...(tagged ? { BucketTaggingConfiguration: { tagSets: [{ tags: where.tags }] } } : {}),
    },
  });
}

export interface AccountBpaProps extends Omit<Placement, 'tags'> {
  /** Flags left out are `false`. */
  readonly flags: Partial<PublicAccessBlock>;
}

/** `AWS::S3::AccountPublicAccessBlock`: resource id = account id, no ARN, no name. */
export function accountBpa(props: AccountBpaProps): ConfigurationItem {
  const where = placed(props);
  return item(where, {
    resourceType: 'AWS::S3::AccountPublicAccessBlock',
    resourceId: where.account,
    availabilityZone: 'Not Applicable',
    configuration: { ...fullBpa(props.flags) },
  });
}

// ─── Status ─────────────────────────────────────────────────────────────────────────────

/** The item Config sends once the resource is gone: no configuration, no tags, no relationships. */
export function deleted(
  ci: ConfigurationItem,
  status: Exclude<ItemStatus, 'OK' | 'ResourceDiscovered'> = 'ResourceDeleted',
): ConfigurationItem {
  return {
    ...ci,
    configurationStateId: ci.configurationStateId + 1,
    configurationItemStatus: status,
    availabilityZone: null,
    resourceCreationTime: null,
    relationships: [],
    configuration: null,
    supplementaryConfiguration: {},
    tags: {},
  };
}
