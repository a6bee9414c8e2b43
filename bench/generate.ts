/**
 * A realistic, deterministic AWS Config snapshot of an organization, for the benchmarks.
 *
 * Shape of each member account (the landing-zone layout most organizations use):
 * - a primary region with two workload VPCs, each with 3 AZs × 3 tiers of subnets (public,
 *   private, data), a main table, one public table, one private table per AZ (per-AZ NAT) and a
 *   data table, an S3 gateway endpoint (almost always), a DynamoDB one (half of them), 4 to 8
 *   interface endpoints, now and then a Gateway Load Balancer, Resource or ServiceNetwork endpoint;
 * - a disaster-recovery VPC in a second region in 40% of accounts;
 * - the default VPC (one subnet per AZ, its main table) in the other regions;
 * - 10 to 40 buckets, with versioning, encryption, logging and lifecycle configuration, half of
 *   them with a bucket policy (org-restricted, VPC-endpoint-locked, CloudFront, a few public),
 *   ACLs (owner, log delivery, a few public grants), most with bucket Block Public Access;
 * - the account's Block Public Access item.
 * Items are in the snapshot (notification) form AWS Config delivers to S3, sized like real ones
 * (relationships, DNS entries, policies...). Some resources are non-compliant on purpose: an
 * interface endpoint in fewer AZs than its VPC, a table missing from a gateway endpoint, a
 * bucket with a flag off or public.
 *
 * Run `tsx bench/generate.ts --items 50000 --out snapshot.json` to write one.
 */
import { writeFileSync } from 'node:fs';
import { argv } from 'node:process';
import { parseArgs } from 'node:util';

/** mulberry32: small, fast, deterministic. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)] as (typeof list)[number],
    hex: (length) => {
      let out = '';
      while (out.length < length)
        out += Math.floor(next() * 0x100000000)
          .toString(16)
          .padStart(8, '0');
      return out.slice(0, length);
    },
  };
}

export interface Random {
  next(): number;
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(list: readonly T[]): T;
  hex(length: number): string;
}

export const DEFAULT_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'] as const;

export interface OrganizationOptions {
  /** Stop after exactly this many items (the last account is cut short). */
  readonly items?: number;
  /** Or generate this many whole accounts. */
  readonly accounts?: number;
  readonly regions?: readonly string[];
  readonly seed?: number;
}

type Item = Record<string, unknown>;

/** The items of the organization, account after account (the same seed gives the same items). */
export function* organizationItems(options: OrganizationOptions): Generator<Item> {
  const rng = createRandom(options.seed ?? 20250601);
  const regions = options.regions ?? DEFAULT_REGIONS;
  const limit = options.items ?? Number.POSITIVE_INFINITY;
  const accounts = options.accounts ?? Number.POSITIVE_INFINITY;
  let count = 0;
  for (let index = 0; index < accounts && count < limit; index++) {
    for (const item of accountItems(rng, accountIdOf(index), regions)) {
      if (count >= limit) return;
      count++;
      yield item;
    }
  }
}

/** `100000000000 + index`, 12 digits. */
export function accountIdOf(index: number): string {
  return String(100000000000 + index * 7919);
}

/**
 * A Config snapshot file: `{fileVersion, configSnapshotId, configurationItems}`.
 *
 * @example
 * const snapshot = generateSnapshot({ items: 50_000 });
 */
export function generateSnapshot(options: OrganizationOptions): {
  fileVersion: string;
  configSnapshotId: string;
  configurationItems: Item[];
} {
  return {
    fileVersion: '1.0',
    configSnapshotId: '7f3c2a10-5b1e-4c8d-9a6f-2e4b8c1d0a99',
    configurationItems: [...organizationItems(options)],
  };
}

// ─── One account ────────────────────────────────────────────────────────────────────────

const CAPTURE_BASE = Date.parse('2025-05-12T06:00:00.000Z');

