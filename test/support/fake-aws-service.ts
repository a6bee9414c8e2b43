/**
 * A stateful fake of the EC2, S3 and S3 Control operations endpoint-guard reads and writes,
 * served *behind* the SDK middleware stack ({@link serveFake}), so the fault injector and the
 * SDK's retry strategy sit in front of it exactly as they would in front of AWS.
 *
 * Writes change the state (an added subnet is there on the next read) and are logged per
 * resource, so a test can count how many times a fix was really applied. EC2 refuses a second
 * subnet in a zone the endpoint already covers (`DuplicateSubnetsInSameZone`), as it does.
 *
 * @example
 * const aws = new FakeAwsService();
 * aws.addInterfaceEndpointVpc({ index: 1, accountId: '222233334444' }); // vpce-00000001 in one AZ of two
 * const { ec2, s3, s3control } = aws.clients({ faults, credentials });
 * aws.writesTo('vpce-00000001'); // ['ModifyVpcEndpoint'] once fixed
 */
import {
  EC2Client,
  type Filter,
  type RouteTable,
  type State,
  type Subnet,
  type SubnetState,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { type PublicAccessBlockConfiguration, S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { awsServiceError, type FaultInjector, fastRetries, serveFake } from './faults';

export const FAKE_REGION = 'eu-west-1';
const OWNER_CANONICAL_ID = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
// EC2 answers lowercase states although the SDK's enums are capitalized (AWS-SHAPES.md).
const AVAILABLE_ENDPOINT = 'available' as State;
const AVAILABLE_SUBNET = 'available' as SubnetState;

export interface FakeBucket {
  publicAccessBlock?: PublicAccessBlockConfiguration;
  policy?: string;
  tags?: Record<string, string>;
}

/** One write the fake accepted (or refused: `refused` set). */
export interface FakeWrite {
  readonly operation: string;
  readonly resource: string;
  readonly input: unknown;
  readonly refused?: string;
}

type Matcher<T> = Readonly<Record<string, (item: T) => readonly (string | undefined)[]>>;

function matches<T>(item: T, filters: readonly Filter[] | undefined, by: Matcher<T>): boolean {
  return (filters ?? []).every((filter) => {
    const read = filter.Name === undefined ? undefined : by[filter.Name];
    if (read === undefined) throw new Error(`the fake EC2 does not know the filter ${filter.Name}`);
    return read(item).some((value) => value !== undefined && (filter.Values ?? []).includes(value));
  });
}

function pad(index: number): string {
  return String(index).padStart(8, '0');
}

/** The fake's state and the clients that reach it. */
export class FakeAwsService {
  readonly endpoints = new Map<string, VpcEndpoint>();
  readonly subnets = new Map<string, Subnet>();
  readonly routeTables = new Map<string, RouteTable>();
  /** AZs per endpoint service name. */
  readonly services = new Map<string, string[]>();
  readonly buckets = new Map<string, FakeBucket>();
  /** Account-level Block Public Access by account id; absent: none. */
  readonly accountBlocks = new Map<string, PublicAccessBlockConfiguration>();
  readonly writes: FakeWrite[] = [];
  /** Resources whose writes always fail with a 503 (an outage that outlasts every retry). */
  readonly brokenResources = new Set<string>();

  /**
   * A VPC with subnets in two AZs and an interface endpoint in the first only: NON_COMPLIANT,
   * fixed by adding the second subnet. Returns the endpoint id.
   */
  addInterfaceEndpointVpc(options: { index: number; accountId: string }): string {
    const id = pad(options.index);
    const vpcId = `vpc-${id}`;
    const service = `com.amazonaws.${FAKE_REGION}.ssm`;
    for (const zone of ['a', 'b']) {
      const subnetId = `subnet-${id}${zone}`;
      this.subnets.set(subnetId, {
        SubnetId: subnetId,
        VpcId: vpcId,
        AvailabilityZone: `${FAKE_REGION}${zone}`,
        AvailableIpAddressCount: 250,
        CidrBlock: zone === 'a' ? '10.0.0.0/24' : '10.0.1.0/24',
        State: AVAILABLE_SUBNET,
        OwnerId: options.accountId,
        Tags: [],
      });
    }
    this.routeTables.set(`rtb-${id}m`, {
      RouteTableId: `rtb-${id}m`,
      VpcId: vpcId,
      OwnerId: options.accountId,
      Routes: [
        {
          DestinationCidrBlock: '10.0.0.0/16',
          GatewayId: 'local',
          State: 'active',
          Origin: 'CreateRouteTable',
        },
      ],
      Associations: [
        {
          Main: true,
          RouteTableAssociationId: `rtbassoc-${id}m`,
          RouteTableId: `rtb-${id}m`,
          AssociationState: { State: 'associated' },
        },
      ],
      Tags: [],
      PropagatingVgws: [],
    });
    this.services.set(service, [`${FAKE_REGION}a`, `${FAKE_REGION}b`]);
    const endpointId = `vpce-${id}`;
    this.endpoints.set(endpointId, {
      VpcEndpointId: endpointId,
      VpcEndpointType: 'Interface',
      VpcId: vpcId,
      ServiceName: service,
      State: AVAILABLE_ENDPOINT,
      SubnetIds: [`subnet-${id}a`],
      RouteTableIds: [],
      OwnerId: options.accountId,
      Tags: [],
    });
    return endpointId;
  }

  /**
   * A VPC with a private route table explicitly associated with a subnet, and no S3 gateway
   * endpoint: NON_COMPLIANT, and with `allowCreateEndpoint` off only a ticket can fix it.
   * Returns the route table id.
   */
  addRouteTableWithoutEndpoint(options: { index: number; accountId: string }): string {
    const id = pad(options.index);
    const vpcId = `vpc-r${id}`;
    const subnetId = `subnet-r${id}`;
    this.subnets.set(subnetId, {
      SubnetId: subnetId,
      VpcId: vpcId,
      AvailabilityZone: `${FAKE_REGION}a`,
      AvailableIpAddressCount: 250,
      CidrBlock: '10.1.0.0/24',
      State: AVAILABLE_SUBNET,
      OwnerId: options.accountId,
      Tags: [],
    });
    const tableId = `rtb-r${id}`;
    this.routeTables.set(tableId, {
      RouteTableId: tableId,
      VpcId: vpcId,
      OwnerId: options.accountId,
      Routes: [
        {
          DestinationCidrBlock: '10.1.0.0/16',
          GatewayId: 'local',
          State: 'active',
          Origin: 'CreateRouteTable',
        },
        {
          DestinationCidrBlock: '0.0.0.0/0',
          NatGatewayId: `nat-${id}`,
          State: 'active',
          Origin: 'CreateRoute',
        },
      ],
      Associations: [
        {
          Main: false,
          RouteTableAssociationId: `rtbassoc-r${id}`,
          RouteTableId: tableId,
          SubnetId: subnetId,
          AssociationState: { State: 'associated' },
        },
      ],
      Tags: [],
      PropagatingVgws: [],
    });
    return tableId;
  }

  /** A bucket with no Block Public Access and a public-read policy: NON_COMPLIANT (CRITICAL). */
  addPublicBucket(options: { index: number }): string {
    const name = `eg-fault-bucket-${pad(options.index)}`;
    this.buckets.set(name, {
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/*` },
        ],
      }),
    });
    return name;
  }

  /** The operations of the writes accepted for a resource (refused ones excluded). */
  writesTo(resource: string): string[] {
    return this.writes
      .filter((write) => write.resource === resource && !write.refused)
      .map((w) => w.operation);
  }

  /** Accepted writes per resource. */
  writeCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const write of this.writes) {
      if (!write.refused) counts.set(write.resource, (counts.get(write.resource) ?? 0) + 1);
    }
    return counts;
  }

  /**
   * EC2, S3 and S3 Control clients answered by this fake, with the SDK's standard retry strategy
   * (tiny backoff) and, when given, the fault injector in front of the fake.
   */
  clients(options: {
    readonly faults?: FaultInjector;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
    readonly maxAttempts?: number;
  }): { ec2: EC2Client; s3: S3Client; s3control: S3ControlClient } {
    const config = {
      region: FAKE_REGION,
      credentials: options.credentials,
      retryStrategy: fastRetries(options.maxAttempts ?? 5),
    };
    const ec2 = new EC2Client(config);
    const s3 = new S3Client(config);
    const s3control = new S3ControlClient(config);
    options.faults?.attach(ec2, 'ec2');
    options.faults?.attach(s3, 's3');
    options.faults?.attach(s3control, 's3control');
    this.serveEc2(ec2);
    this.serveS3(s3, s3control);
    return { ec2, s3, s3control };
  }

  private write(operation: string, resource: string, input: unknown, apply: () => void): void {
    if (this.brokenResources.has(resource)) {
      throw awsServiceError(
        'ServiceUnavailable',
        503,
        `${operation} on ${resource}: service unavailable (fake outage)`,
      );
    }
    try {
      apply();
      this.writes.push({ operation, resource, input });
    } catch (error) {
      this.writes.push({
        operation,
        resource,
        input,
        refused: error instanceof Error ? error.name : String(error),
      });
      throw error;
    }
  }

  private serveEc2(ec2: EC2Client): void {
    serveFake(ec2, 'ec2', {
      DescribeVpcEndpoints: (input: { Filters?: Filter[] }) => ({
        VpcEndpoints: [...this.endpoints.values()]
          .filter((item) =>
            matches(item, input.Filters, {
              'vpc-id': (e) => [e.VpcId],
              'vpc-endpoint-id': (e) => [e.VpcEndpointId],
              'service-name': (e) => [e.ServiceName],
              'vpc-endpoint-type': (e) => [e.VpcEndpointType],
            }),
          )
          .map((endpoint) => structuredClone(endpoint)),
      }),
      DescribeSubnets: (input: { Filters?: Filter[] }) => ({
        Subnets: [...this.subnets.values()]
          .filter((item) =>
            matches(item, input.Filters, { 'vpc-id': (s) => [s.VpcId], 'subnet-id': (s) => [s.SubnetId] }),
          )
          .map((subnet) => structuredClone(subnet)),
      }),
      DescribeRouteTables: (input: { Filters?: Filter[] }) => ({
        RouteTables: [...this.routeTables.values()]
          .filter((item) =>
            matches(item, input.Filters, {
              'vpc-id': (t) => [t.VpcId],
              'route-table-id': (t) => [t.RouteTableId],
              'association.subnet-id': (t) => (t.Associations ?? []).map((a) => a.SubnetId),
            }),
          )
          .map((table) => structuredClone(table)),
      }),
      DescribeVpcEndpointServices: (input: { ServiceNames?: string[] }) => ({
        ServiceDetails: (input.ServiceNames ?? [])
          .filter((name) => this.services.has(name))
          .map((name) => ({ ServiceName: name, AvailabilityZones: [...(this.services.get(name) ?? [])] })),
      }),
      ModifyVpcEndpoint: (input: {
        VpcEndpointId: string;
        AddSubnetIds?: string[];
        AddRouteTableIds?: string[];
      }) => {
        this.write('ModifyVpcEndpoint', input.VpcEndpointId, input, () => {
          const endpoint = this.endpoints.get(input.VpcEndpointId);
          if (!endpoint) throw awsServiceError('InvalidVpcEndpointId.NotFound', 400);
          const zones = new Set(
            (endpoint.SubnetIds ?? []).map((id) => this.subnets.get(id)?.AvailabilityZone),
          );
          for (const subnetId of input.AddSubnetIds ?? []) {
            const zone = this.subnets.get(subnetId)?.AvailabilityZone;
            if (zones.has(zone)) throw awsServiceError('DuplicateSubnetsInSameZone', 400);
            zones.add(zone);
          }
          endpoint.SubnetIds = [...(endpoint.SubnetIds ?? []), ...(input.AddSubnetIds ?? [])];
          endpoint.RouteTableIds = [...(endpoint.RouteTableIds ?? []), ...(input.AddRouteTableIds ?? [])];
        });
        return { Return: true };
      },
    });
  }

  private serveS3(s3: S3Client, s3control: S3ControlClient): void {
    const bucketOf = (name: string | undefined): FakeBucket => {
      const bucket = name === undefined ? undefined : this.buckets.get(name);
      if (bucket === undefined) throw awsServiceError('NoSuchBucket', 404);
      return bucket;
    };
    serveFake(s3, 's3', {
      GetPublicAccessBlock: (input: { Bucket?: string }) => {
        const { publicAccessBlock } = bucketOf(input.Bucket);
        if (publicAccessBlock === undefined)
          throw awsServiceError('NoSuchPublicAccessBlockConfiguration', 404);
        return { PublicAccessBlockConfiguration: { ...publicAccessBlock } };
      },
      GetBucketPolicy: (input: { Bucket?: string }) => {
        const { policy } = bucketOf(input.Bucket);
        if (policy === undefined) throw awsServiceError('NoSuchBucketPolicy', 404);
        return { Policy: policy };
      },
      GetBucketAcl: (input: { Bucket?: string }) => {
        bucketOf(input.Bucket);
        return {
          Owner: { ID: OWNER_CANONICAL_ID },
          Grants: [
            { Grantee: { Type: 'CanonicalUser', ID: OWNER_CANONICAL_ID }, Permission: 'FULL_CONTROL' },
          ],
        };
      },
      GetBucketTagging: (input: { Bucket?: string }) => {
        const { tags } = bucketOf(input.Bucket);
        if (tags === undefined) throw awsServiceError('NoSuchTagSet', 404);
        return { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
      },
      PutPublicAccessBlock: (input: {
        Bucket: string;
        PublicAccessBlockConfiguration: PublicAccessBlockConfiguration;
      }) => {
        this.write('PutPublicAccessBlock', input.Bucket, input, () => {
          bucketOf(input.Bucket).publicAccessBlock = { ...input.PublicAccessBlockConfiguration };
        });
        return {};
      },
    });
    serveFake(s3control, 's3control', {
      GetPublicAccessBlock: (input: { AccountId?: string }) => {
        const block = input.AccountId === undefined ? undefined : this.accountBlocks.get(input.AccountId);
        if (block === undefined) throw awsServiceError('NoSuchPublicAccessBlockConfiguration', 404);
        return { PublicAccessBlockConfiguration: { ...block } };
      },
    });
  }
}
