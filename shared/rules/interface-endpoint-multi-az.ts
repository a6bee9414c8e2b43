/**
 * `interface-endpoint-multi-az`: an interface VPC endpoint puts one ENI in each subnet it is
 * given, so it is only highly available when it has a subnet in every Availability Zone its
 * VPC's workloads run in (and at least two). See ARCHITECTURE.md, "The rules".
 */
import {
  createdEndpoint,
  createdSubnet,
  ec2,
  modifiedEndpoint,
  taggedResources,
  vpcOrAllVpcs,
} from '../events/scope-finders';
import type { Inventory } from '../inventory/inventory';
import { type Subnet, sameEnum, type VpcEndpoint } from '../model';
import { evaluationOf, preliminaryVerdict } from './evaluation';
import type { Evaluation, EvaluationContext, RemediationPlan, Rule } from './types';

export const interfaceEndpointMultiAz: Rule<
  'AWS::EC2::VPCEndpoint',
  'interface-endpoint-multi-az',
  undefined
> = {
  id: 'interface-endpoint-multi-az',
  resourceType: 'AWS::EC2::VPCEndpoint',
  reads: ['AWS::EC2::Subnet', 'AWS::EC2::RouteTable'],
  severity: 'HIGH',
  title: 'Interface VPC endpoints are highly available',
  description:
    'An interface endpoint must have a subnet in every Availability Zone in which its VPC has subnets ' +
    '(and in at least two); otherwise an AZ outage cuts the workloads of the other AZs off the service.',
  triggers: [
    ec2('CreateVpcEndpoint', 'a new endpoint must span the VPC’s AZs', createdEndpoint),
    ec2('ModifyVpcEndpoint', 'subnets added to or removed from an endpoint change its AZs', modifiedEndpoint),
    ec2(
      'CreateSubnet',
      'a subnet in a new AZ makes the VPC’s interface endpoints miss that AZ',
      createdSubnet,
    ),
    ec2(
      'DeleteSubnet',
      'the last subnet of an AZ leaving shrinks the AZs endpoints need',
      vpcOrAllVpcs('the subnet'),
    ),
    ec2(
      'CreateTags',
      'the endpoint-guard:exempt tag exempts an endpoint',
      taggedResources('vpce-', 'endpointIds'),
    ),
    ec2(
      'DeleteTags',
      'removing endpoint-guard:exempt brings an endpoint back',
      taggedResources('vpce-', 'endpointIds'),
    ),
  ],
  configurationFields: {
    'AWS::EC2::VPCEndpoint': [
      'configuration.vpcId',
      'configuration.vpcEndpointType',
      'configuration.serviceName',
      'configuration.state',
      'configuration.subnetIds',
    ],
    'AWS::EC2::Subnet': [
      'configuration.vpcId',
      'configuration.availabilityZone',
      'configuration.availableIpAddressCount',
      'configuration.state',
    ],
    // Subnets of the same tier share a route table: the fix prefers them.
    'AWS::EC2::RouteTable': ['configuration.vpcId', 'configuration.associations'],
  },
  permissions: {
    detect: [
      'ec2:DescribeVpcEndpoints',
      'ec2:DescribeSubnets',
      'ec2:DescribeRouteTables',
      'ec2:DescribeVpcEndpointServices',
    ],
    fix: ['ec2:ModifyVpcEndpoint'],
  },
  options: undefined,
  text: {
    title: 'Interface endpoint not in every AZ',
    whyItMatters:
      'An interface endpoint only has a network interface in the AZs of its subnets: if that AZ fails, ' +
      'every workload of the VPC loses its private path to the service, including those in healthy AZs.',
    ticketCategory: 'Availability',
  },
  sweep: { serviceZones: { when: mayPassWithServiceZones } },
  compliance: {
    // No Foundational Security Best Practices control checks an endpoint's Availability Zones; the
    // NIST controls are the ones Security Hub maps its multi-AZ controls to.
    fsbp: [],
    nist80053r5: ['CP-6(2)', 'CP-10', 'SC-5(2)', 'SC-36', 'SI-13(5)'],
    cis: [],
    findingTypes: ['Software and Configuration Checks/AWS Security Best Practices'],
    referenceUrl: 'https://docs.aws.amazon.com/vpc/latest/privatelink/interface-endpoints.html',
  },
  evaluate(endpoint: VpcEndpoint, { inventory }: EvaluationContext): Evaluation {
    const rule = interfaceEndpointMultiAz;
    const preliminary = preliminaryVerdict(endpoint);
    if (preliminary) return evaluationOf(rule, endpoint, preliminary);
    if (!sameEnum(endpoint.endpointType, 'Interface')) {
      return evaluationOf(rule, endpoint, {
        status: 'NOT_APPLICABLE',
        reason: `${endpoint.endpointType || 'untyped'} endpoint: only interface endpoints need a subnet per AZ`,
      });
    }
    if (!sameEnum(endpoint.state, 'available')) {
      return evaluationOf(rule, endpoint, {
        status: 'NOT_APPLICABLE',
        reason: `endpoint state is ${endpoint.state || 'unknown'}, not available`,
      });
    }

    const zones = requiredAndCovered(endpoint, inventory);
    const { required, covered, missing } = zones;
    // Optional facts are assigned, not spread in: a spread in an object literal is a runtime call.
    const evidence: Record<string, unknown> = {
      vpcId: endpoint.vpcId,
      serviceName: endpoint.serviceName,
      requiredAvailabilityZones: required,
      coveredAvailabilityZones: covered,
      missingAvailabilityZones: missing,
      endpointSubnets: zones.endpointSubnets,
    };
    if (zones.unknownSubnetIds.length) evidence.subnetsNotInInventory = zones.unknownSubnetIds;
    if (zones.serviceZones) evidence.serviceAvailabilityZones = zones.serviceZones;

    if (covered.length >= required.length && covered.length >= 2) {
      return evaluationOf(rule, endpoint, {
        status: 'COMPLIANT',
        reason: `subnets in ${covered.length} AZs (${covered.join(', ')}) cover every AZ of ${endpoint.vpcId}`,
        evidence,
      });
    }
    return evaluationOf(rule, endpoint, {
      status: 'NON_COMPLIANT',
      reason: nonCompliantReason(endpoint, zones),
      evidence,
      remediation: planFix(endpoint, inventory, zones),
    });
  },
};

