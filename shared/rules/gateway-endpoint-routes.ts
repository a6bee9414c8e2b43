/**
 * `gateway-endpoint-routes`: a gateway endpoint only serves the subnets whose route table holds
 * its prefix-list route, so every private route table in use must be associated with its VPC's
 * S3 gateway endpoint (and its DynamoDB one, when the VPC has one). See ARCHITECTURE.md, "The rules".
 */
import { z } from 'zod';
import {
  createdEndpoint,
  createdRouteTable,
  createdSubnet,
  deletedEndpoints,
  ec2,
  modifiedEndpoint,
  namedRouteTable,
  taggedResources,
  vpcOrAllVpcs,
} from '../events/scope-finders';
import { partitionOf } from '../inventory/arn';
import type { Inventory } from '../inventory/inventory';
import { isActiveAssociation, type RouteTable, sameEnum, type VpcEndpoint } from '../model';
import { strictObject } from '../settings/strict-object';
import { evaluationOf, preliminaryVerdict } from './evaluation';
import type { Evaluation, EvaluationContext, PlannedAction, RemediationPlan, Rule } from './types';

/** The two services that offer gateway endpoints. */
export const GATEWAY_SERVICES = ['s3', 'dynamodb'] as const;
export type GatewayService = (typeof GATEWAY_SERVICES)[number];

const SERVICE_LABEL: Record<GatewayService, string> = { s3: 'S3', dynamodb: 'DynamoDB' };

const SOURCE_IP_WARNING =
  'Moving S3 traffic off the NAT gateway onto the endpoint breaks bucket policies that allow the NAT ' +
  "gateway's public IP with aws:SourceIp: switch them to aws:SourceVpce or aws:SourceVpc first.";

const requirementSchema = z.enum(['required', 'if-present', 'ignore']);

/**
 * `rules.gateway-endpoint-routes` in the settings document, besides `mode`: the options its
 * evaluation reads, each with its default.
 */
const optionsSchema = strictObject({
  /** Create a missing S3 / DynamoDB gateway endpoint (`CreateVpcEndpoint`). @default false */
  allowCreateEndpoint: z.boolean().default(false),
  /**
   * Which gateway endpoints a private route table needs: `required`: every private table needs
   * it; `if-present`: only when the VPC has one; `ignore`.
   * @default { s3: 'required', dynamodb: 'if-present' }
   */
  services: strictObject({
    s3: requirementSchema.default('required'),
    dynamodb: requirementSchema.default('if-present'),
  }).prefault({}),
  /** Also check route tables with a default route to an internet gateway. @default false */
  includePublicRouteTables: z.boolean().default(false),
});

type GatewayOptions = z.output<typeof optionsSchema>;

export const gatewayEndpointRoutes: Rule<
  'AWS::EC2::RouteTable',
  'gateway-endpoint-routes',
  typeof optionsSchema
