/**
 * Reads live EC2 state (endpoints, subnets, route tables, endpoint-service AZs) into the resource
 * model. Every read is filtered server-side, so an evaluation fetches one VPC, not the region.
 *
 * Filters are used rather than `...Ids` parameters on purpose: a filter on an id that no longer
 * exists returns an empty page, where an id parameter fails the whole call with `*.NotFound`.
 */
import {
  DescribeVpcEndpointServicesCommand,
  type EC2Client,
  type Filter,
  paginateDescribeRouteTables,
  paginateDescribeSubnets,
  paginateDescribeVpcEndpoints,
  type RouteTable as SdkRouteTable,
  type Subnet as SdkSubnet,
  type VpcEndpoint as SdkVpcEndpoint,
  type Tag,
} from '@aws-sdk/client-ec2';
import { arnFor } from '../inventory/arn';
import type { Route, RouteTable, RouteTableAssociation, Subnet, VpcEndpoint } from '../model';
import { isAwsError } from './errors';

/** Where the reader reads, and hooks for the clock and for counting calls. */
export interface ReaderContext {
  readonly accountId: string;
  readonly region: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Called once per AWS request (each page counts), with the API name. */
  readonly onCall?: (api: string) => void;
}

/** At most this many values per filter in one request; longer lists are split over requests. */
export const MAX_FILTER_VALUES = 200;

/** EC2 answers these when an id does not exist: absence, not an error. */
const NOT_FOUND_CODES = [
  'InvalidVpcEndpointId.NotFound',
  'InvalidRouteTableID.NotFound',
  'InvalidSubnetID.NotFound',
  'InvalidVpcID.NotFound',
];

export interface EndpointQuery {
  readonly vpcIds?: readonly string[];
  readonly endpointIds?: readonly string[];
}

export interface SubnetQuery {
  readonly vpcIds?: readonly string[];
  readonly subnetIds?: readonly string[];
}

export interface RouteTableQuery {
  readonly vpcIds?: readonly string[];
  readonly routeTableIds?: readonly string[];
  /** Tables explicitly associated with these subnets. */
  readonly associatedSubnetIds?: readonly string[];
}

/**
 * Reads EC2 state of one account and region. A query field that is absent does not filter; one
 * that is an empty list matches nothing (and makes no call); a query with no field reads the region.
 *
 * @example
 * const ec2 = new Ec2Reader(clients.ec2, { accountId: '111122223333', region: 'us-east-1' });
 * const subnets = await ec2.subnets({ vpcIds: ['vpc-0a000001'] });
 */
export class Ec2Reader {
  private readonly now: () => Date;

  constructor(
    private readonly ec2: EC2Client,
    private readonly context: ReaderContext,
  ) {
    this.now = context.now ?? (() => new Date());
  }

  /** DescribeVpcEndpoints, filtered by `vpc-id` / `vpc-endpoint-id`. */
  async endpoints(query: EndpointQuery = {}): Promise<VpcEndpoint[]> {
    const filters = filterSets([
      ['vpc-id', query.vpcIds],
      ['vpc-endpoint-id', query.endpointIds],
    ]);
    const capturedAt = this.now().toISOString();
    const items = await this.collect<SdkVpcEndpoint>(filters, async (Filters, add) => {
      for await (const page of paginateDescribeVpcEndpoints({ client: this.ec2 }, { Filters })) {
        this.called('DescribeVpcEndpoints');
        add(page.VpcEndpoints ?? []);
      }
    });
    return items.flatMap((item) => this.toEndpoint(item, capturedAt) ?? []);
  }

  /** DescribeSubnets, filtered by `vpc-id` / `subnet-id`. */
  async subnets(query: SubnetQuery = {}): Promise<Subnet[]> {
    const filters = filterSets([
      ['vpc-id', query.vpcIds],
      ['subnet-id', query.subnetIds],
    ]);
    const capturedAt = this.now().toISOString();
    const items = await this.collect<SdkSubnet>(filters, async (Filters, add) => {
      for await (const page of paginateDescribeSubnets({ client: this.ec2 }, { Filters })) {
        this.called('DescribeSubnets');
        add(page.Subnets ?? []);
      }
    });
    return items.flatMap((item) => this.toSubnet(item, capturedAt) ?? []);
  }