/**
 * Whether knowing the AZs the endpoint's service is offered in could make a non-compliant
 * interface endpoint compliant: it covers at least two AZs but not all of its VPC's. (Covering
 * fewer than two is non-compliant whatever the service's AZs; the required AZs can only shrink.)
 */
export function mayPassWithServiceZones(evaluation: Evaluation): boolean {
  if (evaluation.ruleId !== interfaceEndpointMultiAz.id || evaluation.status !== 'NON_COMPLIANT')
    return false;
  const { coveredAvailabilityZones: covered, missingAvailabilityZones: missing } = evaluation.evidence;
  return Array.isArray(covered) && covered.length >= 2 && Array.isArray(missing) && missing.length > 0;
}

interface Zones {
  readonly required: string[];
  readonly covered: string[];
  readonly missing: string[];
  readonly vpcZones: string[];
  readonly serviceZones: readonly string[] | undefined;
  readonly endpointSubnets: Subnet[];
  readonly unknownSubnetIds: string[];
  readonly vpcSubnets: readonly Subnet[];
}

function requiredAndCovered(endpoint: VpcEndpoint, inventory: Inventory): Zones {
  const vpcSubnets = inventory.subnetsOfVpc(endpoint.vpcId);
  const vpcZones = zonesOf(vpcSubnets);
  const serviceZones = inventory.serviceAvailabilityZones(endpoint.region, endpoint.serviceName);
  const required = serviceZones ? vpcZones.filter((zone) => serviceZones.includes(zone)) : vpcZones;

  const endpointSubnets: Subnet[] = [];
  const unknownSubnetIds: string[] = [];
  for (const subnetId of endpoint.subnetIds) {
    const subnet = inventory.subnet(subnetId);
    if (subnet) endpointSubnets.push(subnet);
    else unknownSubnetIds.push(subnetId);
  }
  const covered = distinctSorted(endpointSubnets.map((subnet) => subnet.availabilityZone));
  const missing = required.filter((zone) => !covered.includes(zone));
  return {
    required,
    covered,
    missing,
    vpcZones,
    serviceZones,
    endpointSubnets,
    unknownSubnetIds,
    vpcSubnets,
  };
}