> = {
  id: 'gateway-endpoint-routes',
  resourceType: 'AWS::EC2::RouteTable',
  reads: ['AWS::EC2::Subnet', 'AWS::EC2::VPCEndpoint'],
  severity: 'MEDIUM',
  title: 'Private route tables reach S3 and DynamoDB through gateway endpoints',
  description:
    "Every private route table in use must hold the route of its VPC's S3 gateway endpoint (and of its " +
    'DynamoDB gateway endpoint when there is one); otherwise that traffic goes through NAT (cost) or nowhere.',
  triggers: [
    ec2('CreateRouteTable', 'a new table (in scope once associated)', createdRouteTable),
    ec2('AssociateRouteTable', 'an association brings a table into scope', namedRouteTable),
    ec2(
      'ReplaceRouteTableAssociation',
      'a subnet (or the main role) moves to another table',
      namedRouteTable,
    ),
    ec2(
      'DisassociateRouteTable',
      'the subnet falls back to the main table, which may come into scope',
      vpcOrAllVpcs('only the association id'),
    ),
    ec2('CreateRoute', 'a default route to an IGW makes a table public; an endpoint route', namedRouteTable),
    ec2('ReplaceRoute', 'a route’s target changes', namedRouteTable),
    ec2('DeleteRoute', 'a prefix-list route to the endpoint or the IGW route goes away', namedRouteTable),
    ec2(
      'CreateVpcEndpoint',
      'a new gateway endpoint (S3 or DynamoDB) applies to the VPC’s tables',
      createdEndpoint,
    ),
    ec2('ModifyVpcEndpoint', 'route tables added to or removed from a gateway endpoint', modifiedEndpoint),
    ec2('DeleteVpcEndpoints', 'the VPC’s tables lose a gateway endpoint', deletedEndpoints),
    ec2('CreateSubnet', 'a new subnet uses the main table implicitly', createdSubnet),
    ec2('DeleteSubnet', 'the main table may lose its last implicit subnet', vpcOrAllVpcs('the subnet')),
    ec2(
      'CreateTags',
      'the endpoint-guard:exempt tag exempts a route table',
      taggedResources('rtb-', 'routeTableIds'),
    ),
    ec2(
      'DeleteTags',
      'removing endpoint-guard:exempt brings a table back',
      taggedResources('rtb-', 'routeTableIds'),
    ),
  ],
  configurationFields: {
    'AWS::EC2::RouteTable': ['configuration.vpcId', 'configuration.routes', 'configuration.associations'],
    'AWS::EC2::Subnet': ['configuration.vpcId'],
    'AWS::EC2::VPCEndpoint': [
      'configuration.vpcId',
      'configuration.vpcEndpointType',
      'configuration.serviceName',
      'configuration.state',
      'configuration.routeTableIds',
    ],
  },
  permissions: {
    detect: ['ec2:DescribeRouteTables', 'ec2:DescribeVpcEndpoints', 'ec2:DescribeSubnets'],
    fix: ['ec2:ModifyVpcEndpoint', 'ec2:CreateVpcEndpoint'],
  },
  options: optionsSchema,
  text: {
    title: 'Private route table without its gateway endpoint',
    whyItMatters:
      'Subnets using this route table send S3 / DynamoDB traffic through a NAT gateway (billed per GB ' +
      'processed) or have no path at all, instead of the free gateway endpoint.',
    ticketCategory: 'Cost',
  },
  compliance: {
    // Traffic to S3 and DynamoDB stays on the private path: information flow and boundary
    // protection. No Foundational Security Best Practices control checks gateway-endpoint routes.
    fsbp: [],
    nist80053r5: ['AC-4', 'SC-7', 'SC-7(4)'],
    cis: [],
    findingTypes: ['Software and Configuration Checks/AWS Security Best Practices'],
    referenceUrl: 'https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html',
  },
  evaluate(table: RouteTable, { inventory, options }: EvaluationContext): Evaluation {
    const rule = gatewayEndpointRoutes;
    const settings = options['gateway-endpoint-routes'];
    const preliminary = preliminaryVerdict(table);
    if (preliminary) return evaluationOf(rule, table, preliminary);

    const scope = scopeOf(table, inventory);
    if (!scope.inScope) return evaluationOf(rule, table, { status: 'NOT_APPLICABLE', reason: scope.reason });
    const internetRoute = table.routes.find(
      (route) => route.destinationCidrBlock === '0.0.0.0/0' && route.gatewayId?.startsWith('igw-') === true,
    );
    if (internetRoute && !settings.includePublicRouteTables) {
      return evaluationOf(rule, table, {
        status: 'NOT_APPLICABLE',
        reason: `public route table (0.0.0.0/0 → ${internetRoute.gatewayId}); public tables are out of scope`,
      });
    }

    const checks = GATEWAY_SERVICES.map((service) =>
      checkService(service, settings.services[service], table, inventory),
    ).filter((check) => check.outcome !== 'not-required');
    const evidence = {
      vpcId: table.vpcId,
      subnets: scope.subnetIds,
      implicitSubnets: scope.implicitSubnetIds,
      public: internetRoute !== undefined,
      services: servicesEvidence(checks),
    };
    const missing = checks.filter((check) => check.outcome !== 'associated');
    const tier = internetRoute ? 'public' : 'private';
    const users = `used by ${describeSubnets(scope)}`;
    if (missing.length === 0) {
      const routed = checks.length
        ? `routes ${checks.map((check) => `${SERVICE_LABEL[check.service]} via ${check.endpoint?.resourceId}`).join(', ')}`
        : 'needs no gateway endpoint under the settings (services ignored, or not present)';
      return evaluationOf(rule, table, {
        status: 'COMPLIANT',
        reason: `${tier} route table (${users}) ${routed}`,
        evidence,
      });
    }
    return evaluationOf(rule, table, {
      status: 'NON_COMPLIANT',
      reason: `${tier} route table (${users}): ${missing.map((check) => describeMissing(check, table)).join('; ')}`,
      evidence,
      remediation: planFix(table, missing, settings),
    });
  },
};