  /** DescribeRouteTables, filtered by `vpc-id` / `route-table-id` / `association.subnet-id`. */
  async routeTables(query: RouteTableQuery = {}): Promise<RouteTable[]> {
    const filters = filterSets([
      ['vpc-id', query.vpcIds],
      ['route-table-id', query.routeTableIds],
      ['association.subnet-id', query.associatedSubnetIds],
    ]);
    const capturedAt = this.now().toISOString();
    const items = await this.collect<SdkRouteTable>(filters, async (Filters, add) => {
      for await (const page of paginateDescribeRouteTables({ client: this.ec2 }, { Filters })) {
        this.called('DescribeRouteTables');
        add(page.RouteTables ?? []);
      }
    });
    return items.flatMap((item) => this.toRouteTable(item, capturedAt) ?? []);
  }

  /**
   * The AZs each endpoint service is offered in (DescribeVpcEndpointServices by ServiceNames).
   * A service EC2 no longer describes (retired, or a PrivateLink service this account may not
   * see) fails the whole request with `InvalidServiceName`; the names are then asked one by one,
   * and those that still fail are left out (their AZs stay unknown).
   */
  async serviceAvailabilityZones(serviceNames: readonly string[]): Promise<Map<string, readonly string[]>> {
    const zones = new Map<string, readonly string[]>();
    const names = [...new Set(serviceNames.filter((name) => name !== ''))];
    if (names.length === 0) return zones;
    try {
      for (const chunk of chunks(names, MAX_FILTER_VALUES)) await this.describeServices(chunk, zones);
    } catch (error) {
      if (!isAwsError(error, 'InvalidServiceName')) throw error;
      if (names.length === 1) return zones;
      for (const name of names) {
        if (zones.has(name)) continue;
        try {
          await this.describeServices([name], zones);
        } catch (single) {
          if (!isAwsError(single, 'InvalidServiceName')) throw single;
        }
      }
    }
    return zones;
  }

  private async describeServices(
    names: readonly string[],
    into: Map<string, readonly string[]>,
  ): Promise<void> {
    let NextToken: string | undefined;
    do {
      this.called('DescribeVpcEndpointServices');
      const page = await this.ec2.send(
        new DescribeVpcEndpointServicesCommand({
          ServiceNames: [...names],
          ...(NextToken ? { NextToken } : {}),
        }),
      );
      for (const detail of page.ServiceDetails ?? []) {
        if (detail.ServiceName && names.includes(detail.ServiceName)) {
          into.set(detail.ServiceName, [...(detail.AvailabilityZones ?? [])].sort());
        }
      }
      NextToken = page.NextToken;
    } while (NextToken);
  }

  private called(api: string): void {
    this.context.onCall?.(api);
  }

  /** Runs one paginated read per filter set; a not-found answer ends that read with what it had. */
  private async collect<T>(
    filterSetList: readonly Filter[][] | undefined,
    read: (filters: Filter[] | undefined, add: (items: readonly T[]) => void) => Promise<void>,
  ): Promise<T[]> {
    const items: T[] = [];
    const add = (page: readonly T[]): void => {
      items.push(...page);
    };
    // `undefined`: an empty id list was asked for, which matches nothing.
    if (filterSetList === undefined) return items;
    const sets = filterSetList.length === 0 ? [undefined] : filterSetList;
    for (const filters of sets) {
      try {
        await read(filters, add);
      } catch (error) {
        if (!isAwsError(error, ...NOT_FOUND_CODES)) throw error;
      }
    }
    return items;
  }

  private base(resourceType: Parameters<typeof arnFor>[0], resourceId: string, ownerId: string | undefined) {
    // Shared VPCs (RAM): a subnet or table may belong to the VPC owner, not the reading account.
    const accountId = ownerId || this.context.accountId;
    const { region } = this.context;
    return { resourceId, accountId, region, arn: arnFor(resourceType, { region, accountId, resourceId }) };
  }

