/**
 * Ec2Reader: server-side filters, pagination followed, SDK shapes mapped into the model,
 * not-found answers as absence, and service AZs with the InvalidServiceName fallback.
 */
import {
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2Reader } from '../../shared/aws/ec2-reader';
import {
  ACCOUNT,
  awsError,
  pagesByToken,
  REGION,
  sdkGatewayEndpoint,
  sdkInterfaceEndpoint,
  sdkRouteTable,
  sdkSubnet,
  VPC,
} from './sdk-shapes';

const ec2 = mockClient(EC2Client);
const NOW = new Date('2025-03-01T12:00:00.000Z');

function reader(calls?: string[]): Ec2Reader {
  return new Ec2Reader(new EC2Client({ region: REGION }), {
    accountId: ACCOUNT,
    region: REGION,
    now: () => NOW,
    ...(calls ? { onCall: (api: string) => calls.push(api) } : {}),
  });
}

describe('Ec2Reader', () => {
  beforeEach(() => {
    ec2.reset();
  });

  describe('endpoints', () => {
    it('filters by vpc-id server-side and maps the endpoint into the model', async () => {
      // Prepare
      ec2.on(DescribeVpcEndpointsCommand).resolves({
        VpcEndpoints: [
          sdkInterfaceEndpoint('vpce-0e000001', ['subnet-a', 'subnet-b'], {
            Tags: [
              { Key: 'Name', Value: 'ssm' },
              { Key: 'endpoint-guard:exempt', Value: 'lab' },
            ],
          }),
        ],
      });

      // Act
      const endpoints = await reader().endpoints({ vpcIds: [VPC] });

      // Assess
      expect(ec2).toHaveReceivedCommandExactlyOnceWith(DescribeVpcEndpointsCommand, {
        Filters: [{ Name: 'vpc-id', Values: [VPC] }],
      });
      expect(endpoints).toEqual([
        {
          resourceType: 'AWS::EC2::VPCEndpoint',
          resourceId: 'vpce-0e000001',
          accountId: ACCOUNT,
          region: REGION,
          arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/vpce-0e000001`,
          itemStatus: 'OK',
          tags: { Name: 'ssm', 'endpoint-guard:exempt': 'lab' },
          capturedAt: NOW.toISOString(),
          vpcId: VPC,
          endpointType: 'Interface',
          serviceName: `com.amazonaws.${REGION}.ssm`,
          state: 'available',
          subnetIds: ['subnet-a', 'subnet-b'],
          routeTableIds: [],
        },
      ]);
    });

    it('follows NextToken through every page', async () => {
      // Prepare
      const paged = pagesByToken({
        '': { VpcEndpoints: [sdkInterfaceEndpoint('vpce-1', [])], NextToken: 'page-2' },
        'page-2': { VpcEndpoints: [sdkGatewayEndpoint('vpce-2', ['rtb-1'])], NextToken: 'page-3' },
        'page-3': { VpcEndpoints: [sdkInterfaceEndpoint('vpce-3', [])] },
      });
      ec2.on(DescribeVpcEndpointsCommand).callsFake(paged.fake);
      const calls: string[] = [];

      // Act
      const endpoints = await reader(calls).endpoints({ endpointIds: ['vpce-1', 'vpce-2', 'vpce-3'] });

      // Assess
      expect(endpoints.map((e) => e.resourceId)).toEqual(['vpce-1', 'vpce-2', 'vpce-3']);
      expect(paged.tokens).toEqual([undefined, 'page-2', 'page-3']);
      expect(ec2).toHaveReceivedCommandTimes(DescribeVpcEndpointsCommand, 3);
      expect(ec2).toHaveReceivedCommandWith(DescribeVpcEndpointsCommand, {
        Filters: [{ Name: 'vpc-endpoint-id', Values: ['vpce-1', 'vpce-2', 'vpce-3'] }],
      });
      expect(calls).toEqual(['DescribeVpcEndpoints', 'DescribeVpcEndpoints', 'DescribeVpcEndpoints']);
    });

    it('reads the whole region when the query has no filter', async () => {
      ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });

      await reader().endpoints();

      expect(ec2.commandCalls(DescribeVpcEndpointsCommand)[0]?.args[0].input).toEqual({});
    });

    it('makes no call for an empty id list: it matches nothing', async () => {
      expect(await reader().endpoints({ endpointIds: [] })).toEqual([]);
      expect(ec2).not.toHaveReceivedAnyCommand();
    });

    it('treats InvalidVpcEndpointId.NotFound as absence', async () => {
      ec2
        .on(DescribeVpcEndpointsCommand)
        .rejects(awsError('InvalidVpcEndpointId.NotFound', "The Vpc Endpoint Id 'vpce-gone' does not exist"));

      expect(await reader().endpoints({ endpointIds: ['vpce-gone'] })).toEqual([]);
    });

    it('lets other errors through', async () => {
      ec2.on(DescribeVpcEndpointsCommand).rejects(awsError('UnauthorizedOperation', 'not authorized', 403));

      await expect(reader().endpoints({ vpcIds: [VPC] })).rejects.toThrow('not authorized');
    });

    it('splits more than 200 filter values over several requests', async () => {
      ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
      const ids = Array.from({ length: 450 }, (_, i) => `vpce-${i}`);

      await reader().endpoints({ endpointIds: ids });

      const sent = ec2.commandCalls(DescribeVpcEndpointsCommand).map((call) => call.args[0].input.Filters);
      expect(sent).toEqual([
        [{ Name: 'vpc-endpoint-id', Values: ids.slice(0, 200) }],
        [{ Name: 'vpc-endpoint-id', Values: ids.slice(200, 400) }],
        [{ Name: 'vpc-endpoint-id', Values: ids.slice(400) }],
      ]);
    });
  });

  describe('subnets', () => {
    it('filters by subnet-id and maps AZ, AZ id, free addresses, state and owner', async () => {
      // Prepare: a subnet shared from another account (RAM) keeps its owner's account
      ec2.on(DescribeSubnetsCommand).resolves({
        Subnets: [
          sdkSubnet('subnet-a', 'us-east-1a', { Tags: [{ Key: 'Name', Value: 'app-private-a' }] }),
          sdkSubnet('subnet-b', 'us-east-1b', { OwnerId: '999988887777', AvailableIpAddressCount: 0 }),
        ],
      });

      // Act
      const subnets = await reader().subnets({ subnetIds: ['subnet-a', 'subnet-b'] });

      // Assess
      expect(ec2).toHaveReceivedCommandExactlyOnceWith(DescribeSubnetsCommand, {
        Filters: [{ Name: 'subnet-id', Values: ['subnet-a', 'subnet-b'] }],
      });
      expect(subnets).toEqual([
        {
          resourceType: 'AWS::EC2::Subnet',
          resourceId: 'subnet-a',
          accountId: ACCOUNT,
          region: REGION,
          arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-a`,
          itemStatus: 'OK',
          tags: { Name: 'app-private-a' },
          capturedAt: NOW.toISOString(),
          vpcId: VPC,
          availabilityZone: 'us-east-1a',
          availabilityZoneId: 'use1-az1',
          availableIpAddressCount: 250,
          state: 'available',
        },
        {
          resourceType: 'AWS::EC2::Subnet',
          resourceId: 'subnet-b',
          accountId: '999988887777',
          region: REGION,
          arn: `arn:aws:ec2:${REGION}:999988887777:subnet/subnet-b`,
          itemStatus: 'OK',
          tags: {},
          capturedAt: NOW.toISOString(),
          vpcId: VPC,
          availabilityZone: 'us-east-1b',
          availabilityZoneId: 'use1-az2',
          availableIpAddressCount: 0,
          state: 'available',
        },
      ]);
    });

    it('treats InvalidSubnetID.NotFound as absence', async () => {
      ec2.on(DescribeSubnetsCommand).rejects(awsError('InvalidSubnetID.NotFound'));

      expect(await reader().subnets({ subnetIds: ['subnet-gone'] })).toEqual([]);
    });
  });

  describe('routeTables', () => {
    it('sends every filter given and maps routes and associations', async () => {
      // Prepare
      ec2.on(DescribeRouteTablesCommand).resolves({
        RouteTables: [
          sdkRouteTable('rtb-1', ['subnet-a'], {
            main: true,
            routes: [
              {
                DestinationPrefixListId: 'pl-63a5400a',
                GatewayId: 'vpce-s3',
                Origin: 'CreateRoute',
                State: 'active',
              },
              {
                DestinationCidrBlock: '0.0.0.0/0',
                NatGatewayId: 'nat-1',
                Origin: 'CreateRoute',
                State: 'blackhole',
              },
            ],
          }),
        ],
      });

      // Act
      const [table] = await reader().routeTables({
        vpcIds: [VPC],
        routeTableIds: ['rtb-1'],
        associatedSubnetIds: ['subnet-a'],
      });

      // Assess
      expect(ec2).toHaveReceivedCommandExactlyOnceWith(DescribeRouteTablesCommand, {
        Filters: [
          { Name: 'vpc-id', Values: [VPC] },
          { Name: 'route-table-id', Values: ['rtb-1'] },
          { Name: 'association.subnet-id', Values: ['subnet-a'] },
        ],
      });
      expect(table).toEqual({
        resourceType: 'AWS::EC2::RouteTable',
        resourceId: 'rtb-1',
        accountId: ACCOUNT,
        region: REGION,
        arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:route-table/rtb-1`,
        itemStatus: 'OK',
        tags: {},
        capturedAt: NOW.toISOString(),
        vpcId: VPC,
        routes: [
          { destinationCidrBlock: '10.0.0.0/16', gatewayId: 'local', state: 'active' },
          { destinationPrefixListId: 'pl-63a5400a', gatewayId: 'vpce-s3', state: 'active' },
          { destinationCidrBlock: '0.0.0.0/0', natGatewayId: 'nat-1', state: 'blackhole' },
        ],
        associations: [
          { main: true, associationId: 'rtbassoc-main-rtb-1', state: 'associated' },
          { main: false, associationId: 'rtbassoc-subnet-a', subnetId: 'subnet-a', state: 'associated' },
        ],
      });
    });

    it('follows NextToken', async () => {
      const paged = pagesByToken({
        '': { RouteTables: [sdkRouteTable('rtb-1', [])], NextToken: 't2' },
        t2: { RouteTables: [sdkRouteTable('rtb-2', [])] },
      });
      ec2.on(DescribeRouteTablesCommand).callsFake(paged.fake);

      const tables = await reader().routeTables({ vpcIds: [VPC] });

      expect(tables.map((t) => t.resourceId)).toEqual(['rtb-1', 'rtb-2']);
      expect(paged.tokens).toEqual([undefined, 't2']);
      expect(ec2).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
        Filters: [{ Name: 'vpc-id', Values: [VPC] }],
      });
    });

    it('treats InvalidRouteTableID.NotFound as absence', async () => {
      ec2.on(DescribeRouteTablesCommand).rejects(awsError('InvalidRouteTableID.NotFound'));

      expect(await reader().routeTables({ routeTableIds: ['rtb-gone'] })).toEqual([]);
    });
  });

  describe('serviceAvailabilityZones', () => {
    const SSM = `com.amazonaws.${REGION}.ssm`;
    const KMS = `com.amazonaws.${REGION}.kms`;
    const GONE = `com.amazonaws.vpce.${REGION}.vpce-svc-0123456789abcdef0`;

    it('asks for the named services only and returns their AZs, following NextToken', async () => {
      ec2
        .on(DescribeVpcEndpointServicesCommand)
        .resolvesOnce({
          ServiceNames: [SSM],
          ServiceDetails: [{ ServiceName: SSM, AvailabilityZones: ['us-east-1b', 'us-east-1a'] }],
          NextToken: 'next',
        })
        .resolvesOnce({
          ServiceNames: [KMS],
          ServiceDetails: [{ ServiceName: KMS, AvailabilityZones: ['us-east-1a'] }],
        });

      const zones = await reader().serviceAvailabilityZones([SSM, KMS, SSM]);

      expect(zones).toEqual(
        new Map([
          [SSM, ['us-east-1a', 'us-east-1b']],
          [KMS, ['us-east-1a']],
        ]),
      );
      expect(ec2).toHaveReceivedNthCommandWith(DescribeVpcEndpointServicesCommand, 1, {
        ServiceNames: [SSM, KMS],
      });
      expect(ec2).toHaveReceivedNthCommandWith(DescribeVpcEndpointServicesCommand, 2, {
        ServiceNames: [SSM, KMS],
        NextToken: 'next',
      });
    });

    it('asks name by name when one service no longer exists, and leaves that one out', async () => {
      // Prepare: the batch fails whole on the unknown name, as EC2 does
      ec2
        .on(DescribeVpcEndpointServicesCommand)
        .rejects(awsError('InvalidServiceName', `The Vpc Endpoint Service '${GONE}' does not exist`))
        .on(DescribeVpcEndpointServicesCommand, { ServiceNames: [SSM] })
        .resolves({
          ServiceDetails: [{ ServiceName: SSM, AvailabilityZones: ['us-east-1a', 'us-east-1b'] }],
        });
      const calls: string[] = [];

      // Act
      const zones = await reader(calls).serviceAvailabilityZones([SSM, GONE]);

      // Assess
      expect(zones).toEqual(new Map([[SSM, ['us-east-1a', 'us-east-1b']]]));
      expect(
        ec2.commandCalls(DescribeVpcEndpointServicesCommand).map((c) => c.args[0].input.ServiceNames),
      ).toEqual([[SSM, GONE], [SSM], [GONE]]);
      expect(calls).toHaveLength(3);
    });

    it('makes no call without service names', async () => {
      expect(await reader().serviceAvailabilityZones([])).toEqual(new Map());
      expect(ec2).not.toHaveReceivedAnyCommand();
    });
  });
});
