/**
 * `ModifyVpcEndpoint` (add subnets or route tables): how `interface-endpoint-multi-az` covers a
 * missing AZ and `gateway-endpoint-routes` routes a table through an existing gateway endpoint.
 * It records `subnets-added` / `route-tables-added`; rollback removes exactly those.
 */
import { ModifyVpcEndpointCommand, type VpcEndpoint as SdkVpcEndpoint } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { endpointsProbe, isGone } from './live-probes';
import type { ActionModule, ChangeModule } from './types';

const nonEmpty = z.string().min(1);

export const modifyVpcEndpointSchema = z.object({
  service: z.literal('ec2'),
  action: z.literal('ModifyVpcEndpoint'),
  parameters: z
    .object({
      VpcEndpointId: nonEmpty,
      AddSubnetIds: z.array(nonEmpty).min(1).optional(),
      AddRouteTableIds: z.array(nonEmpty).min(1).optional(),
    })
    .refine((p) => p.AddSubnetIds !== undefined || p.AddRouteTableIds !== undefined, {
      message: 'ModifyVpcEndpoint must add subnets or route tables',
    }),
});

export type ModifyVpcEndpointAction = z.output<typeof modifyVpcEndpointSchema>;

const subnetsAddedSchema = z.object({
  kind: z.literal('subnets-added'),
  vpcEndpointId: nonEmpty,
  subnetIds: z.array(nonEmpty).min(1),
});

const routeTablesAddedSchema = z.object({
  kind: z.literal('route-tables-added'),
  vpcEndpointId: nonEmpty,
  routeTableIds: z.array(nonEmpty).min(1),
});

export type SubnetsAdded = z.output<typeof subnetsAddedSchema>;
export type RouteTablesAdded = z.output<typeof routeTablesAddedSchema>;

/** The reverse: `ModifyVpcEndpoint` removing what was added. */
async function removeFromEndpoint(
  clients: Parameters<ChangeModule['sendReverse']>[0],
  call: Parameters<ChangeModule['sendReverse']>[1],
): Promise<void> {
  const { VpcEndpointId, RemoveSubnetIds, RemoveRouteTableIds } = call.parameters as {
    VpcEndpointId: string;
    RemoveSubnetIds?: readonly string[];
    RemoveRouteTableIds?: readonly string[];
  };
  const response = await clients.ec2.send(
    new ModifyVpcEndpointCommand({
      VpcEndpointId,
      ...(RemoveSubnetIds ? { RemoveSubnetIds: [...RemoveSubnetIds] } : {}),
      ...(RemoveRouteTableIds ? { RemoveRouteTableIds: [...RemoveRouteTableIds] } : {}),
    }),
  );
  if (response.Return === false)
    throw new Error(`EC2 answered ModifyVpcEndpoint on ${VpcEndpointId} with Return=false`);
}

/** Ids added to an endpoint: the fix's change, the live ids, and their noun. */
function addedTo(
  change: SubnetsAdded | RouteTablesAdded,
  endpoint: SdkVpcEndpoint | undefined,
): { added: readonly string[]; current: readonly string[]; noun: string } {
  return change.kind === 'subnets-added'
    ? { added: change.subnetIds, current: endpoint?.SubnetIds ?? [], noun: 'subnet' }
    : { added: change.routeTableIds, current: endpoint?.RouteTableIds ?? [], noun: 'route table' };
}

function conflictsOf(
  change: SubnetsAdded | RouteTablesAdded,
  endpoint: SdkVpcEndpoint | undefined,
): string[] {
  if (isGone(endpoint)) return [`endpoint ${change.vpcEndpointId} no longer exists`];
  const { added, current, noun } = addedTo(change, endpoint);
  const gone = added.filter((id) => !current.includes(id));
  if (gone.length) {
    return [
      `${noun} ${gone.join(', ')} added by the fix ${gone.length === 1 ? 'is' : 'are'} no longer on ${change.vpcEndpointId} (it has ${current.join(', ') || 'none'})`,
    ];
  }
  if (change.kind === 'subnets-added' && current.every((id) => added.includes(id))) {
    return [`removing ${added.join(', ')} would leave ${change.vpcEndpointId} without subnets`];
  }
  return [];
}

function leftoversOf(
  change: SubnetsAdded | RouteTablesAdded,
  endpoint: SdkVpcEndpoint | undefined,
): string[] {
  const ids = change.kind === 'subnets-added' ? change.subnetIds : change.routeTableIds;
  const current = change.kind === 'subnets-added' ? endpoint?.SubnetIds : endpoint?.RouteTableIds;
  const still = ids.filter((id) => current?.includes(id));
  return still.length ? [`${still.join(', ')} still on ${change.vpcEndpointId}`] : [];
}

