import {
  type AccountPublicAccessBlock,
  type Bucket,
  isActiveAssociation,
  isDeletedOrNotRecorded,
  type Resource,
  type ResourceOf,
  type ResourceType,
  type RouteTable,
  type Subnet,
  type Vpc,
  type VpcEndpoint,
} from '../model';

/**
 * The normalized state the rules read, indexed the way they look it up.
 *
 * VPC, subnet, route-table and endpoint ids are unique across accounts, so the EC2 indexes are
 * keyed by id alone: that also covers shared VPCs (RAM), where an endpoint in a participant
 * account sits in subnets owned by another account.
 *
 * Resources whose configuration item says they were deleted stay in the inventory (the rules
 * report them NOT_APPLICABLE) but are left out of the lookups other resources use.
 *
 * @example
 * const inventory = Inventory.from(resources);
 * inventory.subnetsOfVpc('vpc-1');
 */
export class Inventory {
  private readonly all: Resource[] = [];
  private readonly byType = new Map<ResourceType, Resource[]>();
  private readonly subnetsById = new Map<string, Subnet>();
  private readonly subnetsByVpc = new Map<string, Subnet[]>();
  private readonly tablesByVpc = new Map<string, RouteTable[]>();
  private readonly endpointsByVpc = new Map<string, VpcEndpoint[]>();
  private readonly vpcsById = new Map<string, Vpc>();
  private readonly accountBlocks = new Map<string, AccountPublicAccessBlock>();
  private readonly serviceZones = new Map<string, readonly string[]>();

  /**
   * Builds an inventory. When a resource appears more than once (history files hold several
   * items per resource), the one captured last wins; without capture times, the later one.
   */
  static from(resources: Iterable<Resource>): Inventory {
    const inventory = new Inventory();
    // A resource is identified by (type, account, region, id). Ids almost never repeat across
    // types, accounts or regions, so resources are first looked up by id alone (no key string
    // per resource: at organization scale that allocation is most of the cost of this method),
    // and only an id shared by two identities goes through the full key. Slots keep the order
    // in which each identity first appeared, as a Map keyed by identity would.
    const slots: Resource[] = [];
    const slotById = new Map<string, number>();
    let slotByIdentity: Map<string, number> | undefined;
    for (const resource of resources) {
      let slot = slotById.get(resource.resourceId);
      if (slot !== undefined && !sameIdentity(slots[slot] as Resource, resource)) {
        slotByIdentity ??= new Map();
        const key = `${resource.resourceType}|${resource.accountId}|${resource.region}|${resource.resourceId}`;
        slot = slotByIdentity.get(key);
        if (slot === undefined) slotByIdentity.set(key, slots.length);
      }
      if (slot === undefined) {
        if (!slotById.has(resource.resourceId)) slotById.set(resource.resourceId, slots.length);
        slots.push(resource);
      } else if (!isOlder(resource, slots[slot] as Resource)) {
        slots[slot] = resource;
      }
    }
    for (const resource of slots) inventory.add(resource);
    return inventory;
  }

  private add(resource: Resource): void {
    this.all.push(resource);
    pushTo(this.byType, resource.resourceType, resource);
    if (isDeletedOrNotRecorded(resource)) return;
    switch (resource.resourceType) {
      case 'AWS::EC2::Subnet':
        this.subnetsById.set(resource.resourceId, resource);
        pushTo(this.subnetsByVpc, resource.vpcId, resource);
        break;
      case 'AWS::EC2::RouteTable':
        pushTo(this.tablesByVpc, resource.vpcId, resource);
        break;
      case 'AWS::EC2::VPCEndpoint':
        pushTo(this.endpointsByVpc, resource.vpcId, resource);
        break;
      case 'AWS::EC2::VPC':
        this.vpcsById.set(resource.resourceId, resource);
        break;
      case 'AWS::S3::AccountPublicAccessBlock':
        this.accountBlocks.set(resource.accountId, resource);
        break;
      case 'AWS::S3::Bucket':
        break;
    }
  }

  /**
   * Records the AZs an endpoint service is offered in (`DescribeVpcEndpointServices`), known
   * only from live state. Keyed by region and service name.
   */
  setServiceAvailabilityZones(region: string, serviceName: string, zones: readonly string[]): void {
    this.serviceZones.set(`${region}|${serviceName}`, [...zones]);
  }

  serviceAvailabilityZones(region: string, serviceName: string): readonly string[] | undefined {
    // Asked for every interface endpoint; offline scans never know any, so skip building the key.
    if (this.serviceZones.size === 0) return undefined;
    return this.serviceZones.get(`${region}|${serviceName}`);
  }

  /** Every resource, deleted ones included, in input order. */
  resources(): readonly Resource[] {
    return this.all;
  }

  /** Every resource of one type, deleted ones included. */
  ofType<T extends ResourceType>(type: T): readonly ResourceOf<T>[] {
    // Sound: add() files every resource under its own resourceType.
    return (this.byType.get(type) ?? []) as unknown as readonly ResourceOf<T>[];
  }

  get size(): number {
    return this.all.length;
  }

  subnet(subnetId: string): Subnet | undefined {
    return this.subnetsById.get(subnetId);
  }

  subnetsOfVpc(vpcId: string): readonly Subnet[] {
    return this.subnetsByVpc.get(vpcId) ?? [];
  }

  routeTablesOfVpc(vpcId: string): readonly RouteTable[] {
    return this.tablesByVpc.get(vpcId) ?? [];
  }

  endpointsOfVpc(vpcId: string): readonly VpcEndpoint[] {
    return this.endpointsByVpc.get(vpcId) ?? [];
  }

  vpc(vpcId: string): Vpc | undefined {
    return this.vpcsById.get(vpcId);
  }

  accountPublicAccessBlock(accountId: string): AccountPublicAccessBlock | undefined {
    return this.accountBlocks.get(accountId);
  }

  buckets(): readonly Bucket[] {
    return this.ofType('AWS::S3::Bucket');
  }

  /**
   * The route table a subnet uses: its explicit association, or else its VPC's main table.
   * `undefined` when neither is in the inventory.
   */
  routeTableOfSubnet(subnet: Subnet): RouteTable | undefined {
    const tables = this.routeTablesOfVpc(subnet.vpcId);
    return (
      tables.find((table) =>
        table.associations.some((a) => isActiveAssociation(a) && a.subnetId === subnet.resourceId),
      ) ?? tables.find((table) => table.associations.some((a) => isActiveAssociation(a) && a.main))
    );
  }
}

/** Same type, account, region and id: two observations of one resource. */
function sameIdentity(a: Resource, b: Resource): boolean {
  return (
    a.resourceId === b.resourceId &&
    a.resourceType === b.resourceType &&
    a.accountId === b.accountId &&
    a.region === b.region
  );
}

/** True when both carry capture times and `a` was captured before `b`. */
function isOlder(a: Resource, b: Resource): boolean {
  if (a.capturedAt === undefined || b.capturedAt === undefined) return false;
  return Date.parse(a.capturedAt) < Date.parse(b.capturedAt);
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