  private toEndpoint(item: SdkVpcEndpoint, capturedAt: string): VpcEndpoint | undefined {
    if (!item.VpcEndpointId) return undefined;
    return {
      resourceType: 'AWS::EC2::VPCEndpoint',
      ...this.base('AWS::EC2::VPCEndpoint', item.VpcEndpointId, item.OwnerId),
      itemStatus: 'OK',
      tags: tagMap(item.Tags),
      capturedAt,
      vpcId: item.VpcId ?? '',
      endpointType: item.VpcEndpointType ?? '',
      serviceName: item.ServiceName ?? '',
      state: item.State ?? '',
      subnetIds: [...(item.SubnetIds ?? [])],
      routeTableIds: [...(item.RouteTableIds ?? [])],
    };
  }

  private toSubnet(item: SdkSubnet, capturedAt: string): Subnet | undefined {
    if (!item.SubnetId) return undefined;
    return {
      resourceType: 'AWS::EC2::Subnet',
      ...this.base('AWS::EC2::Subnet', item.SubnetId, item.OwnerId),
      itemStatus: 'OK',
      tags: tagMap(item.Tags),
      capturedAt,
      vpcId: item.VpcId ?? '',
      availabilityZone: item.AvailabilityZone ?? '',
      ...(item.AvailabilityZoneId ? { availabilityZoneId: item.AvailabilityZoneId } : {}),
      ...(item.AvailableIpAddressCount === undefined
        ? {}
        : { availableIpAddressCount: item.AvailableIpAddressCount }),
      ...(item.State ? { state: item.State } : {}),
    };
  }

  private toRouteTable(item: SdkRouteTable, capturedAt: string): RouteTable | undefined {
    if (!item.RouteTableId) return undefined;
    return {
      resourceType: 'AWS::EC2::RouteTable',
      ...this.base('AWS::EC2::RouteTable', item.RouteTableId, item.OwnerId),
      itemStatus: 'OK',
      tags: tagMap(item.Tags),
      capturedAt,
      vpcId: item.VpcId ?? '',
      routes: (item.Routes ?? []).map(
        (route): Route =>
          defined({
            destinationCidrBlock: route.DestinationCidrBlock,
            destinationIpv6CidrBlock: route.DestinationIpv6CidrBlock,
            destinationPrefixListId: route.DestinationPrefixListId,
            gatewayId: route.GatewayId,
            natGatewayId: route.NatGatewayId,
            transitGatewayId: route.TransitGatewayId,
            vpcPeeringConnectionId: route.VpcPeeringConnectionId,
            networkInterfaceId: route.NetworkInterfaceId,
            instanceId: route.InstanceId,
            state: route.State,
          }),
      ),
      associations: (item.Associations ?? []).map(
        (association): RouteTableAssociation => ({
          main: association.Main ?? false,
          ...defined({
            associationId: association.RouteTableAssociationId,
            subnetId: association.SubnetId,
            gatewayId: association.GatewayId,
            state: association.AssociationState?.State,
          }),
        }),
      ),
    };
  }
}

/** EC2's `Tags: [{Key, Value}]` as the model's map. */
export function tagMap(tags: readonly Tag[] | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) map[tag.Key] = tag.Value ?? '';
  return map;
}

/** The object without its undefined or empty-string fields. */
function defined<T extends Record<string, string | undefined>>(fields: T): { [K in keyof T]?: string } {
  const out: { [K in keyof T]?: string } = {};
  for (const key of Object.keys(fields) as (keyof T)[]) {
    const value = fields[key];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/**
 * The filter lists to send: `[]` when nothing filters (read everything), `undefined` when some
 * filter has no value at all (nothing can match). Long value lists are split, one request each.
 */
function filterSets(
  entries: readonly (readonly [string, readonly string[] | undefined])[],
): Filter[][] | undefined {
  let sets: Filter[][] = [[]];
  let any = false;
  for (const [Name, values] of entries) {
    if (values === undefined) continue;
    const distinct = [...new Set(values)];
    if (distinct.length === 0) return undefined;
    any = true;
    sets = sets.flatMap((set) =>
      chunks(distinct, MAX_FILTER_VALUES).map((Values) => [...set, { Name, Values: [...Values] }]),
    );
  }
  return any ? sets : [];
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