function accountItems(rng: Random, accountId: string, regions: readonly string[]): Item[] {
  const items: Item[] = [];
  const primary = regions[0] ?? 'us-east-1';
  const secondary = regions[1];
  const prefix = rng.pick([
    'payments',
    'ledger',
    'search',
    'identity',
    'catalog',
    'media',
    'data',
    'ml',
    'web',
  ]);
  const env = rng.pick(['prod', 'staging', 'dev', 'sandbox']);
  const context: AccountContext = { rng, accountId, prefix: `${prefix}-${env}`, items };

  vpc(context, primary, 'workload-a', 0);
  vpc(context, primary, 'workload-b', 1);
  if (secondary !== undefined && rng.chance(0.4)) vpc(context, secondary, 'dr', 2);
  for (const region of regions) {
    if (region === primary || (region === secondary && items.some((item) => item.awsRegion === secondary)))
      continue;
    defaultVpc(context, region);
  }
  const bucketCount = rng.int(10, 40);
  for (let i = 0; i < bucketCount; i++) {
    bucket(context, i < bucketCount * 0.8 || secondary === undefined ? primary : secondary, i);
  }
  accountPublicAccessBlock(context, primary);
  return items;
}

interface AccountContext {
  readonly rng: Random;
  readonly accountId: string;
  readonly prefix: string;
  readonly items: Item[];
}

function envelope(
  context: AccountContext,
  region: string,
  resourceType: string,
  resourceId: string,
  options: {
    readonly name?: string | null;
    readonly arn?: string;
    readonly availabilityZone: string;
    readonly configuration: Item;
    readonly supplementaryConfiguration?: Item;
    readonly tags?: Record<string, string>;
    readonly relationships?: readonly Item[];
    readonly status?: string;
  },
): Item {
  const captured = CAPTURE_BASE + context.rng.int(0, 3_600_000);
  return {
    relatedEvents: [],
    relationships: options.relationships ?? [],
    configuration: options.configuration,
    supplementaryConfiguration: options.supplementaryConfiguration ?? {},
    tags: options.tags ?? {},
    configurationItemVersion: '1.3',
    configurationItemCaptureTime: new Date(captured).toISOString(),
    configurationStateId: captured,
    awsAccountId: context.accountId,
    configurationItemStatus: options.status ?? 'OK',
    resourceType,
    resourceId,
    ...(options.name === undefined ? {} : { resourceName: options.name }),
    ...(options.arn === undefined ? {} : { ARN: options.arn }),
    awsRegion: region,
    availabilityZone: options.availabilityZone,
    configurationStateMd5Hash: '',
    resourceCreationTime: '2023-03-14T10:02:11.000Z',
  };
}

