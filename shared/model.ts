/**
 * The normalized resource model. Every input (Config snapshot files, advanced-query results,
 * BatchGetResourceConfig / GetResourceConfigHistory output, invoking events, live Describe calls)
 * is turned into these shapes before a rule sees it, so rules never deal with key spellings.
 */

/** The resource types endpoint-guard reads. */
export const RESOURCE_TYPES = {
  vpcEndpoint: 'AWS::EC2::VPCEndpoint',
  subnet: 'AWS::EC2::Subnet',
  routeTable: 'AWS::EC2::RouteTable',
  vpc: 'AWS::EC2::VPC',
  bucket: 'AWS::S3::Bucket',
  accountPublicAccessBlock: 'AWS::S3::AccountPublicAccessBlock',
} as const;

export type ResourceType = (typeof RESOURCE_TYPES)[keyof typeof RESOURCE_TYPES];

export const SUPPORTED_RESOURCE_TYPES: readonly ResourceType[] = Object.values(RESOURCE_TYPES);

export function isSupportedResourceType(value: string): value is ResourceType {
  return (SUPPORTED_RESOURCE_TYPES as readonly string[]).includes(value);
}

/** AWS Config's configuration item statuses. */
export type ItemStatus =
  | 'OK'
  | 'ResourceDiscovered'
  | 'ResourceNotRecorded'
  | 'ResourceDeleted'
  | 'ResourceDeletedNotRecorded';

/** The tag whose presence exempts a resource from every rule; its value is the reason. */
export const EXEMPT_TAG = 'endpoint-guard:exempt';

/**
 * The tag that asks for the "private only bucket" pattern: the bucket policy must deny every
 * request that does not come through a VPC endpoint. Its value lists the allowed endpoints
 * (`vpce-…`, comma- or space-separated); empty: any endpoint.
 */
export const PRIVATE_ONLY_TAG = 'endpoint-guard:private-only';

/** Fields every resource carries. */
export interface ResourceBase {
  readonly resourceType: ResourceType;
  readonly resourceId: string;
  readonly accountId: string;
  readonly region: string;
  readonly arn: string;
  /** Configuration item status (see {@link ItemStatus}); live reads use `OK`. */
  readonly itemStatus: ItemStatus | (string & {});
  /** Tags as a map (Config's top-level map, `configuration.tags` and query-result lists merged). */
  readonly tags: Readonly<Record<string, string>>;
  /** When the state was observed (ISO-8601), when known. */
  readonly capturedAt?: string;
}

export interface VpcEndpoint extends ResourceBase {
  readonly resourceType: 'AWS::EC2::VPCEndpoint';
  readonly vpcId: string;
  /** As AWS spells it: `Interface`, `Gateway`, `GatewayLoadBalancer`, `Resource`, `ServiceNetwork`. */
  readonly endpointType: string;
  readonly serviceName: string;
  /** As AWS spells it (`available`, `pending`, ...); compare case-insensitively. */
  readonly state: string;
  readonly subnetIds: readonly string[];
  readonly routeTableIds: readonly string[];
}

export interface Subnet extends ResourceBase {
  readonly resourceType: 'AWS::EC2::Subnet';
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly availabilityZoneId?: string;
  /** Free IPv4 addresses, when known. */
  readonly availableIpAddressCount?: number;
  readonly state?: string;
}

export interface Route {
  readonly destinationCidrBlock?: string;
  readonly destinationIpv6CidrBlock?: string;
  readonly destinationPrefixListId?: string;
  readonly gatewayId?: string;
  readonly natGatewayId?: string;
  readonly transitGatewayId?: string;
  readonly vpcPeeringConnectionId?: string;
  readonly networkInterfaceId?: string;
  readonly instanceId?: string;
  readonly state?: string;
}

export interface RouteTableAssociation {
  readonly associationId?: string;
  readonly subnetId?: string;
  readonly gatewayId?: string;
  readonly main: boolean;
  readonly state?: string;
}

export interface RouteTable extends ResourceBase {
  readonly resourceType: 'AWS::EC2::RouteTable';
  readonly vpcId: string;
  readonly routes: readonly Route[];
  readonly associations: readonly RouteTableAssociation[];
}

export interface Vpc extends ResourceBase {
  readonly resourceType: 'AWS::EC2::VPC';
  readonly cidrBlock?: string;
  readonly isDefault?: boolean;
}

/** S3 Block Public Access, the four flags. */
export interface PublicAccessBlock {
  readonly blockPublicAcls: boolean;
  readonly ignorePublicAcls: boolean;
  readonly blockPublicPolicy: boolean;
  readonly restrictPublicBuckets: boolean;
}

export const PUBLIC_ACCESS_BLOCK_FLAGS = [
  'blockPublicAcls',
  'ignorePublicAcls',
  'blockPublicPolicy',
  'restrictPublicBuckets',
] as const satisfies readonly (keyof PublicAccessBlock)[];

/** An ACL grantee normalized: the three S3 groups by name, anything else by id, URI or e-mail. */
export type Grantee =
  | { readonly kind: 'group'; readonly group: 'AllUsers' | 'AuthenticatedUsers' | 'LogDelivery' | string }
  | { readonly kind: 'canonicalUser'; readonly id: string }
  | { readonly kind: 'email'; readonly email: string }
  | { readonly kind: 'unknown'; readonly raw: string };

export interface AclGrant {
  readonly grantee: Grantee;
  readonly permission: string;
}

export interface Bucket extends ResourceBase {
  readonly resourceType: 'AWS::S3::Bucket';
  readonly name: string;
  /** Bucket-level Block Public Access; `undefined` when the bucket has none. */
  readonly publicAccessBlock?: PublicAccessBlock;
  /** The bucket policy document as JSON text; `undefined` when the bucket has no policy. */
  readonly policyText?: string;
  /** ACL grants; empty when unknown or when the ACL only grants the owner. */
  readonly aclGrants: readonly AclGrant[];
}

export interface AccountPublicAccessBlock extends ResourceBase {
  readonly resourceType: 'AWS::S3::AccountPublicAccessBlock';
  readonly configuration: PublicAccessBlock;
}

export type Resource = VpcEndpoint | Subnet | RouteTable | Vpc | Bucket | AccountPublicAccessBlock;

export type ResourceOf<T extends ResourceType> = Extract<Resource, { resourceType: T }>;

/** True when a configuration item says the resource is gone or not recorded. */
export function isDeletedOrNotRecorded(resource: Pick<ResourceBase, 'itemStatus'>): boolean {
  return GONE_STATUSES.has(resource.itemStatus);
}

const GONE_STATUSES: ReadonlySet<string> = new Set([
  'ResourceDeleted',
  'ResourceNotRecorded',
  'ResourceDeletedNotRecorded',
]);

/** Case-insensitive equality for AWS enum values that are spelled both ways. */
export function sameEnum(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** An association counts unless EC2 says it is being or has been removed. */
export function isActiveAssociation(association: RouteTableAssociation): boolean {
  return association.state === undefined || !/^disassociat/i.test(association.state);
}
