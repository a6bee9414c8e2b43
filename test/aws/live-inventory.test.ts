/**
 * LiveInventoryReader and evaluateLive end to end over mocked EC2 / S3 / S3 Control: the exact
 * Describe calls a scope makes, the call counts, missing ids, and the verdicts the rules give.
 */
import {
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  NoSuchBucket,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { evaluateLive, LiveInventoryReader } from '../../shared/aws/live-inventory';
import {
  ACCOUNT,
  awsError,
  REGION,
  sdkGatewayEndpoint,
  sdkInterfaceEndpoint,
  sdkRouteTable,
  sdkSubnet,
  VPC,
} from './sdk-shapes';

const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);

const SSM = `com.amazonaws.${REGION}.ssm`;
const ENDPOINT = 'vpce-0e000001';
const S3_ENDPOINT = 'vpce-0e0000s3';
const byVpc = { Filters: [{ Name: 'vpc-id', Values: [VPC] }] };

function reader(): LiveInventoryReader {
  return new LiveInventoryReader({
    accountId: ACCOUNT,
    region: REGION,
    ec2: new EC2Client({ region: REGION }),
    s3: new S3Client({ region: REGION }),
    s3control: new S3ControlClient({ region: REGION }),
  });
}

/**
 * One VPC with private subnets in three AZs sharing one route table (associated with the S3
 * gateway endpoint), a public table, and an SSM interface endpoint in 1a and 1b only.
 */
function mockVpc(serviceZones: string[]): void {
  ec2
    .on(DescribeVpcEndpointsCommand, { Filters: [{ Name: 'vpc-endpoint-id', Values: [ENDPOINT] }] })
    .resolves({
      VpcEndpoints: [sdkInterfaceEndpoint(ENDPOINT, ['subnet-a', 'subnet-b'])],
    });
  ec2.on(DescribeVpcEndpointsCommand, byVpc).resolves({
    VpcEndpoints: [
      sdkInterfaceEndpoint(ENDPOINT, ['subnet-a', 'subnet-b']),
      sdkGatewayEndpoint(S3_ENDPOINT, ['rtb-private']),
    ],
  });
  ec2.on(DescribeSubnetsCommand, byVpc).resolves({
    Subnets: [
      sdkSubnet('subnet-a', 'us-east-1a'),
      sdkSubnet('subnet-b', 'us-east-1b'),
      sdkSubnet('subnet-c', 'us-east-1c'),
      sdkSubnet('subnet-pub', 'us-east-1a'),
    ],
  });
  ec2.on(DescribeRouteTablesCommand, byVpc).resolves({
    RouteTables: [
      sdkRouteTable('rtb-private', ['subnet-a', 'subnet-b', 'subnet-c'], {
        routes: [{ DestinationPrefixListId: 'pl-63a5400a', GatewayId: S3_ENDPOINT, State: 'active' }],
      }),
      sdkRouteTable('rtb-public', ['subnet-pub'], {
        main: true,
        routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0a000001', State: 'active' }],
      }),
    ],
  });
  ec2.on(DescribeVpcEndpointServicesCommand).resolves({
    ServiceNames: [SSM],
    ServiceDetails: [{ ServiceName: SSM, AvailabilityZones: serviceZones }],
  });
}