export const subnetsAdded: ChangeModule<SubnetsAdded, SdkVpcEndpoint> = {
  kind: 'subnets-added',
  schema: subnetsAddedSchema,
  probe: endpointsProbe,
  keyOf: (change) => change.vpcEndpointId,
  describe: (change) => `added ${change.subnetIds.join(', ')} to ${change.vpcEndpointId}`,
  describeUndo: (change) => `remove ${change.subnetIds.join(', ')} from ${change.vpcEndpointId}`,
  reverse: (change) => ({
    service: 'ec2',
    action: 'ModifyVpcEndpoint',
    parameters: { VpcEndpointId: change.vpcEndpointId, RemoveSubnetIds: [...change.subnetIds] },
  }),
  sendReverse: removeFromEndpoint,
  conflicts: conflictsOf,
  leftovers: leftoversOf,
};

export const routeTablesAdded: ChangeModule<RouteTablesAdded, SdkVpcEndpoint> = {
  kind: 'route-tables-added',
  schema: routeTablesAddedSchema,
  probe: endpointsProbe,
  keyOf: (change) => change.vpcEndpointId,
  describe: (change) => `added ${change.routeTableIds.join(', ')} to ${change.vpcEndpointId}`,
  describeUndo: (change) => `remove ${change.routeTableIds.join(', ')} from ${change.vpcEndpointId}`,
  reverse: (change) => ({
    service: 'ec2',
    action: 'ModifyVpcEndpoint',
    parameters: { VpcEndpointId: change.vpcEndpointId, RemoveRouteTableIds: [...change.routeTableIds] },
  }),
  sendReverse: removeFromEndpoint,
  conflicts: conflictsOf,
  leftovers: leftoversOf,
};

/** Hours in an average month, the unit AWS prices endpoint-hours in. */
const HOURS_PER_MONTH = 730;

export const modifyVpcEndpoint: ActionModule<ModifyVpcEndpointAction> = {
  action: 'ModifyVpcEndpoint',
  service: 'ec2',
  serviceLabel: 'EC2',
  schema: modifyVpcEndpointSchema,
  changes: [subnetsAdded as ChangeModule, routeTablesAdded as ChangeModule],
  permissions: ['ec2:ModifyVpcEndpoint'],
  async apply(action, { clients, count }) {
    const { VpcEndpointId, AddSubnetIds, AddRouteTableIds } = action.parameters;
    count(action.action);
    const response = await clients.ec2.send(
      new ModifyVpcEndpointCommand({
        VpcEndpointId,
        ...(AddSubnetIds ? { AddSubnetIds: [...AddSubnetIds] } : {}),
        ...(AddRouteTableIds ? { AddRouteTableIds: [...AddRouteTableIds] } : {}),
      }),
    );
    if (response.Return === false) {
      return { kind: 'refused', why: `EC2 answered ModifyVpcEndpoint on ${VpcEndpointId} with Return=false` };
    }
    const made: (SubnetsAdded | RouteTablesAdded)[] = [];
    if (AddSubnetIds)
      made.push({ kind: 'subnets-added', vpcEndpointId: VpcEndpointId, subnetIds: [...AddSubnetIds] });
    if (AddRouteTableIds) {
      made.push({
        kind: 'route-tables-added',
        vpcEndpointId: VpcEndpointId,
        routeTableIds: [...AddRouteTableIds],
      });
    }
    return { kind: 'done', changes: made };
  },
  target: (action) => `endpoint ${action.parameters.VpcEndpointId}`,
  cost(action) {
    const count = action.parameters.AddSubnetIds?.length ?? 0;
    if (count === 0) return GATEWAY_COST;
    const enis =
      count === 1
        ? '1 endpoint network interface (1 AZ)'
        : `${count} endpoint network interfaces (${count} AZs)`;
    return (
      `Adds ${enis} to ${action.parameters.VpcEndpointId}: PrivateLink bills each interface endpoint per AZ-hour, ` +
      `so about ${count * HOURS_PER_MONTH} more endpoint-hours a month at your Region's rate ` +
      '(https://aws.amazon.com/privatelink/pricing/).'
    );
  },
};

/** What a gateway endpoint costs: nothing, and it saves NAT processing. */
export const GATEWAY_COST =
  'Gateway endpoints have no hourly or data processing charge; traffic moved off a NAT gateway stops being billed there.';