function tagList(tags: Record<string, string>): Item[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

function relation(resourceType: string, resourceId: string, name: string): Item {
  return { resourceId, resourceName: null, resourceType, name };
}

const TIERS = ['public', 'private', 'data'] as const;

interface SubnetRef {
  readonly id: string;
  readonly az: string;
  readonly tier: (typeof TIERS)[number];
}

function ec2Arn(region: string, accountId: string, kind: string, id: string): string {
  return `arn:aws:ec2:${region}:${accountId}:${kind}/${id}`;
}

function vpc(context: AccountContext, region: string, label: string, octet: number): void {
  const { rng, accountId } = context;
  const vpcId = `vpc-0${rng.hex(16)}`;
  const name = `${context.prefix}-${label}`;
  const azs = ['a', 'b', 'c'].map((letter) => `${region}${letter}`);
  const subnets: SubnetRef[] = [];
  const children: Item[] = [];

  for (const [tierIndex, tier] of TIERS.entries()) {
    for (const [azIndex, az] of azs.entries()) {
      const id = `subnet-0${rng.hex(16)}`;
      subnets.push({ id, az, tier });
      const tags = { Name: `${name}-${tier}-${az}`, tier };
      children.push(
        envelope(context, region, 'AWS::EC2::Subnet', id, {
          name: tags.Name,
          arn: ec2Arn(region, accountId, 'subnet', id),
          availabilityZone: az,
          tags,
          relationships: [
            relation('AWS::EC2::NetworkAcl', `acl-0${rng.hex(16)}`, 'Is attached to NetworkAcl'),
            relation('AWS::EC2::VPC', vpcId, 'Is contained in Vpc'),
          ],
          configuration: {
            availabilityZone: az,
            availabilityZoneId: `${region.replace(/-(\w)\w+-/, '$1').slice(0, 4)}-az${azIndex + 1}`,
            availableIpAddressCount: rng.chance(0.03) ? 0 : rng.int(40, 4000),
            cidrBlock: `10.${octet}.${tierIndex * 16 + azIndex * 4}.0/22`,
            defaultForAz: false,
            mapPublicIpOnLaunch: tier === 'public',
            mapCustomerOwnedIpOnLaunch: false,
            state: 'available',
            subnetId: id,
            vpcId,
            ownerId: accountId,
            assignIpv6AddressOnCreation: false,
            ipv6CidrBlockAssociationSet: [],
            tags: tagList(tags),
            subnetArn: ec2Arn(region, accountId, 'subnet', id),
            enableDns64: false,
            ipv6Native: false,
            privateDnsNameOptionsOnLaunch: {
              hostnameType: 'ip-name',
              enableResourceNameDnsARecord: false,
              enableResourceNameDnsAAAARecord: false,
            },
          },
        }),
      );
    }
  }

  // Route tables: main (unused), public (3 subnets), one private per AZ, data (3 subnets).
  const igw = `igw-0${rng.hex(16)}`;
  const tables: { id: string; item: Item; routes: Item[] }[] = [];
  const table = (
    tableName: string,
    associated: readonly SubnetRef[],
    main: boolean,
    routes: Item[],
  ): string => {
    const id = `rtb-0${rng.hex(16)}`;
    const associations: Item[] = associated.map((subnet) => ({
      main: false,
      routeTableAssociationId: `rtbassoc-0${rng.hex(16)}`,
      routeTableId: id,
      subnetId: subnet.id,
      associationState: { state: 'associated' },
    }));
    if (main) {
      associations.unshift({
        main: true,
        routeTableAssociationId: `rtbassoc-0${rng.hex(16)}`,
        routeTableId: id,
        associationState: { state: 'associated' },
      });
    }
    const tags = { Name: `${name}-${tableName}` };
    const allRoutes = [
      {
        destinationCidrBlock: `10.${octet}.0.0/16`,
        gatewayId: 'local',
        origin: 'CreateRouteTable',
        state: 'active',
      },
      ...routes,
    ];
    const item = envelope(context, region, 'AWS::EC2::RouteTable', id, {
      name: tags.Name,
      arn: ec2Arn(region, accountId, 'route-table', id),
      availabilityZone: 'Not Applicable',
      tags,
      relationships: [relation('AWS::EC2::VPC', vpcId, 'Is contained in Vpc')],
      configuration: {
        associations,
        propagatingVgws: [],
        routeTableId: id,
        routes: allRoutes,
        tags: tagList(tags),
        vpcId,
        ownerId: accountId,
      },
    });
    tables.push({ id, item, routes: allRoutes });
    return id;
  };
  table('main', [], true, []);
  table(
    'public',
    subnets.filter((s) => s.tier === 'public'),
    false,
    [{ destinationCidrBlock: '0.0.0.0/0', gatewayId: igw, origin: 'CreateRoute', state: 'active' }],
  );
  const privateTables = azs.map((az) =>
    table(
      `private-${az}`,
      subnets.filter((s) => s.tier === 'private' && s.az === az),
      false,
      [
        {
          destinationCidrBlock: '0.0.0.0/0',
          natGatewayId: `nat-0${rng.hex(16)}`,
          origin: 'CreateRoute',
          state: 'active',
        },
      ],
    ),
  );
  const dataTable = table(
    'data',
    subnets.filter((s) => s.tier === 'data'),
    false,
    [],
  );
  const privateIds = [...privateTables, dataTable];

  // Gateway endpoints: the route tables they serve hold their prefix-list route.
  const endpoints: Item[] = [];
  const gateway = (service: 's3' | 'dynamodb'): void => {
    const id = `vpce-0${rng.hex(16)}`;
    // One in ten misses a table: that table is NON_COMPLIANT.
    const served = rng.chance(0.1) ? privateIds.slice(1) : privateIds;
    const prefixList = `pl-${rng.hex(8)}`;
    for (const tableId of served) {
      const entry = tables.find((candidate) => candidate.id === tableId);
      const route = {
        destinationPrefixListId: prefixList,
        gatewayId: id,
        origin: 'CreateRoute',
        state: 'active',
      };
      entry?.routes.push(route);
    }
    endpoints.push(
      endpoint(context, region, vpcId, id, `${name}-${service}`, {
        vpcEndpointType: 'Gateway',
        serviceName: `com.amazonaws.${region}.${service}`,
        routeTableIds: served,
        subnetIds: [],
      }),
    );
  };
  if (rng.chance(0.9)) gateway('s3');
  if (rng.chance(0.5)) gateway('dynamodb');

  const privateSubnets = subnets.filter((s) => s.tier === 'private');
  const services = [
    'ssm',
    'ssmmessages',
    'ec2messages',
    'logs',
    'sts',
    'kms',
    'ecr.api',
    'ecr.dkr',
    'secretsmanager',
  ];
  const interfaceCount = rng.int(4, 8);
  for (let i = 0; i < interfaceCount; i++) {
    const service = services[i] ?? 'execute-api';
    const id = `vpce-0${rng.hex(16)}`;
    // 85% span the three AZs; the others were created in one or two (NON_COMPLIANT).
    const span = rng.chance(0.85) ? 3 : rng.chance(0.7) ? 2 : 1;
    endpoints.push(
      endpoint(context, region, vpcId, id, `${name}-${service}`, {
        vpcEndpointType: 'Interface',
        serviceName: `com.amazonaws.${region}.${service}`,
        routeTableIds: [],
        subnetIds: privateSubnets.slice(0, span).map((s) => s.id),
        state: rng.chance(0.03) ? 'pending' : 'available',
      }),
    );
  }
  const other = rng.next();
  if (other < 0.05) {
    endpoints.push(
      endpoint(context, region, vpcId, `vpce-0${rng.hex(16)}`, `${name}-gwlb`, {
        vpcEndpointType: 'GatewayLoadBalancer',
        serviceName: `com.amazonaws.vpce.${region}.vpce-svc-0${rng.hex(16)}`,
        routeTableIds: [],
        subnetIds: [subnets[0]?.id ?? ''],
      }),
    );
  } else if (other < 0.08) {
    endpoints.push(
      endpoint(context, region, vpcId, `vpce-0${rng.hex(16)}`, `${name}-resource`, {
        vpcEndpointType: 'Resource',
        serviceName: '',
        routeTableIds: [],
        subnetIds: privateSubnets.map((s) => s.id),
      }),
    );
  } else if (other < 0.1) {
    endpoints.push(
      endpoint(context, region, vpcId, `vpce-0${rng.hex(16)}`, `${name}-lattice`, {
        vpcEndpointType: 'ServiceNetwork',
        serviceName: '',
        routeTableIds: [],
        subnetIds: privateSubnets.map((s) => s.id),
      }),
    );
  }

  const vpcItem = envelope(context, region, 'AWS::EC2::VPC', vpcId, {
    name,
    arn: ec2Arn(region, accountId, 'vpc', vpcId),
    availabilityZone: 'Multiple Availability Zones',
    tags: { Name: name },
    relationships: [
      relation('AWS::EC2::InternetGateway', igw, 'Is attached to InternetGateway'),
      ...tables.map((t) => relation('AWS::EC2::RouteTable', t.id, 'Contains RouteTable')),
      ...subnets.map((s) => relation('AWS::EC2::Subnet', s.id, 'Contains Subnet')),
    ],
    configuration: {
      cidrBlock: `10.${octet}.0.0/16`,
      cidrBlockAssociationSet: [
        {
          associationId: `vpc-cidr-assoc-0${rng.hex(16)}`,
          cidrBlock: `10.${octet}.0.0/16`,
          cidrBlockState: { state: 'associated' },
        },
      ],
      dhcpOptionsId: `dopt-0${rng.hex(16)}`,
      state: 'available',
      instanceTenancy: 'default',
      isDefault: false,
      ownerId: accountId,
      ipv6CidrBlockAssociationSet: [],
      tags: [{ key: 'Name', value: name }],
    },
  });
  context.items.push(vpcItem, ...children, ...tables.map((t) => t.item), ...endpoints);
}

function endpoint(
  context: AccountContext,
  region: string,
  vpcId: string,
  id: string,
  name: string,
  fields: {
    vpcEndpointType: string;
    serviceName: string;
    routeTableIds: string[];
    subnetIds: string[];
    state?: string;
  },
): Item {
  const { rng, accountId } = context;
  const service = fields.serviceName.split('.').slice(3).join('.') || 'svc';
  const suffix = rng.hex(8);
  const isInterface = fields.vpcEndpointType === 'Interface';
  const dnsEntries = isInterface
    ? [
        { dnsName: `${id}-${suffix}.${service}.${region}.vpce.amazonaws.com`, hostedZoneId: 'Z7HUB22UULQXV' },
        ...fields.subnetIds.map((_, index) => ({
          dnsName: `${id}-${suffix}-${region}${'abc'[index]}.${service}.${region}.vpce.amazonaws.com`,
          hostedZoneId: 'Z7HUB22UULQXV',
        })),
      ]
    : [];
  return envelope(context, region, 'AWS::EC2::VPCEndpoint', id, {
    name,
    arn: ec2Arn(region, accountId, 'vpc-endpoint', id),
    availabilityZone: 'Not Applicable',
    tags: { Name: name },
    relationships: [relation('AWS::EC2::VPC', vpcId, 'Is contained in Vpc')],
    configuration: {
      vpcEndpointId: id,
      vpcEndpointType: fields.vpcEndpointType,
      vpcId,
      serviceName: fields.serviceName,
      state: fields.state ?? 'available',
      policyDocument:
        '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}',
      routeTableIds: fields.routeTableIds,
      subnetIds: fields.subnetIds,
      groups: isInterface ? [{ groupId: `sg-0${rng.hex(16)}`, groupName: `${name}-endpoints` }] : [],
      ipAddressType: 'ipv4',
      ...(isInterface ? { dnsOptions: { dnsRecordIpType: 'ipv4' } } : {}),
      privateDnsEnabled: isInterface,
      requesterManaged: false,
      networkInterfaceIds: fields.subnetIds.map(() => `eni-0${rng.hex(16)}`),
      dnsEntries,
      creationTimestamp: '2023-03-14T10:05:44.000Z',
      tags: [{ key: 'Name', value: name }],
      ownerId: accountId,
    },
  });
}

function defaultVpc(context: AccountContext, region: string): void {
  const { rng, accountId, items } = context;
  const vpcId = `vpc-${rng.hex(8)}`;
  const subnets = ['a', 'b', 'c'].map((letter) => ({ id: `subnet-${rng.hex(8)}`, az: `${region}${letter}` }));
  const tableId = `rtb-${rng.hex(8)}`;
  items.push(
    envelope(context, region, 'AWS::EC2::VPC', vpcId, {
      name: null,
      arn: ec2Arn(region, accountId, 'vpc', vpcId),
      availabilityZone: 'Multiple Availability Zones',
      configuration: {
        cidrBlock: '172.31.0.0/16',
        state: 'available',
        isDefault: true,
        ownerId: accountId,
        instanceTenancy: 'default',
      },
    }),
    ...subnets.map((subnet, index) =>
      envelope(context, region, 'AWS::EC2::Subnet', subnet.id, {
        name: null,
        arn: ec2Arn(region, accountId, 'subnet', subnet.id),
        availabilityZone: subnet.az,
        relationships: [relation('AWS::EC2::VPC', vpcId, 'Is contained in Vpc')],
        configuration: {
          availabilityZone: subnet.az,
          availableIpAddressCount: 4091,
          cidrBlock: `172.31.${index * 16}.0/20`,
          defaultForAz: true,
          mapPublicIpOnLaunch: true,
          state: 'available',
          subnetId: subnet.id,
          vpcId,
          ownerId: accountId,
          ipv6CidrBlockAssociationSet: [],
          tags: [],
        },
      }),
    ),
    envelope(context, region, 'AWS::EC2::RouteTable', tableId, {
      name: null,
      arn: ec2Arn(region, accountId, 'route-table', tableId),
      availabilityZone: 'Not Applicable',
      relationships: [relation('AWS::EC2::VPC', vpcId, 'Is contained in Vpc')],
      configuration: {
        associations: [
          {
            main: true,
            routeTableAssociationId: `rtbassoc-${rng.hex(8)}`,
            routeTableId: tableId,
            associationState: { state: 'associated' },
          },
        ],
        propagatingVgws: [],
        routeTableId: tableId,
        routes: [
          {
            destinationCidrBlock: '172.31.0.0/16',
            gatewayId: 'local',
            origin: 'CreateRouteTable',
            state: 'active',
          },
          {
            destinationCidrBlock: '0.0.0.0/0',
            gatewayId: `igw-${rng.hex(8)}`,
            origin: 'CreateRoute',
            state: 'active',
          },
        ],
        tags: [],
        vpcId,
        ownerId: accountId,
      },
    }),
  );
}

const OWNER_ID = '3f1e6a2b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f';

function bucketPolicy(context: AccountContext, name: string): string | null {
  const { rng } = context;
  const roll = rng.next();
  const resources = [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`];
  let statements: Item[];
  if (roll < 0.5) return null;
  if (roll < 0.7) {
    statements = [
      {
        Sid: 'OrgRead',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: resources,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      },
    ];
  } else if (roll < 0.82) {
    statements = [
      {
        Sid: 'VpceOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: resources,
        Condition: { StringNotEquals: { 'aws:SourceVpce': `vpce-0${rng.hex(16)}` } },
      },
      {
        Sid: 'AppRole',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${context.accountId}:role/${context.prefix}-app` },
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: resources[1],
      },
    ];
  } else if (roll < 0.92) {
    statements = [
      {
        Sid: 'AllowCloudFront',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: resources[1],
        Condition: {
          StringEquals: {
            'AWS:SourceArn': `arn:aws:cloudfront::${context.accountId}:distribution/E${rng.hex(13).toUpperCase()}`,
          },
        },
      },
    ];
  } else if (roll < 0.97) {
    statements = [
      {
        Sid: 'Office',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: resources[1],
        Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.0/24'] } },
      },
    ];
  } else {
    statements = [
      { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: resources[1] },
    ];
  }
  statements.push({
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: resources,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

function bucket(context: AccountContext, region: string, index: number): void {
  const { rng, accountId } = context;
  const purpose = rng.pick([
    'artifacts',
    'logs',
    'data',
    'backups',
    'static',
    'exports',
    'tfstate',
    'uploads',
  ]);
  const name = `${context.prefix}-${purpose}-${index}-${accountId}`;
  const logs = purpose === 'logs';
  const grants: Item[] = [{ grantee: { id: OWNER_ID, displayName: null }, permission: 'FullControl' }];
  if (logs)
    grants.push(
      { grantee: 'LogDelivery', permission: 'Write' },
      { grantee: 'LogDelivery', permission: 'ReadAcp' },
    );
  if (rng.chance(0.02)) grants.push({ grantee: 'AllUsers', permission: 'Read' });
  const acl = JSON.stringify({
    grantSet: null,
    grantList: grants,
    owner: { displayName: null, id: OWNER_ID },
    isRequesterCharged: false,
  });
  const blockRoll = rng.next();
  const bpa =
    blockRoll < 0.8
      ? {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        }
      : blockRoll < 0.9
        ? {
            blockPublicAcls: true,
            ignorePublicAcls: true,
            blockPublicPolicy: false,
            restrictPublicBuckets: false,
          }
        : undefined;
  const tags: Record<string, string> = { team: context.prefix.split('-')[0] ?? 'platform', purpose };
  if (rng.chance(0.01)) tags['endpoint-guard:exempt'] = 'public website';
  const supplementary: Item = {
    AccessControlList: acl,
    BucketAccelerateConfiguration: { status: null },
    BucketLoggingConfiguration: logs
      ? { destinationBucketName: null, logFilePrefix: null }
      : { destinationBucketName: `${context.prefix}-logs-${accountId}`, logFilePrefix: `${name}/` },
    BucketNotificationConfiguration: { configurations: {} },
    BucketPolicy: { policyText: bucketPolicy(context, name) },
    BucketVersioningConfiguration: { status: rng.chance(0.7) ? 'Enabled' : 'Off', isMfaDeleteEnabled: null },
    IsRequesterPaysEnabled: false,
    ServerSideEncryptionConfiguration: {
      rules: [
        rng.chance(0.4)
          ? {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: 'aws:kms',
                kmsMasterKeyID: `arn:aws:kms:${region}:${accountId}:key/${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
              },
              bucketKeyEnabled: true,
            }
          : {
              applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256', kmsMasterKeyID: null },
              bucketKeyEnabled: false,
            },
      ],
    },
    BucketLifecycleConfiguration: {
      rules: [
        {
          id: 'expire-noncurrent',
          status: 'Enabled',
          filter: { predicate: { type: 'LifecyclePrefixPredicate', prefix: '' } },
          noncurrentVersionExpirationInDays: 90,
          transitions: [],
        },
      ],
    },
    BucketTaggingConfiguration: { tagSets: [{ tags }] },
    ...(bpa ? { PublicAccessBlockConfiguration: bpa } : {}),
  };
  context.items.push(
    envelope(context, region, 'AWS::S3::Bucket', name, {
      name,
      arn: `arn:aws:s3:::${name}`,
      availabilityZone: 'Regional',
      tags,
      configuration: {
        name,
        owner: { displayName: null, id: OWNER_ID },
        creationDate: '2023-03-15T08:11:42.000Z',
      },
      supplementaryConfiguration: supplementary,
    }),
  );
}

function accountPublicAccessBlock(context: AccountContext, region: string): void {
  const on = context.rng.chance(0.6);
  context.items.push(
    envelope(context, region, 'AWS::S3::AccountPublicAccessBlock', context.accountId, {
      availabilityZone: 'Not Applicable',
      status: 'ResourceDiscovered',
      configuration: {
        blockPublicAcls: on,
        ignorePublicAcls: on,
        blockPublicPolicy: on,
        restrictPublicBuckets: on,
      },
    }),
  );
}

// ─── CLI ────────────────────────────────────────────────────────────────────────────────

// Only when run as `tsx bench/generate.ts` (not when bundled into, or imported by, another script).
if (/(^|[\\/])generate\.[cm]?[jt]s$/.test(argv[1] ?? '')) {
  const { values } = parseArgs({
    options: {
      items: { type: 'string', default: '50000' },
      seed: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const snapshot = generateSnapshot({
    items: Number(values.items),
    ...(values.seed === undefined ? {} : { seed: Number(values.seed) }),
  });
  const text = JSON.stringify(snapshot);
  if (values.out) writeFileSync(values.out, text);
  else process.stdout.write(text);
}
