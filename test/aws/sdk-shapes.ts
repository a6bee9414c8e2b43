/**
 * Builders for AWS API answers exactly as SDK v3 returns them (PascalCase EC2 and S3 shapes,
 * `Tags: [{Key, Value}]`, lowercase state values), and for service errors as the SDK raises them.
 */
import type { RouteTable, Subnet, VpcEndpoint } from '@aws-sdk/client-ec2';
import type { Evaluation } from '../../shared/rules/types';

export const ACCOUNT = '111122223333';
export const MEMBER = '222233334444';
export const REGION = 'us-east-1';
export const VPC = 'vpc-0a000001';

/**
 * A service error as SDK v3 raises an unmodelled one: `name` is the error code, `$fault` says
 * whose fault, `$metadata` carries the HTTP status.
 */
export function awsError(code: string, message = code, status = 400): Error {
  return Object.assign(new Error(message), {
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

/**
 * EC2's model spells endpoint states capitalized (`Available`), but the service answers in lower
 * case (`available`), as the AWS CLI shows: the mocks answer as the service does.
 */
const AVAILABLE = 'available' as VpcEndpoint['State'];

export function sdkSubnet(id: string, az: string, props: Partial<Subnet> = {}): Subnet {
  return {
    SubnetId: id,
    VpcId: VPC,
    AvailabilityZone: az,
    AvailabilityZoneId: `use1-az${az.slice(-1).charCodeAt(0) - 96}`,
    AvailableIpAddressCount: 250,
    CidrBlock: '10.0.0.0/24',
    State: 'available',
    OwnerId: ACCOUNT,
    SubnetArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/${id}`,
    Tags: [],
    ...props,
  };
}

export function sdkInterfaceEndpoint(
  id: string,
  subnetIds: string[],
  props: Partial<VpcEndpoint> = {},
): VpcEndpoint {
  return {
    VpcEndpointId: id,
    VpcEndpointType: 'Interface',
    VpcId: VPC,
    ServiceName: `com.amazonaws.${REGION}.ssm`,
    State: AVAILABLE,
    SubnetIds: subnetIds,
    RouteTableIds: [],
    OwnerId: ACCOUNT,
    PrivateDnsEnabled: true,
    Tags: [],
    ...props,
  };
}

export function sdkGatewayEndpoint(id: string, routeTableIds: string[], service = 's3'): VpcEndpoint {
  return {
    VpcEndpointId: id,
    VpcEndpointType: 'Gateway',
    VpcId: VPC,
    ServiceName: `com.amazonaws.${REGION}.${service}`,
    State: AVAILABLE,
    SubnetIds: [],
    RouteTableIds: routeTableIds,
    OwnerId: ACCOUNT,
    Tags: [],
  };
}

/** A route table with the local route, explicitly associated with `subnetIds` (or main). */
export function sdkRouteTable(
  id: string,
  subnetIds: string[],
  props: { main?: boolean; routes?: RouteTable['Routes'] } = {},
): RouteTable {
  return {
    RouteTableId: id,
    VpcId: VPC,
    OwnerId: ACCOUNT,
    Routes: [
      {
        DestinationCidrBlock: '10.0.0.0/16',
        GatewayId: 'local',
        Origin: 'CreateRouteTable',
        State: 'active',
      },
      ...(props.routes ?? []),
    ],
    Associations: [
      ...(props.main
        ? [
            {
              Main: true,
              RouteTableAssociationId: `rtbassoc-main-${id}`,
              RouteTableId: id,
              AssociationState: { State: 'associated' as const },
            },
          ]
        : []),
      ...subnetIds.map((subnetId) => ({
        Main: false,
        RouteTableAssociationId: `rtbassoc-${subnetId}`,
        RouteTableId: id,
        SubnetId: subnetId,
        AssociationState: { State: 'associated' as const },
      })),
    ],
    Tags: [],
    PropagatingVgws: [],
  };
}

/** An evaluation as a rule returns it; NON_COMPLIANT ones carry a ticket plan. */
export function evaluation(resourceId: string, props: Partial<Evaluation> = {}): Evaluation {
  const status = props.status ?? 'NON_COMPLIANT';
  return {
    ruleId: 'interface-endpoint-multi-az',
    resourceType: 'AWS::EC2::VPCEndpoint',
    resourceId,
    accountId: ACCOUNT,
    region: REGION,
    arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/${resourceId}`,
    status,
    severity: status === 'NON_COMPLIANT' ? 'HIGH' : 'INFORMATIONAL',
    reason: `endpoint ${resourceId} has subnets in 1 AZ (us-east-1a)`,
    evidence: {},
    remediation:
      status === 'NON_COMPLIANT'
        ? { kind: 'ticket-only', summary: 'Add a subnet', why: 'no other AZ' }
        : null,
    ...props,
  };
}

/**
 * A fake for a paginated API that answers by the token it is sent, and records the tokens at the
 * moment of each call (the SDK paginators reuse one input object, so recorded inputs only show
 * the last token).
 *
 * @example
 * const paged = pagesByToken({ '': { Subnets: [a], NextToken: 't2' }, t2: { Subnets: [b] } });
 * ec2.on(DescribeSubnetsCommand).callsFake(paged.fake);
 * // ... paged.tokens → [undefined, 't2']
 */
export function pagesByToken<Output>(
  pages: Readonly<Record<string, Output>>,
  tokenKey: 'NextToken' | 'ContinuationToken' = 'NextToken',
): { fake: (input: object) => Output; tokens: (string | undefined)[] } {
  const tokens: (string | undefined)[] = [];
  return {
    tokens,
    fake: (input) => {
      const token = (input as Record<string, string | undefined>)[tokenKey];
      tokens.push(token);
      const page = pages[token ?? ''];
      if (page === undefined) throw new Error(`no page for token ${token}`);
      return page;
    },
  };
}