/**
 * The distinct AZs of a VPC's subnets, sorted. Computed once per VPC (the inventory hands out one
 * array of subnets per VPC and never changes it), not once per endpoint; each caller gets a copy.
 */
function zonesOf(vpcSubnets: readonly Subnet[]): string[] {
  let zones = zonesBySubnets.get(vpcSubnets);
  if (zones === undefined) {
    zones = distinctSorted(vpcSubnets.map((subnet) => subnet.availabilityZone));
    zonesBySubnets.set(vpcSubnets, zones);
  }
  return [...zones];
}

const zonesBySubnets = new WeakMap<readonly Subnet[], readonly string[]>();

function nonCompliantReason(endpoint: VpcEndpoint, zones: Zones): string {
  const has = `has subnets in ${countZones(zones.covered)}`;
  if (zones.required.length < 2) {
    const where =
      zones.vpcZones.length < 2
        ? `its VPC ${endpoint.vpcId} has subnets in ${countZones(zones.vpcZones)}`
        : `the service is offered in ${countZones(zones.required)} of its VPC's AZs`;
    return `endpoint ${has} and cannot be highly available: ${where}`;
  }
  const missing = zones.missing.length ? `; missing ${zones.missing.join(', ')}` : '';
  return `endpoint ${has}; its VPC ${endpoint.vpcId} uses ${countZones(zones.required)}${missing}`;
}

function countZones(zones: readonly string[]): string {
  if (zones.length === 0) return 'no known AZ';
  return `${zones.length} AZ${zones.length === 1 ? '' : 's'} (${zones.join(', ')})`;
}

function planFix(endpoint: VpcEndpoint, inventory: Inventory, zones: Zones): RemediationPlan {
  if (zones.required.length < 2) {
    return {
      kind: 'ticket-only',
      summary: 'Add subnets in a second Availability Zone to the VPC, then to the endpoint',
      why:
        zones.vpcZones.length < 2
          ? `VPC ${endpoint.vpcId} has subnets in ${countZones(zones.vpcZones)}: there is no other AZ to add`
          : `the endpoint service is offered in only ${countZones(zones.required)} of the VPC's AZs`,
    };
  }
  const picks: Subnet[] = [];
  const unfixable: string[] = [];
  for (const zone of zones.missing) {
    const pick = chooseSubnet(zone, endpoint, inventory, zones);
    if (pick) picks.push(pick);
    else unfixable.push(zone);
  }
  if (picks.length === 0) {
    return {
      kind: 'ticket-only',
      summary: `Make room for the endpoint in ${zones.missing.join(', ') || 'another AZ'}`,
      why: zones.missing.length
        ? `no subnet of ${endpoint.vpcId} in ${zones.missing.join(', ')} has a free IP address`
        : 'the endpoint covers fewer AZs than required, but no required AZ is missing from its known subnets',
    };
  }
  const subnetIds = picks.map((subnet) => subnet.resourceId);
  const warnings = [
    `Adds ${picks.length} endpoint network interface${picks.length === 1 ? '' : 's'}: each added AZ is billed ` +
      'one more endpoint ENI-hour (interface endpoints are charged per AZ per hour) plus data processed.',
  ];
  if (unfixable.length) {
    warnings.push(
      `No subnet with a free IP address in ${unfixable.join(', ')}: the endpoint stays non-compliant there until one is made (ticket).`,
    );
  }
  return {
    kind: 'fix',
    summary: `Add ${picks
      .map((subnet) => `${subnet.resourceId} (${subnet.availabilityZone})`)
      .join(', ')} to endpoint ${endpoint.resourceId}`,
    actions: [
      {
        service: 'ec2',
        action: 'ModifyVpcEndpoint',
        parameters: { VpcEndpointId: endpoint.resourceId, AddSubnetIds: subnetIds },
      },
    ],
    warnings,
  };
}