interface Scope {
  readonly inScope: boolean;
  readonly reason: string;
  readonly subnetIds: readonly string[];
  readonly implicitSubnetIds: readonly string[];
}

/**
 * A table is in use when a subnet is explicitly associated with it, or when it is the VPC's main
 * table and some subnet of the VPC has no explicit association (it then uses the main table).
 */
function scopeOf(table: RouteTable, inventory: Inventory): Scope {
  const active = table.associations.filter(isActiveAssociation);
  const subnetIds = active
    .map((association) => association.subnetId)
    .filter((id): id is string => id !== undefined);
  const isMain = active.some((association) => association.main);
  let implicitSubnetIds: string[] = [];
  if (isMain) {
    const explicit = explicitlyAssociated(inventory.routeTablesOfVpc(table.vpcId));
    implicitSubnetIds = inventory
      .subnetsOfVpc(table.vpcId)
      .map((subnet) => subnet.resourceId)
      .filter((id) => !explicit.has(id));
  }
  if (subnetIds.length === 0 && implicitSubnetIds.length === 0) {
    return {
      inScope: false,
      reason: isMain
        ? `main route table, but every subnet of ${table.vpcId} has an explicit association`
        : 'route table has no subnet association',
      subnetIds,
      implicitSubnetIds,
    };
  }
  return { inScope: true, reason: '', subnetIds, implicitSubnetIds };
}

/**
 * The subnets some table of the VPC is explicitly associated with. Computed once per VPC (the
 * inventory hands out one array of tables per VPC and never changes it), not once per main table.
 */
function explicitlyAssociated(tables: readonly RouteTable[]): ReadonlySet<string | undefined> {
  let explicit = explicitByTables.get(tables);
  if (explicit === undefined) {
    explicit = new Set(
      tables.flatMap((other) =>
        other.associations.filter(isActiveAssociation).map((association) => association.subnetId),
      ),
    );
    explicitByTables.set(tables, explicit);
  }
  return explicit;
}

const explicitByTables = new WeakMap<readonly RouteTable[], ReadonlySet<string | undefined>>();

function describeSubnets(scope: Scope): string {
  const parts: string[] = [];
  if (scope.subnetIds.length) parts.push(listIds(scope.subnetIds));
  if (scope.implicitSubnetIds.length) parts.push(`${listIds(scope.implicitSubnetIds)} as main table`);
  return parts.join(', ');
}

function listIds(ids: readonly string[]): string {
  return ids.length <= 2 ? ids.join(', ') : `${ids.length} subnets`;
}

interface ServiceCheck {
  readonly service: GatewayService;
  readonly outcome: 'associated' | 'not-associated' | 'no-endpoint' | 'not-required';
  /** The endpoint the table uses, or the one it should be added to. */
  readonly endpoint?: VpcEndpoint;
  /** Gateway endpoints of the service that exist but are not available. */
  readonly unavailable: readonly VpcEndpoint[];
}

/** `{s3: {outcome, endpointId}, dynamodb: ...}`, in the order of the checks. */
function servicesEvidence(checks: readonly ServiceCheck[]): Record<string, unknown> {
  const services: Record<string, unknown> = {};
  for (const check of checks) {
    services[check.service] = { outcome: check.outcome, endpointId: check.endpoint?.resourceId ?? null };
  }
  return services;
}

/** Whether a gateway endpoint's service is S3 or DynamoDB (`com.amazonaws.<region>.s3`, `cn.com...`). */
export function gatewayServiceOf(endpoint: Pick<VpcEndpoint, 'serviceName'>): GatewayService | undefined {
  return GATEWAY_SERVICES.find((service) => endpoint.serviceName.toLowerCase().endsWith(`.${service}`));
}

/** The table is associated when it is in the endpoint's routeTableIds or routes to it by prefix list. */
export function isTableAssociated(table: RouteTable, endpoint: VpcEndpoint): boolean {
  return (
    endpoint.routeTableIds.includes(table.resourceId) ||
    table.routes.some(
      (route) => route.destinationPrefixListId !== undefined && route.gatewayId === endpoint.resourceId,
    )
  );
}

