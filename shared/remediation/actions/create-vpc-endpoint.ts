/**
 * `CreateVpcEndpoint` (a gateway endpoint with its route tables): how `gateway-endpoint-routes`
 * fixes a VPC without an S3 / DynamoDB gateway endpoint, when the settings allow it. It records
 * `endpoint-created`; rollback deletes the endpoint, unless it now serves other tables.
 */
import {
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeVpcEndpointsCommand,
  type VpcEndpoint as SdkVpcEndpoint,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { describeAwsError, hasCode } from '../../aws/errors';
import { endpointsProbe, isGone } from './live-probes';
import { GATEWAY_COST } from './modify-vpc-endpoint';
import type { ActionModule, ChangeModule } from './types';

const nonEmpty = z.string().min(1);

export const createVpcEndpointSchema = z.object({
  service: z.literal('ec2'),
  action: z.literal('CreateVpcEndpoint'),
  parameters: z.object({
    VpcId: nonEmpty,
    ServiceName: nonEmpty,
    VpcEndpointType: z.literal('Gateway'),
    RouteTableIds: z.array(nonEmpty).min(1),
    ClientToken: z.string().min(1).max(64),
  }),
});

export type CreateVpcEndpointAction = z.output<typeof createVpcEndpointSchema>;

const endpointCreatedSchema = z.object({
  kind: z.literal('endpoint-created'),
  vpcEndpointId: nonEmpty,
  vpcId: nonEmpty,
  serviceName: nonEmpty,
  /** The route tables the endpoint was created with: rollback refuses if they differ now. */
  routeTableIds: z.array(nonEmpty),
});

export type EndpointCreated = z.output<typeof endpointCreatedSchema>;

export const endpointCreated: ChangeModule<EndpointCreated, SdkVpcEndpoint> = {
  kind: 'endpoint-created',
  schema: endpointCreatedSchema,
  probe: endpointsProbe,
  keyOf: (change) => change.vpcEndpointId,
  describe: (change) =>
    `created ${change.serviceName} gateway endpoint ${change.vpcEndpointId} in ${change.vpcId} for ${change.routeTableIds.join(', ')}`,
  describeUndo: (change) =>
    `delete gateway endpoint ${change.vpcEndpointId} (${change.serviceName}) created by the fix`,
  reverse: (change) => ({
    service: 'ec2',
    action: 'DeleteVpcEndpoints',
    parameters: { VpcEndpointIds: [change.vpcEndpointId] },
  }),
  async sendReverse(clients, call) {
    const { VpcEndpointIds } = call.parameters as { VpcEndpointIds: readonly string[] };
    const response = await clients.ec2.send(
      new DeleteVpcEndpointsCommand({ VpcEndpointIds: [...VpcEndpointIds] }),
    );
    const failed = (response.Unsuccessful ?? []).map((item) =>
      `${item.ResourceId}: ${item.Error?.Code ?? 'error'} ${item.Error?.Message ?? ''}`.trim(),
    );
    if (failed.length) throw new Error(`DeleteVpcEndpoints refused ${failed.join('; ')}`);
  },
  conflicts(change, endpoint) {
    if (isGone(endpoint)) return [`endpoint ${change.vpcEndpointId} created by the fix no longer exists`];
    const now = [...(endpoint?.RouteTableIds ?? [])].sort();
    const then = [...change.routeTableIds].sort();
    if (now.join(',') !== then.join(',')) {
      return [
        `endpoint ${change.vpcEndpointId} now serves route tables ${now.join(', ') || 'none'}, not ${then.join(', ')} as created: deleting it would cut the others off`,
      ];
    }
    return [];
  },
  leftovers: (change, endpoint) =>
    isGone(endpoint) ? [] : [`${change.vpcEndpointId} still exists (${endpoint?.State})`],
};

export const createVpcEndpoint: ActionModule<CreateVpcEndpointAction> = {
  action: 'CreateVpcEndpoint',
  service: 'ec2',
  serviceLabel: 'EC2',
  schema: createVpcEndpointSchema,
  changes: [endpointCreated as ChangeModule],
  permissions: ['ec2:CreateVpcEndpoint'],
  async apply(action, { clients, count }) {
    const { VpcId, ServiceName, RouteTableIds, ClientToken } = action.parameters;
    count(action.action);
    try {
      const response = await clients.ec2.send(
        new CreateVpcEndpointCommand({
          VpcId,
          ServiceName,
          VpcEndpointType: 'Gateway',
          RouteTableIds: [...RouteTableIds],
          ClientToken,
        }),
      );
      const id = response.VpcEndpoint?.VpcEndpointId;
      if (!id) return { kind: 'refused', why: `CreateVpcEndpoint in ${VpcId} returned no endpoint id` };
      const created: EndpointCreated = {
        kind: 'endpoint-created',
        vpcEndpointId: id,
        vpcId: VpcId,
        serviceName: ServiceName,
        routeTableIds: [...(response.VpcEndpoint?.RouteTableIds ?? RouteTableIds)],
      };
      return { kind: 'done', changes: [created] };
    } catch (error) {
      if (!hasCode(error, 'IdempotentParameterMismatch', 'RouteAlreadyExists')) throw error;
      // Another fix (same VPC and service, so the same ClientToken) or a person got there
      // first: read what exists now and report it instead of acting on a stale plan.
      count('DescribeVpcEndpoints');
      const existing = await clients.ec2.send(
        new DescribeVpcEndpointsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [VpcId] },
            { Name: 'service-name', Values: [ServiceName] },
            { Name: 'vpc-endpoint-type', Values: ['Gateway'] },
          ],
        }),
      );
      const found = (existing.VpcEndpoints ?? [])
        .map(
          (endpoint) =>
            `${endpoint.VpcEndpointId} (${endpoint.State}, route tables ${(endpoint.RouteTableIds ?? []).join(', ') || 'none'})`,
        )
        .join('; ');
      return {
        kind: 'exists',
        why:
          `CreateVpcEndpoint ${ServiceName} in ${VpcId} was refused with ${describeAwsError(error)}: ` +
          `state changed since the finding; ${found ? `gateway endpoints there now: ${found}` : 'no gateway endpoint of that service is visible yet'}; ` +
          'the next evaluation plans against it',
      };
    }
  },
  target: (action) => `create ${action.parameters.VpcId} ${action.parameters.ServiceName}`,
  cost: () => GATEWAY_COST,
};