/**
 * The subnet to add in `zone`: prefer one that shares a route table with the endpoint's current
 * subnets (same tier), then one whose Name tag matches theirs apart from the AZ, then the one with
 * the most free IP addresses. A subnet with no free address is never chosen.
 */
function chooseSubnet(
  zone: string,
  endpoint: VpcEndpoint,
  inventory: Inventory,
  zones: Zones,
): Subnet | undefined {
  const currentTables = new Set(
    zones.endpointSubnets.map((subnet) => inventory.routeTableOfSubnet(subnet)?.resourceId).filter(isDefined),
  );
  const currentNames = new Set(zones.endpointSubnets.map(nameShape).filter(isDefined));
  const candidates = zones.vpcSubnets.filter(
    (subnet) =>
      subnet.availabilityZone === zone &&
      !endpoint.subnetIds.includes(subnet.resourceId) &&
      subnet.availableIpAddressCount !== 0 &&
      (subnet.state === undefined || sameEnum(subnet.state, 'available')),
  );
  const score = (subnet: Subnet): [number, number, number] => {
    const table = inventory.routeTableOfSubnet(subnet)?.resourceId;
    const shape = nameShape(subnet);
    return [
      table !== undefined && currentTables.has(table) ? 1 : 0,
      shape !== undefined && currentNames.has(shape) ? 1 : 0,
      subnet.availableIpAddressCount ?? -1,
    ];
  };
  const ranked = candidates
    .map((subnet) => ({ subnet, score: score(subnet) }))
    .sort(
      (a, b) => compareScores(b.score, a.score) || a.subnet.resourceId.localeCompare(b.subnet.resourceId),
    );
  return ranked[0]?.subnet;
}

function compareScores(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * A subnet's Name tag with its AZ taken out, so `app-private-us-east-1a`, `app-private-1b`,
 * `app-private-b` and `app-private-use1-az3` compare equal to their twins in other AZs.
 */
export function nameShape(
  subnet: Pick<Subnet, 'tags' | 'availabilityZone' | 'availabilityZoneId'>,
): string | undefined {
  // Resources are immutable, and one subnet is compared for every endpoint of its VPC: remember.
  if (shapes.has(subnet)) return shapes.get(subnet);
  const shape = computeNameShape(subnet);
  shapes.set(subnet, shape);
  return shape;
}

const shapes = new WeakMap<object, string | undefined>();

function computeNameShape(
  subnet: Pick<Subnet, 'tags' | 'availabilityZone' | 'availabilityZoneId'>,
): string | undefined {
  const name = subnet.tags.Name?.trim().toLowerCase();
  if (!name) return undefined;
  const az = subnet.availabilityZone.toLowerCase();
  let shape = name;
  for (const token of [az, subnet.availabilityZoneId?.toLowerCase()]) {
    if (token) shape = shape.split(token).join('{az}');
  }
  const letter = /\d([a-z])$/.exec(az)?.[1];
  const digit = /(\d)[a-z]$/.exec(az)?.[1];
  if (letter) {
    // A separate token naming the AZ: `-a`, `_1a`, `.b`, or an AZ id suffix such as `az3`.
    shape = shape.replace(cachedRegExp(`(^|[^a-z0-9])(?:${digit ?? ''})?${letter}(?=$|[^a-z0-9])`), '$1{az}');
  }
  const idSuffix = /-(az\d+)$/.exec(subnet.availabilityZoneId?.toLowerCase() ?? '')?.[1];
  if (idSuffix) shape = shape.replace(cachedRegExp(`(^|[^a-z0-9])${idSuffix}(?=$|[^a-z0-9])`), '$1{az}');
  return shape;
}

/**
 * The AZ patterns are few (one per AZ letter and id), and compiling a RegExp costs more than
 * matching it: compile each once. Non-global patterns keep no state between `replace` calls.
 */
const regExps = new Map<string, RegExp>();

function cachedRegExp(source: string): RegExp {
  let pattern = regExps.get(source);
  if (pattern === undefined) {
    pattern = new RegExp(source);
    regExps.set(source, pattern);
  }
  return pattern;
}

function distinctSorted(values: readonly string[]): string[] {
  return [...new Set(values.filter((value) => value !== ''))].sort();
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
