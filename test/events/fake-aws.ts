/**
 * A small fake of the AWS state the detectors read, served through aws-sdk-client-mock: EC2
 * Describe calls answer from a list of SDK-shaped resources, honouring the filters the live
 * reader sends (`vpc-id`, `vpc-endpoint-id`, `subnet-id`, `route-table-id`,
 * `association.subnet-id`); S3 and S3 Control answer per bucket, with the "none" errors S3
 * raises. Answers are shaped as SDK v3 returns them (PascalCase, lowercase state values).
 */
import {
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
  type Filter,
  type RouteTable,
  type State,
  type Subnet,
  type SubnetState,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import {
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  type Grant,
  ListBucketsCommand,
  type PublicAccessBlockConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  type S3ControlClient,
} from '@aws-sdk/client-s3-control';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export const OWN_ACCOUNT = '111122223333';
export const MEMBER_ACCOUNT = '222233334444';
export const REGION = 'us-east-1';
export const VPC = 'vpc-0a000001';
const OWNER_CANONICAL_ID = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';

/** A service error as SDK v3 raises it: `name` is the code. */
export function awsError(code: string, status = 400): Error {
  return Object.assign(new Error(`${code} (fake)`), {
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

// EC2 answers lowercase states although the SDK's enums are capitalized (AWS-SHAPES.md).
const AVAILABLE_ENDPOINT = 'available' as State;
const AVAILABLE_SUBNET = 'available' as SubnetState;

export function subnet(id: string, az: string, vpcId = VPC, owner = OWN_ACCOUNT): Subnet {
  return {
    SubnetId: id,
    VpcId: vpcId,
    AvailabilityZone: az,
    AvailabilityZoneId: `use1-az${az.charCodeAt(az.length - 1) - 96}`,
    AvailableIpAddressCount: 250,
    CidrBlock: '10.0.0.0/24',
    State: AVAILABLE_SUBNET,
    OwnerId: owner,
    Tags: [],
  };
}

export function interfaceEndpoint(
  id: string,
  subnetIds: string[],
  vpcId = VPC,
  owner = OWN_ACCOUNT,
): VpcEndpoint {
  return {
    VpcEndpointId: id,
    VpcEndpointType: 'Interface',
    VpcId: vpcId,
    ServiceName: `com.amazonaws.${REGION}.ssm`,
    State: AVAILABLE_ENDPOINT,
    SubnetIds: subnetIds,
    RouteTableIds: [],
    OwnerId: owner,
    Tags: [],
  };
}

export function gatewayEndpoint(
  id: string,
  routeTableIds: string[],
  vpcId = VPC,
  owner = OWN_ACCOUNT,
): VpcEndpoint {
  return {
    VpcEndpointId: id,
    VpcEndpointType: 'Gateway',
    VpcId: vpcId,
    ServiceName: `com.amazonaws.${REGION}.s3`,
    State: AVAILABLE_ENDPOINT,
    SubnetIds: [],
    RouteTableIds: routeTableIds,
    OwnerId: owner,
    Tags: [],
  };
}

/** A private route table (local + NAT default route), explicitly associated or main. */
export function routeTable(
  id: string,
  association: { subnetIds?: string[]; main?: boolean },
  vpcId = VPC,
  owner = OWN_ACCOUNT,
): RouteTable {
  return {
    RouteTableId: id,
    VpcId: vpcId,
    OwnerId: owner,
    Routes: [
      {
        DestinationCidrBlock: '10.0.0.0/16',
        GatewayId: 'local',
        State: 'active',
        Origin: 'CreateRouteTable',
      },
      {
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: 'nat-0a000001',
        State: 'active',
        Origin: 'CreateRoute',
      },
    ],
    Associations: [
      ...(association.main
        ? [
            {
              Main: true,
              RouteTableAssociationId: `rtbassoc-${id.slice(4)}m`,
              RouteTableId: id,
              AssociationState: { State: 'associated' as const },
            },
          ]
        : []),
      ...(association.subnetIds ?? []).map((subnetId) => ({
        Main: false,
        RouteTableAssociationId: `rtbassoc-${subnetId.slice(7)}`,
        RouteTableId: id,
        SubnetId: subnetId,
        AssociationState: { State: 'associated' as const },
      })),
    ],
    Tags: [],
    PropagatingVgws: [],
  };
}

export interface Ec2State {
  endpoints: VpcEndpoint[];
  subnets: Subnet[];
  routeTables: RouteTable[];
  /** AZs per endpoint service name. */
  services: Record<string, string[]>;
}

/**
 * The default VPC of the scenario: subnets in us-east-1a and 1b; an SSM interface endpoint in
 * 1a only (NON_COMPLIANT); an S3 gateway endpoint on rtb-0b000001 (explicit, subnet 1a), not on
 * the main table rtb-0b000002, which subnet 1b uses implicitly (NON_COMPLIANT).
 */
export function defaultEc2State(): Ec2State {
  return {
    subnets: [subnet('subnet-0a000001', 'us-east-1a'), subnet('subnet-0a000002', 'us-east-1b')],
    endpoints: [
      interfaceEndpoint('vpce-0e000001', ['subnet-0a000001']),
      gatewayEndpoint('vpce-0e000002', ['rtb-0b000001']),
    ],
    routeTables: [
      routeTable('rtb-0b000001', { subnetIds: ['subnet-0a000001'] }),
      routeTable('rtb-0b000002', { main: true }),
    ],
    services: { [`com.amazonaws.${REGION}.ssm`]: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
  };
}

/** The member account's VPC: an SSM endpoint in both AZs of its two subnets (COMPLIANT). */
export function memberEc2State(): Pick<Ec2State, 'endpoints' | 'subnets' | 'routeTables'> {
  const vpc = 'vpc-0a000101';
  return {
    subnets: [
      subnet('subnet-0a000101', 'us-east-1a', vpc, MEMBER_ACCOUNT),
      subnet('subnet-0a000102', 'us-east-1b', vpc, MEMBER_ACCOUNT),
    ],
    endpoints: [
      interfaceEndpoint('vpce-0e000101', ['subnet-0a000101', 'subnet-0a000102'], vpc, MEMBER_ACCOUNT),
    ],
    routeTables: [routeTable('rtb-0b000101', { main: true }, vpc, MEMBER_ACCOUNT)],
  };
}

type Matcher<T> = Readonly<Record<string, (item: T) => readonly (string | undefined)[]>>;

function matches<T>(item: T, filters: readonly Filter[] | undefined, by: Matcher<T>): boolean {
  return (filters ?? []).every((filter) => {
    const read = filter.Name === undefined ? undefined : by[filter.Name];
    if (read === undefined) throw new Error(`the fake EC2 does not know the filter ${filter.Name}`);
    return read(item).some((value) => value !== undefined && (filter.Values ?? []).includes(value));
  });
}

/** Serves DescribeVpcEndpoints / Subnets / RouteTables / VpcEndpointServices from `state`. */
export function serveEc2(ec2: AwsClientStub<EC2Client>, state: Ec2State): void {
  ec2.on(DescribeVpcEndpointsCommand).callsFake((input: { Filters?: Filter[] }) => ({
    VpcEndpoints: state.endpoints.filter((item) =>
      matches(item, input.Filters, {
        'vpc-id': (e) => [e.VpcId],
        'vpc-endpoint-id': (e) => [e.VpcEndpointId],
      }),
    ),
  }));
  ec2.on(DescribeSubnetsCommand).callsFake((input: { Filters?: Filter[] }) => ({
    Subnets: state.subnets.filter((item) =>
      matches(item, input.Filters, { 'vpc-id': (s) => [s.VpcId], 'subnet-id': (s) => [s.SubnetId] }),
    ),
  }));
  ec2.on(DescribeRouteTablesCommand).callsFake((input: { Filters?: Filter[] }) => ({
    RouteTables: state.routeTables.filter((item) =>
      matches(item, input.Filters, {
        'vpc-id': (t) => [t.VpcId],
        'route-table-id': (t) => [t.RouteTableId],
        'association.subnet-id': (t) => (t.Associations ?? []).map((a) => a.SubnetId),
      }),
    ),
  }));
  ec2.on(DescribeVpcEndpointServicesCommand).callsFake((input: { ServiceNames?: string[] }) => ({
    ServiceDetails: (input.ServiceNames ?? [])
      .filter((name) => state.services[name] !== undefined)
      .map((name) => ({ ServiceName: name, AvailabilityZones: state.services[name] })),
  }));
}

export interface FakeBucket {
  /** Bucket-level Block Public Access; absent: none configured. */
  readonly publicAccessBlock?: PublicAccessBlockConfiguration;
  /** Policy JSON; absent: no policy. */
  readonly policy?: string;
  /** Grants besides the owner's FULL_CONTROL. */
  readonly grants?: Grant[];
  readonly tags?: Record<string, string>;
}

export interface S3State {
  buckets: Record<string, FakeBucket>;
  /** Account-level Block Public Access; absent: none configured. */
  account?: PublicAccessBlockConfiguration;
}

export const ALL_ON: PublicAccessBlockConfiguration = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/** Serves the S3 bucket reads, ListBuckets and the account Block Public Access from `state`. */
export function serveS3(
  s3: AwsClientStub<S3Client>,
  s3control: AwsClientStub<S3ControlClient>,
  state: S3State,
): void {
  const bucketOf = (name: string | undefined): FakeBucket => {
    const bucket = name === undefined ? undefined : state.buckets[name];
    if (bucket === undefined) throw awsError('NoSuchBucket', 404);
    return bucket;
  };
  s3.on(GetPublicAccessBlockCommand).callsFake((input: { Bucket?: string }) => {
    const { publicAccessBlock } = bucketOf(input.Bucket);
    if (publicAccessBlock === undefined) throw awsError('NoSuchPublicAccessBlockConfiguration', 404);
    return { PublicAccessBlockConfiguration: publicAccessBlock };
  });
  s3.on(GetBucketPolicyCommand).callsFake((input: { Bucket?: string }) => {
    const { policy } = bucketOf(input.Bucket);
    if (policy === undefined) throw awsError('NoSuchBucketPolicy', 404);
    return { Policy: policy };
  });
  s3.on(GetBucketAclCommand).callsFake((input: { Bucket?: string }) => ({
    Owner: { ID: OWNER_CANONICAL_ID },
    Grants: [
      { Grantee: { Type: 'CanonicalUser', ID: OWNER_CANONICAL_ID }, Permission: 'FULL_CONTROL' },
      ...(bucketOf(input.Bucket).grants ?? []),
    ],
  }));
  s3.on(GetBucketTaggingCommand).callsFake((input: { Bucket?: string }) => {
    const { tags } = bucketOf(input.Bucket);
    if (tags === undefined) throw awsError('NoSuchTagSet', 404);
    return { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
  });
  s3.on(ListBucketsCommand).callsFake(() => ({
    Buckets: Object.keys(state.buckets).map((Name) => ({ Name, BucketRegion: REGION })),
    Owner: { ID: OWNER_CANONICAL_ID },
  }));
  s3control.on(GetAccountPublicAccessBlockCommand).callsFake(() => {
    if (state.account === undefined) throw awsError('NoSuchPublicAccessBlockConfiguration', 404);
    return { PublicAccessBlockConfiguration: state.account };
  });
}

/** A Lambda context as the runtime passes it. */
export function lambdaContext(functionName: string, account = OWN_ACCOUNT) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${account}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2025/03/01/[$LATEST]abcdef0123456789',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