describe('LiveInventoryReader', () => {
  beforeEach(() => {
    ec2.reset();
    s3.reset();
    s3control.reset();
  });

  describe('an endpoint scope', () => {
    it('resolves the endpoint to its VPC, reads the whole VPC with server-side filters, and finds the missing AZ', async () => {
      // Prepare
      mockVpc(['us-east-1a', 'us-east-1b', 'us-east-1c']);

      // Act
      const { evaluations, missing, calls } = await evaluateLive(reader(), { endpointIds: [ENDPOINT] }, [
        'interface-endpoint-multi-az',
      ]);

      // Assess: exactly these five calls
      expect(ec2).toHaveReceivedCommandTimes(DescribeVpcEndpointsCommand, 2);
      expect(ec2).toHaveReceivedNthCommandWith(DescribeVpcEndpointsCommand, 1, {
        Filters: [{ Name: 'vpc-endpoint-id', Values: [ENDPOINT] }],
      });
      expect(ec2).toHaveReceivedNthCommandWith(DescribeVpcEndpointsCommand, 2, byVpc);
      expect(ec2).toHaveReceivedCommandExactlyOnceWith(DescribeSubnetsCommand, byVpc);
      expect(ec2).toHaveReceivedCommandExactlyOnceWith(DescribeRouteTablesCommand, byVpc);
      expect(ec2).toHaveReceivedCommandExactlyOnceWith(DescribeVpcEndpointServicesCommand, {
        ServiceNames: [SSM],
      });
      expect(s3).not.toHaveReceivedAnyCommand();
      expect(s3control).not.toHaveReceivedAnyCommand();
      expect(calls).toEqual({
        DescribeVpcEndpoints: 2,
        DescribeSubnets: 1,
        DescribeRouteTables: 1,
        DescribeVpcEndpointServices: 1,
      });
      expect(missing).toEqual([]);

      // Assess: the verdicts
      expect(evaluations.map((e) => [e.resourceId, e.status])).toEqual([
        [ENDPOINT, 'NON_COMPLIANT'],
        [S3_ENDPOINT, 'NOT_APPLICABLE'],
      ]);
      const [endpoint] = evaluations;
      expect(endpoint?.reason).toBe(
        `endpoint has subnets in 2 AZs (us-east-1a, us-east-1b); its VPC ${VPC} uses 3 AZs (us-east-1a, us-east-1b, us-east-1c); missing us-east-1c`,
      );
      expect(endpoint?.evidence).toMatchObject({
        serviceAvailabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
        missingAvailabilityZones: ['us-east-1c'],
      });
      expect(endpoint?.remediation).toMatchObject({
        kind: 'fix',
        actions: [
          {
            service: 'ec2',
            action: 'ModifyVpcEndpoint',
            parameters: { VpcEndpointId: ENDPOINT, AddSubnetIds: ['subnet-c'] },
          },
        ],
      });
    });

    it('requires only the AZs the service is offered in', async () => {
      // The VPC has 1a, 1b and 1c, but the service is offered in 1a and 1b only.
      mockVpc(['us-east-1a', 'us-east-1b']);

      const { evaluations } = await evaluateLive(reader(), { endpointIds: [ENDPOINT] }, [
        'interface-endpoint-multi-az',
      ]);

      expect(evaluations.find((e) => e.resourceId === ENDPOINT)).toMatchObject({
        status: 'COMPLIANT',
        reason: `subnets in 2 AZs (us-east-1a, us-east-1b) cover every AZ of ${VPC}`,
      });
    });

    it('evaluates every endpoint and route table of the VPC with all rules', async () => {
      mockVpc(['us-east-1a', 'us-east-1b', 'us-east-1c']);

      const { evaluations } = await evaluateLive(reader(), { endpointIds: [ENDPOINT] });

      expect(evaluations.map((e) => [e.ruleId, e.resourceId, e.status])).toEqual([
        ['gateway-endpoint-routes', 'rtb-private', 'COMPLIANT'],
        ['gateway-endpoint-routes', 'rtb-public', 'NOT_APPLICABLE'],
        ['interface-endpoint-multi-az', ENDPOINT, 'NON_COMPLIANT'],
        ['interface-endpoint-multi-az', S3_ENDPOINT, 'NOT_APPLICABLE'],
      ]);
    });

    it('reports an endpoint that no longer exists as missing, after one call', async () => {
      ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });

      const result = await evaluateLive(reader(), { endpointIds: ['vpce-gone'] });

      expect(result).toEqual({ evaluations: [], missing: ['vpce-gone'], calls: { DescribeVpcEndpoints: 1 } });
      expect(ec2).toHaveReceivedCommandTimes(DescribeVpcEndpointsCommand, 1);
      expect(ec2).not.toHaveReceivedCommand(DescribeSubnetsCommand);
    });
  });

  it('resolves a subnet to its VPC before reading the VPC', async () => {
    mockVpc(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    ec2
      .on(DescribeSubnetsCommand, { Filters: [{ Name: 'subnet-id', Values: ['subnet-c', 'subnet-gone'] }] })
      .resolves({ Subnets: [sdkSubnet('subnet-c', 'us-east-1c')] });

    const { inventory, missing, calls } = await reader().load({ subnetIds: ['subnet-c', 'subnet-gone'] });

    expect(ec2).toHaveReceivedNthCommandWith(DescribeSubnetsCommand, 1, {
      Filters: [{ Name: 'subnet-id', Values: ['subnet-c', 'subnet-gone'] }],
    });
    expect(ec2).toHaveReceivedNthCommandWith(DescribeSubnetsCommand, 2, byVpc);
    expect(missing).toEqual(['subnet-gone']);
    expect(inventory.subnetsOfVpc(VPC).map((s) => s.resourceId)).toEqual([
      'subnet-a',
      'subnet-b',
      'subnet-c',
      'subnet-pub',
    ]);
    expect(inventory.serviceAvailabilityZones(REGION, SSM)).toEqual([
      'us-east-1a',
      'us-east-1b',
      'us-east-1c',
    ]);
    expect(calls).toEqual({
      DescribeSubnets: 2,
      DescribeVpcEndpoints: 1,
      DescribeRouteTables: 1,
      DescribeVpcEndpointServices: 1,
    });
  });

  it('reads a VPC id directly, and reports a VPC with nothing in it as missing', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });

    const { missing, calls } = await reader().load({ vpcIds: ['vpc-gone'] });

    expect(missing).toEqual(['vpc-gone']);
    expect(calls).toEqual({ DescribeVpcEndpoints: 1, DescribeSubnets: 1, DescribeRouteTables: 1 });
    expect(ec2).toHaveReceivedCommandWith(DescribeSubnetsCommand, {
      Filters: [{ Name: 'vpc-id', Values: ['vpc-gone'] }],
    });
  });

  it('reads the whole region without filters for allVpcs', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [sdkSubnet('subnet-a', 'us-east-1a')] });
    ec2
      .on(DescribeRouteTablesCommand)
      .resolves({ RouteTables: [sdkRouteTable('rtb-main', [], { main: true })] });

    const { evaluations, calls } = await evaluateLive(reader(), { allVpcs: true });

    for (const command of [DescribeVpcEndpointsCommand, DescribeSubnetsCommand, DescribeRouteTablesCommand]) {
      expect(ec2.commandCalls(command).map((call) => call.args[0].input)).toEqual([{}]);
    }
    expect(calls).toEqual({ DescribeVpcEndpoints: 1, DescribeSubnets: 1, DescribeRouteTables: 1 });
    // The main table serves subnet-a implicitly, and the VPC has no S3 gateway endpoint.
    expect(evaluations.map((e) => [e.resourceId, e.status, e.reason])).toEqual([
      [
        'rtb-main',
        'NON_COMPLIANT',
        `private route table (used by subnet-a as main table): ${VPC} has no S3 gateway endpoint`,
      ],
    ]);
  });

  describe('a bucket scope', () => {
    it('reads the buckets and the account setting, and reports a deleted bucket as missing', async () => {
      // Prepare: "public-site" grants READ to AllUsers; the account blocks nothing
      s3.on(GetPublicAccessBlockCommand).rejects(
        awsError('NoSuchPublicAccessBlockConfiguration', 'none', 404),
      );
      s3.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucketPolicy', 'none', 404));
      s3.on(GetBucketAclCommand).resolves({
        Grants: [
          {
            Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
            Permission: 'READ',
          },
        ],
      });
      s3.on(GetBucketTaggingCommand).rejects(awsError('NoSuchTagSet', 'none', 404));
      const gone = new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: {} });
      s3.on(GetPublicAccessBlockCommand, { Bucket: 'deleted-bucket' }).rejects(gone);
      s3.on(GetBucketPolicyCommand, { Bucket: 'deleted-bucket' }).rejects(gone);
      s3.on(GetBucketAclCommand, { Bucket: 'deleted-bucket' }).rejects(gone);
      s3.on(GetBucketTaggingCommand, { Bucket: 'deleted-bucket' }).rejects(gone);
      s3control
        .on(GetAccountPublicAccessBlockCommand)
        .rejects(awsError('NoSuchPublicAccessBlockConfiguration', 'none', 404));

      // Act
      const { evaluations, missing, calls } = await evaluateLive(reader(), {
        bucketNames: ['public-site', 'deleted-bucket'],
      });

      // Assess
      expect(missing).toEqual(['deleted-bucket']);
      expect(calls).toEqual({
        GetPublicAccessBlock: 2,
        GetBucketPolicy: 2,
        GetBucketAcl: 2,
        GetBucketTagging: 2,
        GetAccountPublicAccessBlock: 1,
      });
      expect(s3control).toHaveReceivedCommandExactlyOnceWith(GetAccountPublicAccessBlockCommand, {
        AccountId: ACCOUNT,
      });
      expect(ec2).not.toHaveReceivedAnyCommand();
      expect(evaluations).toHaveLength(1);
      expect(evaluations[0]).toMatchObject({
        ruleId: 's3-bucket-public-access',
        resourceId: 'public-site',
        status: 'NON_COMPLIANT',
        severity: 'CRITICAL',
        reason:
          'bucket is public now (ACL grants Read to AllUsers); Block Public Access off: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets',
      });
    });

    it('lists the region for allBuckets, and skips the account setting when there is no bucket', async () => {
      s3.on(ListBucketsCommand).resolves({ Buckets: [] });

      const { evaluations, calls } = await evaluateLive(reader(), { allBuckets: true });

      expect(s3).toHaveReceivedCommandExactlyOnceWith(ListBucketsCommand, { BucketRegion: REGION });
      expect(s3control).not.toHaveReceivedAnyCommand();
      expect(calls).toEqual({ ListBuckets: 1 });
      expect(evaluations).toEqual([]);
    });

    it('reads the account setting when asked even without a bucket', async () => {
      s3control.on(GetAccountPublicAccessBlockCommand).resolves({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      });

      const { inventory, calls } = await reader().load({ accountPublicAccessBlock: true });

      expect(calls).toEqual({ GetAccountPublicAccessBlock: 1 });
      expect(inventory.accountPublicAccessBlock(ACCOUNT)?.configuration.restrictPublicBuckets).toBe(true);
    });
  });
});

describe('evaluateLive', () => {
  it('keeps only the buckets asked for', async () => {
    // Prepare: a reader double whose inventory holds more than the scope
    const fake = {
      load: async () => {
        const { Inventory } = await import('../../shared/inventory/inventory');
        const bucket = (name: string) => ({
          resourceType: 'AWS::S3::Bucket' as const,
          resourceId: name,
          accountId: ACCOUNT,
          region: REGION,
          arn: `arn:aws:s3:::${name}`,
          itemStatus: 'OK',
          tags: {},
          name,
          publicAccessBlock: {
            blockPublicAcls: true,
            ignorePublicAcls: true,
            blockPublicPolicy: true,
            restrictPublicBuckets: true,
          },
          aclGrants: [],
        });
        return {
          inventory: Inventory.from([bucket('wanted'), bucket('other')]),
          missing: [],
          calls: { GetBucketAcl: 2 },
        };
      },
    };

    const result = await evaluateLive(fake, { bucketNames: ['wanted'] });

    expect(result.evaluations.map((e) => [e.resourceId, e.status])).toEqual([['wanted', 'COMPLIANT']]);
    expect(result.calls).toEqual({ GetBucketAcl: 2 });
  });
});