function checkService(
  service: GatewayService,
  requirement: GatewayOptions['services'][GatewayService],
  table: RouteTable,
  inventory: Inventory,
): ServiceCheck {
  const endpoints = inventory
    .endpointsOfVpc(table.vpcId)
    .filter(
      (endpoint) => sameEnum(endpoint.endpointType, 'Gateway') && gatewayServiceOf(endpoint) === service,
    );
  const available = endpoints.filter((endpoint) => sameEnum(endpoint.state, 'available'));
  const unavailable = endpoints.filter((endpoint) => !sameEnum(endpoint.state, 'available'));
  if (requirement === 'ignore') return { service, outcome: 'not-required', unavailable };
  const used = available.find((endpoint) => isTableAssociated(table, endpoint));
  if (used) return { service, outcome: 'associated', endpoint: used, unavailable };
  const [first] = [...available].sort((a, b) => a.resourceId.localeCompare(b.resourceId));
  if (first) return { service, outcome: 'not-associated', endpoint: first, unavailable };
  if (requirement === 'required') return { service, outcome: 'no-endpoint', unavailable };
  return { service, outcome: 'not-required', unavailable };
}

function describeMissing(check: ServiceCheck, table: RouteTable): string {
  const label = SERVICE_LABEL[check.service];
  if (check.outcome === 'not-associated') {
    return `not associated with ${label} gateway endpoint ${check.endpoint?.resourceId}`;
  }
  const pending = check.unavailable[0];
  return pending
    ? `${label} gateway endpoint ${pending.resourceId} of ${table.vpcId} is ${pending.state || 'not available'}`
    : `${table.vpcId} has no ${label} gateway endpoint`;
}

function planFix(
  table: RouteTable,
  missing: readonly ServiceCheck[],
  settings: GatewayOptions,
): RemediationPlan {
  const actions: PlannedAction[] = [];
  const fixed = new Set<GatewayService>();
  const leftOver: string[] = [];
  for (const check of missing) {
    const label = SERVICE_LABEL[check.service];
    if (check.outcome === 'not-associated' && check.endpoint) {
      actions.push({
        service: 'ec2',
        action: 'ModifyVpcEndpoint',
        parameters: { VpcEndpointId: check.endpoint.resourceId, AddRouteTableIds: [table.resourceId] },
      });
      fixed.add(check.service);
    } else if (check.unavailable.length > 0) {
      leftOver.push(`${label} gateway endpoint ${check.unavailable[0]?.resourceId} is not available`);
    } else if (settings.allowCreateEndpoint) {
      actions.push({
        service: 'ec2',
        action: 'CreateVpcEndpoint',
        parameters: {
          VpcId: table.vpcId,
          ServiceName: serviceNameFor(check.service, table.region),
          VpcEndpointType: 'Gateway',
          RouteTableIds: [table.resourceId],
          // One token per VPC and service: concurrent fixes of two tables cannot create two endpoints.
          ClientToken: `endpoint-guard-${table.vpcId}-${check.service}`,
        },
      });
      fixed.add(check.service);
    } else {
      leftOver.push(`${table.vpcId} has no ${label} gateway endpoint and allowCreateEndpoint is off`);
    }
  }
  if (actions.length === 0) {
    return {
      kind: 'ticket-only',
      summary: `Add ${missing.map((check) => SERVICE_LABEL[check.service]).join(' and ')} gateway endpoint routes to ${table.resourceId}`,
      why: leftOver.join('; '),
    };
  }
  const warnings: string[] = [];
  if (actions.some((action) => action.action === 'CreateVpcEndpoint')) {
    warnings.push('Creates a gateway endpoint (gateway endpoints have no hourly or data charge).');
  }
  if (fixed.has('s3')) warnings.push(SOURCE_IP_WARNING);
  if (leftOver.length) warnings.push(`Not fixed automatically (ticket): ${leftOver.join('; ')}.`);
  return {
    kind: 'fix',
    summary: actions
      .map((action) =>
        action.action === 'CreateVpcEndpoint'
          ? `create a ${action.parameters.ServiceName} gateway endpoint for ${table.resourceId}`
          : `add ${table.resourceId} to ${'VpcEndpointId' in action.parameters ? action.parameters.VpcEndpointId : ''}`,
      )
      .join('; '),
    actions,
    warnings,
  };
}

/** `com.amazonaws.<region>.<service>`; China regions prefix it with `cn.`. */
export function serviceNameFor(service: GatewayService, region: string): string {
  const prefix = partitionOf(region) === 'aws-cn' ? 'cn.com.amazonaws' : 'com.amazonaws';
  return `${prefix}.${region}.${service}`;
}
